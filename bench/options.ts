// The bench's command line: which phases, sides, operations, levels, how long.
import type { Op, SideKey } from './sides';

export const PHASES = ['startup', 'memory', 'tokens', 'matrix', 'latency', 'pacing', 'downlinks'] as const;
export type Phase = (typeof PHASES)[number];

export interface Options {
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
  /** Downlinks the broker sends at once to a device in node. */
  downlinkMessages: number;
  json?: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    phases: new Set(PHASES),
    sides: ['bare', 'core', 'pkg', 'undici'],
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
    downlinkMessages: 20_000,
  };
  const list = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
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
      case 'downlink-messages':
        o.downlinkMessages = Number(value);
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
