// Root hooks for the whole mocha run (loaded with `require` in .mocharc.json):
// - F9: every unhandled promise rejection anywhere in the suite is counted, and the run fails at
//   the end if there was one (mocha alone would crash on the first, or miss one that lands late);
// - F4: the run must end on its own, without `--exit`: after the last test nothing may keep the
//   event loop alive. What is left is printed, and the run fails instead of hanging.
// - Contract: every exchange of every simulator in this process is validated against Blynk's
//   documented API (contract/, support/contract.ts); a table is printed at the end and any
//   deviation not listed in contract/known-deviations.json fails the run.
import { inspect } from 'node:util';
import { onExchange } from '../../dist/simulator';
import { checkExchange, contractResults, contractTable, describeDeviation } from './contract';

onExchange(checkExchange);

const rejections: string[] = [];

/** Mocha re-emits the rejections it traps, so each promise is counted once. */
const seen = new WeakSet<Promise<unknown>>();

process.on('unhandledRejection', (reason: unknown, promise: Promise<unknown>) => {
  if (seen.has(promise)) return;
  seen.add(promise);
  const text = reason instanceof Error ? (reason.stack ?? reason.message) : inspect(reason, { depth: 4 });
  rejections.push(text);
  // Shown at once, so that the test that caused it can be found in the output.
  process.stderr.write(`\n[root-hooks] unhandled rejection #${rejections.length}: ${text}\n`);
});

/** Unhandled rejections seen so far in this run. */
export function unhandledRejections(): readonly string[] {
  return rejections;
}

/** Resources that keep the process alive, less the standard streams' own handles. */
export function liveResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
}

/** What the live handles are (sockets with their addresses), for the failure message. */
function describeHandles(): string {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .map((h) => {
      const name = (h as object).constructor?.name ?? typeof h;
      const socket = h as { localPort?: number; remoteAddress?: string; remotePort?: number };
      return socket.localPort !== undefined ? `${name} ${socket.localPort} → ${socket.remoteAddress}:${socket.remotePort}` : name;
    })
    .join('; ');
}

/**
 * How long the root `after` waits for sockets and timers that are already ending (a keep-alive
 * timeout, say): they delay the exit but do not prevent it. Normally nothing is left and it does
 * not wait at all.
 */
const SETTLE_MS = 10_000;

/** Prints the contract table and fails on any deviation that is not a listed known one. */
function contractAfterAll(): void {
  const r = contractResults();
  const failing = r.deviations.filter((d) => !d.known);
  const known = r.deviations.filter((d) => d.known);
  process.stdout.write(`\n  Contract (contract/*.json): exchanges validated per route\n${contractTable(r).replace(/^/gm, '    ')}\n`);
  if (known.length > 0)
    process.stdout.write(
      `  Known client deviations (reported, not failing):\n${known.map((d) => '    ' + describeDeviation(d)).join('\n')}\n`,
    );
  if (failing.length > 0)
    throw new Error(`Contract: ${failing.length} deviation(s) from Blynk's documented API:\n${failing.map(describeDeviation).join('\n')}`);
}

export const mochaHooks = {
  afterAll: [resourcesAfterAll, contractAfterAll],
};

async function resourcesAfterAll(): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  // Checked before the first await: once this hook has awaited, mocha holds a ref'd timer for the
  // hook's own timeout, which is then taken off the list.
  let left = liveResources();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    left = liveResources();
    const mochas = left.indexOf('Timeout');
    if (mochas >= 0) left.splice(mochas, 1);
  }
  const problems: string[] = [];
  if (rejections.length > 0)
    problems.push(`F9: ${rejections.length} unhandled rejection(s) during the run:\n${rejections.join('\n---\n')}`);
  if (left.length > 0) {
    problems.push(`F4: the process would not exit on its own; still active: ${left.join(', ')} (handles: ${describeHandles()})`);
    // A leak must fail the run, not hang it: exit once the reporter has printed the failure.
    setTimeout(() => {
      process.stderr.write(`[root-hooks] still active after the run: ${liveResources().join(', ')}; exiting with failure\n`);
      process.exit(1);
    }, 10_000).unref();
  }
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
}
