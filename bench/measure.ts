// The whole measurement: the simulator (worker thread) and Node-RED (embedded) started, every
// phase asked for run in turn, both stopped; resolves with what was measured, nothing printed.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startRuntime } from './nodered';
import { Options } from './options';
import {
  ColdResult,
  coldTokenPhase,
  DownlinkResult,
  downlinkPhase,
  fetchToken,
  MemoryResult,
  memoryPhase,
  PacingResult,
  pacingPhase,
  StartupResult,
  startupPhase,
} from './phases';
import { Env, failures, run, steady } from './record';
import { SimClient } from './sim-client';
import { bareAxios, bareUndici, coreHttpRequest, packageNodes, Side, SideKey } from './sides';
import { fmt, gc, log } from './util';

export interface Results {
  sides: Side[];
  nodeRedVersion: string;
  loadStart: number[];
  loadEnd: number[];
  startup?: StartupResult;
  memory?: MemoryResult;
  cold?: ColdResult;
  pacing?: PacingResult;
  downlinks?: DownlinkResult;
  tokensAtEnd: { requests: number; byGrant: Record<string, number> };
  /** Seconds, start to the last phase. */
  elapsed: number;
  /** Node-RED's log lines at warn and above, and process warnings with their counts. */
  logProblems: string[];
  warnings: Map<string, number>;
}

/** Sides 1 and 2 get one long-lived token up front; the package's config nodes then get short-lived ones, so that steady traffic has to renew them. */
async function startEnv(o: Options): Promise<Env> {
  log('starting the simulator (worker thread) and Node-RED (embedded)');
  const sim = await SimClient.start({ port: 0, logLimit: 0 });
  const fixedToken = await fetchToken(sim.url, sim.info.clientId, sim.info.clientSecret);
  await sim.setTokenLifetime(o.tokenLifetimeSec);
  const rt = await startRuntime({
    server: sim.url,
    clientId: sim.info.clientId,
    clientSecret: sim.info.clientSecret,
    deviceToken: sim.info.deviceToken,
    deviceRate: o.pacingRate,
    mqttUrl: sim.info.mqttUrl,
  });
  const sides: Record<SideKey, Side> = {
    bare: bareAxios(sim.url, fixedToken),
    core: coreHttpRequest(rt, sim.url, fixedToken),
    pkg: packageNodes(rt),
    undici: bareUndici(sim.url, fixedToken),
  };
  return { sim, rt, sides };
}

/** Interleaved runs (1,2,3,1,2,3,…) of every operation and level, after a warm-up. */
async function matrixPhase(env: Env, o: Options, sides: Side[]): Promise<void> {
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

/** A fixed count of messages at 64 in flight with every /api/ answer delayed. */
async function latencyPhase(env: Env, o: Options, sides: Side[]): Promise<void> {
  log(`latency: +${o.latencyDelayMs} ms on every /api/ answer`);
  await env.sim.addFault({ match: { path: /^\/api\// }, times: Infinity, action: { delayMs: o.latencyDelayMs } });
  for (let rep = 1; rep <= o.latencyReps; rep++) {
    for (const side of sides) await run(env, 'latency', side, 'get', { concurrency: 64, count: o.latencyMessages });
  }
  await env.sim.clearFaults();
}

async function runPacing(env: Env, o: Options): Promise<PacingResult> {
  log(`pacing: ${o.pacingMessages} device updates at once, simulator limit ${o.pacingRate}/s per device`);
  const pacing = await pacingPhase(env, o);
  const r = pacing.result;
  if (r.ok !== r.sent || r.lost || r.duplicates || r.errors || pacing.refused) {
    failures.push(
      `pacing: sent ${r.sent}, ok ${r.ok}, errors ${r.errors}, lost ${r.lost}, duplicates ${r.duplicates}, ` +
        `refused with 429 ${pacing.refused}${r.firstError ? ` (first error: ${r.firstError})` : ''}`,
    );
  }
  return pacing;
}

async function runDownlinks(env: Env, o: Options): Promise<DownlinkResult> {
  log(`downlinks: ${o.downlinkMessages} datastream values from the simulator's MQTT broker to a device in node`);
  const d = await downlinkPhase(env, o);
  if (d.received !== d.sent || d.untyped || d.sent !== o.downlinkMessages) {
    failures.push(`downlinks: broker sent ${d.sent} of ${o.downlinkMessages}, ${d.received} messages came out, ${d.untyped} not numbers`);
  }
  return d;
}

export async function measure(o: Options): Promise<Results> {
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const warnings = new Map<string, number>();
  process.on('warning', (w) => {
    const key = `${w.name}: ${w.message}`;
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  });
  if (!gc) log('warning: run with node --expose-gc (npm run bench does) for the heap figures');
  let startup: StartupResult | undefined;
  if (o.phases.has('startup')) {
    log('start-up: requiring dist/nodes/*.js in fresh processes');
    startup = startupPhase();
  }
  const env = await startEnv(o);
  const sides = o.sides.map((k) => env.sides[k]);
  if (sides.some((s) => !s)) throw new Error(`--sides takes bare,core,pkg,undici`);

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
  if (o.phases.has('matrix')) await matrixPhase(env, o, sides);
  if (o.phases.has('latency')) await latencyPhase(env, o, sides);
  const pacing = o.phases.has('pacing') ? await runPacing(env, o) : undefined;
  const downlinks = o.phases.has('downlinks') ? await runDownlinks(env, o) : undefined;
  const tokensAtEnd = await env.sim.tokens();
  const elapsed = (performance.now() - t0) / 1000;

  if (env.rt.strays > 0) failures.push(`${env.rt.strays} message(s) reached a sink outside any run`);
  const nodeRedVersion = (env.rt.RED as unknown as { version(): string }).version();
  const logProblems = [...env.rt.logProblems];
  const loadEnd = os.loadavg();
  await env.rt.stop();
  await env.sim.close();
  return {
    sides,
    nodeRedVersion,
    loadStart,
    loadEnd,
    startup,
    memory,
    cold,
    pacing,
    downlinks,
    tokensAtEnd,
    elapsed,
    logProblems,
    warnings,
  };
}
