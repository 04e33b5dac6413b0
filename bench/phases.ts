// The measuring phases, each returning what it measured (printing is report.ts's job).
import { spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { sleep } from '../scripts/lib/wait';
import { Loop, LoopResult } from './loop';
import { IDS, PACKAGE_ROOT, RedNode, Runtime, sinkOf } from './nodered';
import { Options } from './options';
import { Env, nextRunId, run } from './record';
import { deviceUpdates, packageNodes } from './sides';
import { median } from './stats';
import { fullGc } from './util';

/** A token for sides 1 and 2, fetched on a connection of its own that is closed afterwards. */
export function fetchToken(server: string, clientId: string, clientSecret: string): Promise<string> {
  const url = new URL('/oauth2/token?grant_type=client_credentials', server);
  const auth = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { Authorization: `Basic ${auth}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const token = (JSON.parse(body) as { access_token?: string }).access_token;
          if (res.statusCode === 200 && token) resolve(token);
          else reject(new Error(`token request: HTTP ${res.statusCode} ${body}`));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface StartupResult {
  nodesMs: number;
  axiosMs: number;
  files: number;
}

/** Requiring dist/nodes/*.js in fresh processes; median of 5. */
export function startupPhase(): StartupResult {
  const dir = path.join(PACKAGE_ROOT, 'dist', 'nodes');
  const timeRequire = (what: string): { ms: number; files: number } => {
    const script = `
      const { performance } = require('node:perf_hooks');
      const fs = require('node:fs'), path = require('node:path');
      const arg = process.argv[1];
      const files = arg === 'axios' ? [require.resolve('axios', { paths: [${JSON.stringify(PACKAGE_ROOT)}] })]
        : fs.readdirSync(arg).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(arg, f));
      const t0 = performance.now();
      for (const f of files) require(f);
      process.stdout.write(JSON.stringify({ ms: performance.now() - t0, files: files.length }));`;
    const res = spawnSync(process.execPath, ['-e', script, what], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`start-up probe failed: ${res.stderr}`);
    return JSON.parse(res.stdout) as { ms: number; files: number };
  };
  const nodes: number[] = [];
  const axiosOnly: number[] = [];
  let files = 0;
  for (let i = 0; i < 5; i++) {
    const r = timeRequire(dir);
    nodes.push(r.ms);
    files = r.files;
    axiosOnly.push(timeRequire('axios').ms);
  }
  return { nodesMs: median(nodes), axiosMs: median(axiosOnly), files };
}

/** Census keys that count connections, not listeners: they may grow up to the bound below. */
export const POOLED = 'pooled sockets';
export const TCP = "libuv tcp handles (ref'd or not)";
/** In flight during the memory phase. */
const MEMORY_CONCURRENCY = 16;
/**
 * Connections the package may hold at that concurrency: one per message in flight, plus one for
 * a token renewal sent while all of them are busy. More than this, or more than before, is a leak.
 */
export const SOCKET_BOUND = MEMORY_CONCURRENCY + 1;

interface ListenerCensus {
  [what: string]: number;
}

/** Internals of the package reached from the outside, to count what it holds. */
function packageInternals(rt: Runtime) {
  const cfg = rt.node(IDS.config) as RedNode & { clientFor(api: string): unknown };
  const client = cfg.clientFor('platform') as {
    call: (...args: unknown[]) => Promise<unknown>;
    transport: { wire: { openSockets: number }; request: (...args: unknown[]) => Promise<unknown> };
    tokens?: { abort?: AbortController };
  };
  return { cfg, client, wire: client.transport.wire, tokenAbort: client.tokens?.abort };
}

/**
 * process.getActiveResourcesInfo() lists only what keeps the process alive (ref'd timers and
 * handles; idle keep-alive sockets are unref'd), so libuv's own list adds every TCP handle.
 */
function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  const report = process.report?.getReport() as { libuv?: { type: string }[] } | undefined;
  counts[TCP] = (report?.libuv ?? []).filter((h) => h.type === 'tcp').length;
  return counts;
}

function emitterListeners(e: { eventNames(): (string | symbol)[]; listenerCount(n: string | symbol): number }): number {
  return e.eventNames().reduce((n, name) => n + e.listenerCount(name), 0);
}

export interface MemoryResult {
  messages: number;
  heapBefore: number;
  heapAfter: number;
  rssBefore: number;
  rssAfter: number;
  resourcesBefore: Record<string, number>;
  resourcesAfter: Record<string, number>;
  listenersBefore: ListenerCensus;
  listenersAfter: ListenerCensus;
  seconds: number;
  rate: number;
}

export async function memoryPhase(env: Env, o: Options): Promise<MemoryResult> {
  const side = env.sides.pkg;
  const internals = packageInternals(env.rt);
  // The flow node's AbortSignal is private to its closure, and the client may derive another one
  // for the transport: catch both on their way in (during the warm-up only).
  let flowSignal: AbortSignal | undefined;
  let requestSignal: AbortSignal | undefined;
  const call = internals.client.call;
  const request = internals.client.transport.request;
  internals.client.call = function (this: unknown, ...args: unknown[]) {
    flowSignal ??= args[1] as AbortSignal | undefined;
    return call.apply(this, args);
  };
  internals.client.transport.request = function (this: unknown, ...args: unknown[]) {
    requestSignal = (args[0] as { signal?: AbortSignal }).signal;
    return request.apply(this, args);
  };
  await run(env, 'memory-warmup', side, 'get', { concurrency: MEMORY_CONCURRENCY, count: 5000 });
  delete (internals.client as { call?: unknown }).call; // back to the prototype's
  delete (internals.client.transport as { request?: unknown }).request;
  if (!flowSignal || !requestSignal) throw new Error('could not observe the abort signals');
  const signal = flowSignal;
  const lastRequestSignal = requestSignal;

  const census = (): ListenerCensus => {
    return {
      'get-device node': emitterListeners(env.rt.node(IDS.pkgGet) as never),
      'config node': emitterListeners(internals.cfg as never),
      process: emitterListeners(process),
      'flow node abort signal': getEventListeners(signal, 'abort').length,
      'signal of the last request': getEventListeners(lastRequestSignal, 'abort').length,
      'token manager abort signal': internals.tokenAbort ? getEventListeners(internals.tokenAbort.signal, 'abort').length : 0,
      [POOLED]: internals.wire.openSockets,
    };
  };
  const snapshot = async () => {
    await fullGc();
    await sleep(20);
    await fullGc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, rss: m.rss, resources: resourceCounts(), listeners: census() };
  };
  const a = await snapshot();
  const r = await run(env, 'memory', side, 'get', { concurrency: MEMORY_CONCURRENCY, count: o.memoryMessages });
  const b = await snapshot();
  return {
    messages: r.sent,
    heapBefore: a.heap,
    heapAfter: b.heap,
    rssBefore: a.rss,
    rssAfter: b.rss,
    resourcesBefore: a.resources,
    resourcesAfter: b.resources,
    listenersBefore: a.listeners,
    listenersAfter: b.listeners,
    seconds: r.seconds,
    rate: r.rate,
  };
}

export interface ColdResult {
  messages: number;
  ok: number;
  tokenRequests: number;
}

/** 64 messages into a config node that has never fetched a token. */
export async function coldTokenPhase(env: Env): Promise<ColdResult> {
  const cold = packageNodes(env.rt, { get: IDS.pkgCold, write: IDS.pkgWrite });
  const before = (await env.sim.tokens()).requests;
  const r = await run(env, 'tokens-cold', cold, 'get', { concurrency: 64, count: 64 });
  await sleep(50);
  const after = (await env.sim.tokens()).requests;
  return { messages: r.sent, ok: r.ok, tokenRequests: after - before };
}

export interface PacingResult {
  result: LoopResult;
  /** Requests the simulator refused with 429. */
  refused: number;
  /** The burst at exactly the limit, in seconds (the first second's worth goes at once). */
  expectedSeconds: number;
}

/**
 * A burst of device updates all sent at once into a connection paced at the simulator's
 * per-device limit. Every message must arrive, none refused with 429, in about messages / rate.
 */
export async function pacingPhase(env: Env, o: Options): Promise<PacingResult> {
  await env.sim.setLimits({ deviceRequestsPerSecond: o.pacingRate });
  const loop = new Loop();
  const unbind = deviceUpdates(env.rt, IDS.pkgPaced).bind('write', loop, nextRunId());
  const result = await loop.run({ concurrency: o.pacingMessages, count: o.pacingMessages });
  unbind();
  const refused = await env.sim.rateLimited();
  await env.sim.setLimits({});
  return { result, refused, expectedSeconds: (o.pacingMessages - 1) / o.pacingRate };
}

export interface DownlinkResult {
  /** Downlinks the broker sent, and messages that came out of the device in node. */
  sent: number;
  received: number;
  /** Messages whose payload was not the number sent (the datastream is an Integer). */
  untyped: number;
  seconds: number;
}

/**
 * Node-RED as a Blynk device: the simulator's broker sends a burst of datastream values (a user
 * moving a widget, many times over) to the device that a device in node connects as; measured
 * until the last one leaves the node as a message.
 */
export async function downlinkPhase(env: Env, o: Options): Promise<DownlinkResult> {
  let received = 0;
  let untyped = 0;
  let last = 0;
  env.rt.onSink(sinkOf(IDS.pkgDeviceIn), (msg) => {
    if (typeof msg.payload !== 'number') untyped++;
    received++;
    last = performance.now();
  });
  // One value through first: the device has connected and subscribed, and the path is warm.
  for (let waited = 0; received === 0; waited += 50) {
    if (waited > 10_000) throw new Error('the device in node did not receive from the simulator broker');
    await env.sim.downlinks(1);
    await sleep(50);
  }
  await sleep(100); // a second probe still on its way is not counted in the burst
  received = 0;
  untyped = 0;
  const started = performance.now();
  const sent = await env.sim.downlinks(o.downlinkMessages);
  for (let waited = 0; received < sent && waited < 30_000; waited += 10) await sleep(10);
  await sleep(100); // any extra message would arrive now
  env.rt.onSink(sinkOf(IDS.pkgDeviceIn), undefined);
  return { sent, received, untyped, seconds: ((received ? last : performance.now()) - started) / 1000 };
}
