import { strict as assert } from 'node:assert';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { basic, call, clientToken, refresh, type TokenBody } from './helpers';

describe('simulator: fault injection', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.reset());
  after(() => sim.close());

  const tokenRequest = () =>
    call(sim, 'POST', '/oauth2/token?grant_type=client_credentials', {
      headers: { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) },
    });

  it('answers a canned status with JSON body and headers, `times` times', async () => {
    sim.faults.add({
      match: { path: '/oauth2/token' },
      times: 2,
      action: { status: 429, body: { error: 'slow_down' }, headers: { 'Retry-After': '2' } },
    });
    assert.equal(sim.faults.pending, 1);
    for (let i = 0; i < 2; i++) {
      const r = await tokenRequest();
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.deepEqual(r.json, { error: 'slow_down' });
    }
    assert.equal(sim.faults.pending, 0);
    assert.equal((await tokenRequest()).status, 200);
    assert.equal(sim.tokens.requests, 3); // faulted requests still count as received
    assert.deepEqual(
      sim.log.map((e) => e.status),
      [429, 429, 200],
    );
  });

  it('sends string bodies as they are', async () => {
    sim.faults.add({ match: { method: 'post' }, action: { status: 200, body: '<html>oops</html>' } });
    const r = await tokenRequest();
    assert.equal(r.status, 200);
    assert.equal(r.text, '<html>oops</html>');
  });

  it('matches on method, RegExp path and grantType, first rule added first', async () => {
    const t = await clientToken(sim);
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 503 } });
    sim.faults.add({
      match: { method: 'GET', path: /^\/api\/v1\// },
      times: Infinity,
      action: { status: 500, body: { error: { message: 'boom' } } },
    });
    sim.faults.add({ match: { path: '/oauth2/token' }, action: { status: 502 } });
    assert.equal((await refresh(sim, t.refresh_token)).status, 503);
    assert.equal((await tokenRequest()).status, 502);
    for (let i = 0; i < 3; i++) {
      const r = await call(sim, 'GET', '/api/v1/organization/profile', { headers: { authorization: `Bearer ${t.access_token}` } });
      assert.equal(r.status, 500);
    }
    assert.equal(sim.faults.pending, 1);
    sim.faults.clear();
    assert.equal(sim.faults.pending, 0);
  });

  it('delays, then handles normally', async () => {
    sim.faults.add({ match: { path: '/oauth2/token' }, action: { delayMs: 150 } });
    const started = Date.now();
    const r = await tokenRequest();
    assert.equal(r.status, 200);
    assert.ok(Date.now() - started >= 140, 'answered before the delay');
  });

  it('a delay past the client timeout leaves the entry at status 0', async () => {
    sim.faults.add({ match: { path: '/oauth2/token' }, action: { delayMs: 200 } });
    await assert.rejects(
      call(sim, 'POST', '/oauth2/token?grant_type=client_credentials', {
        headers: { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) },
        signal: AbortSignal.timeout(50),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(sim.log[0].status, 0);
  });

  it("drop:'before' resets the socket without processing: the refresh token stays usable", async () => {
    const t = await clientToken(sim);
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { drop: 'before' } });
    await assert.rejects(refresh(sim, t.refresh_token));
    assert.equal(sim.log[sim.log.length - 1].status, 0);
    assert.equal(sim.tokens.issuedRefresh.length, 1);
    assert.equal((await refresh(sim, t.refresh_token)).status, 200);
    assert.equal(sim.tokens.refreshReuse, 0);
  });

  it("drop:'after' consumes the refresh token, then resets the socket", async () => {
    const t = await clientToken(sim);
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { drop: 'after' } });
    await assert.rejects(refresh(sim, t.refresh_token));
    assert.equal(sim.tokens.issuedRefresh.length, 2); // a new pair was issued but never delivered
    const replay = await refresh(sim, t.refresh_token);
    assert.equal(replay.status, 400);
    assert.equal((replay.json as { error: string }).error, 'invalid_grant');
    assert.equal(sim.tokens.refreshReuse, 1);
  });

  it('redirect answers 308 with Location on the other base and Content-Length 0', async () => {
    const token = sim.demo.devices[0].token;
    sim.faults.add({ match: { path: '/external/api/update' }, action: { redirect: 'https://ny3.blynk.cloud/' } });
    const r = await call(sim, 'GET', `/external/api/update?token=${token}&v1=5`, { redirect: 'manual' });
    assert.equal(r.status, 308);
    assert.equal(r.headers.get('location'), `https://ny3.blynk.cloud/external/api/update?token=${token}&v1=5`);
    assert.equal(r.headers.get('content-length'), '0');
    assert.equal(sim.state.value(token, 'v1'), 21.5);
  });

  it('a redirect to the simulator itself is followed by fetch', async () => {
    sim.faults.add({ match: { path: '/oauth2/token' }, action: { redirect: sim.url } });
    const r = await tokenRequest();
    assert.equal(r.status, 200);
    assert.equal((r.json as TokenBody).token_type, 'Bearer');
    assert.deepEqual(
      sim.log.map((e) => e.status),
      [308, 200],
    );
  });
});
