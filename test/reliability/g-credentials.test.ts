// Group G (reliability.md §7): credentials go only to the server they belong to, and no answer
// from a server can carry them out. Flow level, over real sockets: a recording server on another
// port shows where a secret would have gone; an echoing server shows what an answer could carry.
// Every test here also passes the rig's E1 search of everything readable (rig.ts, afterEach).
import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { echoOf, offServerPaths, Recorder, startRecorder } from '../support/recorder';
import { allStatusesOf, flow, getDevice, STATUS, TOKEN_PATH, useRig, waitFor } from '../support/rig';
import { helper } from '../support/runtime';

const RED_NOT_CONFIGURED = { fill: 'red', shape: 'ring', text: STATUS('not-configured') };
const API_NODE = {
  id: 'n1',
  type: 'blynk-cloud-api',
  method: 'GET',
  methodType: 'str',
  path: '/api/v1/organization/device',
  pathType: 'str',
  params: '{"deviceId":101}',
  paramsType: 'json',
};
const DEVICE_UPDATE = { id: 'n1', type: 'blynk-cloud-device-update', pin: 'V1', pinType: 'str' };

interface AdminAnswer {
  ok: boolean;
  code?: string;
  message?: string;
}

describe('reliability G: credentials go only where they belong', function () {
  const rig = useRig();
  let rec: Recorder;
  beforeEach(async () => {
    rec = await startRecorder();
  });
  afterEach(async () => {
    await rec.close();
  });

  /** Nothing reached the recorder or the simulator. */
  function nothingSent(label: string): void {
    assert.deepEqual(rec.requests, [], `${label}: the recording server got a request`);
    assert.deepEqual(rig.sim.log, [], `${label}: the simulator got a request`);
  }

  function postAdmin(route: string, body: Record<string, unknown>): Promise<AdminAnswer> {
    return helper
      .request()
      .post(route)
      .send(body)
      .expect(200)
      .then((res) => res.body as AdminAnswer);
  }

  describe('G1 token and authorize paths that are not plain paths are refused at start', function () {
    for (const key of ['tokenPath', 'authorizePath'] as const) {
      // The `:port` form only moves a request on a server without a port of its own.
      for (const path of offServerPaths(0)) {
        it(`G1 ${key} ${JSON.stringify(path)}: red "not configured" at start, INVALID_ENDPOINT_PATH, no request anywhere`, async () => {
          const forms = offServerPaths(rec.port);
          const real = forms[offServerPaths(0).indexOf(path)];
          const server = real.startsWith(':') ? 'http://127.0.0.1' : rig.sim.url;
          await rig.load(flow(server, [getDevice()], { [key]: real }));
          // Before any message: the node already says why it cannot work.
          await waitFor(() => allStatusesOf('n1').length > 0, 'a status at start');
          assert.deepEqual(allStatusesOf('n1'), [RED_NOT_CONFIGURED]);
          const caught = await rig.failure('n1', { deviceId: 101 });
          assert.equal(caught.error.code, 'INVALID_ENDPOINT_PATH');
          assert.equal(
            caught.error.message,
            `The token or authorize path ${JSON.stringify(real)} is not usable: it must start with / and contain only letters, digits and . _ ~ - / (no host, port, "..", or "//"). Leave it empty for Blynk's.`,
          );
          // Said once at start by the connection, in the log.
          assert.equal(rig.capture.log.filter((e) => e.id === 'cfg' && String(e.msg).startsWith('The token or authorize path')).length, 1);
          nothingSent(path);
        });
      }
    }

    it('G1 a plain path still works: /oauth2/token given explicitly is used', async () => {
      await rig.load(flow(rig.sim.url, [getDevice()], { tokenPath: '/oauth2/token', authorizePath: '/oauth2/authorize' }));
      await rig.success('n1', { deviceId: 101 });
      assert.deepEqual(
        rig.sim.log.map((e) => e.path),
        [TOKEN_PATH, '/api/v1/organization/device'],
      );
    });
  });

  describe('G2 Test connection and sign-in start naming a deployed connection', function () {
    for (const path of offServerPaths(0)) {
      it(`G2 ${JSON.stringify(path)} with the stored secret: refused, nothing sent`, async () => {
        const real = offServerPaths(rec.port)[offServerPaths(0).indexOf(path)];
        const server = real.startsWith(':') ? 'http://127.0.0.1' : rig.sim.url;
        await rig.load(flow(server, [getDevice()]));
        const base = { id: 'cfg', server, clientId: rig.sim.demo.clientId, clientSecret: '__PWRD__' };
        const tested = await postAdmin('/blynk-cloud/test-connection', { ...base, grantType: 'client_credentials', tokenPath: real });
        assert.equal(tested.ok, false);
        assert.equal(tested.code, 'INVALID_ENDPOINT_PATH');
        for (const key of ['tokenPath', 'authorizePath']) {
          const started = await postAdmin('/blynk-cloud/authorize/start', { ...base, grantType: 'authorization_code', [key]: real });
          assert.equal(started.ok, false, key);
          assert.match(String(started.message), /^The token or authorize path /, key);
        }
        nothingSent(path);
      });
    }
  });

  describe('G3 admin POST routes take JSON from the editor only', function () {
    const ROUTES = [
      '/blynk-cloud/test-connection',
      '/blynk-cloud/authorize/start',
      '/blynk-cloud/oauth-clients',
      '/blynk-cloud/webhook-setup',
    ];

    it('G3 a form post (what a cross-site page can send unasked) is refused with 415 on every route, before any work', async () => {
      await rig.load(flow(rig.sim.url, [getDevice()]));
      for (const route of ROUTES) {
        const res = await helper
          .request()
          .post(route)
          .type('form')
          .send({ id: 'cfg', server: rig.sim.url, clientSecret: '__PWRD__', name: 'x' });
        assert.equal(res.status, 415, route);
        assert.equal((res.body as AdminAnswer).code, 'CROSS_SITE', route);
        const text = await helper.request().post(route).set('Content-Type', 'text/plain').send('{"id":"cfg"}');
        assert.equal(text.status, 415, route);
      }
      nothingSent('form posts');
    });

    it('G3 JSON from a foreign Origin is refused with 403; from the editor own origin it works', async () => {
      await rig.load(flow(rig.sim.url, [getDevice()]));
      const body = {
        id: 'cfg',
        server: rig.sim.url,
        grantType: 'client_credentials',
        clientId: rig.sim.demo.clientId,
        clientSecret: '__PWRD__',
      };
      for (const route of ROUTES) {
        for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
          const res = await helper.request().post(route).set('Origin', origin).send(body);
          assert.equal(res.status, 403, `${route} from ${origin}`);
        }
      }
      nothingSent('foreign origins');
      const own = await helper
        .request()
        .post('/blynk-cloud/test-connection')
        .set('Host', 'editor.example:1880')
        .set('Origin', 'http://editor.example:1880')
        .send(body);
      assert.equal(own.status, 200);
      assert.equal((own.body as AdminAnswer).ok, true, JSON.stringify(own.body));
      // Behind a reverse proxy the browser names the public host, which the proxy passes on.
      const proxied = await helper
        .request()
        .post('/blynk-cloud/test-connection')
        .set('X-Forwarded-Host', 'nodered.example.com')
        .set('Origin', 'https://nodered.example.com')
        .send(body);
      assert.equal(proxied.status, 200);
      assert.equal((proxied.body as AdminAnswer).ok, true, JSON.stringify(proxied.body));
    });
  });

  describe('G4 a server that echoes the request', function () {
    /** A Blynk-like server that issues tokens and answers every other call with an echo. */
    function echoing(tokenEcho: 'json' | 'text' | 'none', apiType: 'json' | 'text'): void {
      let n = 0;
      rec.answer = (req) => {
        if (req.url.startsWith(TOKEN_PATH)) {
          if (tokenEcho === 'json')
            return { status: 400, body: JSON.stringify({ error: 'invalid_request', error_description: echoOf(req) }) };
          if (tokenEcho === 'text') return { status: 400, type: 'text/plain', body: echoOf(req) };
          const access = `echo-access-token-${++n}-Zq81`;
          rig.secret(access);
          return { status: 200, body: JSON.stringify({ access_token: access, token_type: 'Bearer', expires_in: 3600 }) };
        }
        const echo = echoOf(req);
        return apiType === 'json'
          ? { status: 400, body: JSON.stringify({ error: { message: echo } }) }
          : { status: 400, type: 'text/plain', body: echo };
      };
    }

    /** The caught message shows the echo, with every credential replaced. */
    function redacted(caught: NodeMessage & { error: { message: string } }): void {
      assert.match(caught.error.message, /you sent (GET|POST) /);
      assert.match(caught.error.message, /\[redacted\]/);
    }

    for (const kind of ['json', 'text'] as const) {
      it(`G4 token endpoint (client credentials, ${kind}): the Basic pair is redacted in msg.error, the warning and the log`, async () => {
        echoing(kind, 'json');
        await rig.load(flow(rec.url, [getDevice()]));
        const caught = await rig.failure('n1', { deviceId: 101 });
        redacted(caught);
        assert.equal(rec.requests.length, 1);
        assert.ok(rig.capture.text.includes('[redacted]'), 'the warning shows the redacted echo');
      });
    }

    it('G4 token endpoint (user credentials): the password in the JSON body is redacted', async () => {
      echoing('json', 'json');
      const password = 'user-password-Qx7!;"';
      rig.secret(password, JSON.stringify(password).slice(1, -1));
      await rig.load(flow(rec.url, [getDevice()], { grantType: 'user_credentials' }), {
        cfg: { clientId: rig.sim.demo.clientId, clientSecret: rig.sim.demo.clientSecret, userEmail: 'user@example.com', password },
      });
      const caught = await rig.failure('n1', { deviceId: 101 });
      redacted(caught);
      assert.match(rec.requests[0].body, /user-password-Qx7/, 'the password was sent to the server');
      assert.ok(caught.error.message.includes('user@example.com'), 'the e-mail is no secret and stays');
    });

    for (const kind of ['json', 'text'] as const) {
      it(`G4 Platform API (${kind}): the access token is redacted`, async () => {
        echoing('none', kind);
        await rig.load(flow(rec.url, [API_NODE]));
        const caught = await rig.failure('n1', {});
        redacted(caught);
        assert.equal(rec.requests.length, 2);
      });

      it(`G4 Device API (${kind}): the device token of the node and of msg.deviceToken is redacted`, async () => {
        echoing('none', kind);
        const token = 'device-token-credential-7hQ2';
        await rig.load(flow(rec.url, [DEVICE_UPDATE, { ...DEVICE_UPDATE, id: 'n2' }]), {
          cfg: { clientId: rig.sim.demo.clientId, clientSecret: rig.sim.demo.clientSecret },
          n1: { token },
        });
        redacted(await rig.failure('n1', { payload: 1 }));
        redacted(await rig.failure('n2', { payload: 1, deviceToken: 'device-token-on-the-msg-9Kd3' } as NodeMessage));
        assert.deepEqual(
          rec.requests.map((r) => new URL(r.url, rec.url).searchParams.get('token')),
          [token, 'device-token-on-the-msg-9Kd3'],
        );
      });
    }

    it('G4 Test connection shows the echo with the secret redacted', async () => {
      echoing('json', 'json');
      await rig.load(flow(rec.url, [getDevice()]));
      const answer = await postAdmin('/blynk-cloud/test-connection', {
        id: 'cfg',
        server: rec.url,
        grantType: 'client_credentials',
        clientId: rig.sim.demo.clientId,
        clientSecret: '__PWRD__',
      });
      assert.equal(answer.ok, false);
      assert.match(String(answer.message), /you sent POST \/oauth2\/token\?grant_type=client_credentials with \[redacted\] and body none/);
      rig.capture.add('test connection answer', answer);
    });
  });

  describe('G5 credential fields in Blynk answers', function () {
    // Blynk's documented shapes (Platform API pages: devices, static-tokens, provisioning, oauth),
    // served by a stand-in server so that every field is exactly what the docs show.
    const SECRETS = {
      device: 'device-auth-token-4Tq9',
      claim: 'sqr_claim-token-8Hw2',
      staticDevice: 'static-device-token-2Lp5',
      provision: 'provision-token-6Rn1',
      client: 'oauth-client-secret-3Vb7',
      webhook: 'webhook-password-5Jm4',
    };
    // `body`: what a POST sends, as its route documents it (the node checks it before sending).
    const ANSWERS: Record<string, { answer: unknown; expected: unknown; body?: unknown }> = {
      '/api/v1/organization/devices': {
        answer: { content: [{ id: 101, name: 'Greenhouse', token: SECRETS.device, templateId: 'TMPL1' }], totalElements: 1 },
        expected: { content: [{ id: 101, name: 'Greenhouse', templateId: 'TMPL1' }], totalElements: 1 },
      },
      '/api/v1/organization/static-tokens': {
        answer: {
          content: [{ token: SECRETS.claim, deviceToken: SECRETS.staticDevice, orgId: 1, productId: 7, status: 'UNCLAIMED' }],
          totalElements: 1,
        },
        expected: { content: [{ orgId: 1, productId: 7, status: 'UNCLAIMED' }], totalElements: 1 },
      },
      '/api/v1/organization/device/provision/token': {
        body: { orgId: 1, ownerId: 1 },
        answer: { deviceId: 5, token: SECRETS.provision },
        expected: { deviceId: 5 },
      },
      '/api/v1/organization/oauth/clients/create': {
        body: { name: 'flows' },
        answer: { clientId: 'oa2-client-id', secret: SECRETS.client, name: 'flows', orgId: 1, redirectUrls: [] },
        expected: { clientId: 'oa2-client-id', name: 'flows', orgId: 1, redirectUrls: [] },
      },
      '/api/v1/organization/webhooks': {
        answer: [{ id: 3, name: 'hook', authType: 'BASIC', auth: { username: 'me', password: SECRETS.webhook } }],
        expected: [{ id: 3, name: 'hook', authType: 'BASIC', auth: { username: 'me' } }],
      },
    };

    it('G5 the platform api node takes every credential field out of msg.payload, whatever the shape', async () => {
      rig.secret(...Object.values(SECRETS));
      rec.answer = (req) => {
        if (req.url.startsWith(TOKEN_PATH)) {
          rig.secret('g5-access-token-1Xy8');
          return { status: 200, body: JSON.stringify({ access_token: 'g5-access-token-1Xy8', token_type: 'Bearer', expires_in: 3600 }) };
        }
        return { status: 200, body: JSON.stringify(ANSWERS[req.url.split('?')[0]]?.answer ?? {}) };
      };
      const node = { id: 'n1', type: 'blynk-cloud-api', method: 'method', methodType: 'msg', path: 'path', pathType: 'msg' };
      await rig.load(flow(rec.url, [node]));
      for (const [path, { expected, body }] of Object.entries(ANSWERS)) {
        const method = body === undefined ? 'GET' : 'POST';
        const out = await rig.success('n1', { method, path, payload: body ?? {} } as NodeMessage);
        assert.deepEqual(out.payload, expected, path);
      }
    });

    it('G5 get device and a client created through the simulator: no token, no secret on msg', async () => {
      const { sim } = rig;
      await rig.load(
        flow(sim.url, [
          getDevice(),
          {
            id: 'n2',
            type: 'blynk-cloud-api',
            method: 'POST',
            methodType: 'str',
            path: '/api/v1/organization/oauth/clients/create',
            pathType: 'str',
          },
        ]),
      );
      const device = (await rig.success('n1', { deviceId: 101 })).payload as Record<string, unknown>;
      assert.equal(device.id, 101);
      assert.equal('token' in device, false);
      const client = (await rig.success('n2', { payload: { name: 'from a flow', redirectUrls: [] } })).payload as Record<string, unknown>;
      assert.equal(typeof client.clientId, 'string');
      assert.equal(client.name, 'from a flow');
      assert.equal('secret' in client, false);
      const created = sim.log.find((e) => e.path === '/api/v1/organization/oauth/clients/create');
      assert.equal(created?.status, 201);
    });
  });

  describe('G7 values that reach a header or a cookie', function () {
    it('G7 an access token with CR/LF, a space or a comma is refused: TOKEN_BAD_RESPONSE, no API request', async () => {
      for (const bad of ['abc\r\nX-Injected: 1', 'abc def', 'abc,def']) {
        rec.requests.length = 0;
        rec.answer = (req) =>
          req.url.startsWith(TOKEN_PATH)
            ? { status: 200, body: JSON.stringify({ access_token: bad, token_type: 'Bearer', expires_in: 3600 }) }
            : { status: 200, body: '{}' };
        await rig.load(flow(rec.url, [getDevice()]));
        const caught = await rig.failure('n1', { deviceId: 101 });
        assert.equal(caught.error.code, 'TOKEN_BAD_RESPONSE', JSON.stringify(bad));
        assert.deepEqual(
          rec.requests.map((r) => r.url.split('?')[0]),
          [TOKEN_PATH],
          JSON.stringify(bad),
        );
        await helper.unload();
      }
    });

    it('G7 a ";" in the sign-in redirect URI cannot add cookie attributes: the cookie path is the derived one', async () => {
      await rig.load(flow(rig.sim.url, [getDevice()], { grantType: 'authorization_code' }));
      for (const typed of [
        'http://127.0.0.1:1880/x;Domain=evil.example;SameSite=None/blynk-cloud/authorize/callback',
        'http://127.0.0.1:1880/x,y/blynk-cloud/authorize/callback',
      ]) {
        const res = await helper
          .request()
          .post('/blynk-cloud/authorize/start')
          .send({ id: 'cfg', server: rig.sim.url, clientId: rig.sim.demo.clientId, clientSecret: '__PWRD__', redirectUri: typed });
        assert.equal((res.body as { ok: boolean }).ok, true);
        const cookie = String(res.headers['set-cookie']);
        assert.match(
          cookie,
          /^blynk-cloud-signin=[A-Za-z0-9_-]{43}; Path=\/blynk-cloud\/authorize\/callback; Max-Age=300; HttpOnly; SameSite=Lax$/,
        );
        assert.ok(!(res.body as { redirectUri: string }).redirectUri.includes(';'));
      }
      // Only the server's metadata was asked for (no paths typed), and no secret went anywhere.
      assert.deepEqual(
        rig.sim.log.map((e) => `${e.method} ${e.path} ${e.headers.authorization ?? '-'}`),
        Array(2).fill('GET /.well-known/oauth-authorization-server -'),
      );
      assert.deepEqual(rec.requests, []);
    });
  });

  describe('placeholders and failures before any request', function () {
    it('a cyclic event description: INVALID_DESCRIPTION with a whole message, nothing sent', async () => {
      await rig.load(
        flow(rig.sim.url, [
          { id: 'n1', type: 'blynk-cloud-log-event', deviceId: '101', deviceIdType: 'num', eventCode: 'high_temp', eventCodeType: 'str' },
        ]),
      );
      const description: Record<string, unknown> = { a: 1 };
      description.self = description;
      const caught = await rig.failure('n1', { payload: description });
      assert.equal(caught.error.code, 'INVALID_DESCRIPTION');
      assert.equal(
        caught.error.message,
        'The event description cannot be written as JSON (it refers to itself or holds a BigInt), so nothing was sent. Send text or a plain object.',
      );
      assert.deepEqual(rig.sim.log, []);
    });

    it('a connection id that names a node of another type: NO_CONFIG, nothing sent, nothing of that node used', async () => {
      await rig.load([...flow(rig.sim.url, [getDevice('n1', { connection: 'catcher' })])]);
      const caught = await rig.failure('n1', { deviceId: 101 });
      assert.equal(caught.error.code, 'NO_CONFIG');
      assert.doesNotMatch(caught.error.message, /__\w+__/);
      assert.deepEqual(rig.sim.log, []);
    });
  });
});
