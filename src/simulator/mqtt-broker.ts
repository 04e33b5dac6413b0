// Blynk's Device MQTT API (docs/blynk-mqtt-api.md), on aedes: started only when a test or
// `npm start` asks for it, so the HTTP simulator needs neither aedes nor its port.
import { RequestLog } from './request-log';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Aedes, AuthenticateError, Client, PublishPacket } from 'aedes';
import type { Store } from './store';
import type { DatastreamValue, DeviceState, MqttLogEntry, SimulatorMqtt } from './types';
import { coerceValue, valueText } from './values';

const NUL = '\u0000';
/** Topics Blynk delivers without a subscription (docs: OTA, redirect, diagnostics). */
const UNSOLICITED = /^downlink\/(ota\/json|redirect|diag)$/;
/** The approximate location `get/loc/all` answers with ("Lat Lon … separated by comma"). */
const DEMO_LOCATION = '49.8419,24.0336';

interface Session {
  client: Client;
  device: DeviceState;
  filters: string[];
}

/** MQTT topic-filter match, `#` only: Blynk supports no `+` (docs: Limitations). */
function matches(filter: string, topic: string): boolean {
  if (filter === '#') return true;
  if (filter.endsWith('/#')) return topic === filter.slice(0, -2) || topic.startsWith(filter.slice(0, -1));
  return filter === topic;
}

/** A value as Blynk's downlinks carry it: plain text, multi-values (Location) NUL-separated. */
function downlinkText(value: DatastreamValue): string {
  return Array.isArray(value) ? value.join(NUL) : valueText(value);
}

export async function startMqttBroker(
  store: Store,
  options: { host?: string; port?: number; wsPort?: number } = {},
): Promise<SimulatorMqtt> {
  const { Aedes: AedesClass } = await import('aedes');
  const { WebSocketServer, createWebSocketStream } = await import('ws');
  const host = options.host ?? '127.0.0.1';
  const sessions = new Map<Client, Session>();
  /** CONNECTs the broker was asked to authenticate, accepted or not. */
  let attempts = 0;
  const log = new RequestLog<MqttLogEntry>(10_000);
  const redirects: string[] = [];
  const sockets = new Set<Socket>();

  const sessionOf = (device: DeviceState): Session | undefined => [...sessions.values()].find((s) => s.device === device);

  const note = (entry: Omit<MqttLogEntry, 'at'>): void => {
    log.push({ ...entry, at: Date.now() });
  };

  const deliver = (session: Session, topic: string, payload: string, qos: 0 | 1 = 0): boolean => {
    if (!UNSOLICITED.test(topic) && !session.filters.some((f) => matches(f, topic))) return false;
    const packet: PublishPacket = { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false };
    session.client.publish(packet, () => undefined);
    note({ direction: 'down', deviceId: session.device.id, topic, payload });
    return true;
  };

  const sendValues = (session: Session, names: readonly string[]): void => {
    for (const name of names) {
      const ds = store.streamByName(name);
      const v = ds && session.device.values.get(ds.id);
      if (ds && v) deliver(session, `downlink/ds/${ds.label}`, downlinkText(v.value));
    }
  };

  /** One uplink; false when Blynk would not accept it (unknown name, wrong type). */
  const handle = (session: Session, topic: string, payload: string): boolean => {
    const d = session.device;
    const levels = topic.split('/');
    const [head, name, sub, prop, tail] = levels;
    if (topic === 'batch_ds') {
      let body: unknown;
      try {
        body = JSON.parse(payload);
      } catch {
        return false;
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
      const updates: [NonNullable<ReturnType<Store['streamByName']>>, DatastreamValue][] = [];
      for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
        const ds = store.streamByName(key);
        const value = ds && coerceValue(ds, typeof raw === 'boolean' ? Number(raw) : raw);
        if (!ds || value === undefined) return false;
        updates.push([ds, value]);
      }
      store.setValues(d, updates, 'mqtt');
      return true;
    }
    if (topic === 'info/mcu') return true;
    if (topic === 'get/ds/all') {
      sendValues(
        session,
        store.demo.template.datastreams.map((ds) => ds.label),
      );
      return true;
    }
    if (topic === 'get/ds') {
      sendValues(session, payload.split(','));
      return true;
    }
    if (topic === 'get/meta') {
      for (const n of payload.split(',')) {
        const field = d.metaFields.find((f) => f.name === n);
        if (field) deliver(session, `downlink/meta/${field.name}`, field.value);
      }
      return true;
    }
    if (topic === 'get/utc/all/json') {
      const time = Date.now();
      const body = {
        tz_name: 'UTC',
        tz_rule: 'UTC0',
        tz_offset: 0,
        dst_offset: 0,
        time,
        iso8601: new Date(time).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      };
      deliver(session, 'downlink/utc/all/json', JSON.stringify(body));
      return true;
    }
    if (topic === 'get/loc/all') {
      deliver(session, 'downlink/loc/all', DEMO_LOCATION);
      return true;
    }
    if (head === 'event' && levels.length === 2) {
      if (!store.eventCodes.has(name)) return false;
      store.logEvent(d, name, payload, 'device');
      return true;
    }
    if (head === 'meta' && levels.length === 2) {
      const field = d.metaFields.find((f) => f.name === name);
      if (!field) return false;
      field.value = payload;
      return true;
    }
    if (head !== 'ds' || !name) return false;
    const ds = store.streamByName(name);
    if (!ds) return false;
    if (levels.length === 2) {
      const items = payload.split(NUL);
      const value = coerceValue(ds, ds.dataType === 'Location' ? items : payload);
      if (value === undefined) return false;
      store.setValue(d, ds, value, Date.now(), 'mqtt');
      return true;
    }
    if (levels.length === 3 && sub === 'erase') {
      d.values.delete(ds.id);
      return true;
    }
    if (levels.length === 3 && sub === 'timestamped_batch') {
      let points: unknown;
      try {
        points = JSON.parse(payload);
      } catch {
        return false;
      }
      if (!Array.isArray(points)) return false;
      let latest: { value: DatastreamValue; ts: number } | undefined;
      for (const point of points as unknown[]) {
        if (!Array.isArray(point) || point.length !== 2 || typeof point[0] !== 'number') return false;
        const value = coerceValue(ds, typeof point[1] === 'boolean' ? Number(point[1]) : point[1]);
        if (value === undefined) return false;
        if (!latest || point[0] >= latest.ts) latest = { value, ts: point[0] };
        store.record(d, ds, value, point[0]);
      }
      if (latest) d.values.set(ds.id, { value: latest.value, updatedAt: latest.ts });
      return true;
    }
    if (sub === 'prop' && prop && (levels.length === 4 || (levels.length === 5 && tail === 'erase'))) {
      if (levels.length === 5) {
        const props = { ...d.properties.get(ds.pin) };
        delete props[prop];
        d.properties.set(ds.pin, props);
      } else {
        store.setProperties(d, ds.pin, { [prop]: payload.includes(NUL) ? payload.split(NUL) : payload });
      }
      return true;
    }
    return false;
  };

  const broker: Aedes = await AedesClass.createBroker({
    authenticate(client, username, password, done) {
      attempts++;
      const device = username === 'device' && password ? store.device(password.toString('utf8')) : undefined;
      if (!device) {
        // Docs: "0x04 Connection Refused … a problem with your credentials".
        const error = Object.assign(new Error('Bad username or password'), { returnCode: 4 }) as AuthenticateError;
        return done(error, false);
      }
      // Undocumented: Blynk disallows two clients with one token but does not say which one stays: the newer does.
      const older = sessionOf(device);
      if (older) older.client.close();
      sessions.set(client, { client, device, filters: [] });
      done(null, true);
    },
    authorizeSubscribe(client, subscription, done) {
      // Docs: only sub-topics of downlink/, and no single-level (+) wildcard.
      const ok = subscription.topic.startsWith('downlink/') && !subscription.topic.includes('+');
      if (ok) sessions.get(client)?.filters.push(subscription.topic);
      done(null, ok ? subscription : null);
    },
    authorizePublish(client, packet, done) {
      const session = client && sessions.get(client);
      if (!session || packet.topic.startsWith('downlink/')) return done(new Error('not allowed'));
      const payload = packet.payload.toString();
      const accepted = handle(session, packet.topic, payload);
      note({ direction: 'up', deviceId: session.device.id, topic: packet.topic, payload, ...(accepted ? {} : { rejected: true }) });
      done(null);
    },
    // Uplinks are Blynk's to consume, never routed to other clients.
    authorizeForward: (_client, packet) => (packet.topic.startsWith('downlink/') ? packet : null),
  });

  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    session.device.connected = true;
    // Docs: "Immediately after connection, the broker will decide if redirection is needed".
    const to = redirects.shift();
    if (to !== undefined) deliver(session, 'downlink/redirect', to);
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    sessions.delete(client);
    if (session && !sessionOf(session.device)) session.device.connected = false;
  });

  const removeListener = store.onWrite((device, ds, value, origin) => {
    if (origin === 'mqtt') return; // the device knows what it wrote
    const session = sessionOf(device);
    if (session) deliver(session, `downlink/ds/${ds.label}`, downlinkText(value));
  });

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const bind = async (s: Server | HttpServer, at: number): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(at, host, () => {
        s.off('error', reject);
        resolve();
      });
    });
    const address = s.address();
    return typeof address === 'object' && address ? address.port : at;
  };

  let server: Server | undefined;
  let wsServer: HttpServer | undefined;
  let port = options.port ?? 0;
  let wsPort = options.wsPort ?? 0;
  const listen = async (): Promise<void> => {
    const s = createServer((socket) => {
      track(socket);
      broker.handle(socket);
    });
    port = await bind(s, port);
    server = s;
    // MQTT over WebSocket at Blynk's path /mqtt (docs: "path must be /mqtt").
    const http = createHttpServer((_req, res) => res.writeHead(404).end());
    http.on('connection', track);
    const wss = new WebSocketServer({ server: http, path: '/mqtt' });
    wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws), req));
    wsPort = await bind(http, wsPort);
    wsServer = http;
  };
  const stop = async (): Promise<void> => {
    const closing = [server, wsServer].filter((s): s is Server | HttpServer => s !== undefined);
    server = undefined;
    wsServer = undefined;
    for (const socket of sockets) socket.destroy();
    await Promise.all(closing.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  await listen();

  let closing: Promise<void> | undefined;
  const hostText = host.includes(':') ? `[${host}]` : host;
  return {
    get url() {
      return `mqtt://${hostText}:${port}`;
    },
    get port() {
      return port;
    },
    get wsUrl() {
      return `ws://${hostText}:${wsPort}/mqtt`;
    },
    get running() {
      return server !== undefined;
    },
    get connections() {
      return sessions.size;
    },
    get attempts() {
      return attempts;
    },
    get log() {
      return log.entries();
    },
    redirectNext(uri: string, times = 1) {
      for (let i = 0; i < times; i++) redirects.push(uri);
    },
    send(device: number | string, topic: string, payload = '', qos: 0 | 1 = 0) {
      const d = store.device(device);
      const session = d && sessionOf(d);
      return session ? deliver(session, topic, payload, qos) : false;
    },
    drop(device?: number | string) {
      const d = device === undefined ? undefined : store.device(device);
      for (const s of sessions.values()) if (!d || s.device === d) s.client.conn.destroy();
    },
    stop,
    restart: async () => {
      if (!server) await listen();
    },
    reset() {
      log.clear();
      redirects.length = 0;
    },
    close() {
      closing ??= (async () => {
        removeListener();
        await stop();
        await new Promise<void>((resolve) => broker.close(() => resolve()));
      })();
      return closing;
    },
  };
}
