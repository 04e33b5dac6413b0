// OAuth 2.0 on the webhook in node (Blynk.Console: client id, client secret, token URL): the node's
// token URL issues short-lived tokens to the configured client only, and deliveries need one.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { httpRequest } from '../support/http';
import { FlowNode, helper } from '../support/runtime';
import { loadWebhookFlow, until, WebhookRig } from '../support/webhook-rig';

const PATH = '/blynk/hooks/oauth';
const TOKEN_PATH = `${PATH}/token`;
const CLIENT_ID = 'blynk-webhook-client';
const CLIENT_SECRET = 'Cl1entSecretValue0123456789';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'Content-Type': 'application/json' };
const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const flow: FlowNode[] = [
  { id: 'tab', type: 'tab', label: 'test' },
  { id: 'wh', z: 'tab', type: 'blynk-cloud-webhook-in', url: PATH, method: 'POST', auth: 'oauth2', wires: [['sink']] },
  { id: 'sink', z: 'tab', type: 'helper' },
];

describe('blynk-cloud-webhook-in: OAuth 2.0 (token URL on the node)', function () {
  let rig: WebhookRig;
  let clock: sinon.SinonFakeTimers | undefined;
  const issued: string[] = [];
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    const seen = JSON.stringify(helper.log().args) + JSON.stringify(rig?.messages ?? []);
    for (const secret of [CLIENT_SECRET, ...issued]) assert.equal(seen.includes(secret), false, 'a secret or token was logged or sent on');
    issued.length = 0;
    await rig?.close();
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
  });
  const load = async (creds: Record<string, string> = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }): Promise<void> => {
    rig = await loadWebhookFlow(flow, { wh: creds });
  };
  const tokenRequest = (headers: Record<string, string>, body: string) => httpRequest('POST', rig.url + TOKEN_PATH, headers, body);
  async function token(): Promise<string> {
    const res = await tokenRequest({ ...FORM, Authorization: basic(CLIENT_ID, CLIENT_SECRET) }, 'grant_type=client_credentials');
    assert.equal(res.status, 200, res.text);
    const body = JSON.parse(res.text) as { access_token: string; token_type: string; expires_in: number };
    issued.push(body.access_token);
    return body.access_token;
  }
  const deliver = (authorization?: string) =>
    httpRequest(
      'POST',
      rig.url + PATH,
      { ...JSON_TYPE, ...(authorization ? { Authorization: authorization } : {}) },
      '{"deviceId":"101","value":"7"}',
    );

  it('issues a short-lived Bearer token to the configured client (Basic or form fields), no-store; a delivery with it passes', async () => {
    await load();
    const res = await tokenRequest({ ...FORM, Authorization: basic(CLIENT_ID, CLIENT_SECRET) }, 'grant_type=client_credentials');
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = JSON.parse(res.text) as Record<string, unknown>;
    assert.deepEqual([body.token_type, body.expires_in, typeof body.access_token], ['Bearer', 300, 'string']);
    issued.push(String(body.access_token));
    assert.ok(String(body.access_token).length >= 40);
    const viaForm = await tokenRequest(FORM, `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`);
    assert.equal(viaForm.status, 200);
    const second = (JSON.parse(viaForm.text) as { access_token: string }).access_token;
    issued.push(second);
    assert.notEqual(second, body.access_token);

    const ok = await deliver(`Bearer ${String(body.access_token)}`);
    assert.equal(ok.status, 200);
    await until(() => rig.messages.length === 1);
    assert.deepEqual(
      [rig.messages[0].payload, (rig.messages[0] as unknown as { deviceId: number }).deviceId],
      [{ deviceId: '101', value: '7' }, 101],
    );
    assert.equal((rig.messages[0] as unknown as { headers: Record<string, string> }).headers.authorization, undefined);
  });

  it('refuses another client, a wrong secret and no client with 401 invalid_client (logged once); another grant with 400', async () => {
    await load();
    const cases: Array<Record<string, string>> = [
      { ...FORM, Authorization: basic(CLIENT_ID, 'wrong') },
      { ...FORM, Authorization: basic('someone-else', CLIENT_SECRET) },
      FORM,
    ];
    for (const headers of cases) {
      const res = await tokenRequest(headers, 'grant_type=client_credentials');
      assert.equal(res.status, 401);
      assert.deepEqual(JSON.parse(res.text), { error: 'invalid_client' });
    }
    const warned = helper.log().args.filter((a) => JSON.stringify(a).includes('refused.token-client')).length;
    assert.equal(warned, 1);
    const password = await tokenRequest({ ...FORM, Authorization: basic(CLIENT_ID, CLIENT_SECRET) }, 'grant_type=password');
    assert.equal(password.status, 400);
    assert.deepEqual(JSON.parse(password.text), { error: 'unsupported_grant_type' });
  });

  it('refuses a delivery without a token, with an unknown one, or an expired one (401, WWW-Authenticate Bearer), sending nothing', async () => {
    await load();
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    const good = await token();
    const missing = await deliver();
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="Node-RED Blynk webhook"');
    const unknown = await deliver('Bearer not-a-token-of-this-node');
    assert.equal(unknown.status, 401);
    assert.match(String(unknown.headers['www-authenticate']), /error="invalid_token"/);
    assert.equal((await deliver(basic(CLIENT_ID, CLIENT_SECRET))).status, 401, 'the client secret is not a token');
    clock.tick(299_000);
    assert.equal((await deliver(`Bearer ${good}`)).status, 200);
    clock.tick(2_000);
    assert.equal((await deliver(`Bearer ${good}`)).status, 401, 'expired after 300 s');
    await until(() => rig.messages.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rig.messages.length, 1);
  });

  it('without a client secret every delivery is refused and the token URL issues nothing', async () => {
    await load({ clientId: CLIENT_ID });
    const res = await tokenRequest({ ...FORM, Authorization: basic(CLIENT_ID, '') }, 'grant_type=client_credentials');
    assert.equal(res.status, 503);
    assert.equal((await deliver('Bearer anything')).status, 401);
    assert.equal(rig.messages.length, 0);
  });
});
