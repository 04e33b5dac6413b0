// Single-use refresh tokens (rule 4): the refresh request's shape, and a refresh token is never
// sent twice, whatever happens to the answer. Only a 429 proves it unspent.
import { strict as assert } from 'node:assert';
import { organizationProfile, type BlynkClient } from '../../dist/blynk';
import {
  apiRequestsOf,
  bearerOf,
  Clock,
  delay,
  demoBasic,
  failure,
  FAST_RETRY,
  grantOf,
  itD4,
  mint,
  refreshSent,
  settled,
  tokenRequestsOf,
  useSimulator,
} from './helpers';

describe('client: refresh tokens', () => {
  const env = useSimulator();

  /** A client holding token 1 (lifetime 300 s) whose clock is then moved past its expiry. */
  async function expiredClient(options: Parameters<typeof env.client>[0] = {}): Promise<{ client: BlynkClient; clock: Clock }> {
    env.sim.setTokenLifetime(300);
    const clock = new Clock();
    const client = env.client({ now: clock.now, ...options });
    assert.equal((await client.call(organizationProfile())).status, 200);
    clock.advance(300_000);
    return { client, clock };
  }

  const calls = (client: BlynkClient, n: number): Promise<number[]> =>
    Promise.all(Array.from({ length: n }, () => client.call(organizationProfile()).then((r) => r.status)));

  it('A3 the refresh request: POST ?grant_type=refresh_token&refresh_token=<latest RT>, Basic auth, no body', async () => {
    const { sim } = env;
    const { client, clock } = await expiredClient();
    await client.call(organizationProfile());
    clock.advance(300_000);
    await client.call(organizationProfile());
    const refreshes = tokenRequestsOf(sim.log).filter((e) => grantOf(e) === 'refresh_token');
    assert.equal(refreshes.length, 2);
    refreshes.forEach((e, i) => {
      assert.deepEqual(e.query, { grant_type: 'refresh_token', refresh_token: sim.tokens.issuedRefresh[i] });
      assert.equal(e.headers.authorization, demoBasic(sim));
      assert.equal(e.body, undefined);
      assert.equal(e.status, 200);
    });
    assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), sim.tokens.issuedAccess);
  });

  it('B10 a refresh answer without refresh_token: the spent RT is dropped, the next renewal is a primary grant', async () => {
    const { sim } = env;
    const { client, clock } = await expiredClient();
    const minted = await mint(sim);
    sim.faults.add({
      match: { grantType: 'refresh_token' },
      action: { status: 200, body: { access_token: minted.access_token, token_type: 'Bearer', expires_in: 300 } },
    });
    await client.call(organizationProfile());
    clock.advance(300_000);
    await client.call(organizationProfile());
    const grants = tokenRequestsOf(sim.log).filter((e) => e.headers.authorization === demoBasic(sim));
    // [client's first grant, mint(), refresh answered without RT, primary grant]
    assert.deepEqual(grants.map(grantOf), ['client_credentials', 'client_credentials', 'refresh_token', 'client_credentials']);
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0]]);
    assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), [sim.tokens.issuedAccess[0], minted.access_token, sim.tokens.issuedAccess[2]]);
  });

  it('C1 refresh answered 400 invalid_grant (family revoked): RT dropped, one primary grant, 10 queued calls succeed', async () => {
    const { sim } = env;
    const { client } = await expiredClient();
    sim.tokens.revokeAll();
    assert.deepEqual(await calls(client, 10), Array(10).fill(200));
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
    const [, refresh] = tokenRequestsOf(sim.log);
    assert.equal(refresh.status, 400);
    assert.equal(refresh.query.refresh_token, sim.tokens.issuedRefresh[0]);
    assert.deepEqual(apiRequestsOf(sim.log).slice(1).map(bearerOf), Array(10).fill(sim.tokens.issuedAccess[1]));
  });

  it('C2 the server spends the RT and the connection drops (drop:after): the RT is never re-sent; one primary grant', async () => {
    const { sim } = env;
    const { client, clock } = await expiredClient();
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { drop: 'after' } });
    assert.deepEqual(await calls(client, 10), Array(10).fill(200));
    // The simulator did process the refresh: token 2 was issued and lost.
    assert.equal(sim.tokens.issuedAccess.length, 3);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => e.status),
      [200, 0, 200],
    );
    assert.deepEqual(apiRequestsOf(sim.log).slice(1).map(bearerOf), Array(10).fill(sim.tokens.issuedAccess[2]));
    // The next renewal spends the RT of the token that arrived, not the lost one's or the first.
    clock.advance(300_000);
    await client.call(organizationProfile());
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0], sim.tokens.issuedRefresh[2]]);
    assert.equal(sim.tokens.refreshReuse, 0);
  });

  it('C2 connection reset before the server saw the RT (drop:before): still never re-sent, the client cannot know', async () => {
    const { sim } = env;
    const { client } = await expiredClient();
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { drop: 'before' } });
    assert.deepEqual(await calls(client, 5), Array(5).fill(200));
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0]]);
  });

  it('C2 refresh answer slower than tokenTimeoutMs: aborted, RT never re-sent, one primary grant, late answer ignored', async () => {
    const { sim } = env;
    const { client, clock } = await expiredClient({ tokenTimeoutMs: 150 });
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { delayMs: 400 } });
    const started = Date.now();
    assert.deepEqual(await calls(client, 10), Array(10).fill(200));
    assert.ok(Date.now() - started >= 140);
    await delay(350); // let the simulator process (and spend) the refresh it was holding
    // Its answer found the connection gone: the client had given up at the timeout.
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => e.status),
      [200, 0, 200],
    );
    assert.equal(sim.tokens.issuedAccess.length, 3);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
    // Primary-grant token (issued 2nd, while the refresh was held) is the one in use.
    const primary = sim.tokens.issuedAccess[1];
    assert.deepEqual(apiRequestsOf(sim.log).slice(1).map(bearerOf), Array(10).fill(primary));
    assert.equal(await client.call(organizationProfile()).then((r) => r.status), 200);
    assert.equal(bearerOf(apiRequestsOf(sim.log)[11]), primary);
    clock.advance(300_000);
    await client.call(organizationProfile());
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0], sim.tokens.issuedRefresh[1]]);
    assert.equal(sim.tokens.refreshReuse, 0);
  });

  for (const status of [500, 502, 503]) {
    it(`C3 refresh answered ${status}: RT dropped, not retried; one primary grant`, async () => {
      const { sim } = env;
      const { client } = await expiredClient({ retry: FAST_RETRY });
      sim.faults.add({ match: { grantType: 'refresh_token' }, times: Infinity, action: { status, body: { error: { message: 'boom' } } } });
      assert.deepEqual(await calls(client, 5), Array(5).fill(200));
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
      assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0]]);
      assert.equal(sim.tokens.refreshReuse, 0);
    });
  }

  it('C4 refresh answered 429 Retry-After: 1 — not processed, so the same RT goes again after ≥1 s; no primary grant', async () => {
    const { sim } = env;
    const { client } = await expiredClient();
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 429, headers: { 'Retry-After': '1' } } });
    assert.deepEqual(await calls(client, 5), Array(5).fill(200));
    const refreshes = tokenRequestsOf(sim.log).filter((e) => grantOf(e) === 'refresh_token');
    assert.deepEqual(
      refreshes.map((e) => [e.status, e.query.refresh_token]),
      [
        [429, sim.tokens.issuedRefresh[0]],
        [200, sim.tokens.issuedRefresh[0]],
      ],
    );
    assert.ok(refreshes[1].at - refreshes[0].at >= 990, `retried after ${refreshes[1].at - refreshes[0].at} ms`);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 2 });
    assert.equal(sim.tokens.refreshReuse, 0);
  });

  it('C5 refresh answered 429 over the cap: RATE_LIMITED at once, the unspent RT is kept for after the wait', async () => {
    const { sim } = env;
    const { client, clock } = await expiredClient();
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 429, headers: { 'Retry-After': '600' } } });
    const err = await failure(() => client.call(organizationProfile()));
    assert.deepEqual([err.code, err.retryAfter, err.status], ['RATE_LIMITED', 600, 429]);
    clock.advance(599_000);
    const blocked = await failure(() => client.call(organizationProfile()));
    assert.deepEqual([blocked.code, blocked.retryAfter], ['RATE_LIMITED', 1]);
    assert.equal(sim.tokens.requests, 2);
    clock.advance(1_000);
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 2 });
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0], sim.tokens.issuedRefresh[0]]);
  });

  it('C5 a 401 while the kept RT waits out a long Retry-After does not lose the RT', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const client = env.client({ now: clock.now });
    await client.call(organizationProfile());
    // Background renewal at 250 s meets a 429 with Retry-After 600: token 1 stays in use.
    clock.advance(250_000);
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 429, headers: { 'Retry-After': '600' } } });
    assert.equal((await client.call(organizationProfile())).status, 200);
    await settled(client);
    // Token 1 is then revoked: the 401 drops it, and the renewal is still blocked.
    sim.tokens.revokeAccessToken(sim.tokens.issuedAccess[0]);
    const err = await failure(() => client.call(organizationProfile()));
    assert.equal(err.code, 'RATE_LIMITED');
    clock.advance(600_000);
    assert.equal((await client.call(organizationProfile())).status, 200);
    // The unspent RT is used after the wait, rather than falling back to the primary grant.
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 2 });
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0], sim.tokens.issuedRefresh[0]]);
  });

  it('a refresh answered 200 with garbage: the RT counts as spent, one primary grant', async () => {
    const { sim } = env;
    const { client } = await expiredClient();
    sim.faults.add({
      match: { grantType: 'refresh_token' },
      action: { status: 200, body: '<html>maintenance</html>', headers: { 'Content-Type': 'text/html' } },
    });
    assert.deepEqual(await calls(client, 3), [200, 200, 200]);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
  });

  itD4(env);
});
