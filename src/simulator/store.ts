// Live state: devices with their datastream values, events and widget properties.
import { SEED_OFFLINE, SEED_VALUES } from './demo-data';
import type {
  DatastreamValue,
  DemoData,
  DemoDatastream,
  DemoDevice,
  DeviceFile,
  DeviceState,
  FirmwareFile,
  LoggedEvent,
  PropertyValue,
  SimulatorState,
  StoredValue,
} from './types';

/** Which API wrote a value: an MQTT device is not sent back what it wrote itself. */
export type WriteOrigin = 'http' | 'mqtt';

export type WriteListener = (device: DeviceState, ds: DemoDatastream, value: DatastreamValue, origin: WriteOrigin) => void;

/** Raw values kept per datastream for the history route. */
const HISTORY_LIMIT = 10_000;

export class Store implements SimulatorState {
  readonly devices = new Map<number, DeviceState>();
  private readonly byToken = new Map<string, DeviceState>();
  // Template lookups, built once: the hot paths never scan.
  private readonly streamById = new Map<number, DemoDatastream>();
  private readonly streamByPin = new Map<string, DemoDatastream>();
  readonly eventCodes = new Set<string>();
  private readonly listeners = new Set<WriteListener>();
  /** Files per device id, and how many uploads each device made (the documented 1,000 limit). */
  private readonly deviceFiles = new Map<number, { files: DeviceFile[]; uploads: number }>();
  readonly firmware: FirmwareFile[] = [];
  private readonly eventListeners = new Set<(device: DeviceState, event: LoggedEvent & { name?: string }) => void>();

  constructor(readonly demo: DemoData) {
    for (const ds of demo.template.datastreams) {
      this.streamById.set(ds.id, ds);
      this.streamByPin.set(ds.pin.toLowerCase(), ds);
    }
    for (const e of demo.template.events) this.eventCodes.add(e.code);
    this.reset();
  }

  /** Restore the seeded state (new objects, so old references do not see later writes); added devices go. */
  reset(): void {
    this.devices.clear();
    this.byToken.clear();
    this.deviceFiles.clear();
    this.firmware.length = 0;
    for (const d of this.demo.devices) this.add(d);
  }

  /** A device with the seeded values (tests add devices, e.g. several of one name, until reset). */
  add(d: DemoDevice): DeviceState {
    if (this.devices.has(d.id) || this.byToken.has(d.token)) throw new Error(`device ${d.id} or its token exists already`);
    const now = Date.now();
    const values = new Map<number, StoredValue>();
    const history = new Map<number, StoredValue[]>();
    for (const [id, value] of SEED_VALUES) {
      values.set(id, { value: cloneValue(value), updatedAt: now });
      history.set(id, [{ value: cloneValue(value), updatedAt: now }]);
    }
    const state: DeviceState = {
      id: d.id,
      name: d.name,
      token: d.token,
      templateId: d.templateId,
      connected: !SEED_OFFLINE.has(d.id),
      values,
      history,
      events: [],
      properties: new Map(),
      metaFields: [
        { id: 1, name: 'Device Name', value: d.name },
        { id: 2, name: 'Serial Number', value: `SN-${d.id}` },
      ],
    };
    this.devices.set(d.id, state);
    this.byToken.set(d.token, state);
    return state;
  }

  files(device: number | string): DeviceFile[] {
    const d = this.device(device);
    return d ? [...(this.deviceFiles.get(d.id)?.files ?? [])] : [];
  }

  /**
   * Keeps a device's upload as the page describes: a file of the same name replaces the earlier
   * one, at most `keep` files (the oldest goes), at most `maxUploads` uploads (false: refused).
   */
  addFile(device: DeviceState, file: DeviceFile, keep: number, maxUploads: number): boolean {
    let entry = this.deviceFiles.get(device.id);
    if (!entry) this.deviceFiles.set(device.id, (entry = { files: [], uploads: 0 }));
    if (entry.uploads >= maxUploads) return false;
    entry.uploads++;
    entry.files = entry.files.filter((f) => f.name !== file.name);
    entry.files.push(file);
    if (entry.files.length > keep) entry.files.splice(0, entry.files.length - keep);
    return true;
  }

  device(idOrToken: number | string): DeviceState | undefined {
    return typeof idOrToken === 'number' ? this.devices.get(idOrToken) : this.byToken.get(idOrToken);
  }

  /** A datastream by id or pin ('v1', 'V1'). */
  stream(ref: number | string): DemoDatastream | undefined {
    return typeof ref === 'number' ? this.streamById.get(ref) : this.streamByPin.get(ref.toLowerCase());
  }

  setValue(device: DeviceState, ds: DemoDatastream, value: DatastreamValue, at = Date.now(), origin: WriteOrigin = 'http'): void {
    device.values.set(ds.id, { value, updatedAt: at });
    this.record(device, ds, value, at);
    for (const listener of this.listeners) listener(device, ds, value, origin);
  }

  /** Applies validated writes; a batch shares one timestamp, as Blynk documents. */
  setValues(device: DeviceState, updates: readonly [DemoDatastream, DatastreamValue][], origin: WriteOrigin = 'http'): void {
    const now = Date.now();
    for (const [ds, value] of updates) this.setValue(device, ds, value, now, origin);
  }

  /** Calls `listener` after every current-value write (the MQTT broker's downlinks); returns the remover. */
  onWrite(listener: WriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A datastream by its name (the MQTT API's key: docs "uses Names to reference Datastreams"). */
  streamByName(name: string): DemoDatastream | undefined {
    return this.demo.template.datastreams.find((ds) => ds.label === name);
  }

  /** Adds a raw value to the history, kept in time order (imports may come out of order). */
  record(device: DeviceState, ds: DemoDatastream, value: DatastreamValue, at: number): void {
    let list = device.history.get(ds.id);
    if (!list) device.history.set(ds.id, (list = []));
    let i = list.length;
    while (i > 0 && list[i - 1].updatedAt > at) i--;
    list.splice(i, 0, { value, updatedAt: at });
    if (list.length > HISTORY_LIMIT) list.splice(0, list.length - HISTORY_LIMIT);
  }

  /** Logs an event now; an empty or missing description is left out. */
  logEvent(device: DeviceState, code: string, description: string | null | undefined, via: LoggedEvent['via']): void {
    const event: LoggedEvent = { code, ...(description ? { description } : {}), via, at: Date.now() };
    device.events.push(event);
    const name = this.demo.template.events.find((e) => e.code === code)?.name;
    for (const listener of this.eventListeners) listener(device, { ...event, ...(name ? { name } : {}) });
  }

  /** Calls `listener` after every logged event (webhooks); returns the remover. */
  onEvent(listener: (device: DeviceState, event: LoggedEvent & { name?: string }) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Merges widget properties into those of a pin. */
  setProperties(device: DeviceState, pin: string, props: Record<string, string | string[]>): void {
    const key = pin.toLowerCase();
    device.properties.set(key, { ...device.properties.get(key), ...props });
  }

  /** Current values keyed by pin, in stream order; unknown (undefined) and never-set streams are left out. */
  valuesByPin(
    device: DeviceState,
    streams: readonly (DemoDatastream | undefined)[] = this.demo.template.datastreams,
  ): Record<string, DatastreamValue> {
    const out: Record<string, DatastreamValue> = {};
    for (const ds of streams) {
      const v = ds && device.values.get(ds.id);
      if (ds && v) out[ds.pin] = v.value;
    }
    return out;
  }

  value(device: number | string, stream: number | string): DatastreamValue | undefined {
    const d = this.device(device);
    const ds = this.stream(stream);
    return d && ds ? d.values.get(ds.id)?.value : undefined;
  }

  events(device: number | string): LoggedEvent[] {
    return this.device(device)?.events ?? [];
  }

  properties(device: number | string, pin: string): Record<string, PropertyValue> {
    return this.device(device)?.properties.get(pin.toLowerCase()) ?? {};
  }
}

function cloneValue(v: DatastreamValue): DatastreamValue {
  return Array.isArray(v) ? [v[0], v[1]] : v;
}
