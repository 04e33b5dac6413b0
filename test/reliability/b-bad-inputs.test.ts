// Group B (reliability.md §5): bad inputs, through the flow nodes in a real Node-RED runtime.
// Bad token answers come from the simulator's fault injection over real sockets; what the user
// reads is Node-RED's English rendering of the error (msg.error.message at a Catch node).
import assert from 'node:assert/strict';
import net from 'node:net';
import { LOG } from '../support/capture';
import { demoCredentials } from '../support/harness';
import {
  apiRequestsOf,
  bearerOf,
  Caught,
  flow,
  getDevice,
  grantOf,
  mint,
  refreshSent,
  STATUS,
  statusesOf,
  TOKEN_PATH,
  tokenRequestsOf,
  useRig,
} from '../support/rig';

const RED_NOT_CONFIGURED = { fill: 'red', shape: 'ring', text: STATUS('not-configured') };

/** The part of a message between the first "(" and the ")" before the next sentence. */
function detailOf(caught: Caught): string {
  const m = /\((.*)\)\. /s.exec(caught.error.message);
  assert.ok(m, `no detail in "${caught.error.message}"`);
  return m[1];
}

describe('reliability B: bad inputs (flow level)', function () {
  const rig = useRig();

  /** Serves `body` as the 200 answer of the next token request. */
  const serveToken = (body: unknown, headers?: Record<string, string>): void =>
    rig.sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 200, body, ...(headers ? { headers } : {}) } });

  /** No request ever went out with an empty or made-up access token. */
  function assertNoBogusBearer(): void {
    for (const e of rig.sim.log) {
      assert.doesNotMatch(e.headers.authorization ?? '', /^Bearer\s*(undefined|null|\[object Object\]|\d*)?\s*$/);
    }
  }

  describe('B1 odd expires_in values are clamped to [30 s, 24 h]', () => {
    // [label, value in the answer, seconds after sending at which the renewal starts]
    const cases: Array<[string, unknown, number]> = [
      ['absent', undefined, 240], // Blynk's shortest known lifetime, 300 s, less 60 s
      ['"300"', '300', 240],
      ['0', 0, 24], // 30 s floor, less 20 %
      ['-5', -5, 24],
      ['"NaN"', 'NaN', 240],
      ['1e12', 1e12, 86_340], // 24 h ceiling, less 60 s
    ];
    for (const [label, value, renewAtS] of cases) {
      it(`B1 expires_in ${label} → renewal ${renewAtS} s after the request, not 1 ms earlier`, async () => {
        const { sim } = rig;
        const minted = await mint(sim);
        const body: Record<string, unknown> = {
          access_token: minted.access_token,
          token_type: 'Bearer',
          refresh_token: minted.refresh_token,
        };
        if (value !== undefined) body.expires_in = value;
        serveToken(body);
        await rig.load(flow(sim.url, [getDevice()]));
        const clock = rig.fakeClock();
        const base = sim.tokens.requests;
        await rig.success('n1', { deviceId: 101 });
        assert.equal(sim.tokens.requests, base + 1);
        clock.tick(Math.round(renewAtS * 1000) - 1);
        await rig.success('n1', { deviceId: 101 });
        await rig.settled();
        assert.equal(sim.tokens.requests, base + 1, 'renewed too early');
        clock.tick(1);
        await rig.success('n1', { deviceId: 101 });
        await rig.settled();
        assert.equal(sim.tokens.requests, base + 2, 'not renewed');
        assert.deepEqual(refreshSent(sim.log), [minted.refresh_token]);
        assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), [minted.access_token, minted.access_token, minted.access_token]);
      });
    }

    it('B1 expires_in 0 on every answer, one message a second for 2 min: one token request per 24 s (renewal every 24 s with the 20 % margin), never more than one per 30 s', async () => {
      const { sim } = rig;
      const minted = await mint(sim);
      const base = sim.tokens.requests;
      // No refresh token in the answer, so every renewal is a primary grant and nothing is replayed.
      sim.faults.add({
        match: { path: TOKEN_PATH },
        times: Infinity,
        action: { status: 200, body: { access_token: minted.access_token, token_type: 'Bearer', expires_in: 0 } },
      });
      await rig.load(flow(sim.url, [getDevice()]));
      const clock = rig.fakeClock();
      const t0 = Date.now();
      for (let s = 0; s < 120; s++) {
        await rig.success('n1', { deviceId: 101 });
        await rig.settled();
        clock.tick(1000);
      }
      const at = tokenRequestsOf(sim.log)
        .slice(1)
        .map((e) => (e.at - t0) / 1000);
      assert.deepEqual(at, [0, 24, 48, 72, 96]);
      assert.equal(sim.tokens.requests - base, 5);
    });
  });

  describe('B2 token_type', () => {
    for (const tokenType of ['bearer', 'BEARER']) {
      it(`B2 token_type "${tokenType}" is accepted (case-insensitive, RFC 6749 §5.1)`, async () => {
        const { sim } = rig;
        const minted = await mint(sim);
        serveToken({ access_token: minted.access_token, token_type: tokenType, expires_in: 300 });
        await rig.load(flow(sim.url, [getDevice()]));
        await rig.success('n1', { deviceId: 101 });
        assert.equal(bearerOf(apiRequestsOf(sim.log)[0]), minted.access_token);
      });
    }

    for (const [label, tokenType, detail] of [
      ['mac', 'mac', 'token_type mac'],
      ['missing', undefined, 'token_type missing'],
    ] as const) {
      it(`B2 token_type ${label} is refused: TOKEN_BAD_RESPONSE at the Catch node, no API call`, async () => {
        const { sim } = rig;
        const minted = await mint(sim);
        serveToken({ access_token: minted.access_token, ...(tokenType === undefined ? {} : { token_type: tokenType }), expires_in: 300 });
        await rig.load(flow(sim.url, [getDevice()]));
        const caught = await rig.failure('n1', { deviceId: 101 });
        assert.equal(caught.error.code, 'TOKEN_BAD_RESPONSE');
        assert.equal(detailOf(caught), detail);
        assert.deepEqual(apiRequestsOf(sim.log), []);
      });
    }
  });

  describe('B3 access_token missing, empty or not a string', () => {
    for (const [label, value] of [
      ['missing', undefined],
      ['empty', ''],
      ['a number', 12345],
      ['an object', { token: 'x' }],
    ] as const) {
      it(`B3 access_token ${label}: "could not be used (access_token missing)", no API call, "undefined" never sent as a token`, async () => {
        const { sim } = rig;
        const body: Record<string, unknown> = { token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-never-to-be-used' };
        if (value !== undefined) body.access_token = value;
        rig.secret('rt-never-to-be-used');
        serveToken(body);
        await rig.load(flow(sim.url, [getDevice()]));
        const caught = await rig.failure('n1', { deviceId: 101 });
        assert.equal(caught.error.code, 'TOKEN_BAD_RESPONSE');
        assert.match(caught.error.message, /^Blynk's token answer could not be used \(access_token missing\)\./);
        assert.deepEqual(apiRequestsOf(sim.log), []);
        // The next message gets a fresh primary grant: the bad answer's refresh token is not trusted.
        await rig.success('n1', { deviceId: 101 });
        assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2 });
        assertNoBogusBearer();
      });
    }
  });

  describe('B4 a 200 token answer that is not JSON', () => {
    const html = `<!DOCTYPE html><html><head><title>Gateway</title></head><body>${'<p>maintenance</p>'.repeat(300)}</body></html>`;
    for (const [label, body, type, detail] of [
      ['an HTML page', html, 'text/html', `not JSON: ${html.slice(0, 200)}…`],
      ['plain text', 'OK', 'text/plain', 'not JSON: OK'],
      ['truncated JSON', '{"access_token":"abc', 'application/json', 'not JSON: {"access_token":"abc'],
    ] as const) {
      it(`B4 ${label}: TOKEN_BAD_RESPONSE showing at most 200 characters of it, no crash, no API call`, async () => {
        const { sim } = rig;
        serveToken(body, { 'Content-Type': type });
        await rig.load(flow(sim.url, [getDevice()]));
        const caught = await rig.failure('n1', { deviceId: 101 });
        assert.equal(caught.error.code, 'TOKEN_BAD_RESPONSE');
        assert.equal(detailOf(caught), detail);
        assert.ok(detailOf(caught).length <= 'not JSON: '.length + 201);
        assert.deepEqual(apiRequestsOf(sim.log), []);
        // The runtime is fine: the next message works.
        await rig.success('n1', { deviceId: 101 });
      });
    }
  });

  describe('B5 token error bodies that are not RFC 6749 shaped', () => {
    const long = 'y'.repeat(10_240);
    for (const [label, status, body, detail] of [
      ['{message}', 502, { message: 'Quota exceeded' }, 'HTTP 502: Quota exceeded'],
      ['empty', 500, '', 'HTTP 500'],
      ['text', 502, 'Bad gateway', 'HTTP 502: Bad gateway'],
      ['10 KB of text', 500, long, `HTTP 500: ${'y'.repeat(200)}…`],
      ['control characters', 500, 'line1\r\nline2\u0007\u001b[31mred', 'HTTP 500: line1 line2 [31mred'],
    ] as const) {
      it(`B5 ${label} (${status}): generic TOKEN_REJECTED showing the status, sanitised, at most 200 characters of the body`, async () => {
        const { sim } = rig;
        // 5xx on the primary grant is retried (3 attempts): the same body every time.
        sim.faults.add({ match: { path: TOKEN_PATH }, times: 3, action: { status, body } });
        await rig.load(flow(sim.url, [getDevice()]));
        const caught = await rig.failure('n1', { deviceId: 101 });
        assert.equal(caught.error.code, 'TOKEN_REJECTED');
        assert.equal(detailOf(caught), detail);
        // eslint-disable-next-line no-control-regex -- control characters are what must not be there
        assert.doesNotMatch(caught.error.message, /[\u0000-\u001f\u007f]/);
        assert.equal(sim.tokens.requests, 3);
        assert.deepEqual(apiRequestsOf(sim.log), []);
      });
    }

    it('B5 a 400 {message} on the primary grant: TOKEN_REJECTED with "HTTP 400", then the cool-down (fatal)', async () => {
      const { sim } = rig;
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 400, body: { message: 'nope' } } });
      await rig.load(flow(sim.url, [getDevice()]));
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.equal(caught.error.code, 'TOKEN_REJECTED');
      assert.equal(detailOf(caught), 'HTTP 400: nope');
      assert.equal((await rig.failure('n1', { deviceId: 101 })).error.code, 'AUTH_COOLDOWN');
      assert.equal(sim.tokens.requests, 1);
    });
  });

  it('B6 a client secret with ": % + space é": Basic auth form-encodes id and secret before base64 (RFC 6749 §2.3.1); accepted', async () => {
    const { sim } = rig;
    const clientId = 'odd:client id';
    const clientSecret = 'p: a%b+c é-Zq9';
    sim.addOAuthClient(clientId, clientSecret);
    await rig.load(flow(sim.url, [getDevice()]), { cfg: { clientId, clientSecret } });
    await rig.success('n1', { deviceId: 101 });
    const [token] = tokenRequestsOf(sim.log);
    // Written out by hand: ":" → %3A, " " → +, "%" → %25, "+" → %2B, "é" → %C3%A9.
    const expected = `Basic ${Buffer.from('odd%3Aclient+id:p%3A+a%25b%2Bc+%C3%A9-Zq9', 'utf8').toString('base64')}`;
    assert.equal(token.headers.authorization, expected);
    assert.equal(token.status, 200);
    rig.secret(expected.slice('Basic '.length));
  });

  describe('B7 empty credentials: red "not configured", zero network calls', () => {
    const cases: Array<[string, 'client_credentials' | 'user_credentials', Record<string, string>, string]> = [
      ['no client id or secret', 'client_credentials', {}, 'NO_OAUTH_CLIENT'],
      ['client id without secret', 'client_credentials', { clientId: 'only-the-id' }, 'NO_OAUTH_CLIENT'],
      ['secret without client id', 'client_credentials', { clientSecret: 'only-the-secret' }, 'NO_OAUTH_CLIENT'],
      ['user_credentials without e-mail', 'user_credentials', { userEmail: '', password: 'pw-without-email' }, 'NO_USER_CREDENTIALS'],
      ['user_credentials without password', 'user_credentials', { userEmail: 'demo@example.com', password: '' }, 'NO_USER_CREDENTIALS'],
    ];
    for (const [label, grantType, creds, code] of cases) {
      // user_credentials has a token manager, whose failure warns once (F8); without a client id
      // and secret there is none, and nothing to warn about beyond the node's own failures.
      const stateWarnings = grantType === 'user_credentials' ? 1 : 0;
      it(`B7 ${label}: ${code} for each of 20 messages, red "not configured", not one request, ${stateWarnings === 1 ? 'one warning' : 'no warning'}`, async () => {
        const { sim } = rig;
        const full = grantType === 'user_credentials' ? { ...demoCredentials(sim), ...creds } : creds;
        await rig.load(flow(sim.url, [getDevice()], { grantType }), { cfg: full });
        for (let i = 0; i < 20; i++) assert.equal((await rig.failure('n1', { deviceId: 101 })).error.code, code); // one after the other
        assert.deepEqual(statusesOf('n1').at(-1), RED_NOT_CONFIGURED);
        assert.deepEqual(sim.log, []);
        // One warning about it at most (F8).
        const warnings = rig.capture.entries(LOG.WARN, 'cfg').map((e) => String(e.msg));
        assert.equal(warnings.length, stateWarnings, `warnings:\n${warnings.join('\n')}`);
      });
    }
  });

  describe('B8 server URLs', () => {
    it('B8 a plain http:// URL off loopback is refused: INVALID_SERVER, red "not configured", nothing sent', async () => {
      const { sim } = rig;
      await rig.load(flow('http://blynk.cloud', [getDevice()]));
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.equal(caught.error.code, 'INVALID_SERVER');
      assert.match(caught.error.message, /^"http:\/\/blynk\.cloud" is not a usable server URL/);
      assert.deepEqual(statusesOf('n1').at(-1), RED_NOT_CONFIGURED);
      assert.deepEqual(sim.log, []);
    });

    it('B8 a trailing slash is normalised: requests go to /oauth2/token and /api/…, not //', async () => {
      const { sim } = rig;
      await rig.load(flow(`${sim.url}/`, [getDevice()]));
      await rig.success('n1', { deviceId: 101 });
      assert.deepEqual(
        sim.log.map((e) => e.path),
        [TOKEN_PATH, '/api/v1/organization/device'],
      );
    });

    it('B8 an unknown host (ENOTFOUND): NETWORK "Cannot reach …", red "unreachable", within seconds', async () => {
      const { sim } = rig;
      await rig.load(flow('https://blynk-sim.invalid', [getDevice()]));
      const started = Date.now();
      const caught = await rig.failure('n1', { deviceId: 101 }, 40_000);
      assert.equal(caught.error.code, 'NETWORK');
      assert.match(caught.error.message, /^Cannot reach blynk-sim\.invalid \((ENOTFOUND|EAI_AGAIN)\)/);
      assert.deepEqual(statusesOf('n1').at(-1), { fill: 'red', shape: 'ring', text: STATUS('unreachable') });
      assert.ok(Date.now() - started < 35_000);
      assert.deepEqual(sim.log, []);
    });

    it('B8 a server that resets every connection: 20 messages at once make 3 connection attempts in all (one shared token request, 3 tries), no retry storm', async () => {
      let connections = 0;
      const server = net.createServer((socket) => {
        connections++;
        socket.resetAndDestroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      try {
        await rig.load(flow(`http://127.0.0.1:${port}`, [getDevice()]));
        for (let i = 0; i < 20; i++) rig.send('n1', { deviceId: 101 });
        await rig.ended(20);
        assert.deepEqual(
          rig.out.caught.map((c) => c.error.code),
          Array(20).fill('NETWORK'),
        );
        assert.equal(connections, 3, `${connections} connections`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('an input left unset is named as the node reads it ("msg.deviceId is not set"), before any request', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice(), { id: 'n2', type: 'blynk-cloud-device-update', pin: 'topic', pinType: 'msg' }]), {
      cfg: demoCredentials(sim),
      n2: { token: sim.demo.devices[0].token },
    });
    const unset = await rig.failure('n1', { payload: 'no device id here' });
    assert.equal(unset.error.code, 'INPUT_NOT_SET');
    assert.equal(
      unset.error.message,
      'msg.deviceId is not set: set it before this node (for example in an inject or change node), or type a fixed value in the node.',
    );
    const noPin = await rig.failure('n2', { payload: 1, topic: '' });
    assert.equal(
      noPin.error.message,
      'msg.topic is not set: set it before this node (for example in an inject or change node), or type a fixed value in the node.',
    );
    // A value that is set but wrong still says what is wrong with it.
    assert.equal((await rig.failure('n1', { deviceId: 'abc' })).error.code, 'INVALID_DEVICE_ID');
    assert.deepEqual(sim.log, []);
  });

  it('a documented Platform call whose query or body differs from the docs is refused naming the field, before any request', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [{ id: 'n1', type: 'blynk-cloud-api' }]), { cfg: demoCredentials(sim) });
    const english = (route: string, detail: string): string =>
      `Not sent: the request does not match Blynk's documentation of ${route} (${detail}). Fill in the query and the body as the preset shows them.`;
    const write = { method: 'POST', path: '/api/v1/organization/device/datastream' };
    const missing = await rig.failure('n1', { ...write, payload: { deviceId: 101, value: 1 } });
    assert.deepEqual(
      [missing.error.code, missing.error.message],
      ['NOT_AS_DOCUMENTED', english('POST /api/v1/organization/device/datastream', 'body.dataStreamId is required')],
    );
    const wrongBody = await rig.failure('n1', { ...write, payload: { deviceId: 'greenhouse', dataStreamId: 2, value: 1 } });
    assert.equal(wrongBody.error.message, english('POST /api/v1/organization/device/datastream', 'body.deviceId must be integer'));
    const wrongQuery = await rig.failure('n1', { path: '/api/v1/organization/devices', params: { page: 'first', size: 5000 } });
    assert.equal(
      wrongQuery.error.message,
      english('GET /api/v1/organization/devices', 'query.page must be integer; query.size must be <= 1000'),
    );
    assert.deepEqual(sim.log, []);
  });

  it('B9 unknown fields in the token answer are ignored', async () => {
    const { sim } = rig;
    const minted = await mint(sim);
    serveToken({
      ...minted,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'devices:read',
      id_token: 'not-a-jwt',
      nested: { deep: [1, 2, { x: null }] },
      'weird key': true,
    });
    await rig.load(flow(sim.url, [getDevice()]));
    await rig.success('n1', { deviceId: 101 });
    assert.equal(bearerOf(apiRequestsOf(sim.log)[0]), minted.access_token);
  });

  it('B10 a refresh answer without refresh_token: the spent one is dropped (never sent again), the next renewal is client_credentials', async () => {
    const { sim } = rig;
    const minted = await mint(sim); // served below as the refresh answer; valid for 24 h
    sim.setTokenLifetime(300);
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    await rig.success('n1', { deviceId: 101 });
    const firstRefreshToken = sim.tokens.issuedRefresh[1];
    sim.faults.add({
      match: { grantType: 'refresh_token' },
      action: { status: 200, body: { access_token: minted.access_token, token_type: 'Bearer', expires_in: 300 } },
    });
    clock.tick(240_000);
    await rig.success('n1', { deviceId: 101 }); // starts the background refresh
    await rig.settled();
    await rig.success('n1', { deviceId: 101 }); // with the refreshed token
    clock.tick(240_000);
    await rig.success('n1', { deviceId: 101 });
    await rig.settled();
    const grants = tokenRequestsOf(sim.log).slice(1); // the first one is mint()'s
    assert.deepEqual(grants.map(grantOf), ['client_credentials', 'refresh_token', 'client_credentials']);
    assert.equal(grants[1].query.refresh_token, firstRefreshToken);
    assert.equal(grants[2].query.refresh_token, undefined);
    assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), [
      sim.tokens.issuedAccess[1],
      sim.tokens.issuedAccess[1],
      minted.access_token,
      minted.access_token,
    ]);
  });

  it('an absent value is shown as "undefined" inside a localised message, not as an English word', async () => {
    const { sim } = rig;
    // A JSONata result names no property of its own, so the value itself is shown.
    await rig.load(flow(sim.url, [getDevice('n1', { deviceId: 'payload.missing', deviceIdType: 'jsonata' })]));
    const caught = await rig.failure('n1', { payload: 'no deviceId' });
    assert.equal(caught.error.code, 'INVALID_DEVICE_ID');
    assert.match(caught.error.message, /^Device id undefined is not valid/);
  });
});
