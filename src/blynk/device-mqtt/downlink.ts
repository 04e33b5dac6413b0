// Messages from Blynk to the device, decoded (docs/blynk-mqtt-api.md §Downlink).
import { decodeJson, decodeValue, type ValueItem } from './payload';
import { parseDownlinkTopic } from './topics';

interface Base {
  /** The MQTT topic as received. */
  topic: string;
  /** The payload as UTF-8 text. */
  payload: string;
}

export type Downlink = Base &
  (
    | { kind: 'datastream'; name: string; value: ValueItem | ValueItem[] }
    | { kind: 'meta'; name: string; value: string }
    | { kind: 'time'; value: unknown }
    | { kind: 'location'; value: { lat: number; lon: number } | string }
    | { kind: 'ota'; value: unknown }
    | { kind: 'diag'; value: string }
    | { kind: 'ping' | 'reboot' | 'reconfigure' }
    | { kind: 'other' }
  );

export interface DecodeOptions {
  /** Datastream values that read as decimal numbers become numbers (default true). */
  numbers?: boolean;
}

/** "Lat Lon GPS coordinates separated by comma" (docs); the text itself if it is not that. */
function location(payload: string): { lat: number; lon: number } | string {
  const parts = payload.split(',').map((p) => p.trim());
  const [lat, lon] = parts.map(Number);
  return parts.length === 2 && parts.every((p) => p !== '') && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : payload;
}

/** A downlink other than the redirect, which the connection handles itself. */
export function decodeDownlink(topic: string, payload: string, options: DecodeOptions = {}): Downlink {
  const base = { topic, payload };
  const t = parseDownlinkTopic(topic);
  switch (t.kind) {
    case 'datastream':
      return { ...base, kind: 'datastream', name: t.name, value: decodeValue(payload, options.numbers ?? true) };
    case 'meta':
      return { ...base, kind: 'meta', name: t.name, value: payload };
    case 'time':
    case 'ota':
      return { ...base, kind: t.kind, value: decodeJson(payload) };
    case 'location':
      return { ...base, kind: 'location', value: location(payload) };
    case 'diag':
      return { ...base, kind: 'diag', value: payload };
    case 'ping':
    case 'reboot':
    case 'reconfigure':
      return { ...base, kind: t.kind };
    default:
      return { ...base, kind: 'other' };
  }
}
