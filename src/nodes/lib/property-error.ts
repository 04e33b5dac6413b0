import { BlynkError, BlynkErrorCode, quoteValue } from '../../blynk';
import { TypedProperty } from './typed-property';

/**
 * A typed property Node-RED could not evaluate (a JSONata syntax error, a bad msg path): its own
 * message says why, which beats any Blynk error. Shown, like a localised error, without its name.
 */
export class PropertyError extends Error {
  constructor(cause: unknown) {
    // JSONata throws plain objects ({ code, position, message }), not Errors.
    const message = typeof cause === 'object' && cause !== null && 'message' in cause ? cause.message : undefined;
    super(typeof message === 'string' ? message : String(cause));
    this.name = 'PropertyError';
  }

  override toString(): string {
    return this.message;
  }
}

/** Typed property types whose name says where a value comes from (`msg.deviceId`, `flow.pin`). */
const NAMED_TYPES: ReadonlySet<string> = new Set(['msg', 'flow', 'global', 'env']);

/** The node properties an input error can be about. */
const INPUT_OF: Partial<Record<BlynkErrorCode, readonly string[]>> = {
  INVALID_DEVICE_ID: ['deviceId'],
  INVALID_DEVICE_NAME: ['deviceId'],
  INVALID_DATASTREAM_ID: ['dataStreamId'],
  INVALID_PIN: ['pin', 'pins', 'dataStreamId'],
  INVALID_EVENT_CODE: ['eventCode'],
  INVALID_META_FIELD: ['metaField'],
  INVALID_FILE: ['filename'],
};

/**
 * The commonest mistake, a message or context property that is not set (`msg.deviceId`), named
 * as the node reads it: only when the refused value is that unset one (not a key of a batch).
 */
export function notSetError(
  err: unknown,
  props: Readonly<Record<string, TypedProperty>>,
  values: Readonly<Record<string, unknown>>,
): BlynkError | undefined {
  if (!(err instanceof BlynkError)) return undefined;
  for (const name of INPUT_OF[err.code] ?? []) {
    const prop = props[name];
    const value = values[name];
    const unset = value === undefined || value === null || value === '';
    if (prop && unset && NAMED_TYPES.has(prop.type) && err.details.value === quoteValue(value)) {
      return new BlynkError('INPUT_NOT_SET', { value: `${prop.type}.${prop.value}` });
    }
  }
  return undefined;
}
