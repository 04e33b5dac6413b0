// The transport: region redirects (Authorization kept, only to Blynk or loopback), plain http only
// on loopback, verified TLS (C17), keep-alive, response cap, and close() ending everything.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { BlynkClient, BlynkError, deviceUpdate, getDevice, organizationProfile, Transport } from '../../dist/blynk';
import { badCertificates } from '../support/certificates';
import { startSimulator, type Simulator } from '../../dist/simulator';
import {
  apiRequestsOf,
  assertSafeError,
  bearerOf,
  delay,
  demoBasic,
  demoCredentials,
  DEVICE_PATH,
  failure,
  FAST_RETRY,
  itD4,
  mint,
  PROFILE_PATH,
  secretsOf,
  TOKEN_PATH,
  useSimulator,
  waitFor,
} from './helpers';

describe('client: transport', () => {
  const env = useSimulator();

  describe('region redirect (308) to a second simulator', () => {
    let region: Simulator;
    before(async () => {
      region = await startSimulator();
    });
    afterEach(() => region.reset());
    after(() => region.close());

    it('follows the redirect with the Authorization header, remembers the new host, calls onRegionMoved once', async () => {
      const { sim } = env;
      const moved: string[] = [];
      const client = env.client({ onRegionMoved: (server) => moved.push(server) });
      sim.faults.add({ match: {}, times: Infinity, action: { redirect: region.url } });
      for (let i = 0; i < 3; i++) assert.equal((await client.call(organizationProfile())).status, 200);
      assert.deepEqual(moved, [region.url]);
      assert.equal(client.transport.server, region.url);
      // The home server saw only the first request; everything after went straight to the region.
      assert.deepEqual(
        sim.log.map((e) => [e.path, e.status]),
        [[TOKEN_PATH, 308]],
      );
      const [token, ...calls] = region.log;
      assert.deepEqual([token.path, token.status, token.query], [TOKEN_PATH, 200, { grant_type: 'client_credentials' }]);
      assert.equal(token.headers.authorization, demoBasic(region));
      assert.deepEqual(
        calls.map((e) => [e.path, e.status, bearerOf(e)]),
        [1, 2, 3].map(() => [PROFILE_PATH, 200, region.tokens.issuedAccess[0]]),
      );
    });

    it('an API call redirected mid-session carries its Bearer token to the region and stays there', async () => {
      const { sim } = env;
      const regional = await mint(region);
      const baseRegion = region.log.length;
      // The home server hands out the region's token (as if the account had just moved).
      sim.faults.add({
        match: { path: TOKEN_PATH },
        action: { status: 200, body: { access_token: regional.access_token, token_type: 'Bearer', expires_in: 86400 } },
      });
      sim.faults.add({ match: { path: DEVICE_PATH }, action: { redirect: region.url } });
      const moved: string[] = [];
      const client = env.client({ onRegionMoved: (server) => moved.push(server) });
      assert.equal((await client.call(getDevice(101))).status, 200);
      assert.equal((await client.call(getDevice(102))).status, 200);
      const arrived = region.log.slice(baseRegion);
      assert.deepEqual(
        arrived.map((e) => [e.path, e.status, e.headers.authorization, e.query.deviceId]),
        [
          [DEVICE_PATH, 200, `Bearer ${regional.access_token}`, '101'],
          [DEVICE_PATH, 200, `Bearer ${regional.access_token}`, '102'],
        ],
      );
      assert.deepEqual(
        apiRequestsOf(sim.log).map((e) => e.status),
        [308],
      );
      assert.deepEqual(moved, [region.url]);
    });

    it('concurrent calls redirected together report the move once', async () => {
      const { sim } = env;
      const moved: string[] = [];
      const client = env.client({ onRegionMoved: (server) => moved.push(server) });
      const device = sim.demo.devices[0];
      sim.faults.add({ match: { path: '/external/api/update' }, times: Infinity, action: { redirect: region.url } });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.call(deviceUpdate(device.token, 'V5', i))));
      assert.deepEqual(
        results.map((r) => r.status),
        Array(10).fill(200),
      );
      assert.deepEqual(moved, [region.url]);
      assert.equal(region.log.length, 10);
    });
  });

  describe('redirects that must not be followed', () => {
    for (const target of [
      'https://evil.example.com',
      'http://example.com',
      'https://blynk.cloud.evil.com',
      'https://evilblynk.cloud',
      'http://fra1.blynk.cloud',
      'https://127.0.0.1:1',
    ]) {
      it(`a redirect to ${target} is refused: REDIRECT_REFUSED, location shown as an origin only, nothing sent there`, async () => {
        const { sim } = env;
        const moved: string[] = [];
        const client = env.client({ onRegionMoved: (server) => moved.push(server) });
        await client.call(organizationProfile());
        sim.faults.add({ match: { path: DEVICE_PATH }, action: { redirect: target } });
        const started = Date.now();
        const err = await failure(() => client.call(getDevice(101)));
        assert.ok(Date.now() - started < 1500);
        assertSafeError(err, secretsOf(sim));
        assert.deepEqual([err.code, err.status, err.details.location], ['REDIRECT_REFUSED', 308, new URL(target).origin]);
        assert.deepEqual(moved, []);
        assert.equal(client.transport.server, sim.url);
        assert.equal(apiRequestsOf(sim.log).length, 2);
      });
    }

    it('an unreadable Location never echoes the request (device token in its query) into the error', async () => {
      const { sim } = env;
      const client = env.client();
      const device = sim.demo.devices[0];
      sim.faults.add({ match: { path: '/external/api/update' }, action: { redirect: 'http://[::1' } });
      const err = await failure(() => client.call(deviceUpdate(device.token, 'V1', 3)));
      assert.equal(err.code, 'REDIRECT_REFUSED');
      assertSafeError(err, secretsOf(sim));
      assert.equal(err.details.location, 'an unreadable address');
    });

    it('a redirect to itself is followed at most twice, then REDIRECT_REFUSED', async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      sim.faults.add({ match: { path: DEVICE_PATH }, times: Infinity, action: { redirect: sim.url } });
      const err = await failure(() => client.call(getDevice(101)));
      assert.equal(err.code, 'REDIRECT_REFUSED');
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 3);
    });

    it('a refused redirect of the token request fails the call, with no API call', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { redirect: 'https://evil.example.com' } });
      const err = await failure(() => client.call(organizationProfile()));
      assert.deepEqual([err.code, err.details.location], ['REDIRECT_REFUSED', 'https://evil.example.com']);
      assert.deepEqual(apiRequestsOf(sim.log), []);
      // Not a credential problem: the next call tries again.
      assert.equal((await client.call(organizationProfile())).status, 200);
    });
  });

  describe('server URL', () => {
    for (const server of [
      'http://blynk.cloud',
      'http://192.168.1.10:8080',
      'http://fra1.blynk.cloud',
      'ftp://blynk.cloud',
      'https://user:pass@blynk.cloud',
      'not a url',
      'http://127.0.0.1.evil.com',
    ]) {
      it(`B8 "${server}" is refused before anything is sent: INVALID_SERVER`, () => {
        let thrown: unknown;
        try {
          new BlynkClient({ server, credentials: demoCredentials(env.sim) }).close();
        } catch (err) {
          thrown = err;
        }
        assert.ok(thrown instanceof BlynkError);
        assert.equal(thrown.code, 'INVALID_SERVER');
        assertSafeError(thrown, ['pass@blynk']);
      });
    }

    for (const [server, origin] of [
      ['http://127.0.0.1:1', 'http://127.0.0.1:1'],
      ['http://localhost:1/', 'http://localhost:1'],
      ['http://[::1]:1', 'http://[::1]:1'],
      ['https://fra1.blynk.cloud/', 'https://fra1.blynk.cloud'],
      ['', 'https://blynk.cloud'],
      [undefined, 'https://blynk.cloud'],
    ] as const) {
      it(`B8 "${server}" is accepted as ${origin}`, () => {
        const client = new BlynkClient({ server });
        assert.equal(client.transport.server, origin);
        client.close();
      });
    }

    it('B8 nothing listening (ECONNREFUSED): NETWORK with the reason and host, within a second', async () => {
      const { sim } = env;
      const client = env.track(new BlynkClient({ server: 'http://127.0.0.1:1', credentials: demoCredentials(sim), retry: FAST_RETRY }));
      const started = Date.now();
      const err = await failure(() => client.call(organizationProfile()));
      assert.ok(Date.now() - started < 3000);
      assert.deepEqual([err.code, err.details.detail, err.details.host], ['NETWORK', 'ECONNREFUSED', '127.0.0.1:1']);
    });
  });

  describe('C17 TLS', () => {
    let certs: Partial<ReturnType<typeof badCertificates> & object> = {};

    before(function () {
      const made = badCertificates();
      // No openssl: Node cannot make an X.509 certificate by itself.
      if (!made) this.skip();
      certs = made ?? {};
    });

    for (const [kind, detail] of [
      ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      ['expired', 'CERT_HAS_EXPIRED'],
    ] as const) {
      it(`C17 a ${kind === 'selfSigned' ? 'self-signed' : 'expired'} certificate on the token endpoint: TLS error, no retry, nothing reaches the handler`, async () => {
        const pair = certs[kind];
        assert.ok(pair);
        let handled = 0;
        let connections = 0;
        const server = https.createServer(pair, (_req, res) => {
          handled++;
          res.end('{}');
        });
        server.on('connection', () => connections++);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        try {
          const client = env.track(
            new BlynkClient({ server: `https://127.0.0.1:${port}`, credentials: demoCredentials(env.sim), retry: FAST_RETRY }),
          );
          const err = await failure(() => client.call(organizationProfile()));
          assertSafeError(err, secretsOf(env.sim));
          assert.deepEqual([err.code, err.details.detail, err.details.host], ['TLS', detail, `127.0.0.1:${port}`]);
          assert.equal(handled, 0);
          assert.equal(connections, 1);
          const device = await failure(() => client.call(deviceUpdate(env.sim.demo.devices[0].token, 'V1', 1)));
          assert.equal(device.code, 'TLS');
          assert.equal(handled, 0);
          client.close();
        } finally {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      });
    }
  });

  describe('connections', () => {
    it('keeps one connection alive across sequential calls', async () => {
      let connections = 0;
      const server = http.createServer((_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end('{"ok":true}');
      });
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const transport = new Transport(`http://127.0.0.1:${port}`);
      try {
        for (let i = 0; i < 5; i++) {
          const res = await transport.request({
            method: 'GET',
            path: '/x',
            query: [
              ['a', 'b c'],
              ['a', '&='],
            ],
            timeoutMs: 1000,
          });
          assert.deepEqual(res, { status: 200, data: { ok: true } });
        }
        assert.equal(connections, 1);
      } finally {
        transport.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('sends each body as given: an object as JSON, text and bytes as they are, the same bytes again after a redirect', async () => {
      const seen: Array<{ at: string; type: string | undefined; length: string | undefined; body: string }> = [];
      let region = '';
      // The first server sends /moved on to the second (a region redirect keeps the path).
      const serve = (name: string) =>
        http.createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            const body = Buffer.concat(chunks).toString('latin1');
            seen.push({ at: `${name}${req.url ?? ''}`, type: req.headers['content-type'], length: req.headers['content-length'], body });
            if (name === 'first' && req.url === '/moved') res.writeHead(307, { Location: `${region}/moved` });
            res.end();
          });
        });
      const servers = [serve('first'), serve('second')];
      for (const server of servers) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const [first, second] = servers.map((server) => (server.address() as AddressInfo).port);
      region = `http://127.0.0.1:${second}`;
      const transport = new Transport(`http://127.0.0.1:${first}`);
      const send = (path: string, body: unknown, headers?: Record<string, string>) =>
        transport.request({ method: 'POST', path, body, headers, timeoutMs: 1000 });
      try {
        await send('/object', { deviceId: 1, value: 'ä' });
        await send('/array', [[1, 2.5]]);
        await send('/own-type', { a: 1 }, { 'Content-Type': 'application/json; charset=utf-8' });
        await send('/text', 'grant_type=client_credentials', { 'Content-Type': 'application/x-www-form-urlencoded' });
        await send('/bytes', Buffer.from([0, 255, 10]), { 'Content-Type': 'application/octet-stream' });
        await send('/none', undefined);
        await send('/moved', { n: 1 });
        const utf8 = Buffer.from('{"deviceId":1,"value":"ä"}');
        assert.deepEqual(seen, [
          { at: 'first/object', type: 'application/json', length: String(utf8.length), body: utf8.toString('latin1') },
          { at: 'first/array', type: 'application/json', length: '9', body: '[[1,2.5]]' },
          { at: 'first/own-type', type: 'application/json; charset=utf-8', length: '7', body: '{"a":1}' },
          { at: 'first/text', type: 'application/x-www-form-urlencoded', length: '29', body: 'grant_type=client_credentials' },
          { at: 'first/bytes', type: 'application/octet-stream', length: '3', body: '\u0000\u00ff\n' },
          // axios' own type for a POST without a body.
          { at: 'first/none', type: 'application/x-www-form-urlencoded', length: '0', body: '' },
          { at: 'first/moved', type: 'application/json', length: '7', body: '{"n":1}' },
          { at: 'second/moved', type: 'application/json', length: '7', body: '{"n":1}' },
        ]);
      } finally {
        transport.close();
        for (const server of servers) {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      }
    });

    it('a body larger than the cap is refused as HTTP_ERROR, not buffered whole', async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      sim.faults.add({ match: { path: DEVICE_PATH }, action: { status: 200, body: 'z'.repeat(5 * 1024 * 1024) } });
      const err = await failure(() => client.call(getDevice(101)));
      assert.deepEqual([err.code, err.details.detail], ['HTTP_ERROR', 'response too large or malformed']);
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 1);
    });

    it('close() ends calls in flight with CLOSED and nothing is sent afterwards (no retry on a closed client)', async () => {
      const { sim } = env;
      const client = env.client({ retry: FAST_RETRY });
      await client.call(organizationProfile());
      sim.faults.add({ match: { path: DEVICE_PATH }, action: { delayMs: 300 } });
      const pending = failure(() => client.call(getDevice(101)));
      await waitFor(() => apiRequestsOf(sim.log, DEVICE_PATH).length === 1, 'one device request');
      client.close();
      const err = await pending;
      assert.equal(err.code, 'CLOSED');
      const device = sim.demo.devices[0];
      assert.equal((await failure(() => client.call(deviceUpdate(device.token, 'V1', 1)))).code, 'CLOSED');
      assert.equal((await failure(() => client.call(organizationProfile()))).code, 'CLOSED');
      await delay(350);
      assert.equal(sim.log.length, 3);
    });

    it('a caller signal aborts its own call only', async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      sim.faults.add({ match: { path: DEVICE_PATH }, times: 2, action: { delayMs: 300 } });
      const controller = new AbortController();
      const aborted = failure(() => client.call(getDevice(101), controller.signal));
      const other = client.call(getDevice(102));
      await waitFor(() => apiRequestsOf(sim.log, DEVICE_PATH).length === 2, 'two device requests');
      controller.abort();
      assert.equal((await aborted).code, 'CLOSED');
      assert.equal((await other).status, 200);
      await delay(300);
    });
  });

  itD4(env);
});
