// Payload encoding and decoding of the Device MQTT API (docs/blynk-mqtt-api.md §Datastreams).
import { BlynkError } from '../errors';
import { quoteValue } from '../validate';

/** One item of a value: Blynk's MQTT payloads are plain text, numbers are written as text. */
export type ValueItem = string | number;
/** A value for `ds/<name>` or a widget property: one item, or several (multi-value). */
export type DeviceValue = ValueItem | boolean | ValueItem[];
/** A value in `batch_ds` JSON: typed as the datastream is (string, number, boolean, [lon, lat]). */
export type BatchValue = string | number | boolean | [number, number];
/** A point of `ds/<name>/timestamped_batch`: [milliseconds since the epoch, value]. */
export type TimestampedPoint = [number, BatchValue];

/** Separator of multi-value items (docs: "separated using a 0x00 byte"). */
export const NUL = '\u0000';

function itemText(item: unknown, whole: unknown): string {
  if (typeof item === 'number' && Number.isFinite(item)) return String(item);
  // A NUL inside one item would split it into two on the server.
  if (typeof item === 'string' && !item.includes(NUL)) return item;
  throw new BlynkError('INVALID_VALUE', { value: quoteValue(whole) });
}

/**
 * The plain-text payload of `ds/<name>` or `ds/<name>/prop/<property>`: numbers as text, an
 * array as its items separated by NUL. Booleans: undocumented for MQTT, sent as 1/0 as the HTTPS
 * nodes do (Blynk's Boolean datastream type is documented for batch_ds only).
 */
export function encodeValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) {
    if (value.length === 0) throw new BlynkError('INVALID_VALUE', { value: quoteValue(value) });
    return value.map((item) => itemText(item, value)).join(NUL);
  }
  return itemText(value, value);
}

function isBatchValue(value: unknown): value is BatchValue {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.length === 2 && value.every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** The JSON payload of `batch_ds`: names → typed values (docs: "The JSON value type must match"). */
export function encodeBatch(values: unknown): string {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new BlynkError('INVALID_VALUE', { value: quoteValue(values) });
  }
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) throw new BlynkError('EMPTY_BATCH');
  for (const [, value] of entries) {
    if (!isBatchValue(value)) throw new BlynkError('INVALID_VALUE', { value: quoteValue(value) });
  }
  return JSON.stringify(Object.fromEntries(entries));
}

/** The JSON payload of `ds/<name>/timestamped_batch`: `[[ms, value], …]`. */
export function encodeTimestamped(points: unknown): string {
  if (!Array.isArray(points) || points.length === 0) throw new BlynkError('EMPTY_BATCH');
  for (const point of points) {
    const ok =
      Array.isArray(point) && point.length === 2 && Number.isSafeInteger(point[0]) && (point[0] as number) >= 0 && isBatchValue(point[1]);
    if (!ok) throw new BlynkError('INVALID_VALUE', { value: quoteValue(point) });
  }
  return JSON.stringify(points);
}

/** A decimal number as Blynk writes one; "007", "+1", "0x1f", " 1" or "Infinity" stay text. */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function typedItem(text: string, numbers: boolean): ValueItem {
  if (!numbers || !NUMBER.test(text)) return text;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/**
 * A downlink value (`downlink/ds/<name>`): the datastream's type is not sent, so a payload that
 * reads as a decimal number becomes a number (unless `numbers` is false), NUL-separated items an
 * array, anything else the text itself.
 */
export function decodeValue(payload: string, numbers = true): ValueItem | ValueItem[] {
  if (payload.includes(NUL)) return payload.split(NUL).map((item) => typedItem(item, numbers));
  return typedItem(payload, numbers);
}

/** JSON payloads (`downlink/utc/all/json`, `downlink/ota/json`); the text itself if not JSON. */
export function decodeJson(payload: string): unknown {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return payload;
  }
}
