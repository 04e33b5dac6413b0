import { BlynkError, sanitizeDetail } from './errors';

/** A value Blynk can store: Platform JSON takes string | number | [lon, lat]. */
export type DatastreamValue = string | number | [number, number];

const MAX_INT32 = 2_147_483_647;

/** A value as it goes into a localised message: no words of any one language (`undefined`, not "nothing"). */
export function quoteValue(value: unknown): string {
  return sanitizeDetail(value === undefined ? 'undefined' : typeof value === 'string' ? JSON.stringify(value) : value);
}

function toInteger(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && Math.abs(n) <= MAX_INT32 ? n : undefined;
}

export function deviceIdOf(value: unknown): number {
  const id = toInteger(value);
  if (id === undefined || id < 1) throw new BlynkError('INVALID_DEVICE_ID', { value: quoteValue(value) });
  return id;
}

/** The device search's `query` is documented as at most 255 characters: the longest name it can find. */
export const DEVICE_NAME_MAX = 255;

/** A device name as a flow gives it: text of 1–255 characters, surrounding spaces ignored. */
export function deviceNameOf(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name === '' || name.length > DEVICE_NAME_MAX) throw new BlynkError('INVALID_DEVICE_NAME', { value: quoteValue(value) });
  return name;
}

export function dataStreamIdOf(value: unknown): number {
  const id = toInteger(value);
  if (id === undefined || id < 0) throw new BlynkError('INVALID_DATASTREAM_ID', { value: quoteValue(value) });
  return id;
}

const PIN = /^[vV](25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `V0`–`V255` in either case, sent as Blynk's examples write it: `v<n>`. */
export function pinOf(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!PIN.test(text)) throw new BlynkError('INVALID_PIN', { value: quoteValue(value) });
  return text.toLowerCase();
}

const EVENT_CODE = /^[A-Za-z0-9 _]{1,50}$/;

export function eventCodeOf(value: unknown): string {
  if (typeof value !== 'string' || !EVENT_CODE.test(value)) {
    throw new BlynkError('INVALID_EVENT_CODE', { value: quoteValue(value) });
  }
  return value;
}

/** An optional description as text: undefined when absent or empty, an object as JSON. */
function descriptionText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    // A cycle or a BigInt: JSON cannot write it, and nothing is sent.
    throw new BlynkError('INVALID_DESCRIPTION');
  }
}

/** The optional description; Blynk limits code plus description to 1024 characters. */
export function eventDescriptionOf(code: string, value: unknown): string | undefined {
  const text = descriptionText(value);
  if (text === undefined) return undefined;
  const length = code.length + text.length;
  if (length > 1024) throw new BlynkError('EVENT_TOO_LONG', { length });
  return text;
}

/** A single datastream value; booleans become 1/0, as Blynk's switch datastreams expect. */
export function datastreamValueOf(value: unknown): DatastreamValue {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (isLocation(value)) return [value[0], value[1]];
  throw new BlynkError('INVALID_VALUE', { value: quoteValue(value) });
}

function isLocation(value: unknown): value is [number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    Number.isFinite(value[0]) &&
    Number.isFinite(value[1])
  );
}

/** Any non-null object that is not an array (unlike isPlainObject, of any prototype). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Objects made in a function node come from another realm with its own Object.prototype.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Validates every key and value of a batch before anything is sent. */
export function batchOf<K>(values: Record<string, unknown>, keyOf: (key: string) => K): Array<[K, DatastreamValue]> {
  const entries = Object.entries(values);
  if (entries.length === 0) throw new BlynkError('EMPTY_BATCH');
  return entries.map(([key, value]) => [keyOf(key), datastreamValueOf(value)]);
}

/** The value as the Device HTTPS API takes it in a query string. */
export function queryValues(value: DatastreamValue): string[] {
  return Array.isArray(value) ? [String(value[0]), String(value[1])] : [String(value)];
}

/** One pin, or several as an array or a list such as `"V1, V2 v3"`: validated, lowercase, once each. */
export function pinsOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,;]+/).filter((s) => s !== '') : [value];
  if (items.length === 0) throw new BlynkError('INVALID_PIN', { value: quoteValue(value) });
  return [...new Set(items.map(pinOf))];
}

/** The Device API keeps at most 300 characters of an event description and discards longer ones. */
export const DEVICE_EVENT_DESCRIPTION_MAX = 300;

export function deviceEventDescriptionOf(value: unknown): string | undefined {
  const text = descriptionText(value);
  if (text === undefined) return undefined;
  if (text.length > DEVICE_EVENT_DESCRIPTION_MAX) throw new BlynkError('DESCRIPTION_TOO_LONG', { length: text.length });
  return text;
}

// Blynk does not publish its list of datastream properties: any identifier-like name is accepted,
// except the query's own keys.
const PROPERTY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function propertyNameOf(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!PROPERTY.test(text) || text === 'token' || text === 'pin') throw new BlynkError('INVALID_PROPERTY', { value: quoteValue(value) });
  return text;
}

/**
 * A widget property value as query text: booleans stay `true`/`false` (`isDisabled=true`), an
 * array is a multi-value property whose key repeats (`labels=a&labels=b`).
 */
export function propertyValuesOf(value: unknown): string[] {
  const one = (v: unknown): string => {
    const text = scalarText(v);
    if (text === undefined) throw new BlynkError('INVALID_VALUE', { value: quoteValue(value) });
    return text;
  };
  if (Array.isArray(value)) {
    if (value.length === 0) throw new BlynkError('INVALID_VALUE', { value: quoteValue(value) });
    return value.map(one);
  }
  return [one(value)];
}

/** A string, boolean or finite number as query text (`String(v)`); undefined for anything else. */
export function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : undefined;
}

/** A metadata field: its id (a whole number, also as digits) or its exact, case-sensitive name. */
export type MetaField = { id: number } | { name: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function metaFieldOf(value: unknown): MetaField {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { id: value };
  if (typeof value === 'string' && value.trim() !== '' && !CONTROL.test(value)) {
    return /^\d{1,10}$/.test(value.trim()) ? { id: Number(value.trim()) } : { name: value };
  }
  throw new BlynkError('INVALID_META_FIELD', { value: quoteValue(value) });
}

/** The report options of `data/get`, each with the values the page lists (its default first). */
export const REPORT_OPTIONS = {
  period: ['MONTH', 'HOUR', 'DAY', 'WEEK', 'THREE_MONTHS'],
  granularityType: ['RAW_DATA', 'MINUTE', 'HOURLY', 'DAILY'],
  sourceType: ['AVG', 'MIN', 'MAX', 'SUM', 'COUNT'],
  format: ['TS', 'ISO_US', 'ISO_SIMPLE'],
} as const;

export type ReportOption = keyof typeof REPORT_OPTIONS;

/** A file over `maxBytes` is refused before any request, with its size and the limit. */
export function checkFileSize(size: number, maxBytes: number): void {
  if (size > maxBytes) throw new BlynkError('FILE_TOO_LARGE', { length: size, detail: String(maxBytes) });
}

/** A file's name as it goes in the form: a path (read file's msg.filename) loses its folders. */
export function fileNameOf(value: unknown): string {
  const name = typeof value === 'string' ? (value.split(/[\\/]/).pop() ?? '').trim() : '';
  if (!name || name === '.' || name === '..' || name.length > 255 || CONTROL.test(name)) {
    throw new BlynkError('INVALID_FILE', { value: quoteValue(value) });
  }
  return name;
}

/** A file's bytes: a non-empty Buffer (or any Uint8Array) within `maxBytes`. */
export function fileDataOf(value: unknown, maxBytes: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength === 0) throw new BlynkError('INVALID_FILE', { value: quoteValue(value) });
  checkFileSize(value.byteLength, maxBytes);
  return value;
}
