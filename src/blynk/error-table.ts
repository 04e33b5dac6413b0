import type { BlynkErrorCode } from './errors';

/** What the config node shows on its users while it gets (or fails to get) a token. */
export type TokenState = 'idle' | 'connecting' | 'ok' | 'auth-failed' | 'signin-required' | 'rate-limited' | 'error';

/** Status texts (catalogue `status.*`) a flow node shows when a message fails. */
export type FailureStatus =
  | 'auth-failed'
  | 'signin-required'
  | 'not-configured'
  | 'invalid-input'
  | 'queue-full'
  | 'rate-limited'
  | 'not-found'
  | 'denied'
  | 'timeout'
  | 'unreachable'
  | 'error';

/**
 * The HTTP answer a code stands for: one status, any 5xx, any other non-2xx status that has no
 * code of its own, or none (the failure is not an HTTP answer).
 */
export type HttpClass = 400 | 401 | 403 | 404 | 429 | '5xx' | 'other' | 'none';

/**
 * Whether the client sends a request again after this failure: `backoff` after a jittered pause,
 * and only when the request may be repeated; `retry-after` once the server's Retry-After has
 * passed (a 429 was never processed, so even a refresh token stays unspent); `never`.
 */
export type RetryRule = 'backoff' | 'retry-after' | 'never';

export interface ErrorRule {
  http: HttpClass;
  /** The token state a token request that failed this way leaves the config node in. */
  tokenState: TokenState;
  /** The status text of a flow node whose message failed this way. */
  status: FailureStatus;
  /** Says something of the connection rather than of one message: every node on it shows it. */
  connection: boolean;
  retry: RetryRule;
  /** The message's key in the runtime catalogue, under `errors.`. */
  key: string;
}

function rule(key: string, tokenState: TokenState, status: FailureStatus, more: Partial<ErrorRule> = {}): ErrorRule {
  return { http: 'none', tokenState, status, connection: false, retry: 'never', key, ...more };
}

const CONNECTION = { connection: true } as const;

/** Every error code the package raises, with everything the rest of the package decides by it. */
export const ERROR_TABLE = {
  NO_CONFIG: rule('no-config', 'error', 'not-configured'),
  NO_OAUTH_CLIENT: rule('no-oauth-client', 'auth-failed', 'not-configured'),
  NO_USER_CREDENTIALS: rule('no-user-credentials', 'auth-failed', 'not-configured'),
  NO_DEVICE_TOKEN: rule('no-device-token', 'error', 'not-configured'),
  DEVICE_TOKEN_REJECTED: rule('device-token-rejected', 'error', 'auth-failed'),
  STORED_SECRET_ELSEWHERE: rule('stored-secret-elsewhere', 'error', 'error'),
  INVALID_SERVER: rule('invalid-server', 'error', 'not-configured'),
  INVALID_ENDPOINT_PATH: rule('invalid-endpoint-path', 'error', 'not-configured'),
  OFF_SERVER: rule('off-server', 'error', 'not-configured'),
  INPUT_NOT_SET: rule('input-not-set', 'error', 'invalid-input'),
  INVALID_DEVICE_ID: rule('invalid-device-id', 'error', 'invalid-input'),
  INVALID_DEVICE_NAME: rule('invalid-device-name', 'error', 'invalid-input'),
  INVALID_DATASTREAM_ID: rule('invalid-datastream-id', 'error', 'invalid-input'),
  INVALID_PIN: rule('invalid-pin', 'error', 'invalid-input'),
  INVALID_EVENT_CODE: rule('invalid-event-code', 'error', 'invalid-input'),
  EVENT_TOO_LONG: rule('event-too-long', 'error', 'invalid-input'),
  INVALID_VALUE: rule('invalid-value', 'error', 'invalid-input'),
  EMPTY_BATCH: rule('empty-batch', 'error', 'invalid-input'),
  DESCRIPTION_TOO_LONG: rule('description-too-long', 'error', 'invalid-input'),
  INVALID_DESCRIPTION: rule('invalid-description', 'error', 'invalid-input'),
  INVALID_PROPERTY: rule('invalid-property', 'error', 'invalid-input'),
  INVALID_METHOD: rule('invalid-method', 'error', 'invalid-input'),
  INVALID_PATH: rule('invalid-path', 'error', 'invalid-input'),
  INVALID_PARAMS: rule('invalid-params', 'error', 'invalid-input'),
  INVALID_BODY: rule('invalid-body', 'error', 'invalid-input'),
  INVALID_META_FIELD: rule('invalid-meta-field', 'error', 'invalid-input'),
  INVALID_POINTS: rule('invalid-points', 'error', 'invalid-input'),
  INVALID_REPORT_OPTION: rule('invalid-report-option', 'error', 'invalid-input'),
  INVALID_FILE: rule('invalid-file', 'error', 'invalid-input'),
  FILE_TOO_LARGE: rule('file-too-large', 'error', 'invalid-input'),
  REQUEST_TOO_LARGE: rule('request-too-large', 'error', 'invalid-input'),
  NOT_AS_DOCUMENTED: rule('not-as-documented', 'error', 'invalid-input'),
  PIN_NOT_FOUND: rule('pin-not-found', 'error', 'not-found'),
  DEVICE_NAME_NOT_FOUND: rule('device-name-not-found', 'error', 'not-found'),
  // A name that fits several devices cannot be used as it is: the input must change.
  DEVICE_NAME_AMBIGUOUS: rule('device-name-ambiguous', 'error', 'invalid-input'),
  QUEUE_FULL: rule('queue-full', 'error', 'queue-full'),
  TOKEN_INVALID_CLIENT: rule('token-invalid-client', 'auth-failed', 'auth-failed', CONNECTION),
  TOKEN_INVALID_GRANT: rule('token-invalid-grant', 'auth-failed', 'auth-failed', CONNECTION),
  // A 5xx from the token endpoint is an outage rather than refused credentials: see tokenStateOf.
  TOKEN_REJECTED: rule('token-rejected', 'auth-failed', 'auth-failed', CONNECTION),
  TOKEN_BAD_RESPONSE: rule('token-bad-response', 'error', 'error', CONNECTION),
  AUTH_COOLDOWN: rule('auth-cooldown', 'auth-failed', 'auth-failed', CONNECTION),
  SIGNIN_REQUIRED: rule('signin-required', 'signin-required', 'signin-required', CONNECTION),
  RATE_LIMITED: rule('rate-limited', 'rate-limited', 'rate-limited', { http: 429, retry: 'retry-after' }),
  TIMEOUT: rule('timeout', 'error', 'timeout', CONNECTION),
  NETWORK: rule('network', 'error', 'unreachable', { connection: true, retry: 'backoff' }),
  UNAUTHORIZED: rule('unauthorized', 'error', 'auth-failed', { http: 401, connection: true }),
  FORBIDDEN: rule('forbidden', 'error', 'denied', { http: 403 }),
  NOT_FOUND: rule('not-found', 'error', 'not-found', { http: 404 }),
  BAD_REQUEST: rule('bad-request', 'error', 'error', { http: 400 }),
  SERVER_ERROR: rule('server-error', 'error', 'error', { http: '5xx', connection: true, retry: 'backoff' }),
  HTTP_ERROR: rule('http-error', 'error', 'error', { http: 'other' }),
  REDIRECT_REFUSED: rule('redirect-refused', 'error', 'error', CONNECTION),
  CLOSED: rule('closed', 'error', 'error'),
  TLS: rule('tls', 'error', 'unreachable', CONNECTION),
  UNEXPECTED: rule('unexpected', 'error', 'error'),
  // Device MQTT API: the connection is the device's own, so its failures are the connection's.
  NO_MQTT_TOKEN: rule('no-mqtt-token', 'error', 'not-configured'),
  INVALID_MQTT_SERVER: rule('invalid-mqtt-server', 'error', 'not-configured'),
  INVALID_TOPIC_NAME: rule('invalid-topic-name', 'error', 'invalid-input'),
  MESSAGE_TOO_LARGE: rule('message-too-large', 'error', 'invalid-input'),
  MQTT_QUEUE_FULL: rule('mqtt-queue-full', 'error', 'queue-full'),
  MQTT_REFUSED: rule('mqtt-refused', 'error', 'auth-failed', CONNECTION),
  MQTT_REDIRECT_REFUSED: rule('mqtt-redirect-refused', 'error', 'error', CONNECTION),
} as const satisfies Record<BlynkErrorCode, ErrorRule>;

/** Every error code, in the table's order. */
export const ERROR_CODES: readonly BlynkErrorCode[] = Object.keys(ERROR_TABLE) as BlynkErrorCode[];

/** The rule of an error code. */
export function errorRule(code: BlynkErrorCode): ErrorRule {
  return ERROR_TABLE[code];
}

/** A failed answer of the token endpoint with a 5xx: the server is down, the credentials may be fine. */
function tokenOutage(code: BlynkErrorCode, status: number | undefined): boolean {
  return code === 'TOKEN_REJECTED' && status !== undefined && status >= 500;
}

/** The token state after a token request failed with `code` (and HTTP `status`, when answered). */
export function tokenStateOf(code: BlynkErrorCode, status?: number): TokenState {
  return tokenOutage(code, status) ? 'error' : ERROR_TABLE[code].tokenState;
}

/** The status text of a flow node whose message failed with `code` (and HTTP `status`). */
export function failureStatusOf(code: BlynkErrorCode, status?: number): FailureStatus {
  return tokenOutage(code, status) ? 'error' : ERROR_TABLE[code].status;
}

/** The code of a non-2xx answer: its status's own code, `SERVER_ERROR` for any 5xx, else `HTTP_ERROR`. */
export function codeForStatus(status: number): BlynkErrorCode {
  const wanted = status >= 500 ? '5xx' : status;
  return ERROR_CODES.find((code) => ERROR_TABLE[code].http === wanted) ?? 'HTTP_ERROR';
}
