// What the bench measured: one record per run (a side, an operation, a level), the failures, and
// the queries the report makes over them (a cell's medians, paired ratios).
import { performance } from 'node:perf_hooks';
import { threadCpuNs } from './cpu';
import { Loop, LoopResult, LoopSpec } from './loop';
import { Runtime } from './nodered';
import { SimClient } from './sim-client';
import { Op, Side, SideKey } from './sides';
import { median } from './stats';
import { fullGc, tick } from './util';

export interface RunRecord extends LoopResult {
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

export const records: RunRecord[] = [];
export const failures: string[] = [];

export function failed(r: RunRecord): boolean {
  return r.errors > 0 || r.lost > 0 || r.duplicates > 0 || r.strays > 0 || r.ok !== r.sent;
}

let runIds = 0;
/** A new run id (every message carries one). */
export const nextRunId = (): number => ++runIds;

export interface Env {
  sim: SimClient;
  rt: Runtime;
  sides: Record<SideKey, Side>;
}

/** Package traffic on the main config node: when it started, for the token count. */
export const steady = { firstAt: NaN, lastAt: NaN, tokensAtFirst: NaN, messages: 0, excluded: 0 };

export async function run(env: Env, phase: string, side: Side, op: Op, spec: LoopSpec): Promise<RunRecord> {
  const runId = nextRunId();
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

export function ratio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '–';
}

/**
 * The package's msg/s over another side's, as the median of the ratios of runs made one after the
 * other in the same repetition: load from other work drifts over a run of minutes, and pairing
 * cancels most of it, where a ratio of two separate medians would carry it.
 */
export function pairedRatio(other: SideKey, op: Op, c: number): number {
  const a = cell('pkg', op, c).runs;
  const b = cell(other, op, c).runs;
  const ratios = a.slice(0, b.length).map((r, i) => r.rate / b[i].rate);
  return ratios.length ? median(ratios) : NaN;
}

export function cell(side: SideKey, op: Op, c: number, phase = 'matrix') {
  const runs = records.filter((r) => r.phase === phase && r.side === side && r.op === op && r.concurrency === c);
  return {
    runs,
    rate: median(runs.map((r) => r.rate)),
    usPerMsg: median(runs.map((r) => (Number.isFinite(r.cpuNs) ? r.cpuNs / 1000 : r.elu * r.seconds * 1e6) / Math.max(1, r.ok))),
    simCpu: median(runs.map((r) => r.simCpu)),
    seconds: median(runs.map((r) => r.seconds)),
  };
}

export const LABEL: Record<SideKey, string> = {
  bare: '1 bare axios',
  core: '2 core http request',
  pkg: '3 package',
  undici: '4 bare undici',
};
