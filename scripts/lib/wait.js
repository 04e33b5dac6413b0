// Waiting, shared by the scripts, the tests and the bench: polls a condition (sync or async) in real
// time, whatever a fake clock installed later says (timers and clock taken when this loads).
'use strict';

const realSetTimeout = setTimeout;
const now = () => Number(process.hrtime.bigint() / 1_000_000n);

/** Resolves after `ms` of real time. */
const sleep = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));

/**
 * Polls `cond` every `intervalMs` until it gives something truthy, and resolves with that; rejects
 * with "timed out waiting for <what>" after `timeoutMs`, or with what `cond` threw.
 */
async function waitFor(cond, what, timeoutMs = 10_000, intervalMs = 5) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) return value;
    if (now() > deadline) throw new Error(`timed out waiting for ${what} (${timeoutMs} ms)`);
    await sleep(intervalMs);
  }
}

module.exports = { sleep, waitFor };
