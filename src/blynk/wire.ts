// The sockets of one connection: undici dispatchers, one per server origin, direct or through the
// proxy that the environment names for it.
import type { Dispatcher } from 'undici';
import type { Controller, Handler, Sender } from './undici-adapter';

type UndiciModule = typeof import('undici');
let undiciModule: UndiciModule | undefined;

/** undici is loaded with the first connection, as axios is: a flow may never use a Blynk node. */
export function loadUndici(): UndiciModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  undiciModule ??= require('undici') as UndiciModule;
  return undiciModule;
}

export interface WireOptions {
  /** Most sockets per origin: the connection's in-flight cap, so no request waits inside undici. */
  connections: number;
  /** How long a TCP (and TLS) connect may take. */
  connectTimeoutMs: number;
}

/** TCP keep-alive delay of pooled sockets, as the axios transport had it. */
const TCP_KEEPALIVE_MS = 60_000;
/** How long an idle socket is kept open for the next request. */
const IDLE_SOCKET_MS = 60_000;

/**
 * One dispatcher per origin the connection talks to (its server, a region it was redirected to),
 * kept alive between calls and destroyed with the connection. Each is a set of keep-alive
 * sockets (Clients), or a `ProxyAgent` when HTTP_PROXY / HTTPS_PROXY name a proxy for that origin
 * and NO_PROXY does not exclude it; the environment is read when the origin is first used.
 */
export class Wire {
  private readonly dispatchers = new Map<string, Sender & Pick<Dispatcher, 'destroy'>>();
  private closed = false;

  constructor(private readonly options: WireOptions) {}

  /** The dispatcher for `origin` (`scheme://host[:port]`). */
  dispatcher(origin: string): Sender {
    let dispatcher = this.dispatchers.get(origin);
    if (!dispatcher) {
      dispatcher = this.make(origin);
      // After close() nothing is kept: the caller's request fails on the destroyed dispatcher.
      if (this.closed) void dispatcher.destroy().catch(() => undefined);
      else this.dispatchers.set(origin, dispatcher);
    }
    return dispatcher;
  }

  /** Sockets open now, to every origin (a proxied origin's are not counted). */
  get openSockets(): number {
    let n = 0;
    for (const dispatcher of this.dispatchers.values()) if (dispatcher instanceof Sockets) n += dispatcher.open;
    return n;
  }

  /** Open sockets and requests in flight are destroyed now (the requests fail, as aborted). */
  close(): void {
    this.closed = true;
    for (const dispatcher of this.dispatchers.values()) void dispatcher.destroy().catch(() => undefined);
    this.dispatchers.clear();
  }

  private make(origin: string): Sender & Pick<Dispatcher, 'destroy'> {
    const undici = loadUndici();
    const { connections, connectTimeoutMs } = this.options;
    const tls = { rejectUnauthorized: true };
    const proxy = proxyFor(new URL(origin));
    if (proxy) {
      return new undici.ProxyAgent({
        uri: proxy,
        connections,
        connectTimeout: connectTimeoutMs,
        keepAliveTimeout: IDLE_SOCKET_MS,
        requestTls: tls,
        proxyTls: tls,
        // A plain-http server is reached with an absolute-form request, as axios sends it.
        proxyTunnel: origin.startsWith('https:'),
      });
    }
    return new Sockets(
      () =>
        new undici.Client(origin, {
          connect: { ...tls, timeout: connectTimeoutMs, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS },
          // An idle socket is kept a minute (undici's default is 4 s) unless the server's Keep-Alive
          // header says less: a flow sending every few seconds should not pay a TLS handshake each time.
          keepAliveTimeout: IDLE_SOCKET_MS,
        }),
      connections,
    );
  }
}

/**
 * Up to `max` keep-alive sockets to one origin, each an undici Client with one request at a time:
 * a request takes the socket freed last, or opens one. undici's Pool would do this too, but it
 * learns that a socket is free only a macrotask after the answer (setImmediate), so a caller that
 * sends its next request as soon as the answer comes opens a second socket it does not need.
 */
class Sockets implements Sender {
  private readonly idle: Dispatcher[] = [];
  private readonly all = new Set<Dispatcher>();
  /** Connected sockets, from the clients' connect and disconnect events. */
  open = 0;
  private readonly onConnect = (): void => {
    this.open++;
  };
  private readonly onDisconnect = (): void => {
    this.open--;
  };

  constructor(
    private readonly create: () => Dispatcher,
    private readonly max: number,
  ) {}

  dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean {
    let client = this.idle.pop();
    if (!client) {
      // The transport's in-flight cap keeps requests to `max`; past it they would queue on the first.
      if (this.all.size < this.max) {
        client = this.create();
        client.on('connect', this.onConnect).on('disconnect', this.onDisconnect);
        this.all.add(client);
      } else client = this.all.values().next().value as Dispatcher;
    }
    return (client as unknown as Sender).dispatch(options, new Lease(this, client, handler));
  }

  release(client: Dispatcher): void {
    if (this.all.has(client) && !this.idle.includes(client)) this.idle.push(client);
  }

  async destroy(): Promise<void> {
    const clients = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(clients.map((client) => client.destroy()));
  }
}

/** A request's handler, giving its socket back when the answer is complete or failed. */
class Lease implements Handler {
  constructor(
    private readonly sockets: Sockets,
    private readonly client: Dispatcher,
    private readonly handler: Handler,
  ) {}

  // undici 6

  onConnect(abort: (err?: Error) => void): void {
    this.handler.onConnect(abort);
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    return this.handler.onHeaders(statusCode, headers, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    return this.handler.onData(chunk);
  }

  onComplete(trailers: unknown): void {
    this.sockets.release(this.client);
    this.handler.onComplete(trailers);
  }

  onError(err: Error): void {
    this.sockets.release(this.client);
    this.handler.onError(err);
  }

  // undici 7 and 8

  onRequestStart(controller: Controller, context?: unknown): void {
    this.handler.onRequestStart(controller, context);
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusText?: string,
  ): void {
    this.handler.onResponseStart(controller, statusCode, headers, statusText);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.handler.onResponseData(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: unknown): void {
    this.sockets.release(this.client);
    this.handler.onResponseEnd(controller, trailers);
  }

  onResponseError(controller: Controller | null | undefined, err: Error): void {
    this.sockets.release(this.client);
    this.handler.onResponseError(controller, err);
  }
}
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** An environment variable in lower case, else upper case, as axios (proxy-from-env) reads them. */
function env(name: string): string {
  return process.env[name.toLowerCase()] || process.env[name.toUpperCase()] || '';
}

/**
 * The proxy for `url` as axios picks it from the environment (proxy-from-env's rules):
 * `<scheme>_PROXY` (npm_config_ forms and ALL_PROXY too), unless NO_PROXY has `*`, the host, a
 * `.domain` or `*.domain` suffix of it, each optionally with `:port`. '' for none.
 */
export function proxyFor(url: URL): string {
  const scheme = url.protocol.replace(/:$/, '');
  const hostname = url.host.replace(/:\d*$/, '');
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  const noProxy = (env('npm_config_no_proxy') || env('no_proxy')).toLowerCase();
  if (noProxy === '*') return '';
  const excluded = noProxy.split(/[,\s]/).some((entry) => {
    if (!entry) return false;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    let host = parsed ? parsed[1] : entry;
    const entryPort = parsed ? Number(parsed[2]) : 0;
    if (entryPort && entryPort !== port) return false;
    if (!/^[.*]/.test(host)) return hostname === host;
    if (host.startsWith('*')) host = host.slice(1);
    return hostname.endsWith(host);
  });
  if (excluded) return '';
  const proxy = env(`npm_config_${scheme}_proxy`) || env(`${scheme}_proxy`) || env('npm_config_proxy') || env('all_proxy');
  return proxy && !proxy.includes('://') ? `${scheme}://${proxy}` : proxy;
}
