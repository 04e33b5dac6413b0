// Group C (reliability.md §5): faults survived, as a flow sees them. Every fault comes from the
// simulator's fault injection (or a real socket server) over real sockets; nothing is stubbed.
// The config node runs with its production settings (10 s token timeout, 3 attempts, 60 s
// Retry-After cap, 5 min cool-down); only time is faked where a scenario spans minutes.
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { NodeMessage } from 'node-red';
import { badCertificates } from '../support/certificates';
import { startSimulator, Simulator } from '../../dist/simulator';
import { LOG } from '../support/capture';
import { demoCredentials } from '../support/harness';
import {
  apiRequestsOf,
  bearerOf,
  DEVICE_PATH,
  EVENT_PATH,
  flow,
  getDevice,
  grantOf,
  heapAfterGc,
  logEvent,
  mint,
  refreshSent,
  STATUS,
  statusesOf,
  TOKEN_PATH,
  tokenRequestsOf,
  useRig,
  waitFor,
  WRITE_PATH,
  writeDatastream,
} from '../support/rig';

/** An HTTP-date `seconds` ahead, on a whole second so that rounding is exact. */
function httpDate(seconds: number): { value: string; at: number } {
  const at = Math.floor(Date.now() / 1000) * 1000 + seconds * 1000;
  return { value: new Date(at).toUTCString(), at };
}

/** A TCP server on `port` (0: any) that resets every connection, counting them: a down token endpoint. */
async function resettingServer(port = 0): Promise<{ server: net.Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

describe('reliability C: faults survived (flow level)', function () {
  const rig = useRig();

  /** Loads get-device (n1) with a token already cached, so that only the API call is under test. */
  async function warm(nodes = [getDevice()]): Promise<string> {
    await rig.load(flow(rig.sim.url, nodes));
    const first: Record<string, NodeMessage> = {
      'blynk-cloud-get-device': { deviceId: 101 },
      'blynk-cloud-write-datastream': { deviceId: 101, dataStreamId: 6, payload: 1 },
      'blynk-cloud-log-event': { deviceId: 101, payload: 'warming up' },
    };
    await rig.success(nodes[0].id, first[nodes[0].type]);
    return rig.sim.tokens.issuedAccess[0];
  }

  /** Loads n1 and moves the fake clock to 296 s of a 300 s token: the next message must wait for a renewal. */
  async function expiring(): Promise<ReturnType<typeof rig.fakeClock>> {
    rig.sim.setTokenLifetime(300);
    await rig.load(flow(rig.sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    await rig.success('n1', { deviceId: 101 });
    clock.tick(296_000);
    return clock;
  }

  /** Sends `n` get-device messages at once and waits for all of them. */
  async function burst(n: number, msg = { deviceId: 101 }): Promise<void> {
    const before = rig.out.sentCount + rig.out.caughtCount;
    for (let i = 0; i < n; i++) rig.send('n1', { ...msg });
    await rig.ended(before + n, 30_000);
  }

  it('C1 refresh answered 400 invalid_grant: refresh token dropped, one client_credentials request, 10 queued messages succeed', async () => {
    const { sim } = rig;
    await expiring();
    sim.faults.add({
      match: { grantType: 'refresh_token' },
      action: { status: 400, body: { error: 'invalid_grant', error_description: 'Refresh token is revoked.' } },
    });
    await burst(10);
    assert.equal(rig.out.caught.length, 0, rig.out.caught[0]?.error.message);
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => [grantOf(e), e.status]),
      [
        ['client_credentials', 200],
        ['refresh_token', 400],
        ['client_credentials', 200],
      ],
    );
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0]]);
    assert.deepEqual(apiRequestsOf(sim.log).slice(1).map(bearerOf), Array(10).fill(sim.tokens.issuedAccess[1]));
  });

  for (const drop of ['after', 'before'] as const) {
    it(`C2 the connection drops ${drop === 'after' ? 'after the server spent the refresh token' : 'before the server read the request'}: that refresh token is never sent again; one client_credentials; messages succeed`, async () => {
      const { sim } = rig;
      await expiring();
      sim.faults.add({ match: { grantType: 'refresh_token' }, action: { drop } });
      await burst(5);
      assert.equal(rig.out.caught.length, 0, rig.out.caught[0]?.error.message);
      assert.deepEqual(
        tokenRequestsOf(sim.log).map((e) => [grantOf(e), e.status]),
        [
          ['client_credentials', 200],
          ['refresh_token', 0], // never answered
          ['client_credentials', 200],
        ],
      );
      assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0]]);
      assert.equal(sim.tokens.refreshReuse, 0);
    });
  }

  it('C3 refresh answered 502: handled as C2 (refresh token spent, not retried); the primary grant gets 500, 500, 200 with backoff between; messages succeed', async () => {
    const { sim } = rig;
    await expiring();
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { status: 502, body: 'Bad gateway' } });
    sim.faults.add({ match: { grantType: 'client_credentials' }, times: 2, action: { status: 500 } });
    await burst(5);
    assert.equal(rig.out.caught.length, 0, rig.out.caught[0]?.error.message);
    const tokens = tokenRequestsOf(sim.log);
    assert.deepEqual(
      tokens.map((e) => [grantOf(e), e.status]),
      [
        ['client_credentials', 200],
        ['refresh_token', 502],
        ['client_credentials', 500],
        ['client_credentials', 500],
        ['client_credentials', 200],
      ],
    );
    assert.deepEqual(refreshSent(sim.log), [sim.tokens.issuedRefresh[0]]);
  });

  describe('C4 token endpoint 429 with Retry-After, both forms', () => {
    it('C4 token endpoint 429 with Retry-After: 2: no token request for 2 s, shared by all 20 waiting messages; then 1 retry; all delivered', async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice()]));
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': '2' } } });
      await burst(20);
      assert.equal(rig.out.sent.length, 20);
      const tokens = tokenRequestsOf(sim.log);
      assert.deepEqual(
        tokens.map((e) => e.status),
        [429, 200],
      );
      const gap = tokens[1].at - tokens[0].at;
      assert.ok(gap >= 1990 && gap < 4000, `retried after ${gap} ms`);
      assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), Array(20).fill(sim.tokens.issuedAccess[0]));
    });

    it('C4 token endpoint 429 with an HTTP-date Retry-After 2 s ahead: no retry before that date; all delivered', async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice()]));
      const date = httpDate(2);
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': date.value } } });
      await burst(5);
      assert.equal(rig.out.sent.length, 5);
      const tokens = tokenRequestsOf(sim.log);
      assert.deepEqual(
        tokens.map((e) => e.status),
        [429, 200],
      );
      assert.ok(tokens[1].at >= date.at - 5, `retried ${date.at - tokens[1].at} ms before the date`);
      assert.ok(tokens[1].at < date.at + 2000);
    });
  });

  describe('C5 Retry-After over the 60 s cap', () => {
    it('C5 token endpoint Retry-After: 3600: RATE_LIMITED "retry in 3600 s" at once for every message; no more token requests meanwhile', async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice()]));
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': '3600' } } });
      const started = Date.now();
      await burst(10);
      assert.ok(Date.now() - started < 2000, 'messages were held');
      assert.deepEqual(
        rig.out.caught.map((c) => c.error.code),
        Array(10).fill('RATE_LIMITED'),
      );
      assert.match(rig.out.caught[0].error.message, /retry in 3600 s/);
      const again = await rig.failure('n1', { deviceId: 101 });
      assert.equal(again.error.code, 'RATE_LIMITED');
      assert.match(again.error.message, /retry in 360\d s/);
      assert.equal(sim.tokens.requests, 1);
      assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('rate-limited') });
    });

    it('C5 HTTP-date Retry-After an hour ahead on the token endpoint: RATE_LIMITED "retry in 3600 s", not held', async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice()]));
      const date = httpDate(3600);
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': date.value } } });
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.equal(caught.error.code, 'RATE_LIMITED');
      assert.match(caught.error.message, /retry in 3600 s/);
    });

    it('C5 API 429 Retry-After: 3600: the message fails at once with RATE_LIMITED; sent once; the token is kept', async () => {
      const { sim } = rig;
      await warm();
      sim.faults.add({
        match: { path: DEVICE_PATH },
        action: { status: 429, body: { error: { message: 'Too many requests' } }, headers: { 'Retry-After': '3600' } },
      });
      const started = Date.now();
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.ok(Date.now() - started < 1500);
      assert.equal(caught.error.code, 'RATE_LIMITED');
      assert.match(caught.error.message, /retry in 3600 s/);
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 2);
      assert.equal(sim.tokens.requests, 1);
    });
  });

  it('C6 API 429 Retry-After: 2 on a datastream write: retried after ≥2 s, delivered exactly once, no token renewal', async () => {
    const { sim } = rig;
    await warm([writeDatastream()]);
    sim.faults.add({
      match: { path: WRITE_PATH },
      action: { status: 429, body: { error: { message: 'Too many requests' } }, headers: { 'Retry-After': '2' } },
    });
    const before = rig.out.sent.length;
    await rig.success('n1', { deviceId: 101, dataStreamId: 6, payload: 77 });
    const writes = apiRequestsOf(sim.log, WRITE_PATH).slice(1);
    assert.deepEqual(
      writes.map((e) => e.status),
      [429, 204],
    );
    assert.ok(writes[1].at - writes[0].at >= 1990, `retried after ${writes[1].at - writes[0].at} ms`);
    assert.equal(rig.out.sent.length, before + 1);
    assert.equal(sim.state.value(101, 6), 77);
    assert.equal(sim.tokens.requests, 1);
  });

  describe('C7 API 503 / connection reset: idempotent calls retried (≤3 attempts), others never blindly', () => {
    it('C7 get-device answered 503 every time: 3 attempts with jittered backoff, then SERVER_ERROR at the Catch node', async () => {
      const { sim } = rig;
      await warm();
      sim.faults.add({
        match: { path: DEVICE_PATH },
        times: Infinity,
        action: { status: 503, body: { error: { message: 'Service unavailable' } } },
      });
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.equal(caught.error.code, 'SERVER_ERROR');
      assert.match(caught.error.message, /^Blynk server error 503 \(Service unavailable\)/);
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 1 + 3);
      assert.equal(sim.tokens.requests, 1);
    });

    it('C7 a datastream write whose connection resets once: retried and delivered once', async () => {
      const { sim } = rig;
      await warm([writeDatastream()]);
      sim.faults.add({ match: { path: WRITE_PATH }, action: { drop: 'before' } });
      await rig.success('n1', { deviceId: 101, dataStreamId: 6, payload: 12 });
      assert.deepEqual(
        apiRequestsOf(sim.log, WRITE_PATH)
          .slice(1)
          .map((e) => e.status),
        [0, 204],
      );
      assert.equal(sim.state.value(101, 6), 12);
    });

    for (const [label, action, code] of [
      ['503', { status: 503 }, 'SERVER_ERROR'],
      ['reset after the server logged it', { drop: 'after' as const }, 'NETWORK'],
    ] as const) {
      it(`C7 log-event (not idempotent), ${label}: exactly 1 attempt, ${code} at the Catch node, no blind retry`, async () => {
        const { sim } = rig;
        await warm([logEvent()]);
        const events = sim.state.events(101).length;
        sim.faults.add({ match: { path: EVENT_PATH }, times: Infinity, action });
        const caught = await rig.failure('n1', { deviceId: 101, payload: 'once' });
        assert.equal(caught.error.code, code);
        assert.equal(apiRequestsOf(sim.log, EVENT_PATH).length, 2);
        assert.equal(sim.state.events(101).length - events, label === '503' ? 0 : 1);
      });
    }
  });

  it('C8 API 401 on a token that looked valid: 1 renewal + 1 retry → the message succeeds', async () => {
    const { sim } = rig;
    const t1 = await warm();
    sim.tokens.revokeAccessToken(t1);
    await rig.success('n1', { deviceId: 102 });
    const t2 = sim.tokens.issuedAccess[1];
    assert.deepEqual(
      sim.log.map(
        (e) =>
          `${e.path} ${e.status} ${e.path === TOKEN_PATH ? e.query.grant_type : bearerOf(e) === t1 ? 't1' : bearerOf(e) === t2 ? 't2' : '?'}`,
      ),
      [
        `${TOKEN_PATH} 200 client_credentials`,
        `${DEVICE_PATH} 200 t1`,
        `${DEVICE_PATH} 401 t1`,
        `${TOKEN_PATH} 200 refresh_token`,
        `${DEVICE_PATH} 200 t2`,
      ],
    );
  });

  it('C9 401 again after the renewal: UNAUTHORIZED at the Catch node, no third try, no second renewal', async () => {
    const { sim } = rig;
    await warm();
    sim.faults.add({
      match: { path: DEVICE_PATH },
      times: Infinity,
      action: { status: 401, body: { error: { message: 'Invalid access token.' } } },
    });
    const caught = await rig.failure('n1', { deviceId: 101 });
    assert.equal(caught.error.code, 'UNAUTHORIZED');
    assert.match(caught.error.message, /^Blynk answered 401 Unauthorized even with a renewed access token/);
    assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 1 + 2);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
    assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('auth-failed') });
  });

  it('C10 403 on every call is a permission answer: no renewal, no retry, one request per message, msg.error says what to do', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()]));
    await rig.success('n1', { deviceId: 101 });
    const reason = 'Platform API scope is not enabled for this oauth client.';
    sim.faults.add({ match: { path: DEVICE_PATH }, times: Infinity, action: { status: 403, body: { error: { message: reason } } } });
    for (let i = 0; i < 10; i++) {
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.equal(caught.error.code, 'FORBIDDEN');
      assert.equal(
        caught.error.message,
        `Blynk refused this call with 403 (${reason.slice(0, -1)}). This is a permission answer, not an expired token: enable the Platform API scope of the OAuth client in Blynk.Console (Settings, Developers, OAuth2), check the user's role for user credentials, and that your plan includes the Platform API.`,
      );
    }
    assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 1 + 10);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1 });
    assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('denied') });
  });

  it('C11 stale 401 (sent with token 1 while token 2 is already cached): retried with token 2, 0 extra renewals', async () => {
    const { sim } = rig;
    sim.setTokenLifetime(300);
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    await rig.success('n1', { deviceId: 101 });
    const t1 = sim.tokens.issuedAccess[0];
    clock.tick(241_000); // in the renewal window: the next message renews in the background
    sim.faults.add({ match: { path: DEVICE_PATH }, action: { delayMs: 400 } });
    const outcome = rig.exchange('n1', { deviceId: 102 });
    // Token 2 arrives while the request with token 1 is held; then the server stops taking token 1.
    await waitFor(() => sim.tokens.issuedAccess.length === 2, 'the background renewal');
    await rig.settled();
    sim.tokens.revokeAccessToken(t1);
    const { caught } = await outcome;
    assert.equal(caught, undefined, caught?.error.message);
    const t2 = sim.tokens.issuedAccess[1];
    assert.deepEqual(
      apiRequestsOf(sim.log).map((e) => [bearerOf(e) === t1 ? 't1' : bearerOf(e) === t2 ? 't2' : '?', e.status]),
      [
        ['t1', 200],
        ['t1', 401],
        ['t2', 200],
      ],
    );
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
  });

  describe('C12 rejected credentials: red status, fail fast, at most one token request per 5 min cool-down whatever the message rate', () => {
    const cases = [
      [
        'wrong client secret (invalid_client)',
        'client_credentials',
        'TOKEN_INVALID_CLIENT',
        /^Blynk rejected the OAuth client \(Client ID is not found or password is wrong\)\. /,
      ],
      [
        'wrong password (user_credentials → invalid_grant)',
        'user_credentials',
        'TOKEN_INVALID_GRANT',
        /^Blynk rejected the sign-in \(User email or password is wrong\)\. /,
      ],
    ] as const;
    for (const [label, grantType, code, message] of cases) {
      it(`C12 ${label}: 20 min at 2 msg/s (2400 messages) → one token request per 300 s, ${code} then AUTH_COOLDOWN, red "auth failed", one warning`, async () => {
        const { sim } = rig;
        const creds: Record<string, string> =
          grantType === 'client_credentials'
            ? { clientId: sim.demo.clientId, clientSecret: 'wrong-secret-C12-Xy' }
            : { ...demoCredentials(sim), userEmail: sim.demo.userEmail, password: 'wrong-password-C12' };
        await rig.load(flow(sim.url, [getDevice()], { grantType }), { cfg: creds });
        const clock = rig.fakeClock();
        const t0 = Date.now();
        const first = await rig.failure('n1', { deviceId: 101 });
        assert.equal(first.error.code, code);
        assert.match(first.error.message, message);
        for (let s = 0; s < 1200; s += 10) {
          clock.tick(10_000);
          await burst(20); // 2 msg/s
        }
        const codes = new Set(rig.out.caught.map((c) => c.error.code));
        assert.deepEqual([...codes].sort(), [code, 'AUTH_COOLDOWN'].sort());
        assert.equal(rig.out.sent.length, 0);
        assert.equal(rig.out.caught.length, 2401);
        const at = tokenRequestsOf(sim.log).map((e) => (e.at - t0) / 1000);
        // t = 0, then once each time the 300 s cool-down has run out: 300, 600, 900, 1200.
        assert.deepEqual(at, [0, 300, 600, 900, 1200]);
        assert.deepEqual(apiRequestsOf(sim.log), []);
        assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('auth-failed') });
        const cooldown = rig.out.caught.find((c) => c.error.code === 'AUTH_COOLDOWN');
        assert.match(cooldown?.error.message ?? '', /^Sign-in is paused for \d+ s after a rejected attempt/);
        const warnings = rig.capture
          .entries(LOG.WARN, 'cfg')
          .map((e) => String(e.msg))
          .filter((w) => !w.includes('which sends the password'));
        assert.equal(warnings.length, 1, warnings.join('\n'));
      });
    }
  });

  it('C13 token endpoint down 10 min (connections reset): every message fails within seconds, 3 attempts per wave, nothing piles up (timers, sockets, heap); recovers by itself when the server is back', async function () {
    this.timeout(60_000);
    const down = await resettingServer();
    let back: Simulator | undefined;
    try {
      await rig.load(flow(`http://127.0.0.1:${down.port}`, [getDevice()]));
      const clock = rig.fakeClock();
      const resources = (): string => {
        const all = process.getActiveResourcesInfo();
        return ['TCPSocketWrap', 'Timeout'].map((kind) => `${kind}×${all.filter((r) => r === kind).length}`).join(',');
      };
      const baseline = resources();
      /** A wave: 20 messages at once, one simulated minute apart. */
      const wave = async (minute: number): Promise<void> => {
        const before = down.connections();
        const started = process.hrtime.bigint();
        await burst(20);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        assert.ok(ms < 5_000, `wave ${minute} took ${ms.toFixed(0)} ms`);
        assert.equal(down.connections() - before, 3, `wave ${minute}: ${down.connections() - before} connection attempts`);
        clock.tick(60_000);
      };
      for (let minute = 0; minute < 5; minute++) await wave(minute);
      assert.deepEqual(new Set(rig.out.caught.map((c) => c.error.code)), new Set(['NETWORK']));
      assert.match(rig.out.caught[0].error.message, /^Cannot reach 127\.0\.0\.1:\d+ \((ECONNRESET|ECONNREFUSED|EPIPE)\)/);
      assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('unreachable') });
      // The other 5 minutes only counted (the test keeps nothing), so that the heap is the package's.
      rig.quiet(undefined, true);
      rig.forget();
      const heapBefore = heapAfterGc();
      for (let minute = 5; minute < 10; minute++) {
        await wave(minute);
        rig.forget();
      }
      assert.equal(rig.out.caughtCount, 200);
      assert.equal(rig.out.sentCount, 0);
      // Nothing left waiting: no timer, socket or request beyond what was there before.
      await waitFor(() => resources() === baseline, `resources back to ${baseline} (now ${resources()})`, 3_000);
      const grown = (heapAfterGc() - heapBefore) / 1024;
      console.log(`      C13: heap ${grown >= 0 ? '+' : ''}${grown.toFixed(0)} KB over 100 failed messages`);
      assert.ok(grown < 1024, `heap grew ${grown.toFixed(0)} KB`);
      // The server comes back on the same address: the next message just works.
      rig.unquiet();
      await new Promise((resolve) => down.server.close(resolve));
      back = await startSimulator({ port: down.port });
      rig.secret(...back.demo.devices.map((d) => d.token));
      const outcome = await rig.exchange('n1', { deviceId: 101 });
      assert.ok(outcome.sent, outcome.caught?.error.message);
      assert.equal(back.tokens.requests, 1);
      rig.secret(...back.tokens.issuedAccess, ...back.tokens.issuedRefresh);
    } finally {
      if (down.server.listening) await new Promise((resolve) => down.server.close(resolve));
      await back?.close();
    }
  });

  it('C14 token endpoint answers after 25 s: aborted at the 10 s timeout, all 20 waiting messages get TIMEOUT together, the next message retries afresh', async function () {
    this.timeout(40_000);
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()]));
    sim.faults.add({ match: { path: TOKEN_PATH }, action: { delayMs: 25_000 } });
    const started = Date.now();
    await burst(20);
    const took = Date.now() - started;
    assert.ok(took >= 9_900 && took < 12_000, `failed after ${took} ms`);
    assert.deepEqual(
      rig.out.caught.map((c) => c.error.code),
      Array(20).fill('TIMEOUT'),
    );
    assert.match(rig.out.caught[0].error.message, /^Blynk did not answer within 10000 ms/);
    assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('timeout') });
    assert.equal(sim.tokens.requests, 1);
    await rig.success('n1', { deviceId: 101 });
    assert.equal(sim.tokens.requests, 2);
  });

  it('C15 wall clock jumps of +1 h, -1 h, +2 h: no renewal burst and no expired token sent (expiry is on the monotonic clock)', async () => {
    const { sim } = rig;
    const minted = await mint(sim);
    sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 200, body: { ...minted, token_type: 'Bearer', expires_in: 300 } } });
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    const start = Date.now();
    const base = sim.tokens.requests;
    await rig.success('n1', { deviceId: 101 });
    for (const jump of [3_600_000, -3_600_000, 7_200_000]) {
      clock.setSystemTime(start + jump); // the wall clock only; performance.now does not move
      for (let i = 0; i < 3; i++) await rig.success('n1', { deviceId: 101 });
    }
    assert.equal(sim.tokens.requests - base, 1, 'a wall-clock jump caused a renewal');
    clock.setSystemTime(start);
    clock.tick(239_999);
    await rig.success('n1', { deviceId: 101 });
    await rig.settled();
    assert.equal(sim.tokens.requests - base, 1);
    clock.tick(1); // 240 s on the monotonic clock: renewal
    await rig.success('n1', { deviceId: 101 });
    await rig.settled();
    assert.deepEqual(refreshSent(sim.log), [minted.refresh_token]);
    assert.deepEqual(
      apiRequestsOf(sim.log).filter((e) => e.status !== 200),
      [],
    );
  });

  it('C16 the server rejects the token at 280 s (its clock 20 s ahead): recovered through the C8 path, one renewal, one retry', async () => {
    const { sim } = rig;
    sim.setTokenLifetime(300);
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    await rig.success('n1', { deviceId: 101 });
    clock.setSystemTime(Date.now() + 20_000); // the server's clock (Date) runs 20 s ahead
    clock.tick(280_000); // ours says 280 s: usable; the server's says 300 s: expired
    await rig.success('n1', { deviceId: 101 });
    const [t1, t2] = sim.tokens.issuedAccess;
    assert.deepEqual(
      apiRequestsOf(sim.log).map((e) => [bearerOf(e) === t1 ? 't1' : bearerOf(e) === t2 ? 't2' : '?', e.status]),
      [
        ['t1', 200],
        ['t1', 401],
        ['t2', 200],
      ],
    );
    // Its refresh token expired with it on the server: one refresh refused, one primary grant.
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => [grantOf(e), e.status]),
      [
        ['client_credentials', 200],
        ['refresh_token', 400],
        ['client_credentials', 200],
      ],
    );
  });

  describe('C17 TLS certificate verification', () => {
    let certs: Partial<ReturnType<typeof badCertificates> & object> = {};

    before(function () {
      const made = badCertificates();
      // No openssl: Node cannot make an X.509 certificate by itself.
      if (!made) this.skip();
      certs = made ?? {};
    });

    for (const [kind, reason] of [
      ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      ['expired', 'CERT_HAS_EXPIRED'],
    ] as const) {
      it(`C17 ${kind === 'selfSigned' ? 'a self-signed' : 'an expired'} certificate on the token endpoint: TLS error at the Catch node, nothing reaches the server, even with NODE_TLS_REJECT_UNAUTHORIZED=0`, async () => {
        const pair = certs[kind];
        assert.ok(pair);
        let handled = 0;
        const server = https.createServer(pair, (_req, res) => {
          handled++;
          res.end('{}');
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as net.AddressInfo;
        const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        try {
          await rig.load(flow(`https://127.0.0.1:${port}`, [getDevice()]));
          const caught = await rig.failure('n1', { deviceId: 101 });
          assert.equal(caught.error.code, 'TLS');
          assert.equal(
            caught.error.message.startsWith(`The secure connection to 127.0.0.1:${port} failed (${reason})`),
            true,
            caught.error.message,
          );
          assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('unreachable') });
          // The process-wide switch that turns verification off for Node's defaults does not reach us.
          process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
          const again = await rig.failure('n1', { deviceId: 101 });
          assert.equal(again.error.code, 'TLS');
          assert.equal(handled, 0);
        } finally {
          if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
          else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      });
    }
  });
});
