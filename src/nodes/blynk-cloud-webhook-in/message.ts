import type { IncomingHttpHeaders } from 'node:http';

/** Headers never put on a message: credentials, whoever sent them. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/** What the node puts on a message besides the payload. */
export interface Delivery {
  deviceId?: number;
  deviceName?: string;
  pin?: string;
  dataStreamId?: number;
  value?: unknown;
  eventCode?: string;
  timestamp?: number;
  time?: string;
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

function text(v: unknown): string | undefined {
  const s = first(v);
  if (typeof s === 'number') return String(s);
  return typeof s === 'string' && s !== '' && !/^\{[A-Za-z0-9_]+\}$/.test(s) ? s : undefined; // an unfilled placeholder is no value
}

/** A number written as a number or as decimal text, else undefined. */
function numeric(v: unknown): number | undefined {
  const s = first(v);
  if (typeof s === 'number') return Number.isFinite(s) ? s : undefined;
  if (typeof s !== 'string' || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s)) return undefined;
  return Number(s);
}

/** Blynk's pin as Blynk writes it elsewhere (`V1`); a bare number is a virtual pin too (undocumented form). */
function pinOf(v: unknown): string | undefined {
  const s = text(v);
  if (s === undefined) return undefined;
  return /^[vV]?\d+$/.test(s) ? `V${s.replace(/^[vV]/, '')}` : s;
}

/** Unix time in seconds or milliseconds (undocumented which): as milliseconds. */
function epochMs(v: unknown): number | undefined {
  const n = numeric(v);
  if (n === undefined) return undefined;
  return n < 1e11 ? Math.round(n * 1000) : n;
}

/**
 * The typed fields of the recommended template (and of a form with the same keys, or the query):
 * numbers as numbers, placeholders Blynk left unfilled left out.
 */
export function deliveryOf(fields: Record<string, unknown>): Delivery {
  const out: Delivery = {};
  const deviceId = numeric(fields.deviceId);
  if (deviceId !== undefined) out.deviceId = deviceId;
  const deviceName = text(fields.deviceName);
  if (deviceName !== undefined) out.deviceName = deviceName;
  const pin = pinOf(fields.pin);
  if (pin !== undefined) out.pin = pin;
  const dataStreamId = numeric(fields.dataStreamId);
  if (dataStreamId !== undefined) out.dataStreamId = dataStreamId;
  if (fields.value !== undefined && text(fields.value) !== undefined) out.value = numeric(fields.value) ?? first(fields.value);
  const eventCode = text(fields.eventCode);
  if (eventCode !== undefined) out.eventCode = eventCode;
  const timestamp = epochMs(fields.timestamp);
  if (timestamp !== undefined) out.timestamp = timestamp;
  const time = text(fields.time);
  if (time !== undefined) out.time = time;
  if (out.timestamp === undefined && time !== undefined && !Number.isNaN(Date.parse(time))) out.timestamp = Date.parse(time);
  return out;
}

/** The request's headers less credentials and the secret header. */
export function publicHeaders(headers: IncomingHttpHeaders, secretHeader: string | undefined): Record<string, string> {
  const hidden = new Set([...SECRET_HEADERS, ...(secretHeader ? [secretHeader.toLowerCase()] : [])]);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hidden.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
