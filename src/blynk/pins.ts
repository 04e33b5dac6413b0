import type { ApiResult, Caller } from './client';
import { ApiCall, datastreamsWrite, datastreamWrite, deviceBaseInfo, templateDatastreams } from './endpoints';
import { BlynkError } from './errors';
import { batchOf, DatastreamValue, dataStreamIdOf, deviceIdOf, isPlainObject, pinOf, valueOf } from './validate';

/**
 * Platform writes take datastream ids only (blynk-api.md §4.7, §7); users think in pins. A pin
 * (`V1`) is mapped to its id through the device's template (`template/datastreams`, §4.14).
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
  const value = valueOf(payload);
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
  /** How long a device's template id and a template's pins are trusted. */
  ttlMs?: number;
  maxTemplates?: number;
  maxDevices?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

interface Entry<T> {
  value: T;
  at: number;
}

/** pin (`v1`) → datastream id, for one template. */
export type PinIds = ReadonlyMap<string, number>;

/**
 * The pin → id maps of one config node: device → template id and template → pins, each for a
 * bounded time and number of entries. Concurrent lookups of the same device or template share
 * one request.
 */
export class DatastreamMap {
  readonly ttlMs: number;
  private readonly maxTemplates: number;
  private readonly maxDevices: number;
  private readonly now: () => number;
  private readonly devices = new Map<number, Entry<number>>();
  private readonly templates = new Map<number, Entry<PinIds>>();
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: Caller,
    options: DatastreamMapOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxTemplates = options.maxTemplates ?? 100;
    this.maxDevices = options.maxDevices ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Cached entries (for tests: the maps stay bounded). */
  get size(): { devices: number; templates: number } {
    return { devices: this.devices.size, templates: this.templates.size };
  }

  /**
   * The ids of `pins` on the device's template. `fresh` skips the cache. A pin missing from a cached
   * map refetches the template once (it may have gained the datastream); then PIN_NOT_FOUND. The
   * lookups are shared between callers, so they run without a caller's abort signal (the client's
   * close and its request timeout still end them).
   */
  async resolve(deviceId: number, pins: readonly string[], fresh = false): Promise<{ ids: PinIds; fresh: boolean }> {
    const template = await this.templateOf(deviceId, fresh);
    let map = await this.pinsOf(template.value, fresh);
    let missing = pins.find((pin) => !map.value.has(pin));
    if (missing !== undefined && !map.fetched) {
      map = await this.pinsOf(template.value, true);
      missing = pins.find((pin) => !map.value.has(pin));
    }
    if (missing !== undefined) throw new BlynkError('PIN_NOT_FOUND', { value: missing.toUpperCase(), detail: String(template.value) });
    return { ids: map.value, fresh: template.fetched && map.fetched };
  }

  /** Forgets what is known of a device and its template (after a write that Blynk did not find). */
  forget(deviceId: number): void {
    const entry = this.devices.get(deviceId);
    this.devices.delete(deviceId);
    if (entry) this.templates.delete(entry.value);
  }

  private valid<T>(entry: Entry<T> | undefined): entry is Entry<T> {
    return entry !== undefined && this.now() - entry.at < this.ttlMs;
  }

  private async templateOf(deviceId: number, fresh: boolean): Promise<{ value: number; fetched: boolean }> {
    const cached = this.devices.get(deviceId);
    if (!fresh && this.valid(cached)) return { value: cached.value, fetched: false };
    const value = await this.once(`d${deviceId}`, async () => {
      const res = await this.client.call(deviceBaseInfo(deviceId));
      const data = res.data as { templateId?: unknown } | null;
      const templateId = typeof data === 'object' && data !== null ? Number(data.templateId) : NaN;
      if (!Number.isSafeInteger(templateId)) {
        throw new BlynkError('HTTP_ERROR', { status: res.status, detail: `baseInfo?deviceId=${deviceId}: templateId` });
      }
      remember(this.devices, deviceId, { value: templateId, at: this.now() }, this.maxDevices);
      return templateId;
    });
    return { value, fetched: true };
  }

  private async pinsOf(templateId: number, fresh: boolean): Promise<{ value: PinIds; fetched: boolean }> {
    const cached = this.templates.get(templateId);
    if (!fresh && this.valid(cached)) return { value: cached.value, fetched: false };
    const value = await this.once(`t${templateId}`, async () => {
      const res = await this.client.call(templateDatastreams(templateId));
      const map = pinIdsOf(res.data);
      remember(this.templates, templateId, { value: map, at: this.now() }, this.maxTemplates);
      return map;
    });
    return { value, fetched: true };
  }

  /** One request per key at a time; later callers share it. */
  private once<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const promise = fetch().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }
}

/** Newest last; the oldest goes when the map is full. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}

/**
 * The template's virtual pins. [U] the response schema (§4.14 gives `{id, label, alias, pin:int,
 * pinType}`): tolerant, an array or a page's `content`, `pin` as a number or `"v1"`/`"V1"`, and a
 * missing `pinType` read as virtual; digital and analog pins have no `v` name and are skipped.
 */
export function pinIdsOf(data: unknown): PinIds {
  const list = Array.isArray(data) ? data : isPlainObject(data) && Array.isArray(data.content) ? data.content : [];
  const map = new Map<string, number>();
  for (const item of list) {
    if (!isPlainObject(item)) continue;
    const id = Number(item.id);
    const type = typeof item.pinType === 'string' ? item.pinType.toUpperCase() : 'VIRTUAL';
    if (!Number.isSafeInteger(id) || type !== 'VIRTUAL') continue;
    const raw = item.pin;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.replace(/^[vV]/, '')) : NaN;
    if (Number.isSafeInteger(n) && n >= 0) map.set(`v${n}`, id);
  }
  return map;
}

/**
 * A write by pin: the ids from the map, one write; if Blynk answers 404 while the map came from
 * the cache, the map is fetched again once and the write repeated once.
 */
export async function writeByPin(client: Caller, map: DatastreamMap, write: PinWrite, signal?: AbortSignal): Promise<ApiResult> {
  const first = await map.resolve(write.deviceId, write.pins);
  try {
    return await client.call(write.toCall(first.ids), signal);
  } catch (err) {
    if (first.fresh || !(err instanceof BlynkError) || err.code !== 'NOT_FOUND') throw err;
  }
  map.forget(write.deviceId);
  const again = await map.resolve(write.deviceId, write.pins, true);
  return client.call(write.toCall(again.ids), signal);
}
