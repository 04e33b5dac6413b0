import assert from 'node:assert/strict';
import { Request, Response } from 'express';
import { NodeAPI } from 'node-red';
import { basicClientId, demoCredentials, errorKey, tokenRequestsOf, useHarness } from '../support/harness';
import { ALL_NODES, FlowNode, helper } from '../support/runtime';

/**
 * Node-RED's own `GET /credentials/:type/:id` (editor-api), which the helper's admin app lacks:
 * mounted through a module so that it runs against the helper's runtime.
 */
function credentialsRoute(RED: NodeAPI): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const route = require('@node-red/editor-api/lib/editor/credentials') as {
    init(runtimeApi: unknown): void;
    get(req: Request, res: Response): void;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  route.init(require('@node-red/runtime'));
  RED.httpAdmin.get('/credentials/:type/:id', route.get);
}

interface TestAnswer {
  ok: boolean;
  organization?: { id?: unknown; name?: unknown };
  code?: string;
  message?: string;
  key?: string;
  params?: Record<string, unknown>;
}

describe('blynk-cloud-config', function () {
  const h = useHarness();

  const tab: FlowNode = { id: 'tab', type: 'tab', label: 'test' };
  const cfg = (extra: Record<string, unknown> = {}): FlowNode => ({
    id: 'cfg',
    type: 'blynk-cloud-config',
    server: h.sim.url,
    grantType: 'client_credentials',
    ...extra,
  });

  /** Every secret the simulator knows, and every token it issued: none may appear in an answer. */
  function assertNoSecret(text: string, extra: string[] = []): void {
    const { sim } = h;
    for (const secret of [sim.demo.clientSecret, sim.demo.password, ...sim.tokens.issuedAccess, ...sim.tokens.issuedRefresh, ...extra]) {
      if (secret) assert.ok(!text.includes(secret), `the answer shows a secret: ${text}`);
    }
  }

  async function testConnection(body: Record<string, unknown>): Promise<TestAnswer> {
    const res = await helper.request().post('/blynk-cloud/test-connection').send(body).expect(200).expect('Content-Type', /json/);
    assertNoSecret(res.text, typeof body.clientSecret === 'string' && body.clientSecret !== '__PWRD__' ? [body.clientSecret] : []);
    return res.body as TestAnswer;
  }

  describe('POST /blynk-cloud/test-connection', function () {
    it('answers ok with the organisation for credentials typed into the dialog of a node not yet deployed', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab]);
      const answer = await testConnection({
        id: 'not-deployed',
        server: sim.url,
        grantType: 'client_credentials',
        ...demoCredentials(sim),
      });
      assert.equal(answer.ok, true);
      assert.equal(answer.organization?.name, 'Simulated Org');
      assert.equal(answer.organization?.id, 1001);
      assert.equal(sim.tokens.requests, 1);
      assert.deepEqual(
        sim.log.map((e) => [e.method, e.path, e.status]),
        [
          ['POST', '/oauth2/token', 200],
          ['GET', '/api/v1/organization/profile', 200],
        ],
      );
    });

    it('uses the stored secret when the dialog of a deployed node sends the __PWRD__ placeholder', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab, cfg()], { cfg: demoCredentials(sim) });
      const answer = await testConnection({
        id: 'cfg',
        server: sim.url,
        grantType: 'client_credentials',
        clientId: sim.demo.clientId,
        clientSecret: '__PWRD__',
      });
      assert.deepEqual(answer.ok, true, JSON.stringify(answer));
      assert.equal(answer.organization?.name, 'Simulated Org');
      const [tokenRequest] = tokenRequestsOf(sim);
      assert.equal(
        tokenRequest.headers.authorization,
        `Basic ${Buffer.from(`${sim.demo.clientId}:${sim.demo.clientSecret}`).toString('base64')}`,
      );
    });

    it('never sends a stored secret to a server other than the one it was deployed for, and says so', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab, cfg()], { cfg: demoCredentials(sim) });
      const elsewhere = sim.url.replace('127.0.0.1', 'localhost');
      const answer = await testConnection({
        id: 'cfg',
        server: elsewhere,
        grantType: 'client_credentials',
        clientId: sim.demo.clientId,
        clientSecret: '__PWRD__',
      });
      assert.equal(answer.ok, false);
      assert.equal(answer.code, 'STORED_SECRET_ELSEWHERE');
      assert.equal(answer.message, errorKey('stored-secret-elsewhere'));
      assert.equal(tokenRequestsOf(sim).length, 0);
      // With the secret typed again, the other server is tested with it.
      const retyped = await testConnection({ id: 'cfg', server: elsewhere, grantType: 'client_credentials', ...demoCredentials(sim) });
      assert.equal(retyped.ok, true, JSON.stringify(retyped));
    });

    it('uses a secret retyped in the dialog rather than the stored one', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab, cfg()], { cfg: { clientId: sim.demo.clientId, clientSecret: 'stale-stored-secret' } });
      const answer = await testConnection({
        id: 'cfg',
        server: sim.url,
        grantType: 'client_credentials',
        ...demoCredentials(sim),
      });
      assert.equal(answer.ok, true, JSON.stringify(answer));
      // …and the other way round: a wrong secret typed over a good stored one fails.
      const wrong = await testConnection({
        id: 'cfg',
        server: sim.url,
        grantType: 'client_credentials',
        clientId: sim.demo.clientId,
        clientSecret: 'typed-but-wrong',
      });
      assert.equal(wrong.ok, false);
    });

    it('answers ok:false with the reason for a wrong secret, and shows neither secret', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab]);
      const answer = await testConnection({
        server: sim.url,
        grantType: 'client_credentials',
        clientId: sim.demo.clientId,
        clientSecret: 'wrong-secret-XYZ',
      });
      // The message in the runtime's language, and its key and values for the editor's own.
      assert.deepEqual(answer, {
        ok: false,
        code: 'TOKEN_INVALID_CLIENT',
        message: errorKey('token-invalid-client'),
        key: 'errors.token-invalid-client',
        params: { detail: 'Client ID is not found or password is wrong', oauthError: 'invalid_client', retryAfter: 300, status: 400 },
      });
      assert.equal(sim.tokens.requests, 1);
      assert.deepEqual(
        sim.log.map((e) => [e.path, e.status]),
        [['/oauth2/token', 400]],
      );
    });

    it('answers ok:false without a request when the dialog has no client id or secret', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab]);
      const answer = await testConnection({
        server: sim.url,
        grantType: 'client_credentials',
        clientId: sim.demo.clientId,
        clientSecret: '',
      });
      assert.deepEqual(answer, {
        ok: false,
        code: 'NO_OAUTH_CLIENT',
        message: errorKey('no-oauth-client'),
        key: 'errors.no-oauth-client',
        params: {},
      });
      assert.deepEqual(sim.log, []);
    });

    it('signs in with user e-mail and password for the user credentials grant, stored password included', async () => {
      const { sim } = h;
      await helper.load(ALL_NODES, [tab, cfg({ grantType: 'user_credentials' })], {
        cfg: { ...demoCredentials(sim), userEmail: sim.demo.userEmail, password: sim.demo.password },
      });
      const answer = await testConnection({
        id: 'cfg',
        server: sim.url,
        grantType: 'user_credentials',
        clientId: sim.demo.clientId,
        clientSecret: '__PWRD__',
        userEmail: sim.demo.userEmail,
        password: '__PWRD__',
      });
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assert.equal(sim.tokens.byGrant.user_credentials, 1);
      assert.equal(basicClientId(tokenRequestsOf(sim)[0]), sim.demo.clientId);
    });
  });

  describe('GET /credentials/blynk-cloud-config/:id', function () {
    it('shows a stored refresh token (authorization code grant) only as has_refreshToken', async () => {
      const { sim } = h;
      await helper.load([...ALL_NODES, credentialsRoute], [tab, cfg({ grantType: 'authorization_code' })], {
        cfg: { ...demoCredentials(sim), refreshToken: 'rt-secret-value-123' },
      });
      const res = await helper.request().get('/credentials/blynk-cloud-config/cfg').expect(200);
      assert.equal(res.body.has_refreshToken, true);
      assertNoSecret(res.text, ['rt-secret-value-123']);
    });

    it('says which secrets are set, never what they are', async () => {
      const { sim } = h;
      await helper.load([...ALL_NODES, credentialsRoute], [tab, cfg()], {
        cfg: { ...demoCredentials(sim), userEmail: sim.demo.userEmail, password: sim.demo.password },
      });
      const res = await helper.request().get('/credentials/blynk-cloud-config/cfg').expect(200);
      assert.deepEqual(res.body, {
        clientId: sim.demo.clientId,
        has_clientSecret: true,
        userEmail: sim.demo.userEmail,
        has_password: true,
        has_refreshToken: false,
      });
      assertNoSecret(res.text);
    });

    it('reports unset secrets as has_…: false', async () => {
      const { sim } = h;
      await helper.load([...ALL_NODES, credentialsRoute], [tab, cfg()], { cfg: { clientId: sim.demo.clientId } });
      const res = await helper.request().get('/credentials/blynk-cloud-config/cfg').expect(200);
      assert.deepEqual(res.body, {
        clientId: sim.demo.clientId,
        has_clientSecret: false,
        userEmail: '',
        has_password: false,
        has_refreshToken: false,
      });
    });

    it('hides the device-update token the same way', async () => {
      const { sim } = h;
      const token = sim.demo.devices[0].token;
      await helper.load(
        [...ALL_NODES, credentialsRoute],
        [tab, cfg(), { id: 'n1', z: 'tab', type: 'blynk-cloud-device-update', connection: 'cfg', wires: [] }],
        { cfg: {}, n1: { token } },
      );
      const res = await helper.request().get('/credentials/blynk-cloud-device-update/n1').expect(200);
      assert.deepEqual(res.body, { has_token: true });
      assert.ok(!res.text.includes(token));
    });
  });
});
