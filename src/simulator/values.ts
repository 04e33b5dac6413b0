// Parsing a value by datastream type, as Blynk does: typed, then bounded by min/max.
import type { DatastreamValue, DemoDatastream } from './types';

const MAX_STRING_BYTES = 1024; // Blynk: "String value ≤1024 bytes"

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function clamp(n: number, ds: DemoDatastream): number {
  if (ds.min !== undefined && n < ds.min) return ds.min;
  if (ds.max !== undefined && n > ds.max) return ds.max;
  return n;
}

/**
 * `raw` is a JSON value (Platform API) or the query value(s) of the Device API.
 * Returns undefined when the value does not fit the datastream type.
 */
export function coerceValue(ds: DemoDatastream, raw: unknown): DatastreamValue | undefined {
  if (ds.dataType === 'Location') {
    if (!Array.isArray(raw) || raw.length !== 2) return undefined;
    const lon = toNumber(raw[0]);
    const lat = toNumber(raw[1]);
    return lon === undefined || lat === undefined ? undefined : [lon, lat];
  }
  // A single-element array is what a non-repeated query key looks like.
  const v: unknown = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw;
  switch (ds.dataType) {
    case 'Integer':
    case 'Enum': {
      const n = toNumber(v);
      // Like Java's Integer.parseInt: "1.5" is not an integer.
      if (n === undefined || !Number.isInteger(n)) return undefined;
      if (ds.enumValues) return ds.enumValues.includes(n) ? n : undefined;
      return clamp(n, ds);
    }
    case 'Double': {
      const n = toNumber(v);
      return n === undefined ? undefined : clamp(n, ds);
    }
    case 'String': {
      // Tolerant: a JSON number for a String stream is stored as its text.
      const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
      return s !== undefined && Buffer.byteLength(s) <= MAX_STRING_BYTES ? s : undefined;
    }
  }
}

/** Text form used by the Device API single `get`. */
export function valueText(v: DatastreamValue): string {
  return Array.isArray(v) ? JSON.stringify(v) : String(v);
}
