import type { ApiResult, Caller } from './client';
import { ApiCall, datastreamsWrite, datastreamWrite, deviceDatastreams } from './endpoints';
import { BlynkError } from './errors';
import { SharedCache } from './shared-cache';
import { batchOf, DatastreamValue, dataStreamIdOf, deviceIdOf, isPlainObject, pinOf, datastreamValueOf } from './validate';

/**
 * Platform writes take datastream ids only; users think in pins. A pin (`V1`) is mapped to its id
 * through the device's own datastreams (`GET /api/v2/organization/device/datastreams`: each has
 * `dataStreamId` and `pin`), which needs only the right to view the device, unlike the template
 * routes (`PRODUCT_VIEW`).
 */

const PIN_LIKE = /^\s*[vV]/;

function isPinKey(key: unknown): boolean {
  return typeof key === 'string' && PIN_LIKE.test(key);
}

/** Whether a write names a pin anywhere: the only writes that need the template. No allocation. */
export function writeUsesPins(dataStreamId: unknown, payload: unknown): boolean {
  if (isPlainObject(payload)) {
    for (const key in payload) if (isPinKey(key)) return true;
    return false;
  }
  return isPinKey(dataStreamId);
}

/** A validated write whose pins still need ids. */
export interface PinWrite {
  deviceId: number;
  /** Lowercase pins (`v1`), once each. */
  pins: string[];
  /** The write, once every pin has its id. */
  toCall(ids: ReadonlyMap<string, number>): ApiCall;
}

/** Validates a write by pin (or a batch mixing pins and ids) before anything is sent. */
export function pinWriteOf(deviceId: unknown, dataStreamId: unknown, payload: unknown): PinWrite {
  const id = deviceIdOf(deviceId);
  if (isPlainObject(payload)) {
    const entries = batchOf(payload, (key): string | number => (isPinKey(key) ? pinOf(key) : dataStreamIdOf(key)));
    const pins = [...new Set(entries.map(([key]) => key).filter((key): key is string => typeof key === 'string'))];
    return {
      deviceId: id,
      pins,
      toCall: (ids) => {
        const values: Record<string, DatastreamValue> = {};
        for (const [key, value] of entries) values[String(typeof key === 'string' ? idFor(ids, key) : key)] = value;
        return datastreamsWrite(id, values);
      },
    };
  }
  const value = datastreamValueOf(payload);
  const pin = pinOf(dataStreamId);
  return {
    deviceId: id,
    pins: [pin],
    toCall: (ids) => datastreamWrite(id, idFor(ids, pin), value),
  };
}

function idFor(ids: ReadonlyMap<string, number>, pin: string): number {
  const id = ids.get(pin);
  if (id === undefined) throw new BlynkError('PIN_NOT_FOUND', { value: pin.toUpperCase() });
  return id;
}

export interface DatastreamMapOptions {
  /** How long a device's pins are trusted. */
  ttlMs?: number;
  maxDevices?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/** pin (`v1`) → datastream id, for one device. */
export type PinIds = ReadonlyMap<string, number>;

/**
 * The pin → id maps of one config node, one per device, each for a bounded time and number of
 * devices. Concurrent lookups of the same device share one request.
 */
export class DatastreamMap {
  private readonly devices: SharedCache<number, PinIds>;

  constructor(
    private readonly client: Caller,
    options: DatastreamMapOptions = {},
  ) {
    this.devices = new SharedCache({ ttlMs: options.ttlMs, maxKeys: options.maxDevices, now: options.now });
  }

  /** Devices cached (for tests: the map stays bounded). */
  get size(): number {
    return this.devices.size;
  }

  /**
   * The ids of `pins` on the device. `fresh` skips the cache. A pin missing from a cached map
   * refetches it once (the template may have gained the datastream); then PIN_NOT_FOUND. The
   * lookups are shared between callers, so they run without a caller's abort signal (the client's
   * close and its request timeout still end them).
   */
  async resolve(deviceId: number, pins: readonly string[], fresh = false): Promise<{ ids: PinIds; fresh: boolean }> {
    let map = await this.pinMapOf(deviceId, fresh);
    let missing = pins.find((pin) => !map.value.has(pin));
    if (missing !== undefined && !map.fetched) {
      map = await this.pinMapOf(deviceId, true);
      missing = pins.find((pin) => !map.value.has(pin));
    }
    if (missing !== undefined) throw new BlynkError('PIN_NOT_FOUND', { value: missing.toUpperCase(), detail: String(deviceId) });
    return { ids: map.value, fresh: map.fetched };
  }

  /** Forgets what is known of a device (after a write that Blynk did not find). */
  forget(deviceId: number): void {
    this.devices.forget(deviceId);
  }

  private pinMapOf(deviceId: number, fresh: boolean): Promise<{ value: PinIds; fetched: boolean }> {
    return this.devices.get(deviceId, async () => pinIdsOf((await this.client.call(deviceDatastreams(deviceId))).data), fresh);
  }
}

/**
 * The device's virtual pins from its datastreams: items `{dataStreamId, pin: "v1", …}` (an array,
 * or a page's `content`). Tolerant where the schema is loose: `pin` as `"v1"`, `"V1"` or a number,
 * `id` for `dataStreamId`; a `pinType` other than VIRTUAL, or a pin without a `v` name, is skipped.
 */
export function pinIdsOf(data: unknown): PinIds {
  const list = Array.isArray(data) ? data : isPlainObject(data) && Array.isArray(data.content) ? data.content : [];
  const map = new Map<string, number>();
  for (const item of list) {
    if (!isPlainObject(item)) continue;
    const id = Number(item.dataStreamId ?? item.id);
    const type = typeof item.pinType === 'string' ? item.pinType.toUpperCase() : 'VIRTUAL';
    if (!Number.isSafeInteger(id) || type !== 'VIRTUAL') continue;
    const raw = item.pin;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[vV]\d+$/.test(raw) ? Number(raw.slice(1)) : NaN;
    if (Number.isSafeInteger(n) && n >= 0) map.set(`v${n}`, id);
  }
  return map;
}

/** A write by pin's answer, with the datastream id each pin was written to (`{ V1: 2 }`). */
export interface PinWriteResult extends ApiResult {
  dataStreamIds: Record<string, number>;
}

/**
 * A write by pin: the ids from the map, one write; if Blynk answers 404 while the map came from
 * the cache, the map is fetched again once and the write repeated once.
 */
export async function writeByPin(client: Caller, map: DatastreamMap, write: PinWrite, signal?: AbortSignal): Promise<PinWriteResult> {
  const first = await map.resolve(write.deviceId, write.pins);
  const written = async (ids: PinIds): Promise<PinWriteResult> => {
    const result = await client.call(write.toCall(ids), signal);
    return { ...result, dataStreamIds: Object.fromEntries(write.pins.map((pin) => [pin.toUpperCase(), ids.get(pin) as number])) };
  };
  try {
    return await written(first.ids);
  } catch (err) {
    if (first.fresh || !(err instanceof BlynkError) || err.code !== 'NOT_FOUND') throw err;
  }
  map.forget(write.deviceId);
  const again = await map.resolve(write.deviceId, write.pins, true);
  return written(again.ids);
}
