// When tokens are renewed: margin min(60 s, 20 %) of the lifetime, expiry counted on the monotonic
// clock from when the request was sent, lifetimes clamped to [30 s, 24 h] (rules 2 and 3).
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { organizationProfile, TokenManager, Transport, type BlynkClient } from '../../dist/blynk';
import {
  apiRequestsOf,
  bearerOf,
  Clock,
  delay,
  demoCredentials,
  FAST_RETRY,
  grantOf,
  itD4,
  mint,
  refreshSent,
  settled,
  TOKEN_PATH,
  tokenRequestsOf,
  useSimulator,
  waitFor,
} from './helpers';

describe('client: token renewal timing', () => {
  const env = useSimulator();

  /** One call, then waits for any background renewal it started; returns the token it carried. */
  async function callAndSettle(client: BlynkClient): Promise<string> {
    const before = env.sim.log.length;
    const res = await client.call(organizationProfile());
    assert.equal(res.status, 200);
    await settled(client);
    const api = apiRequestsOf(env.sim.log.slice(before));
    assert.equal(api.length, 1);
    return bearerOf(api[0]);
  }

  for (const [expiresIn, renewAtS] of [
    [300, 240],
    [86_400, 86_340],
    [100, 80],
    [30, 24],
  ] as const) {
    it(`A2 margin min(60 s, 20 %): expires_in=${expiresIn} renews at ${renewAtS} s after sending, not 1 ms earlier`, async () => {
      const { sim } = env;
      sim.setTokenLifetime(expiresIn);
      const clock = new Clock();
      const t0 = clock.t;
      const client = env.client({ now: clock.now });
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);

      clock.t = t0 + renewAtS * 1000 - 1;
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
      assert.equal(sim.tokens.requests, 1);

      // At the renewal point the call still goes out at once with the old token; the renewal runs beside it.
      clock.t = t0 + renewAtS * 1000;
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[1]);
      assert.equal(sim.tokens.requests, 2);
    });
  }

  it('A2 one message every 10 s for 20 min with expires_in=300: 5 token requests, at 0/240/480/720/960 s, 0 API 401s', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const t0 = clock.t;
    const client = env.client({ now: clock.now });
    const requestTimes: number[] = [];
    const used: string[] = [];
    for (let i = 0; i < 120; i++) {
      clock.t = t0 + i * 10_000;
      const before = sim.tokens.requests;
      used.push(await callAndSettle(client));
      if (sim.tokens.requests > before) requestTimes.push((clock.t - t0) / 1000);
    }
    assert.deepEqual(requestTimes, [0, 240, 480, 720, 960]);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 4 });
    assert.deepEqual(
      apiRequestsOf(sim.log).map((e) => e.status),
      used.map(() => 200),
    );
    // Message i uses the token of the renewals finished before it: those started at messages 24, 48, 72, 96.
    assert.deepEqual(
      used,
      used.map((_, i) => sim.tokens.issuedAccess[i <= 24 ? 0 : Math.floor((i - 1) / 24)]),
    );
    // A3: each renewal spends the latest refresh token, each exactly once.
    assert.deepEqual(refreshSent(sim.log), sim.tokens.issuedRefresh.slice(0, 4));
  });

  it('a token with 5 s or less left is never sent: the call waits for the renewal (4.999 s … 5 s boundary)', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const t0 = clock.t;
    const client = env.client({ now: clock.now, retry: FAST_RETRY });
    await callAndSettle(client);
    // 5.001 s left: the old token still goes out, renewal in the background.
    clock.t = t0 + 294_999;
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 500 } });
    sim.faults.add({ match: { grantType: 'client_credentials' }, times: 3, action: { status: 500 } });
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
    // The background renewal failed (refresh 500, then 3 × primary 500); exactly 5 s left now.
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 4, refresh_token: 1 });
    clock.t = t0 + 295_000;
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[1]);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 5, refresh_token: 1 });
  });

  it('a failed background renewal is retried 5 s later on the monotonic clock, not on every message', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const t0 = clock.t;
    const client = env.client({ now: clock.now, retry: FAST_RETRY });
    await callAndSettle(client);
    clock.t = t0 + 250_000;
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 500 } });
    sim.faults.add({ match: { grantType: 'client_credentials' }, times: 3, action: { status: 500 } });
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
    assert.equal(sim.tokens.requests, 5);
    for (let i = 0; i < 20; i++) {
      clock.t = t0 + 250_000 + i * 249; // up to 4.731 s later
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
    }
    clock.t = t0 + 254_999;
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
    assert.equal(sim.tokens.requests, 5);
    clock.t = t0 + 255_000;
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
    // The refresh token was spent on the failed refresh: the retry is a primary grant.
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 5, refresh_token: 1 });
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[1]);
  });

  it('C15 expiry is counted from when the request was SENT: a slow answer does not stretch the token', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const sentAt = clock.t;
    const client = env.client({ now: clock.now });
    sim.faults.add({ match: { path: TOKEN_PATH }, action: { delayMs: 150 } });
    const pending = client.call(organizationProfile());
    await waitFor(() => sim.log.length === 1, 'the request at the server'); // the request is at the server...
    clock.advance(100_000); // ...and answers 100 s later on the monotonic clock
    await pending;
    clock.t = sentAt + 239_999;
    assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[0]);
    assert.equal(sim.tokens.requests, 1);
    clock.t = sentAt + 240_000; // counted from the answer this would be 340 s
    await callAndSettle(client);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
  });

  describe('with sinon fake Date and performance', () => {
    let fake: sinon.SinonFakeTimers | undefined;
    afterEach(() => {
      fake?.restore();
      fake = undefined;
    });

    it('C15 wall clock jumps of ±1 h do not matter: no renewal burst, no expired token; the default clock is performance.now', async () => {
      const { sim } = env;
      // The client is told 300 s; the simulator (which shares Date) keeps the token a day, so only
      // the client's notion of time is under test.
      const minted = await mint(sim);
      const base = sim.tokens.requests;
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 200, body: { ...minted, token_type: 'Bearer', expires_in: 300 } } });
      fake = sinon.useFakeTimers({ toFake: ['Date', 'performance'], now: Date.now(), shouldAdvanceTime: false });
      const start = Date.now();
      const client = env.client(); // default clock
      assert.equal(await callAndSettle(client), minted.access_token);
      for (const jump of [3_600_000, -3_600_000, 7_200_000]) {
        fake.setSystemTime(start + jump); // wall clock only; performance.now does not move
        for (let i = 0; i < 3; i++) assert.equal(await callAndSettle(client), minted.access_token);
      }
      assert.equal(sim.tokens.requests - base, 1);
      // performance.now is what counts: 240 s on it (300 s less the 60 s margin) renews.
      fake.setSystemTime(start);
      fake.tick(239_999);
      assert.equal(await callAndSettle(client), minted.access_token);
      assert.equal(sim.tokens.requests - base, 1);
      fake.tick(1);
      assert.equal(await callAndSettle(client), minted.access_token);
      assert.deepEqual(refreshSent(sim.log), [minted.refresh_token]);
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[1]);
      assert.deepEqual(
        apiRequestsOf(sim.log).map((e) => e.status),
        apiRequestsOf(sim.log).map(() => 200),
      );
    });

    it('C15 TokenManager on its own also defaults to the monotonic clock', async () => {
      const { sim } = env;
      fake = sinon.useFakeTimers({ toFake: ['Date', 'performance'], now: Date.now(), shouldAdvanceTime: false });
      const transport = new Transport(sim.url);
      const tokens = new TokenManager({ transport, credentials: demoCredentials(sim) });
      try {
        const first = await tokens.getToken();
        assert.equal(first, sim.tokens.issuedAccess[0]);
        fake.setSystemTime(Date.now() + 86_400_000 * 2); // two days on the wall clock
        assert.equal(await tokens.getToken(), first);
        assert.equal(sim.tokens.requests, 1);
        fake.tick(86_400_000); // a day on both
        assert.equal(await tokens.getToken(), sim.tokens.issuedAccess[1]);
        // The refresh token expired on the simulator's (wall) clock too: refresh refused, primary grant.
        assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
      } finally {
        tokens.close();
        transport.close();
      }
    });

    it('A4 idle 2 h, then a message: nothing sent while idle; the refresh token expired server-side → primary grant; message succeeds', async () => {
      const { sim } = env;
      fake = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: false });
      sim.setTokenLifetime(300);
      const clock = new Clock();
      const client = env.client({ now: clock.now });
      await callAndSettle(client);
      fake.tick(7_200_000); // the server's clock: the refresh token (300 s) has expired there
      clock.advance(7_200_000);
      await delay(50);
      assert.equal(sim.log.length, 2);
      assert.equal(await callAndSettle(client), sim.tokens.issuedAccess[1]);
      const tokens = tokenRequestsOf(sim.log);
      assert.deepEqual(tokens.map(grantOf), ['client_credentials', 'refresh_token', 'client_credentials']);
      assert.deepEqual(
        tokens.map((e) => e.status),
        [200, 400, 200],
      );
      assert.equal(tokens[1].query.refresh_token, sim.tokens.issuedRefresh[0]);
    });

    it('C16 the server rejects the token early (its clock says expired at 290 s, ours says 200 s): recovered by one renewal and one retry', async () => {
      const { sim } = env;
      fake = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: false });
      sim.setTokenLifetime(300);
      const clock = new Clock();
      const client = env.client({ now: clock.now });
      await callAndSettle(client);
      fake.tick(300_000);
      clock.advance(200_000);
      // Server's refresh token also expired (same lifetime): the renewal falls back to the primary grant.
      assert.equal((await client.call(organizationProfile())).status, 200);
      const calls = apiRequestsOf(sim.log);
      assert.deepEqual(
        calls.map((e) => [bearerOf(e), e.status]),
        [
          [sim.tokens.issuedAccess[0], 200],
          [sim.tokens.issuedAccess[0], 401],
          [sim.tokens.issuedAccess[1], 200],
        ],
      );
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
    });

    it('C16 early rejection while the refresh token is still good: one refresh, one retry', async () => {
      const { sim } = env;
      fake = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: false });
      const clock = new Clock();
      const client = env.client({ now: clock.now });
      await callAndSettle(client);
      sim.tokens.revokeAccessToken(sim.tokens.issuedAccess[0]);
      clock.advance(200_000);
      assert.equal((await client.call(organizationProfile())).status, 200);
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
      assert.deepEqual(
        apiRequestsOf(sim.log).map((e) => e.status),
        [200, 401, 200],
      );
    });
  });

  describe('B1 odd expires_in values are clamped to [30 s, 24 h]', () => {
    // [value in the token answer, seconds after sending at which the renewal starts]
    const cases: Array<[string, unknown, number]> = [
      ['absent', undefined, 240], // treated as Blynk's shortest known lifetime, 300 s
      ['"300"', '300', 240],
      ['0', 0, 24], // 30 s, margin 6 s
      ['-5', -5, 24],
      ['null', null, 240],
      ['"NaN"', 'NaN', 240],
      ['""', '', 240],
      ['true', true, 240],
      ['45.5', 45.5, 36.4],
      ['1e12', 1e12, 86_340],
      ['"1e12"', '1e12', 86_340],
      ['"Infinity"', 'Infinity', 86_340],
    ];
    for (const [label, value, renewAtS] of cases) {
      it(`B1 expires_in ${label} → renewal at ${renewAtS} s`, async () => {
        const { sim } = env;
        const minted = await mint(sim);
        const base = sim.tokens.requests;
        const body: Record<string, unknown> = {
          access_token: minted.access_token,
          token_type: 'Bearer',
          refresh_token: minted.refresh_token,
        };
        if (value !== undefined) body.expires_in = value;
        sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 200, body } });
        const clock = new Clock();
        const t0 = clock.t;
        const client = env.client({ now: clock.now });
        assert.equal(await callAndSettle(client), minted.access_token);
        clock.t = t0 + Math.round(renewAtS * 1000) - 1;
        assert.equal(await callAndSettle(client), minted.access_token);
        assert.equal(sim.tokens.requests, base + 1);
        clock.t = t0 + Math.round(renewAtS * 1000);
        assert.equal(await callAndSettle(client), minted.access_token);
        assert.equal(sim.tokens.requests, base + 2);
        assert.deepEqual(refreshSent(sim.log), [minted.refresh_token]);
      });
    }

    it('B1 expires_in 0 on every answer: one token request per 24 s (30 s lifetime less its 20 % margin), never a burst', async () => {
      const { sim } = env;
      const minted = await mint(sim);
      const base = sim.tokens.requests;
      // No refresh token in the answer, so every renewal is a primary grant and nothing is replayed.
      sim.faults.add({
        match: { path: TOKEN_PATH },
        times: Infinity,
        action: { status: 200, body: { access_token: minted.access_token, token_type: 'Bearer', expires_in: 0 } },
      });
      const clock = new Clock();
      const t0 = clock.t;
      const client = env.client({ now: clock.now });
      const at: number[] = [];
      for (let s = 0; s < 120; s++) {
        clock.t = t0 + s * 1000;
        const before = sim.tokens.requests;
        await callAndSettle(client);
        if (sim.tokens.requests > before) at.push(s);
      }
      assert.deepEqual(at, [0, 24, 48, 72, 96]);
      assert.equal(sim.tokens.requests - base, 5);
    });
  });

  itD4(env);
});
