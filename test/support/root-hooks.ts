// Root hooks for the whole mocha run (loaded with `require` in .mocharc.json):
// - F9: every unhandled promise rejection anywhere in the suite is counted, and the run fails at
//   the end if there was one (mocha alone would crash on the first, or miss one that lands late);
// - F4: the run must end on its own, without `--exit`: after the last test nothing may keep the
//   event loop alive. What is left is printed, and the run fails instead of hanging.
import { inspect } from 'node:util';

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

export const mochaHooks = {
  async afterAll(): Promise<void> {
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
    if (rejections.length > 0) problems.push(`F9: ${rejections.length} unhandled rejection(s) during the run:\n${rejections.join('\n---\n')}`);
    if (left.length > 0) {
      problems.push(`F4: the process would not exit on its own; still active: ${left.join(', ')} (handles: ${describeHandles()})`);
      // A leak must fail the run, not hang it: exit once the reporter has printed the failure.
      setTimeout(() => {
        process.stderr.write(`[root-hooks] still active after the run: ${liveResources().join(', ')}; exiting with failure\n`);
        process.exit(1);
      }, 10_000).unref();
    }
    if (problems.length > 0) throw new Error(problems.join('\n\n'));
  },
};
