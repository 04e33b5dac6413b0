// Public types of the Blynk cloud simulator (re-exported by index.ts).
import type { WebhookAttempt, WebhookDefinition } from './webhooks';

export interface Limits {
  orgRequestsPerMinute?: number;
  deviceRequestsPerSecond?: number;
}

export interface SimulatorOptions {
  port?: number; // 0 = random free port
  host?: string; // default '127.0.0.1'
  tokenLifetimeSec?: number; // expires_in of issued tokens, default 86400
  limits?: Limits; // off unless given; answer 429
  logLimit?: number; // ring size of the request log, default 10000
  webhooks?: WebhookDefinition[]; // defined at start
  webhookRatePerMinute?: number; // calls per minute per webhook, default Blynk's documented 1
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  body: unknown; // parsed JSON, raw text, or undefined when empty
  status: number; // 0 if dropped (or the client was gone before the answer)
  at: number; // Date.now()
}

export type FaultAction =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { delayMs: number }
  | { drop: 'before' | 'after' }
  | { redirect: string };

export interface FaultRule {
  match: { method?: string; path?: string | RegExp; grantType?: string };
  times?: number; // default 1; Infinity allowed
  action: FaultAction;
}

export interface FaultInjector {
  add(rule: FaultRule): void;
  clear(): void;
  readonly pending: number; // rules not yet used up
}

export interface TokenStats {
  requests: number;
  byGrant: Record<string, number>;
  issuedAccess: string[];
  issuedRefresh: string[];
  refreshReuse: number;
  /** Replays of an authorization code at the token endpoint. */
  codeReuse: number;
  revokeAccessToken(token: string): void;
  revokeAll(): void;
  /** Whether this OAuth client exists: the demo client, or one created through the API. */
  hasClient(id: string): boolean;
}

// ---- demo data ----

export type DataType = 'Integer' | 'Double' | 'String' | 'Enum' | 'Location';

export interface DemoDatastream {
  id: number;
  pin: string; // 'v0'
  label: string;
  alias: string;
  dataType: DataType;
  min?: number;
  max?: number;
  enumValues?: number[]; // allowed values of an Enum stream
}

export interface DemoEvent {
  code: string;
  name: string;
  /** Timeline event type, e.g. WARNING; INFORMATION when absent. */
  type?: string;
}

export interface DemoDevice {
  id: number;
  name: string;
  token: string; // 32-char device auth token
  templateId: number;
}

export interface DemoData {
  clientId: string;
  clientSecret: string;
  userEmail: string;
  password: string;
  /** A seeded user without developer mode: may not create OAuth clients (403). */
  userWithoutDeveloperMode?: { email: string; password: string };
  org: { id: number; name: string };
  devices: DemoDevice[];
  template: { id: number; name: string; datastreams: DemoDatastream[]; events: DemoEvent[] };
}

// ---- live state ----

export type DatastreamValue = number | string | [number, number]; // [lon, lat] for Location

export interface StoredValue {
  value: DatastreamValue;
  updatedAt: number;
}

export interface LoggedEvent {
  code: string;
  description?: string;
  via: 'platform' | 'device'; // which API logged it
  at: number;
}

export type PropertyValue = string | string[];

export interface DeviceState {
  readonly id: number;
  readonly name: string;
  readonly token: string;
  readonly templateId: number;
  connected: boolean; // what isHardwareConnected / device/online report
  readonly values: Map<number, StoredValue>; // by datastream id
  readonly history: Map<number, StoredValue[]>; // raw values by datastream id, oldest first, bounded
  readonly events: LoggedEvent[];
  readonly properties: Map<string, Record<string, PropertyValue>>; // by lowercase pin ('v1')
  readonly metaFields: { id: number; name: string; value: string }[];
}

/** A file a device uploaded (`POST /external/api/upload`). */
export interface DeviceFile {
  name: string;
  size: number;
  /** The part's Content-Type as sent. */
  type?: string;
  /** The URL the upload answered with. */
  url: string;
  /** MD5 of the bytes received, hex. */
  md5: string;
  at: number;
}

/** A firmware file uploaded through the Platform API (`POST /api/upload`). */
export interface FirmwareFile {
  name: string;
  size: number;
  /** The form's `type` field (`FIRMWARE`). */
  uploadType: string;
  /** The part's Content-Type as sent. */
  contentType?: string;
  path: string;
  md5: string;
  at: number;
}

export interface SimulatorState {
  readonly devices: ReadonlyMap<number, DeviceState>;
  /** Files a device holds (at most 10, oldest first), by device id. */
  files(device: number | string): DeviceFile[];
  /** Firmware files uploaded through the Platform API, in order. */
  readonly firmware: readonly FirmwareFile[];
  /** A device by numeric id or by auth token. */
  device(idOrToken: number | string): DeviceState | undefined;
  /** Current value by datastream id (number) or pin ('v1' / 'V1'). */
  value(device: number | string, stream: number | string): DatastreamValue | undefined;
  events(device: number | string): LoggedEvent[];
  /** Widget properties set on a pin, e.g. { label: 'x', labels: ['a','b'] }. */
  properties(device: number | string, pin: string): Record<string, PropertyValue>;
}

// ---- Device MQTT API broker (optional) ----

export interface MqttLogEntry {
  /** `up`: device → Blynk; `down`: Blynk → device. */
  direction: 'up' | 'down';
  deviceId: number;
  topic: string;
  payload: string;
  /** An uplink Blynk would not take (unknown name, wrong type). */
  rejected?: true;
  at: number;
}

export interface SimulatorMqtt {
  /** `mqtt://127.0.0.1:<port>`: plain MQTT, loopback only. */
  readonly url: string;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/mqtt`: MQTT over WebSocket, Blynk's path. */
  readonly wsUrl: string;
  /** Listening (false between stop() and restart()). */
  readonly running: boolean;
  /** Authenticated clients. */
  readonly connections: number;
  /** CONNECT attempts, accepted or refused. */
  readonly attempts: number;
  readonly log: MqttLogEntry[];
  /** The next `times` connections get `downlink/redirect` with `uri` right after CONNACK. */
  redirectNext(uri: string, times?: number): void;
  /** Publishes a downlink (ping, reboot, diag, ota …) to a device's client; false if not delivered. */
  send(device: number | string, topic: string, payload?: string, qos?: 0 | 1): boolean;
  /** Cuts the socket of a device's client (or of all): a network drop, no DISCONNECT. */
  drop(device?: number | string): void;
  /** Stops listening and cuts every client; state is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly demo: DemoData;
  /** The routes it answers, as "<METHOD> <path>". */
  readonly routes: readonly string[];
  readonly log: RequestLogEntry[]; // snapshot, oldest first
  readonly faults: FaultInjector;
  readonly tokens: TokenStats;
  readonly state: SimulatorState;
  /** Webhooks called on datastream writes and logged events (also at /sim/webhooks). */
  readonly webhooks: SimulatorWebhooks;
  /** Blynk.Air shipments: their state, and how long a device stays in each status (`stepMs`). */
  readonly shipments: SimulatorShipments;
  setTokenLifetime(sec: number): void;
  setLimits(limits: Limits): void;
  /** Requests refused with 429 by the limits since they were last set. */
  readonly rateLimited: number;
  addOAuthClient(clientId: string, clientSecret: string): void;
  /** `developerMode` (default true) decides whether the user may create OAuth clients. */
  addUser(email: string, password: string, developerMode?: boolean): void;
  /** Adds a device (template 77 by default) with the seeded values, until reset(). */
  addDevice(device: { id: number; name: string; token?: string; templateId?: number }): void;
  /** Starts (once) and returns the Device MQTT API broker. */
  mqtt(options?: { port?: number; wsPort?: number }): Promise<SimulatorMqtt>;
  reset(): void;
  close(): Promise<void>;
}

export interface SimulatorShipments {
  /** Each device's time in a status (ms); a reset keeps it. */
  stepMs: number;
  list(): Array<{ id: number; status: string; deviceIds: number[]; finishedAt: number }>;
}

export interface SimulatorWebhooks {
  add(def: WebhookDefinition): number;
  remove(id: number): boolean;
  list(): Array<{ id: number } & WebhookDefinition>;
  /** One webhook as stored, credentials included (tests assert what the Platform routes stored). */
  definition(id: number): WebhookDefinition | undefined;
  attempts(): WebhookAttempt[];
  ratePerMinute: number;
}
