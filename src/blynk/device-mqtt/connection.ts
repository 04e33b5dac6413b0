// A live connection to Blynk as one device over the Device MQTT API (docs/blynk-mqtt-api.md).
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { BlynkError, sanitizeDetail, type BlynkErrorCode } from '../errors';
import { SecretSet } from '../redact';
import { DEFAULT_BACKOFF, reconnectDelayMs, type BackoffOptions } from './backoff';
import { decodeDownlink, type Downlink } from './downlink';
import { Outbox } from './outbox';
import { encodeBatch, encodeTimestamped, encodeValue, type BatchValue, type DeviceValue, type TimestampedPoint } from './payload';
import { brokerLabel, mayFollowMqttRedirect, parseMqttServer } from './server';
import { DOWNLINK_FILTER, nameList, uplink } from './topics';

/** Messages kept while the device is offline, unless the connection is given another size. */
export const DEFAULT_MQTT_QUEUE = 100;

export type DeviceConnectionState = 'idle' | 'connecting' | 'connected' | 'offline' | 'refused' | 'closed';

export interface StateChange {
  state: DeviceConnectionState;
  /** The broker, as `mqtts://host:port` (never a token). */
  server: string;
  /** Why the connection is offline or refused. */
  error?: BlynkError;
  /** When offline: ms until the next attempt. */
  retryInMs?: number;
}

export interface DeviceConnectionEvents {
  state: [StateChange];
  downlink: [Downlink];
  /** Blynk moved the client to its region's broker (`downlink/redirect`). */
  redirect: [{ from: string; to: string }];
  /** Something went wrong that does not change the state (a redirect that was not followed). */
  warning: [BlynkError];
}

/** The `info/mcu` message (docs: Firmware and Device Info); sent on every connection when set. */
export interface DeviceInfo {
  tmpl?: string;
  ver?: string;
  build?: string;
  type?: string;
  rxbuff?: number;
  [key: string]: unknown;
}

export interface DeviceConnectionOptions {
  /** Device auth token: the MQTT password, never shown anywhere. */
  token: string;
  /** `mqtts://host[:port]`, `wss://host[:port]/mqtt`, or `https://host`; default mqtts://blynk.cloud:8883. */
  server?: string;
  /** Docs: "" or any UTF-8 string of up to 64 characters. */
  clientId?: string;
  /** Seconds; docs recommend 45. */
  keepaliveSec?: number;
  connectTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** Messages kept while disconnected (default 100). */
  maxQueue?: number;
  /** Pacing of outgoing messages (default 10 per 1000 ms, Blynk's documented flood threshold). */
  flood?: { limit: number; periodMs: number };
  /** Largest MQTT message in bytes, header included (docs: 1024 on the public cloud); 0 = no check. */
  maxMessageBytes?: number;
  /** Datastream downlinks that read as numbers become numbers (default true). */
  numbers?: boolean;
  info?: DeviceInfo;
  /** For a private broker with its own CA. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  now?: () => number;
}

/** Consecutive redirects followed at once; later ones wait for the backoff (no redirect loop). */
const MAX_QUICK_REDIRECTS = 3;

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) that retrying cannot fix. */
const FINAL_CONNACK: Record<number, BlynkErrorCode> = {
  1: 'MQTT_REFUSED', // unacceptable protocol version
  2: 'MQTT_REFUSED', // identifier rejected (docs: client id up to 64 characters)
  4: 'DEVICE_TOKEN_REJECTED', // bad user name or password: docs "problem with your credentials"
  5: 'DEVICE_TOKEN_REJECTED', // not authorized
};

const TLS_CODES = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/**
 * One device's MQTT session with Blynk: connects with the token as password, subscribes to
 * `downlink/#`, follows Blynk's redirect, reconnects with backoff and jitter (except after the
 * token was refused), and sends every uplink through a bounded, paced queue.
 */
export class DeviceConnection extends EventEmitter<DeviceConnectionEvents> {
  private readonly configured: URL;
  private current: URL;
  private readonly token: string;
  /** The token in every form a library's message could carry it, as the HTTPS transport redacts it. */
  private readonly secrets = new SecretSet();
  private readonly options: DeviceConnectionOptions;
  private readonly backoff: BackoffOptions;
  private readonly outbox: Outbox;
  private readonly maxMessageBytes: number;
  private client?: MqttClient;
  private timer?: NodeJS.Timeout;
  private attempts = 0;
  private redirects = 0;
  private stateNow: DeviceConnectionState = 'idle';
  /** Why the broker refused us: every later publish is refused with it. */
  private refusal?: BlynkError;
  private closing?: Promise<void>;

  constructor(options: DeviceConnectionOptions) {
    super();
    if (typeof options.token !== 'string' || options.token.trim() === '') throw new BlynkError('NO_MQTT_TOKEN');
    this.configured = parseMqttServer(options.server);
    this.current = this.configured;
    this.token = options.token.trim();
    this.secrets.add(this.token);
    this.options = options;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const flood = options.flood ?? { limit: 10, periodMs: 1000 };
    this.outbox = new Outbox({ maxQueue: options.maxQueue ?? DEFAULT_MQTT_QUEUE, ...flood, now: options.now });
    this.maxMessageBytes = options.maxMessageBytes ?? 1024;
  }

  get state(): DeviceConnectionState {
    return this.stateNow;
  }

  /** The broker now in use (after a redirect, the region's). */
  get server(): string {
    return brokerLabel(this.current);
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this.outbox.length;
  }

  /** Starts connecting; later drops reconnect on their own until close(). */
  connect(): void {
    if (this.stateNow !== 'idle') return;
    this.attempt();
  }

  /** Ends the session (a clean DISCONNECT), refuses what is queued with CLOSED; leaves no socket or timer. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.clearTimer();
      this.outbox.close(new BlynkError('CLOSED'));
      const client = this.client;
      this.client = undefined;
      this.setState({ state: 'closed', server: this.server });
      if (!client) return resolve();
      client.end(!client.connected, {}, () => resolve());
    });
    return this.closing;
  }

  // ---- uplinks (docs/blynk-mqtt-api.md §Uplink) ----

  /** `ds/<name>`: one value, or several as an array (sent NUL-separated). */
  write(name: string, value: DeviceValue): Promise<void> {
    return this.publish(() => [uplink.datastream(name), encodeValue(value)]);
  }

  /** `batch_ds`: several datastreams at once, each value typed as its datastream. */
  writeBatch(values: Record<string, BatchValue>): Promise<void> {
    return this.publish(() => [uplink.batch, encodeBatch(values)]);
  }

  /** `ds/<name>/timestamped_batch`: points [ms, value], at most a month old or ahead (docs). */
  writeTimestamped(name: string, points: TimestampedPoint[]): Promise<void> {
    return this.publish(() => [uplink.timestamped(name), encodeTimestamped(points)]);
  }

  /** `ds/<name>/erase`. */
  erase(name: string): Promise<void> {
    return this.publish(() => [uplink.erase(name), '']);
  }

  /** `ds/<name>/prop/<property>`. */
  setProperty(name: string, property: string, value: DeviceValue): Promise<void> {
    return this.publish(() => [uplink.property(name, property), encodeValue(value)]);
  }

  /** `ds/<name>/prop/<property>/erase`. */
  eraseProperty(name: string, property: string): Promise<void> {
    return this.publish(() => [uplink.eraseProperty(name, property), '']);
  }

  /** `event/<code>`; without a description Blynk uses the event's default one. */
  logEvent(code: string, description?: string): Promise<void> {
    return this.publish(() => [uplink.event(code), description ?? '']);
  }

  /** `meta/<name>`: plain-text metadata value. */
  setMeta(name: string, value: string | number): Promise<void> {
    return this.publish(() => [uplink.meta(name), encodeValue(value)]);
  }

  /** `get/ds`: the values come back as `datastream` downlinks. */
  requestValues(names: string[]): Promise<void> {
    return this.publish(() => [uplink.getDatastreams, nameList('datastream', names)]);
  }

  /** `get/ds/all` (only datastreams with "Sync with latest server value" answer, per the docs). */
  requestAllValues(): Promise<void> {
    return this.publish(() => [uplink.getAllDatastreams, '']);
  }

  /** `get/meta`: the values come back as `meta` downlinks. */
  requestMeta(names: string[]): Promise<void> {
    return this.publish(() => [uplink.getMeta, nameList('meta', names)]);
  }

  /** `get/utc/all/json`: answered by a `time` downlink. */
  requestTime(): Promise<void> {
    return this.publish(() => [uplink.getTime, '']);
  }

  /** `get/loc/all`: answered by a `location` downlink. */
  requestLocation(): Promise<void> {
    return this.publish(() => [uplink.getLocation, '']);
  }

  /** `info/mcu` now (it is also sent on every connection when given in the options). */
  sendInfo(info: DeviceInfo): Promise<void> {
    return this.publish(() => [uplink.info, JSON.stringify(info)]);
  }

  // ---- internals ----

  private publish(build: () => [string, string]): Promise<void> {
    if (this.stateNow === 'closed') return Promise.reject(new BlynkError('CLOSED'));
    if (this.stateNow === 'refused') return Promise.reject(this.refusal ?? new BlynkError('DEVICE_TOKEN_REJECTED'));
    let topic: string;
    let payload: string;
    try {
      [topic, payload] = build();
      this.checkSize(topic, payload);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.outbox.add(topic, payload);
  }

  /** Docs: "All MQTT messages are limited to 1024 bytes (including variable header and payload)". */
  private checkSize(topic: string, payload: string): void {
    if (this.maxMessageBytes <= 0) return;
    // QoS 0 PUBLISH variable header: 2-byte length + topic.
    const size = 2 + Buffer.byteLength(topic) + Buffer.byteLength(payload);
    if (size > this.maxMessageBytes) throw new BlynkError('MESSAGE_TOO_LARGE', { length: size, detail: String(this.maxMessageBytes) });
  }

  private setState(change: StateChange): void {
    if (change.state === this.stateNow && change.state !== 'offline') return;
    this.stateNow = change.state;
    this.emit('state', change);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private attempt(): void {
    this.timer = undefined;
    if (this.stateNow === 'closed' || this.stateNow === 'refused') return;
    const url = this.current;
    this.setState({ state: 'connecting', server: brokerLabel(url) });
    const options: IClientOptions = {
      username: 'device', // docs: Username "device"
      password: this.token,
      clientId: this.options.clientId ?? '',
      keepalive: this.options.keepaliveSec ?? 45,
      clean: true, // docs: only clean sessions are supported
      protocolVersion: 4,
      reconnectPeriod: 0, // reconnects are ours: backoff with jitter, redirect, refusal
      connectTimeout: this.options.connectTimeoutMs ?? 30_000,
      queueQoSZero: false, // the outbox keeps unsent messages
      resubscribe: false,
      ...(this.options.tls ?? {}),
    };
    const client = mqtt.connect(url.href, options);
    this.client = client;
    let failure: BlynkError | undefined;
    let connected = false;
    let redirectTo: URL | undefined;

    client.on('connect', () => {
      if (this.client !== client) return;
      client.subscribe(DOWNLINK_FILTER, { qos: 1 }, (error) => {
        if (this.client !== client) return;
        if (error) {
          failure = this.networkError(error);
          client.end(true);
          return;
        }
        connected = true;
        this.attempts = 0;
        this.setState({ state: 'connected', server: brokerLabel(url) });
        if (this.options.info) void this.outbox.add(uplink.info, JSON.stringify(this.options.info), true).catch(() => undefined);
        this.outbox.attach((message) => this.send(client, message));
      });
    });
    client.on('message', (topic, payload) => {
      if (this.client !== client) return;
      const text = payload.toString('utf8');
      if (topic === 'downlink/redirect') {
        redirectTo = this.redirectTarget(url, text);
        if (redirectTo) client.end(true);
        return;
      }
      this.emit('downlink', decodeDownlink(topic, text, { numbers: this.options.numbers }));
    });
    client.on('error', (error) => {
      failure = this.connectError(error);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.outbox.attach(undefined);
      client.removeAllListeners('connect');
      client.end(true);
      this.afterClose(url, connected, failure, redirectTo);
    });
  }

  private afterClose(url: URL, connected: boolean, failure: BlynkError | undefined, redirectTo: URL | undefined): void {
    if (this.stateNow === 'closed') return;
    if (failure && (failure.code === 'DEVICE_TOKEN_REJECTED' || failure.code === 'MQTT_REFUSED')) {
      this.refusal = failure;
      this.outbox.fail(failure);
      this.setState({ state: 'refused', server: brokerLabel(url), error: failure });
      return;
    }
    if (redirectTo) {
      this.emit('redirect', { from: brokerLabel(url), to: brokerLabel(redirectTo) });
      this.current = redirectTo;
      this.redirects++;
      if (this.redirects <= MAX_QUICK_REDIRECTS) {
        this.attempt();
        return;
      }
    } else {
      this.redirects = 0;
      // A region broker that cannot be reached: back to the configured one, which redirects anew.
      if (!connected) this.current = this.configured;
    }
    this.attempts++;
    const retryInMs = reconnectDelayMs(this.backoff, this.attempts);
    const error = failure ?? new BlynkError('NETWORK', { host: brokerLabel(url), detail: 'connection closed' });
    this.setState({ state: 'offline', server: brokerLabel(url), error, retryInMs });
    this.timer = setTimeout(() => this.attempt(), retryInMs);
    this.timer.unref();
  }

  private redirectTarget(from: URL, text: string): URL | undefined {
    let to: URL;
    try {
      to = parseMqttServer(text.trim());
    } catch {
      this.emit('warning', new BlynkError('MQTT_REDIRECT_REFUSED', { location: this.secrets.redact(sanitizeDetail(text)) }));
      return undefined;
    }
    if (!mayFollowMqttRedirect(from, to)) {
      this.emit('warning', new BlynkError('MQTT_REDIRECT_REFUSED', { location: brokerLabel(to) }));
      return undefined;
    }
    return to.href === from.href ? undefined : to;
  }

  private send(client: MqttClient, message: { topic: string; payload: string }): Promise<boolean> {
    if (!client.connected || this.client !== client) return Promise.resolve(false);
    // QoS 0: Blynk documents no QoS for uplinks; its samples publish at QoS 0.
    return new Promise<boolean>((resolve) => {
      client.publish(message.topic, message.payload, { qos: 0 }, (error) => resolve(!error));
    });
  }

  private connectError(error: Error & { code?: unknown }): BlynkError {
    const final = typeof error.code === 'number' ? FINAL_CONNACK[error.code] : undefined;
    // No `status`: that field means an HTTP status everywhere else.
    if (final)
      return new BlynkError(final, { detail: this.secrets.redact(sanitizeDetail(`${error.message} (CONNACK ${String(error.code)})`)) });
    return this.networkError(error);
  }

  private networkError(error: Error & { code?: unknown }): BlynkError {
    const host = brokerLabel(this.current);
    const detail = this.secrets.redact(sanitizeDetail(typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message));
    if (typeof error.code === 'string' && TLS_CODES.test(error.code)) return new BlynkError('TLS', { host, detail });
    return new BlynkError('NETWORK', { host, detail });
  }
}
