// Shared set-up for the client-level tests: one simulator per file, clients closed after each
// test, an injectable monotonic clock, and checks on what actually went over the wire.
import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { BlynkClient, BlynkError, TokenManager, type BlynkClientOptions, type OAuthCredentials } from '../../dist/blynk';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { refreshReplays } from '../support/oauth-log';

// Reading the simulator's log, shared with the reliability rig.
export * from '../support/oauth-log';

export const PROFILE_PATH = '/api/v1/organization/profile';

/** A monotonic clock the test moves by hand (milliseconds). */
export class Clock {
  t = 1_000_000;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A fast, deterministic retry policy: backoff of at most a few ms, no randomness. */
export const FAST_RETRY = { backoffBaseMs: 2, backoffCapMs: 10, random: () => 0.5 };

export interface Env {
  readonly sim: Simulator;
  /** A client on the simulator with the demo client_credentials unless overridden; closed after the test. */
  client(options?: Partial<BlynkClientOptions>): BlynkClient;
  track(client: BlynkClient): BlynkClient;
  /** D4: problems seen in each finished test of this file. */
  readonly replays: string[];
}

/** Registers before/afterEach/after hooks: one simulator for the file, reset after each test. */
export function useSimulator(): Env {
  let sim: Simulator | undefined;
  let clients: BlynkClient[] = [];
  const replays: string[] = [];
  const env: Env = {
    get sim(): Simulator {
      if (!sim) throw new Error('simulator not started');
      return sim;
    },
    client(options = {}) {
      return env.track(new BlynkClient({ server: env.sim.url, credentials: demoCredentials(env.sim), ...options }));
    },
    track(client) {
      clients.push(client);
      return client;
    },
    replays,
  };
  before(async () => {
    sim = await startSimulator();
  });
  afterEach(function () {
    for (const c of clients) c.close();
    clients = [];
    const s = env.sim;
    const title = this.currentTest?.title ?? '?';
    if (s.tokens.refreshReuse !== 0) replays.push(`${title}: simulator saw ${s.tokens.refreshReuse} reused refresh token(s)`);
    for (const problem of refreshReplays(s.log)) replays.push(`${title}: ${problem}`);
    s.reset();
  });
  after(async () => {
    await sim?.close();
  });
  return env;
}

/** The last test of every file: D4 over everything the file did. */
export function itD4(env: Env): void {
  it('D4 no refresh token was sent twice (or reused per the simulator) in any test of this file', () => {
    assert.deepEqual(env.replays, []);
  });
}

export function demoCredentials(sim: Simulator): OAuthCredentials {
  return { grantType: 'client_credentials', clientId: sim.demo.clientId, clientSecret: sim.demo.clientSecret };
}

/** Waits for a background renewal of a client (or token manager) to settle, if one is running. */
export async function settled(owner: BlynkClient | TokenManager): Promise<void> {
  const tokens = owner instanceof TokenManager ? owner : owner.tokens;
  // White-box: the single-flight promise is private, and a background renewal has no other handle.
  const inflight = (tokens as unknown as { inflight?: Promise<unknown> } | undefined)?.inflight;
  await inflight?.catch(() => undefined);
}

export { waitFor } from '../../scripts/lib/wait';

/** Runs `fn`, which must fail, and returns its error. */
export async function failure(fn: () => Promise<unknown>): Promise<BlynkError> {
  let result: unknown;
  try {
    result = await fn();
  } catch (err) {
    assert.ok(err instanceof BlynkError, `expected a BlynkError, got ${inspect(err)}`);
    return err;
  }
  throw new assert.AssertionError({ message: `expected a failure, got ${inspect(result)}` });
}

/**
 * E2: the error is the package's own class, carries none of axios' objects, and no secret appears
 * anywhere in it (inspected with hidden properties, serialised, and its stack).
 */
export function assertSafeError(err: unknown, secrets: string[]): asserts err is BlynkError {
  assert.ok(err instanceof BlynkError, `not a BlynkError: ${inspect(err)}`);
  for (const key of ['config', 'request', 'response', 'cause', 'headers', 'isAxiosError']) {
    assert.equal(key in err, false, `error has a "${key}" property`);
  }
  const text = [inspect(err, { depth: Infinity, showHidden: true }), JSON.stringify(err), String(err.stack)].join('\n');
  for (const secret of secrets) {
    assert.ok(secret.length >= 6, 'a secret to look for must be long enough to mean something');
    assert.equal(text.includes(secret), false, `error shows a secret (${secret.slice(0, 4)}…)`);
  }
  assert.doesNotMatch(text, /authorization\s*:/i);
  assert.doesNotMatch(text, /\b(Bearer|Basic) [A-Za-z0-9+/=_-]{8,}/);
}
