// Helpers for the Device MQTT API tests: a connection that records everything it emits.
import { inspect } from 'node:util';
import {
  DeviceConnection,
  type DeviceConnectionOptions,
  type DeviceConnectionState,
  type Downlink,
  type StateChange,
} from '../../dist/blynk';

/** Full depth with hidden properties (an error's non-enumerable fields), for the token-leak check. */
export function deepText(value: unknown): string {
  return inspect(value, { depth: Infinity, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity });
}

/** Everything written to stdout and stderr and every process warning until `stop()`; still passed through. */
export function captureOutput(): { text(): string; stop(): void } {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const onWarning = (w: Error) => chunks.push(deepText(w));
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (
    chunks.push(String(chunk)),
    out(chunk, ...rest)
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (
    chunks.push(String(chunk)),
    err(chunk, ...rest)
  )) as typeof process.stderr.write;
  process.on('warning', onWarning);
  return {
    text: () => chunks.join(''),
    stop() {
      process.stdout.write = out;
      process.stderr.write = err;
      process.off('warning', onWarning);
    },
  };
}

export interface Recorded {
  conn: DeviceConnection;
  states: StateChange[];
  downlinks: Downlink[];
  warnings: Error[];
  redirects: { from: string; to: string }[];
  /** Everything emitted, as text, for the token-leak check. */
  text(): string;
}

export function record(options: DeviceConnectionOptions): Recorded {
  const conn = new DeviceConnection({ backoff: { initialMs: 40, maxMs: 160 }, ...options });
  const r: Recorded = {
    conn,
    states: [],
    downlinks: [],
    warnings: [],
    redirects: [],
    text: () =>
      deepText([r.states, r.downlinks, r.warnings, r.redirects, r.warnings.map((w) => w.stack), r.states.map((s) => s.error?.stack)]),
  };
  conn.on('state', (s) => r.states.push(s));
  conn.on('downlink', (d) => r.downlinks.push(d));
  conn.on('warning', (w) => r.warnings.push(w));
  conn.on('redirect', (x) => r.redirects.push(x));
  return r;
}

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function reached(r: Recorded, state: DeviceConnectionState, count = 1): Promise<void> {
  return until(() => r.states.filter((s) => s.state === state).length >= count, `state ${state} ×${count}`);
}

export function downlink(r: Recorded, topic: string): Promise<Downlink> {
  return until(() => r.downlinks.some((d) => d.topic === topic), topic).then(() => r.downlinks.find((d) => d.topic === topic) as Downlink);
}
