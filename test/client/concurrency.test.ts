// Single flight under load (rule 1), compare-and-invalidate on 401 (rule 5), and two config nodes
// sharing one OAuth client.
import { strict as assert } from 'node:assert';
import { organizationProfile, SecretSet, TokenManager, Transport, type BlynkClient } from '../../dist/blynk';
import {
  apiRequestsOf,
  assertSafeError,
  bearerOf,
  Clock,
  delay,
  demoCredentials,
  failure,
  FAST_RETRY,
  grantOf,
  itD4,
  PROFILE_PATH,
  secretsOf,
  settled,
  TOKEN_PATH,
  tokenRequestsOf,
  useSimulator,
  waitFor,
} from './helpers';

describe('client: concurrency', () => {
  const env = useSimulator();
  const N = 50;

  const burst = (client: BlynkClient, n = N): Promise<unknown[]> =>
    Promise.all(
      Array.from({ length: n }, () =>
        client.call(organizationProfile()).then(
          (r) => r.status,
          (e: unknown) => e,
        ),
      ),
    );

  it('D1 50 concurrent calls on an empty cache: exactly 1 token request, all 50 succeed with that one token', async () => {
    const { sim } = env;
    const client = env.client();
    assert.deepEqual(await burst(client), Array(N).fill(200));
    assert.equal(sim.tokens.requests, 1);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1 });
    assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), Array(N).fill(sim.tokens.issuedAccess[0]));
  });

  it('D2 50 calls while a blocking renewal is in flight: still 1 renewal, all 50 get the new token', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const client = env.client({ now: clock.now });
    await client.call(organizationProfile());
    clock.advance(300_000);
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { delayMs: 200 } });
    const first = client.call(organizationProfile());
    await waitFor(() => tokenRequestsOf(sim.log).length === 2, 'the refresh at the server'); // the refresh is at the server
    const rest = burst(client);
    assert.equal((await first).status, 200);
    assert.deepEqual(await rest, Array(N).fill(200));
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
    assert.deepEqual(apiRequestsOf(sim.log).slice(1).map(bearerOf), Array(N + 1).fill(sim.tokens.issuedAccess[1]));
  });

  it('D2 50 calls during a background renewal: none waits, none starts another renewal', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const client = env.client({ now: clock.now });
    await client.call(organizationProfile());
    clock.advance(250_000);
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { delayMs: 1000 } });
    assert.deepEqual(await burst(client), Array(N).fill(200));
    // All 50 were answered while the server still held the refresh: none waited for it.
    assert.equal(sim.tokens.issuedAccess.length, 1);
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => e.status),
      [200, 0],
    );
    assert.deepEqual(apiRequestsOf(sim.log).slice(1).map(bearerOf), Array(N).fill(sim.tokens.issuedAccess[0]));
    await settled(client);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
    await client.call(organizationProfile());
    assert.equal(bearerOf(apiRequestsOf(sim.log)[N + 1]), sim.tokens.issuedAccess[1]);
  });

  it('D3 50 simultaneous 401s on the cached token: 1 renewal, 50 retries with the new token, 0 loops', async () => {
    const { sim } = env;
    const client = env.client();
    await client.call(organizationProfile());
    const [t1] = sim.tokens.issuedAccess;
    sim.tokens.revokeAccessToken(t1);
    assert.deepEqual(await burst(client), Array(N).fill(200));
    const t2 = sim.tokens.issuedAccess[1];
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
    const calls = apiRequestsOf(sim.log).slice(1);
    assert.equal(calls.length, 2 * N);
    assert.equal(calls.filter((e) => bearerOf(e) === t1 && e.status === 401).length, N);
    assert.equal(calls.filter((e) => bearerOf(e) === t2 && e.status === 200).length, N);
  });

  it('D5 the renewal fails (500 × 3 attempts) while 50 wait: all get the same sanitised error; promise cleared; next call retries', async () => {
    const { sim } = env;
    const client = env.client({ retry: FAST_RETRY });
    const body = `upstream\u0000failure\r\n${'x'.repeat(10_000)}`;
    sim.faults.add({ match: { path: TOKEN_PATH }, times: 3, action: { status: 500, body } });
    const errors = await burst(client);
    const first = errors[0];
    assertSafeError(first, secretsOf(sim));
    assert.ok(errors.every((e) => e === first));
    assert.equal(first.code, 'TOKEN_REJECTED');
    assert.equal(first.status, 500);
    assert.equal(first.details.detail, `HTTP 500: upstream failure ${'x'.repeat(183)}…`);
    assert.equal(sim.tokens.requests, 3);
    assert.deepEqual(apiRequestsOf(sim.log), []);
    assert.equal(client.tokens?.state, 'error');
    // Not a cool-down: the next call tries again at once, and succeeds.
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.equal(sim.tokens.requests, 4);
    assert.equal(client.tokens?.state, 'ok');
  });

  it('D5/C14 the token endpoint answers after 1 s, timeout 200 ms: all 50 waiters rejected with TIMEOUT at ~200 ms; next call fresh', async () => {
    const { sim } = env;
    const client = env.client({ tokenTimeoutMs: 200 });
    sim.faults.add({ match: { path: TOKEN_PATH }, action: { delayMs: 1000 } });
    const started = Date.now();
    const errors = await burst(client);
    const took = Date.now() - started;
    assert.ok(took >= 190 && took < 1000, `took ${took} ms`);
    const first = errors[0];
    assertSafeError(first, secretsOf(sim));
    assert.ok(errors.every((e) => e === first));
    assert.deepEqual([first.code, first.details.timeout], ['TIMEOUT', 200]);
    assert.equal(sim.tokens.requests, 1); // a timeout is not retried inside the flight
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.equal(sim.tokens.requests, 2);
    await delay(850); // the held answer comes and goes before the next test
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => e.status),
      [0, 200],
    );
  });

  it('close() while 50 wait for the token: all get CLOSED at once; nothing is sent afterwards', async () => {
    const { sim } = env;
    const client = env.client();
    sim.faults.add({ match: { path: TOKEN_PATH }, action: { delayMs: 300 } });
    const pending = burst(client);
    await waitFor(() => sim.log.length === 1, 'the request at the server');
    client.close();
    const errors = await pending;
    assert.ok(errors.every((e) => e instanceof Error && (e as { code?: string }).code === 'CLOSED'));
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'CLOSED');
    await delay(350);
    assert.equal(sim.log.length, 1);
    assert.deepEqual(apiRequestsOf(sim.log), []);
  });

  it('an answer that lands as close() runs is dropped: the caller gets CLOSED and no token stays in memory', async () => {
    const answer = { status: 200, data: { access_token: 'late-access-token', token_type: 'Bearer', expires_in: 300 } };
    const closing: { tokens?: TokenManager } = {};
    // A transport that ignores the abort, as a response already on its way would.
    const transport = { request: async () => (closing.tokens?.close(), answer), secrets: new SecretSet() } as unknown as Transport;
    const tokens = new TokenManager({ transport, credentials: demoCredentials(env.sim) });
    closing.tokens = tokens;
    const err = await failure(() => tokens.getToken());
    assert.equal(err.code, 'CLOSED');
    assert.equal(tokens.isCurrent('late-access-token'), false);
  });

  it('C11 a stale 401 (sent with token 1 while token 2 is already cached) is retried with token 2, 0 extra renewals', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const client = env.client({ now: clock.now });
    await client.call(organizationProfile());
    const [t1] = sim.tokens.issuedAccess;
    // A slow call goes out with token 1...
    sim.faults.add({ match: { path: PROFILE_PATH }, action: { delayMs: 250 } });
    const slow = client.call(organizationProfile());
    await waitFor(() => apiRequestsOf(sim.log).length === 2, 'two API requests at the server');
    // ...meanwhile token 2 replaces it (renewal after expiry) and the server revokes token 1.
    clock.advance(300_000);
    assert.equal((await client.call(organizationProfile())).status, 200);
    const t2 = sim.tokens.issuedAccess[1];
    sim.tokens.revokeAccessToken(t1);
    assert.equal((await slow).status, 200);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
    assert.deepEqual(
      apiRequestsOf(sim.log).map((e) => [bearerOf(e) === t1 ? 't1' : bearerOf(e) === t2 ? 't2' : '?', e.status]),
      [
        ['t1', 200],
        ['t1', 401],
        ['t2', 200],
        ['t2', 200],
      ],
    );
  });

  it('C11 TokenManager.invalidate is compare-and-invalidate: only the cached token, and a stale one changes nothing', async () => {
    const { sim } = env;
    const transport = new Transport(sim.url);
    const tokens = new TokenManager({ transport, credentials: demoCredentials(sim) });
    try {
      const t1 = await tokens.getToken();
      tokens.invalidate('not-the-cached-token');
      assert.equal(await tokens.getToken(), t1);
      assert.equal(sim.tokens.requests, 1);
      tokens.invalidate(t1);
      const t2 = await tokens.getToken();
      assert.equal(t2, sim.tokens.issuedAccess[1]);
      tokens.invalidate(t1); // stale
      assert.equal(await tokens.getToken(), t2);
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
      assert.deepEqual([tokens.isCurrent(t2), tokens.isCurrent(t1)], [true, false]);
    } finally {
      tokens.close();
      transport.close();
    }
  });

  it('D7 two clients with the same OAuth client: each keeps its own token and renews on its own schedule, no alternation', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const a = env.client({ now: clock.now });
    const b = env.client({ now: clock.now });
    const t0 = clock.t;
    const seen: Record<'a' | 'b', string[]> = { a: [], b: [] };
    for (let i = 0; i < 60; i++) {
      clock.t = t0 + i * 10_000; // 10 min of interleaved traffic, 10 s apart
      for (const [name, client] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const before = sim.log.length;
        assert.equal((await client.call(organizationProfile())).status, 200);
        await settled(client);
        seen[name].push(bearerOf(apiRequestsOf(sim.log.slice(before))[0]));
      }
    }
    // 600 s at 240 s per token: each client renews at 240 s and 480 s, nothing more.
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 4 });
    assert.equal(new Set(seen.a).size, 3);
    assert.equal(new Set(seen.b).size, 3);
    assert.equal(seen.a.filter((t) => seen.b.includes(t)).length, 0);
    assert.equal(apiRequestsOf(sim.log).filter((e) => e.status !== 200).length, 0);
    const grants = tokenRequestsOf(sim.log).map(grantOf);
    assert.deepEqual(grants, [
      'client_credentials',
      'client_credentials',
      'refresh_token',
      'refresh_token',
      'refresh_token',
      'refresh_token',
    ]);
  });

  it('D7 a server that keeps only the latest token per OAuth client (flapping): no endless alternating renewals, ≤1 per client per 60 s', async () => {
    const { sim } = env;
    const clock = new Clock();
    const a = env.client({ now: clock.now });
    const b = env.client({ now: clock.now });
    /** Emulates "only the last issued token is valid" (the simulator, like Blynk's docs, keeps all). */
    const keepLastOnly = (): void => {
      for (const t of sim.tokens.issuedAccess.slice(0, -1)) sim.tokens.revokeAccessToken(t);
    };
    const round = async (): Promise<[unknown, unknown]> => {
      const out: unknown[] = [];
      for (const client of [a, b]) {
        keepLastOnly();
        out.push(
          await client.call(organizationProfile()).then(
            (r) => r.status,
            (e: { code?: string }) => e.code,
          ),
        );
      }
      return [out[0], out[1]];
    };
    const results: Array<[unknown, unknown]> = [];
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      results.push(await round());
    }
    // Round 1: each renews once on its 401 and succeeds. From round 2 on, A's fresh token is refused
    // again within 60 s: A stops renewing and reports the 401, while B keeps the one valid token.
    assert.deepEqual(results, [[200, 200], [200, 200], ...Array.from({ length: 18 }, () => ['UNAUTHORIZED', 200])]);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 2 });
    assert.equal(apiRequestsOf(sim.log).length, 42);
    // 60 s later each may renew once more.
    clock.advance(60_000);
    assert.deepEqual(await round(), [200, 200]);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 4 });
  });

  itD4(env);
});
