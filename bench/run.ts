// npm run bench: this package's nodes against bare axios and Node-RED's core http request node,
// side by side in one process, against the simulator on loopback. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { threadCpuNs } from './cpu';
import { Loop, LoopResult, LoopSpec } from './loop';
import { IDS, PACKAGE_ROOT, RedNode, Runtime, startRuntime } from './nodered';
import { SimClient } from './sim-client';
import { bareAxios, coreHttpRequest, deviceUpdates, Op, packageNodes, Side, SideKey } from './sides';
import { median } from './stats';

// ---------------------------------------------------------------- options

const PHASES = ['startup', 'memory', 'tokens', 'matrix', 'latency', 'pacing'] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  phases: Set<Phase>;
  sides: SideKey[];
  ops: Op[];
  levels: number[];
  reps: number;
  runMs: number;
  warmupMs: number;
  memoryMessages: number;
  latencyMessages: number;
  latencyDelayMs: number;
  latencyReps: number;
  /** expires_in of the package's tokens; the client clamps it to at least 30 s. */
  tokenLifetimeSec: number;
  /** The pacing burst: messages sent at once, and the simulator's per-device limit (Blynk's 50/s). */
  pacingMessages: number;
  pacingRate: number;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    phases: new Set(PHASES),
    sides: ['bare', 'core', 'pkg'],
    ops: ['get', 'write'],
    levels: [1, 16, 64],
    reps: 5,
    runMs: 600,
    warmupMs: 800,
    memoryMessages: 100_000,
    latencyMessages: 1000,
    latencyDelayMs: 50,
    latencyReps: 3,
    tokenLifetimeSec: 30,
    pacingMessages: 250,
    pacingRate: 50,
  };
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg} (use --name=value)`);
    const [, key, value] = m;
    switch (key) {
      case 'phases':
        o.phases = new Set(list(value) as Phase[]);
        for (const p of o.phases) if (!PHASES.includes(p)) throw new Error(`unknown phase ${p}`);
        break;
      case 'sides':
        o.sides = list(value) as SideKey[];
        break;
      case 'ops':
        o.ops = list(value) as Op[];
        break;
      case 'levels':
        o.levels = list(value).map(Number);
        break;
      case 'reps':
        o.reps = Number(value);
        break;
      case 'run-ms':
        o.runMs = Number(value);
        break;
      case 'warmup-ms':
        o.warmupMs = Number(value);
        break;
      case 'memory-messages':
        o.memoryMessages = Number(value);
        break;
      case 'token-lifetime':
        o.tokenLifetimeSec = Number(value);
        break;
      case 'pacing-messages':
        o.pacingMessages = Number(value);
        break;
      case 'pacing-rate':
        o.pacingRate = Number(value);
        break;
      case 'json':
        o.json = value;
        break;
      default:
        throw new Error(`unknown option --${key}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------- helpers

const gc = (globalThis as { gc?: () => void }).gc;
const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tick = () => new Promise<void>((r) => setImmediate(r));
const MB = (bytes: number) => bytes / 1024 / 1024;
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
const pad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const padEnd = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

async function fullGc(): Promise<void> {
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
}

/** A token for sides 1 and 2, fetched on a connection of its own that is closed afterwards. */
function fetchToken(server: string, clientId: string, clientSecret: string): Promise<string> {
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

// ---------------------------------------------------------------- bookkeeping

interface RunRecord extends LoopResult {
  phase: string;
  side: SideKey;
  op: Op;
  concurrency: number;
  tokenRequests: number;
  /** Simulator thread CPU time / wall time over the run (ELU where /proc is not available). */
  simCpu: number;
  peakHeap: number;
  peakRss: number;
  strays: number;
}

const records: RunRecord[] = [];
const failures: string[] = [];

function failed(r: RunRecord): boolean {
  return r.errors > 0 || r.lost > 0 || r.duplicates > 0 || r.strays > 0 || r.ok !== r.sent;
}

let runIds = 0;

interface Env {
  sim: SimClient;
  rt: Runtime;
  sides: Record<SideKey, Side>;
}

/** Package traffic on the main config node: when it started, for the token count. */
const steady = { firstAt: NaN, lastAt: NaN, tokensAtFirst: NaN, messages: 0, excluded: 0 };

async function run(env: Env, phase: string, side: Side, op: Op, spec: LoopSpec): Promise<RunRecord> {
  const runId = ++runIds;
  const loop = new Loop();
  const unbind = side.bind(op, loop, runId);
  await fullGc();
  const before = await env.sim.tokens();
  if (side.key === 'pkg' && Number.isNaN(steady.firstAt)) {
    steady.firstAt = performance.now();
    steady.tokensAtFirst = before.requests;
  }
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  sample();
  const sampler = setInterval(sample, 50);
  const simElu0 = env.sim.elu();
  const simCpu0 = threadCpuNs(env.sim.info.tid);
  const wall0 = performance.now();
  const result = await loop.run(spec);
  const simCpuNs = threadCpuNs(env.sim.info.tid) - simCpu0;
  const simCpu = Number.isFinite(simCpuNs) ? simCpuNs / 1e6 / (performance.now() - wall0) : env.sim.elu(simElu0).utilization;
  clearInterval(sampler);
  sample();
  await tick();
  unbind();
  const after = await env.sim.tokens();
  if (side.key === 'pkg') {
    steady.lastAt = performance.now();
    steady.messages += result.sent;
  }
  const record: RunRecord = {
    ...result,
    phase,
    side: side.key,
    op,
    concurrency: spec.concurrency,
    tokenRequests: after.requests - before.requests,
    simCpu,
    peakHeap,
    peakRss,
    strays: loop.strays,
  };
  records.push(record);
  if (failed(record)) {
    failures.push(
      `${phase} ${side.label} ${op} @${spec.concurrency}: sent ${record.sent}, ok ${record.ok}, errors ${record.errors}, ` +
        `lost ${record.lost}, duplicates ${record.duplicates}, strays ${record.strays}` +
        (record.firstError ? ` (first error: ${record.firstError})` : ''),
    );
  }
  return record;
}

// ---------------------------------------------------------------- phases

interface StartupResult {
  nodesMs: number;
  axiosMs: number;
  files: number;
}

/** Requiring dist/nodes/*.js in fresh processes; median of 5. */
function startupPhase(): StartupResult {
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
const POOLED = 'pooled sockets';
const TCP = "libuv tcp handles (ref'd or not)";
/** In flight during the memory phase. */
const MEMORY_CONCURRENCY = 16;
/**
 * Connections the package may hold at that concurrency: one per message in flight, plus one for
 * a token renewal sent while all of them are busy. More than this, or more than before, is a leak.
 */
const SOCKET_BOUND = MEMORY_CONCURRENCY + 1;

interface ListenerCensus {
  [what: string]: number;
}

/** Internals of the package reached from the outside, to count what it holds. */
function packageInternals(rt: Runtime) {
  const cfg = rt.node(IDS.config) as RedNode & { clientFor(api: string): unknown };
  const client = cfg.clientFor('platform') as {
    call: (...args: unknown[]) => Promise<unknown>;
    transport: { httpAgent?: http.Agent; request: (...args: unknown[]) => Promise<unknown> };
    tokens?: { abort?: AbortController };
  };
  return { cfg, client, agent: client.transport.httpAgent, tokenAbort: client.tokens?.abort };
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

interface MemoryResult {
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

async function memoryPhase(env: Env, o: Options): Promise<MemoryResult> {
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
    const sockets = [
      ...Object.values(internals.agent?.sockets ?? {}),
      ...Object.values(internals.agent?.freeSockets ?? {}),
    ].flat() as unknown as NodeJS.EventEmitter[];
    return {
      'get-device node': emitterListeners(env.rt.node(IDS.pkgGet) as never),
      'config node': emitterListeners(internals.cfg as never),
      process: emitterListeners(process),
      'flow node abort signal': getEventListeners(signal, 'abort').length,
      'signal of the last request': getEventListeners(lastRequestSignal, 'abort').length,
      'token manager abort signal': internals.tokenAbort ? getEventListeners(internals.tokenAbort.signal, 'abort').length : 0,
      [POOLED]: sockets.length,
      'listeners per pooled socket (most)': Math.max(0, ...sockets.map(emitterListeners)),
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

interface ColdResult {
  messages: number;
  ok: number;
  tokenRequests: number;
}

/** 64 messages into a config node that has never fetched a token. */
async function coldTokenPhase(env: Env): Promise<ColdResult> {
  const cold = packageNodes(env.rt, { get: IDS.pkgCold, write: IDS.pkgWrite });
  const before = (await env.sim.tokens()).requests;
  const r = await run(env, 'tokens-cold', cold, 'get', { concurrency: 64, count: 64 });
  await sleep(50);
  const after = (await env.sim.tokens()).requests;
  return { messages: r.sent, ok: r.ok, tokenRequests: after - before };
}

interface PacingResult {
  result: LoopResult;
  /** Requests the simulator refused with 429. */
  refused: number;
  /** The burst at exactly the limit, in seconds (the first second's worth goes at once). */
  expectedSeconds: number;
}

/**
 * Issue 8: a burst of device updates all sent at once into a connection paced at the simulator's
 * per-device limit. Every message must arrive, none refused with 429, in about messages / rate.
 */
async function pacingPhase(env: Env, o: Options): Promise<PacingResult> {
  await env.sim.setLimits({ deviceRequestsPerSecond: o.pacingRate });
  const loop = new Loop();
  const unbind = deviceUpdates(env.rt, IDS.pkgPaced).bind('write', loop, ++runIds);
  const result = await loop.run({ concurrency: o.pacingMessages, count: o.pacingMessages });
  unbind();
  const refused = await env.sim.rateLimited();
  await env.sim.setLimits({});
  return { result, refused, expectedSeconds: (o.pacingMessages - 1) / o.pacingRate };
}

// ---------------------------------------------------------------- report

function ratio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '–';
}

/**
 * The package's msg/s over another side's, as the median of the ratios of runs made one after the
 * other in the same repetition: load from other work drifts over a run of minutes, and pairing
 * cancels most of it, where a ratio of two separate medians would carry it.
 */
function pairedRatio(other: SideKey, op: Op, c: number): number {
  const a = cell('pkg', op, c).runs;
  const b = cell(other, op, c).runs;
  const ratios = a.slice(0, b.length).map((r, i) => r.rate / b[i].rate);
  return ratios.length ? median(ratios) : NaN;
}

function cell(side: SideKey, op: Op, c: number, phase = 'matrix') {
  const runs = records.filter((r) => r.phase === phase && r.side === side && r.op === op && r.concurrency === c);
  return {
    runs,
    rate: median(runs.map((r) => r.rate)),
    usPerMsg: median(runs.map((r) => (Number.isFinite(r.cpuNs) ? r.cpuNs / 1000 : r.elu * r.seconds * 1e6) / Math.max(1, r.ok))),
    simCpu: median(runs.map((r) => r.simCpu)),
    seconds: median(runs.map((r) => r.seconds)),
  };
}

const LABEL: Record<SideKey, string> = { bare: '1 bare axios', core: '2 core http request', pkg: '3 package' };

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const warnings = new Map<string, number>();
  process.on('warning', (w) => {
    const key = `${w.name}: ${w.message}`;
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  });
  if (!gc) log('warning: run with node --expose-gc (npm run bench does) for the heap figures');
  const out: string[] = [];
  const print = (line = '') => out.push(line);
  const json: Record<string, unknown> = { options: { ...o, phases: [...o.phases] } };

  let startup: StartupResult | undefined;
  if (o.phases.has('startup')) {
    log('start-up: requiring dist/nodes/*.js in fresh processes');
    startup = startupPhase();
  }

  log('starting the simulator (worker thread) and Node-RED (embedded)');
  const sim = await SimClient.start({ port: 0, logLimit: 0 });
  // Sides 1 and 2 get one long-lived token up front; the package's config nodes then get
  // short-lived ones, so that steady traffic has to renew them.
  const fixedToken = await fetchToken(sim.url, sim.info.clientId, sim.info.clientSecret);
  await sim.setTokenLifetime(o.tokenLifetimeSec);
  const rt = await startRuntime({
    server: sim.url,
    clientId: sim.info.clientId,
    clientSecret: sim.info.clientSecret,
    deviceToken: sim.info.deviceToken,
    deviceRate: o.pacingRate,
  });
  const all: Record<SideKey, Side> = {
    bare: bareAxios(sim.url, fixedToken),
    core: coreHttpRequest(rt, sim.url, fixedToken),
    pkg: packageNodes(rt),
  };
  const env: Env = { sim, rt, sides: all };
  const sides = o.sides.map((k) => all[k]);
  if (sides.some((s) => !s)) throw new Error(`--sides takes bare,core,pkg`);

  let memory: MemoryResult | undefined;
  if (o.phases.has('memory')) {
    log(`memory: ${fmt(o.memoryMessages)} messages through blynk-cloud-get-device`);
    memory = await memoryPhase(env, o);
  }

  let cold: ColdResult | undefined;
  if (o.phases.has('tokens')) {
    log('tokens: 64 cold messages');
    cold = await coldTokenPhase(env);
    steady.excluded += cold.tokenRequests;
  }

  if (o.phases.has('matrix')) {
    log('warm-up');
    for (const op of o.ops) for (const side of sides) await run(env, 'warmup', side, op, { concurrency: 16, durationMs: o.warmupMs });
    const total = o.reps * o.ops.length * o.levels.length * sides.length;
    let n = 0;
    for (let rep = 1; rep <= o.reps; rep++) {
      log(`matrix: repetition ${rep}/${o.reps} (${n}/${total} runs done)`);
      for (const op of o.ops) {
        for (const c of o.levels) {
          for (const side of sides) {
            await run(env, 'matrix', side, op, { concurrency: c, durationMs: o.runMs });
            n++;
          }
        }
      }
    }
  }

  if (o.phases.has('latency')) {
    log(`latency: +${o.latencyDelayMs} ms on every /api/ answer`);
    await sim.addFault({ match: { path: /^\/api\// }, times: Infinity, action: { delayMs: o.latencyDelayMs } });
    for (let rep = 1; rep <= o.latencyReps; rep++) {
      for (const side of sides) await run(env, 'latency', side, 'get', { concurrency: 64, count: o.latencyMessages });
    }
    await sim.clearFaults();
  }
  let pacing: PacingResult | undefined;
  if (o.phases.has('pacing')) {
    log(`pacing: ${o.pacingMessages} device updates at once, simulator limit ${o.pacingRate}/s per device`);
    pacing = await pacingPhase(env, o);
    const r = pacing.result;
    if (r.ok !== r.sent || r.lost || r.duplicates || r.errors || pacing.refused) {
      failures.push(`pacing: sent ${r.sent}, ok ${r.ok}, errors ${r.errors}, lost ${r.lost}, duplicates ${r.duplicates}, ` +
        `refused with 429 ${pacing.refused}${r.firstError ? ` (first error: ${r.firstError})` : ''}`);
    }
  }
  const tokensAtEnd = await sim.tokens();
  const tokensEnd = tokensAtEnd.requests;
  const elapsed = (performance.now() - t0) / 1000;

  // ------------------------------------------------------------ print
  print(`node-red-contrib-blynk-cloud benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ` +
    `Node-RED ${(rt.RED as unknown as { version(): string }).version()}, simulator on loopback in a worker thread`);
  print(`Load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} ` +
    `(above ${os.cpus().length} means other work shared the cores: msg/s suffers, CPU µs/msg less).`);

  if (o.phases.has('matrix')) {
    print();
    print(`Throughput, messages/s: median of ${o.reps} interleaved ${o.runMs}-ms runs per cell (1,2,3,1,2,3,…), exactly N in flight.`);
    print('Each cell: msg/s [main-thread CPU µs per message] simulator-thread CPU %. Ratios: median of the per-repetition ratios.');
    const head = [padEnd('op', 6), pad('in flight', 9), ...sides.map((s) => pad(LABEL[s.key], 22))];
    const hasRatios = o.sides.includes('pkg');
    if (hasRatios && o.sides.includes('bare')) head.push(pad('3/1', 6));
    if (hasRatios && o.sides.includes('core')) head.push(pad('3/2', 6));
    print(head.join('  '));
    const matrixJson: unknown[] = [];
    for (const op of o.ops) {
      for (const c of o.levels) {
        const cells = Object.fromEntries(sides.map((s) => [s.key, cell(s.key, op, c)]));
        const row = [padEnd(op === 'get' ? 'get' : 'write', 6), pad(String(c), 9)];
        for (const s of sides) {
          const x = cells[s.key];
          row.push(pad(`${fmt(x.rate)} [${fmt(x.usPerMsg)}] ${fmt(x.simCpu * 100)}%`, 22));
        }
        if (hasRatios && o.sides.includes('bare')) row.push(pad(ratio(pairedRatio('bare', op, c)), 6));
        if (hasRatios && o.sides.includes('core')) row.push(pad(ratio(pairedRatio('core', op, c)), 6));
        print(row.join('  '));
        matrixJson.push({ op, concurrency: c, ...Object.fromEntries(sides.map((s) => [s.key, { rate: cells[s.key].rate, usPerMsg: cells[s.key].usPerMsg, simCpu: cells[s.key].simCpu, runs: cells[s.key].runs.map((r) => r.rate) }])) });
      }
    }
    json.matrix = matrixJson;
    print();
    print(`Per side, over its matrix runs:`);
    print([padEnd('side', 22), pad('messages', 10), pad('peak heap MB', 13), pad('peak RSS MB', 12), pad('token requests', 15), pad('errors', 7), pad('lost', 5), pad('dup', 4)].join('  '));
    for (const s of sides) {
      const runs = records.filter((r) => r.phase === 'matrix' && r.side === s.key);
      const sum = (f: (r: RunRecord) => number) => runs.reduce((n, r) => n + f(r), 0);
      print([
        padEnd(LABEL[s.key], 22),
        pad(fmt(sum((r) => r.sent)), 10),
        pad(fmt(MB(Math.max(...runs.map((r) => r.peakHeap))), 1), 13),
        pad(fmt(MB(Math.max(...runs.map((r) => r.peakRss))), 1), 12),
        pad(s.key === 'pkg' ? fmt(sum((r) => r.tokenRequests)) : '0 (fixed)', 15),
        pad(fmt(sum((r) => r.errors)), 7),
        pad(fmt(sum((r) => r.lost)), 5),
        pad(fmt(sum((r) => r.duplicates)), 4),
      ].join('  '));
    }
    print('(RSS is the whole process, simulator thread included; heap is the main thread\'s.)');
  }

  print();
  print('Targets (measured, not asserted):');
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'MET' : 'NOT MET');
  const targets: Record<string, unknown> = {};
  if (o.phases.has('matrix') && o.levels.includes(16)) {
    for (const op of o.ops) {
      const us = (k: SideKey) => cell(k, op, 16).usPerMsg;
      const cpu = (k: SideKey) => `CPU per message ${fmt(us(k))} vs ${fmt(us('pkg'))} µs: ${(us(k) / us('pkg')).toFixed(2)}×`;
      if (o.sides.includes('bare') && o.sides.includes('pkg')) {
        const r = pairedRatio('bare', op, 16);
        print(`  overhead ${op} @16: package / bare axios = ${r.toFixed(2)}× msg/s (paired median, target ≥ 0.90×): ${verdict(r >= 0.9)}  [${cpu('bare')}]`);
        targets[`${op}.pkgOverBare16`] = { rate: r, cpu: us('bare') / us('pkg') };
      }
      if (o.sides.includes('core') && o.sides.includes('pkg')) {
        const r = pairedRatio('core', op, 16);
        print(`  overhead ${op} @16: package / core http request = ${r.toFixed(2)}× msg/s (paired median, target ≥ 1.50×): ${verdict(r >= 1.5)}  [${cpu('core')}]`);
        targets[`${op}.pkgOverCore16`] = { rate: r, cpu: us('core') / us('pkg') };
      }
    }
  }
  if (o.phases.has('latency')) {
    const ideal = o.latencyMessages / (64 / (o.latencyDelayMs / 1000));
    const rounds = Math.ceil(o.latencyMessages / 64) * (o.latencyDelayMs / 1000);
    print(`  latency hiding: ${o.latencyMessages} get-device messages, 64 in flight, +${o.latencyDelayMs} ms per answer; ` +
      `expected ${ideal.toFixed(2)} s (${rounds.toFixed(2)} s in whole rounds of 64), median of ${o.latencyReps}:`);
    for (const s of sides) {
      const x = cell(s.key, 'get', 64, 'latency');
      const ok = x.seconds <= rounds * 1.25;
      print(`    ${padEnd(LABEL[s.key], 22)} ${x.seconds.toFixed(2)} s${s.key === 'pkg' ? ` (target ≤ ${(rounds * 1.25).toFixed(2)} s, i.e. within 25 %): ${verdict(ok)}` : ''}`);
      targets[`latency.${s.key}`] = x.seconds;
    }
  }
  if (o.phases.has('tokens') && cold) {
    print(`  tokens, cold: ${cold.messages} messages at once into a fresh config node → ${cold.tokenRequests} token request(s), ` +
      `${cold.ok} delivered (target exactly 1): ${verdict(cold.tokenRequests === 1 && cold.ok === cold.messages)}`);
    targets.coldTokenRequests = cold.tokenRequests;
  }
  if (o.phases.has('tokens') && Number.isFinite(steady.firstAt)) {
    const span = (steady.lastAt - steady.firstAt) / 1000;
    const requests = tokensEnd - steady.tokensAtFirst - steady.excluded;
    const lifetime = Math.max(30, o.tokenLifetimeSec);
    const renewEvery = lifetime - Math.min(60, lifetime * 0.2);
    const expected = 1 + Math.floor(span / renewEvery);
    print(`  tokens, steady: ${fmt(steady.messages)} package messages over ${span.toFixed(0)} s with a ${lifetime}-s token lifetime ` +
      `(renewed at ${renewEvery} s) → ${requests} token request(s), expected ≈ ${expected} (1 + span / ${renewEvery} s), ` +
      `${fmt(steady.messages / Math.max(1, requests))} messages per token request: ${verdict(Math.abs(requests - expected) <= 1)}`);
    print(`    all token requests of the run, by grant (the fixed token and the cold test included): ` +
      Object.entries(tokensAtEnd.byGrant).map(([g, n]) => `${g} ${n}`).join(', '));
    targets.steadyTokenRequests = { requests, expected, span, messages: steady.messages };
  }
  if (memory) {
    const growth = MB(memory.heapAfter - memory.heapBefore);
    print(`  memory: ${fmt(memory.messages)} messages through blynk-cloud-get-device (16 in flight, ${fmt(memory.rate)} msg/s): ` +
      `heap after GC ${fmt(MB(memory.heapBefore), 1)} → ${fmt(MB(memory.heapAfter), 1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB, ` +
      `${fmt((memory.heapAfter - memory.heapBefore) / memory.messages)} bytes per message; ` +
      `target < 10 MB): ${verdict(gc ? growth < 10 : undefined)}; RSS ${fmt(MB(memory.rssBefore), 0)} → ${fmt(MB(memory.rssAfter), 0)} MB`);
    const kinds = [...new Set([...Object.keys(memory.resourcesBefore), ...Object.keys(memory.resourcesAfter)])].sort();
    const within = (k: string, before: Record<string, number>, after: Record<string, number>) =>
      (after[k] ?? 0) <= ((k === TCP || k === POOLED) ? Math.max(before[k] ?? 0, SOCKET_BOUND) : (before[k] ?? 0));
    const resFlat = kinds.every((k) => within(k, memory!.resourcesBefore, memory!.resourcesAfter));
    print(`    active resources: ${kinds.map((k) => `${k} ${memory!.resourcesBefore[k] ?? 0}→${memory!.resourcesAfter[k] ?? 0}`).join(', ')}: ${resFlat ? 'flat' : 'GREW'}`);
    const lk = [...new Set([...Object.keys(memory.listenersBefore), ...Object.keys(memory.listenersAfter)])];
    const lisFlat = lk.every((k) => within(k, memory!.listenersBefore, memory!.listenersAfter));
    print(`    listeners: ${lk.map((k) => `${k} ${memory!.listenersBefore[k] ?? 0}→${memory!.listenersAfter[k] ?? 0}`).join(', ')}: ${lisFlat ? 'flat' : 'GREW'}`);
    print(`    timers, sockets and listeners flat (sockets: at most ${SOCKET_BOUND}, one per message in flight and one for a token renewal): ${verdict(resFlat && lisFlat)}`);
    targets.memory = { ...memory, growthMB: growth, resFlat, lisFlat };
  }
  if (pacing) {
    const r = pacing.result;
    const held = r.ok === r.sent && !r.lost && !r.duplicates && pacing.refused === 0;
    print(`  pacing: ${r.sent} device updates sent at once into a connection paced at ${o.pacingRate}/s, simulator limit ` +
      `${o.pacingRate}/s per device → ${r.ok} delivered, ${r.lost} lost, ${r.duplicates} duplicated, ${pacing.refused} refused with 429, ` +
      `in ${r.seconds.toFixed(2)} s (${pacing.expectedSeconds.toFixed(2)} s at exactly the limit): ${verdict(held)}`);
    targets.pacing = { ...r, refused: pacing.refused, expectedSeconds: pacing.expectedSeconds };
  }
  if (startup) {
    print(`  start-up: requiring the ${startup.files} dist/nodes/*.js files in a fresh process: ${startup.nodesMs.toFixed(1)} ms, median of 5 ` +
      `(axios alone, for reference: ${startup.axiosMs.toFixed(1)} ms; target < 100 ms): ${verdict(startup.nodesMs < 100)}`);
    targets.startupMs = startup;
  }
  json.targets = targets;

  const problems = rt.logProblems;
  if (problems.length) {
    print();
    print(`Node-RED log (warn and above), ${problems.length} line(s)${problems.length > 10 ? ', first 10' : ''}:`);
    for (const p of problems.slice(0, 10)) print(`  ${p}`);
  }
  if (warnings.size) {
    print();
    print('Process warnings during the run:');
    for (const [w, n] of warnings) print(`  ${n}× ${w}`);
  }
  if (rt.strays > 0) failures.push(`${rt.strays} message(s) reached a sink outside any run`);

  await rt.stop();
  await sim.close();

  print();
  print(`Runs: ${records.length}, wall time ${elapsed.toFixed(0)} s. ` +
    (failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : 'Every message of every run arrived exactly once, without errors.'));
  process.stdout.write(out.join('\n') + '\n');
  json.failures = failures;
  json.records = records;
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(json, null, 2));
  return failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Node-RED may leave timers of its own behind; the result is already out.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`[bench] run failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
