// HTTP server: reads the request, logs it, applies faults, routes it, answers.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEMO } from './demo-data';
import { DEVICE_FILE_MAX, deviceRoutes } from './device-api';
import { FIRMWARE_MAX, uploadRoutes } from './uploads';
import { authorizeRoutes } from './authorize';
import { contractRoutes } from './contract-routes';
import { Faults } from './faults';
import { apiError, parseQuery, type Handler, type Reply, type SimRequest } from './http';
import { RateLimiter } from './limits';
import { TokenStore } from './oauth';
import { bearerAuth, platformRoutes } from './platform-api';
import { shipmentRoutes, Shipments } from './shipments';
import { reportExchange } from './exchanges';
import { RequestLog } from './request-log';
import { Store } from './store';
import { WEBHOOK_RATE_PER_MINUTE, Webhooks } from './webhooks';
import type { FaultAction, RequestLogEntry, Simulator, SimulatorMqtt, SimulatorOptions } from './types';

const MAX_BODY = 2 * 1024 * 1024; // Blynk's documented HTTPS request size limit
// The upload routes document their own file limits (5 MB per device file, 10 MB per firmware
// file); the form around the file is allowed a little more, the route checks the file itself.
const FORM_OVERHEAD = 64 * 1024;
const BODY_LIMITS: Record<string, number> = {
  '/external/api/upload': DEVICE_FILE_MAX + FORM_OVERHEAD,
  '/api/upload': FIRMWARE_MAX + FORM_OVERHEAD,
};

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const defaultLifetime = options.tokenLifetimeSec ?? 86400;
  const demo = structuredClone(DEMO); // each simulator owns its copy
  const store = new Store(demo);
  const tokens = new TokenStore(defaultLifetime);
  tokens.addClient(demo.clientId, demo.clientSecret);
  tokens.addUser(demo.userEmail, demo.password);
  if (demo.userWithoutDeveloperMode) {
    tokens.addUser(demo.userWithoutDeveloperMode.email, demo.userWithoutDeveloperMode.password, false);
  }
  const limiter = new RateLimiter(options.limits);
  const faults = new Faults();
  const log = new RequestLog<RequestLogEntry>(options.logLimit ?? 10_000);
  const webhooks = new Webhooks(store, options.webhookRatePerMinute);
  for (const def of options.webhooks ?? []) webhooks.add(def);
  const shipments = new Shipments(store);
  const routes = new Map<string, Handler>(
    Object.entries({
      'POST /oauth2/token': (req: SimRequest) => tokens.handle(req),
      ...authorizeRoutes({ tokens, userEmail: demo.userEmail }),
      // Every documented Platform route, answered to its schema; the dedicated handlers below win.
      ...contractRoutes({ tokens, limiter, orgId: demo.org.id }),
      ...platformRoutes({ store, tokens, limiter, webhooks }),
      ...deviceRoutes({ store, limiter }),
      ...uploadRoutes({ store, tokens, limiter }),
      ...webhooks.routes(),
      ...shipmentRoutes(shipments, {
        store,
        authed: bearerAuth(tokens, limiter, demo.org.id),
        firmware: (path) => store.firmware.find((f) => f.path === path),
      }),
    }),
  );

  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const route = (req: SimRequest): Reply => {
    const handler = routes.get(`${req.method} ${req.path}`);
    if (!handler) return apiError(404, 'Not found');
    try {
      return handler(req);
    } catch {
      return apiError(500, 'Internal server error'); // a simulator bug must not take the server down
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = BODY_LIMITS[(req.url ?? '/').split('?')[0]] ?? MAX_BODY;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk); // past the cap: keep draining, stop storing
    });
    req.on('error', () => req.socket.destroy());
    req.on('end', () => {
      const bytes = size > limit ? Buffer.alloc(0) : Buffer.concat(chunks);
      dispatch(req, res, bytes, size > limit);
    });
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse, bytes: Buffer, tooLarge: boolean): void => {
    const raw = bytes.toString('utf8');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    const method = req.method ?? 'GET';
    let body: unknown;
    let jsonError = false;
    const multipart = /^multipart\//i.test(req.headers['content-type'] ?? '');
    if (raw !== '' && !multipart) {
      try {
        body = JSON.parse(raw);
      } catch {
        jsonError = true;
      }
    }
    const entry: RequestLogEntry = {
      method,
      path,
      query,
      headers: flatHeaders(req.headers),
      body: multipart ? `[multipart, ${bytes.length} bytes]` : jsonError ? raw : body,
      status: 0,
      at: Date.now(),
    };
    log.push(entry);
    const simReq: SimRequest = { method, path, query, headers: req.headers, rawBody: raw, bytes, json: body, jsonError };
    if (method === 'POST' && path === '/oauth2/token') tokens.count(simReq);
    const handle = (): Reply => (tooLarge ? apiError(413, 'Request is too large.') : route(simReq));
    const exchange = { method, path, query, headers: entry.headers, requestBody: raw };
    const answer = (reply: Reply, fault = false): void => {
      send(res, entry, reply);
      reportExchange({
        ...exchange,
        status: entry.status,
        ...(reply.body === undefined ? {} : { contentType: reply.type ?? 'application/json', answerBody: reply.body }),
        ...(fault ? { fault } : {}),
      });
    };

    const fault = faults.take(method, path, query);
    if (!fault) return answer(handle());
    applyFault(fault, url, handle, answer, () => {
      req.socket.destroy();
      reportExchange({ ...exchange, status: 0, fault: true });
    });
  };

  const applyFault = (
    fault: FaultAction,
    url: string,
    handle: () => Reply,
    answer: (r: Reply, fault?: boolean) => void,
    drop: () => void,
  ): void => {
    if ('status' in fault) {
      const { body } = fault;
      const isText = typeof body === 'string';
      answer(
        {
          status: fault.status,
          ...(body === undefined ? {} : { body: isText ? body : JSON.stringify(body) }),
          type: isText ? 'text/plain; charset=utf-8' : 'application/json',
          headers: fault.headers,
        },
        true,
      );
    } else if ('delayMs' in fault) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(handle());
      }, fault.delayMs);
      timer.unref();
      timers.add(timer);
    } else if ('drop' in fault) {
      if (fault.drop === 'after') handle(); // processed (e.g. refresh token consumed), never answered
      drop();
    } else {
      answer({ status: 308, headers: { Location: fault.redirect.replace(/\/+$/, '') + url } }, true);
    }
  };

  const server = createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  let mqtt: Promise<SimulatorMqtt> | undefined;
  let mqttBroker: SimulatorMqtt | undefined; // once started: reset() must act at once

  return {
    url,
    port,
    demo,
    routes: [...routes.keys()],
    get log() {
      return log.entries();
    },
    faults,
    tokens,
    state: store,
    webhooks,
    shipments,
    setTokenLifetime(sec: number) {
      tokens.lifetimeSec = sec;
    },
    setLimits(limits) {
      limiter.set(limits);
    },
    get rateLimited() {
      return limiter.refused;
    },
    addOAuthClient(clientId: string, clientSecret: string) {
      tokens.addClient(clientId, clientSecret);
    },
    addUser(email: string, password: string, developerMode?: boolean) {
      tokens.addUser(email, password, developerMode);
    },
    addDevice({ id, name, token, templateId }) {
      store.add({
        id,
        name,
        token: token ?? `sim-device-token-${id}-${randomBytes(6).toString('hex')}`,
        templateId: templateId ?? demo.template.id,
      });
    },
    mqtt(mqttOptions) {
      // Loaded on first use: aedes is a devDependency, and HTTP-only runs never open the port.
      mqtt ??= import('./mqtt-broker')
        .then(({ startMqttBroker }) => startMqttBroker(store, { host, ...mqttOptions }))
        .then((b) => (mqttBroker = b));
      return mqtt;
    },
    // Back to the start-up options; clients and users added by tests are kept.
    reset() {
      log.clear();
      faults.clear();
      tokens.reset(defaultLifetime);
      limiter.set(options.limits ?? {});
      store.reset();
      webhooks.clear();
      shipments.clear();
      webhooks.ratePerMinute = options.webhookRatePerMinute ?? WEBHOOK_RATE_PER_MINUTE;
      mqttBroker?.reset();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        const broker = mqtt?.then(
          (b) => b.close(),
          () => undefined,
        );
        webhooks.close();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => void Promise.resolve(broker).then(() => resolve()));
        for (const s of sockets) s.destroy(); // keep-alive sockets would hold the process open
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, entry: RequestLogEntry, reply: Reply): void {
  if (res.destroyed || res.socket === null || res.socket.destroyed) return; // client gone: status stays 0
  entry.status = reply.status;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body !== undefined) {
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = reply.type ?? 'application/json';
    }
    headers['Content-Length'] = Buffer.byteLength(reply.body);
  } else if (reply.status !== 204 && reply.status !== 304) {
    headers['Content-Length'] = 0;
  }
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

function flatHeaders(h: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k in h) {
    const v = h[k];
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
