import { ERROR_TABLE } from './error-table';

/**
 * The only error type that leaves the Blynk client.
 *
 * It never holds a request, a response, headers or a cause: axios errors carry the Authorization
 * header, the Basic pair and request bodies, and Node-RED copies `cause` into `msg.error`, so
 * failures are rebuilt from plain fields instead of wrapped. What the package does with each code
 * (status text, token state, retry, message) is in ERROR_TABLE, which must list every one.
 */
export type BlynkErrorCode =
  | 'NO_CONFIG'
  | 'NO_OAUTH_CLIENT'
  | 'NO_USER_CREDENTIALS'
  | 'NO_DEVICE_TOKEN'
  | 'DEVICE_TOKEN_REJECTED'
  | 'STORED_SECRET_ELSEWHERE'
  | 'INVALID_SERVER'
  | 'INVALID_ENDPOINT_PATH'
  | 'OFF_SERVER'
  | 'INPUT_NOT_SET'
  | 'INVALID_DEVICE_ID'
  | 'INVALID_DEVICE_NAME'
  | 'INVALID_DATASTREAM_ID'
  | 'INVALID_PIN'
  | 'INVALID_EVENT_CODE'
  | 'EVENT_TOO_LONG'
  | 'INVALID_VALUE'
  | 'EMPTY_BATCH'
  | 'DESCRIPTION_TOO_LONG'
  | 'INVALID_DESCRIPTION'
  | 'INVALID_PROPERTY'
  | 'INVALID_METHOD'
  | 'INVALID_PATH'
  | 'INVALID_PARAMS'
  | 'INVALID_BODY'
  | 'INVALID_META_FIELD'
  | 'INVALID_POINTS'
  | 'INVALID_REPORT_OPTION'
  | 'INVALID_FILE'
  | 'FILE_TOO_LARGE'
  | 'REQUEST_TOO_LARGE'
  | 'NOT_AS_DOCUMENTED'
  | 'PIN_NOT_FOUND'
  | 'DEVICE_NAME_NOT_FOUND'
  | 'DEVICE_NAME_AMBIGUOUS'
  | 'QUEUE_FULL'
  | 'TOKEN_INVALID_CLIENT'
  | 'TOKEN_INVALID_GRANT'
  | 'TOKEN_REJECTED'
  | 'TOKEN_BAD_RESPONSE'
  | 'AUTH_COOLDOWN'
  | 'SIGNIN_REQUIRED'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'SERVER_ERROR'
  | 'HTTP_ERROR'
  | 'REDIRECT_REFUSED'
  | 'CLOSED'
  | 'TLS'
  | 'UNEXPECTED'
  // Device MQTT API (device-mqtt/)
  | 'NO_MQTT_TOKEN'
  | 'INVALID_MQTT_SERVER'
  | 'INVALID_TOPIC_NAME'
  | 'MESSAGE_TOO_LARGE'
  | 'MQTT_QUEUE_FULL'
  | 'MQTT_REFUSED'
  | 'MQTT_REDIRECT_REFUSED';

/** Values substituted into the localised message; all of them are safe to show. */
export interface BlynkErrorDetails {
  status?: number;
  /** OAuth `error` field of a token endpoint answer, e.g. `invalid_client`. */
  oauthError?: string;
  /** Seconds until a retry may succeed (Retry-After, or the rest of a cool-down). */
  retryAfter?: number;
  /** A short, sanitised text from the server or the input that explains the failure. */
  detail?: string;
  value?: string;
  length?: number;
  host?: string;
  server?: string;
  location?: string;
  timeout?: number;
}

export class BlynkError extends Error {
  readonly code: BlynkErrorCode;
  readonly status?: number;
  readonly oauthError?: string;
  readonly retryAfter?: number;
  readonly details: BlynkErrorDetails;

  constructor(code: BlynkErrorCode, details: BlynkErrorDetails = {}, message?: string) {
    super(message ?? defaultMessage(code, details));
    this.name = 'BlynkError';
    this.code = code;
    this.details = details;
    if (details.status !== undefined) this.status = details.status;
    if (details.oauthError !== undefined) this.oauthError = details.oauthError;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
  }

  /** The message-catalogue key for this error, e.g. `RATE_LIMITED` → `rate-limited`. */
  get messageKey(): string {
    return ERROR_TABLE[this.code].key;
  }
}

function defaultMessage(code: BlynkErrorCode, details: BlynkErrorDetails): string {
  const extra = details.detail ?? details.value;
  return extra === undefined ? code : `${code}: ${extra}`;
}

const MAX_DETAIL = 200;

/** Makes server or input text safe to show: printable, one line, at most 200 characters. */
export function sanitizeDetail(text: unknown): string {
  const raw = typeof text === 'string' ? text : text === undefined ? '' : safeJson(text);
  // eslint-disable-next-line no-control-regex
  const clean = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL)}…` : clean;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * The server's own words from an error body, in each shape Blynk answers with: the Platform API's
 * `{"error":{"message"}}`, OAuth's `{"error","error_description"}`, a flat `{"message"}`; any other
 * body (a proxy's page, plain text) as it came. Sanitised; '' for an empty body.
 */
export function serverMessageOf(data: unknown): string {
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const body = data as Record<string, unknown>;
    const error = body.error;
    if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
      return sanitizeDetail((error as { message: string }).message);
    }
    if (typeof body.error_description === 'string' && body.error_description.trim()) return sanitizeDetail(body.error_description);
    if (typeof error === 'string' && error.trim()) return sanitizeDetail(error);
    if (typeof body.message === 'string' && body.message.trim()) return sanitizeDetail(body.message);
  }
  return sanitizeDetail(data);
}
