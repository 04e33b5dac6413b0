import {
  BatchValue,
  BlynkError,
  DeviceConnection,
  DeviceInfo,
  DeviceValue,
  quoteValue,
  requestNamesOf,
  TimestampedPoint,
} from '../../blynk';
import type { OutAction } from './actions';

/** `[[ms, value], …]`: an array whose items are all [number, value] pairs. */
function isTimestamped(value: unknown): value is TimestampedPoint[] {
  return Array.isArray(value) && value.length > 0 && value.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number');
}

function isPlainObject(value: unknown): value is Record<string, BatchValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** An event's description: text, or none (Blynk then uses the event's own). */
function descriptionOf(payload: unknown): string | undefined {
  if (payload === undefined || payload === null || payload === '') return undefined;
  if (typeof payload === 'string') return payload;
  throw new BlynkError('INVALID_VALUE', { value: quoteValue(payload) });
}

/** `info/mcu` takes the device's firmware info as an object (sent as JSON). */
function infoOf(payload: unknown): DeviceInfo {
  if (isPlainObject(payload)) return payload;
  throw new BlynkError('INVALID_VALUE', { value: quoteValue(payload) });
}

function metaValueOf(payload: unknown): string | number {
  if (typeof payload === 'string' || (typeof payload === 'number' && Number.isFinite(payload))) return payload;
  throw new BlynkError('INVALID_VALUE', { value: quoteValue(payload) });
}

/**
 * The publish for one message. `name` is the datastream (or the event code, the metadata field,
 * or for `getValues`/`getMeta` the names: an array or a comma-separated text); the connection checks names and values before anything is queued, so bad input is
 * refused with nothing sent.
 */
export function publish(conn: DeviceConnection, action: OutAction, name: unknown, property: unknown, payload: unknown): Promise<void> {
  const target = name as string;
  switch (action) {
    case 'write':
      if (isPlainObject(payload)) return conn.writeBatch(payload);
      if (isTimestamped(payload)) return conn.writeTimestamped(target, payload);
      return conn.write(target, payload as DeviceValue);
    case 'event':
      return conn.logEvent(target, descriptionOf(payload));
    case 'property':
      return conn.setProperty(target, property as string, payload as DeviceValue);
    case 'meta':
      return conn.setMeta(target, metaValueOf(payload));
    case 'erase':
      return conn.erase(target);
    case 'eraseProperty':
      return conn.eraseProperty(target, property as string);
    case 'info':
      return conn.sendInfo(infoOf(payload));
    // The device's own requests: Blynk answers with a downlink, which a device in node passes on.
    case 'getValues':
      return conn.requestValues(requestNamesOf('datastream', name));
    case 'getAllValues':
      return conn.requestAllValues();
    case 'getMeta':
      return conn.requestMeta(requestNamesOf('meta', name));
    case 'getTime':
      return conn.requestTime();
    case 'getLocation':
      return conn.requestLocation();
  }
}
