// "Create in Blynk" of the webhook in dialog: the admin route creates (then updates) the Blynk
// webhook through a deployed connection, in a real runtime against the simulator over real HTTP,
// and a datastream write then reaches the node's output.
import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { RECOMMENDED_TEMPLATE } from '../../dist/blynk/webhook';
import { demoCredentials, useHarness } from '../support/harness';
import { httpRequest } from '../support/http';
import { FlowNode, helper } from '../support/runtime';
import { loadWebhookFlow, until, WebhookRig } from '../support/webhook-rig';

const PATH = '/blynk/hooks/greenhouse';
const DEVICE = { id: 101, token: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' };
const PASSWORD = 'hook-password-1';
const CREATE = '/api/v1/organization/webhook/create';

interface Answer {
  ok: boolean;
  code?: string;
  message?: string;
  key?: string;
  updated?: boolean;
  header?: string;
  webhook?: { id: number; name: string };
}

describe('webhook in: create the Blynk webhook from the dialog (admin route)', function () {
  const h = useHarness();
  let rig: WebhookRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const flow = (auth = 'basic'): FlowNode[] => [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'cfg', type: 'blynk-cloud-config', server: h.sim.url },
    {
      id: 'wh',
      z: 'tab',
      type: 'blynk-cloud-webhook-in',
      url: PATH,
      method: 'POST',
      auth,
      headerName: 'X-Blynk-Secret',
      wires: [['sink']],
    },
    { id: 'sink', z: 'tab', type: 'helper' },
  ];
  async function load(auth = 'basic'): Promise<WebhookRig> {
    rig = await loadWebhookFlow(flow(auth), {
      cfg: demoCredentials(h.sim),
      wh: { user: 'hook', password: PASSWORD, secret: 'AbC123secret' },
    });
    return rig;
  }
  /** The dialog's fields: the stored password stays the placeholder, as the editor sends it. */
  const fields = (r: WebhookRig, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 'wh',
    config: 'cfg',
    baseUrl: r.url,
    trigger: 'DEVICE_DATASTREAM_UPDATE',
    target: '101',
    source: '2',
    name: 'Greenhouse temperature',
    method: 'POST',
    url: PATH,
    auth: 'basic',
    user: 'hook',
    password: '__PWRD__',
    ...extra,
  });
  const setup = async (body: Record<string, unknown>): Promise<{ answer: Answer; text: string }> => {
    const res = await helper.request().post('/blynk-cloud/webhook-setup').send(body).expect(200);
    return { answer: res.body as Answer, text: res.text };
  };
  const noSecretIn = (text: string): void => {
    assert.equal(text.includes(PASSWORD), false, 'the password reached the editor');
    for (const t of h.sim.tokens.issuedAccess) assert.equal(text.includes(t), false, 'an access token reached the editor');
    assert.doesNotMatch(text, /bearer /i);
  };

  it('creates the webhook with the stored Basic password, a second click updates it (same id), and a write reaches the output', async () => {
    const r = await load();
    h.sim.webhooks.ratePerMinute = 10;
    const first = await setup(fields(r));
    assert.equal(first.answer.ok, true, first.answer.message);
    assert.equal(first.answer.updated, false);
    assert.equal(first.answer.webhook?.name, 'Greenhouse temperature');
    noSecretIn(first.text);
    const id = first.answer.webhook?.id ?? -1;
    const created = h.sim.webhooks.definition(id);
    assert.deepEqual(created, {
      name: 'Greenhouse temperature',
      trigger: 'DEVICE_DATASTREAM_UPDATE',
      deviceId: 101,
      dataStreamId: 2,
      url: `${r.url}${PATH}`,
      method: 'POST',
      contentType: 'JSON',
      body: RECOMMENDED_TEMPLATE,
      authType: 'BASIC',
      username: 'hook',
      password: PASSWORD,
    });

    const second = await setup(fields(r, { webhookId: id, source: '6', name: 'Greenhouse humidity' }));
    assert.equal(second.answer.ok, true, second.answer.message);
    assert.deepEqual([second.answer.updated, second.answer.webhook], [true, { id, name: 'Greenhouse humidity' }]);
    assert.equal(h.sim.webhooks.list().length, 1);
    assert.equal(h.sim.webhooks.definition(id)?.dataStreamId, 6);

    assert.equal((await httpRequest('GET', `${h.sim.url}/external/api/update?token=${DEVICE.token}&v5=61`)).status, 200);
    await until(() => r.messages.length === 1);
    const msg = r.messages[0] as NodeMessage & Record<string, unknown>;
    assert.deepEqual(
      [msg.deviceId, msg.deviceName, msg.pin, msg.dataStreamId, msg.value, msg.topic],
      [101, 'Greenhouse', 'V5', 6, 61, '101/V5'],
    );
    assert.equal((msg.payload as Record<string, unknown>).value, '61');
  });

  it('a typed password wins over the stored one; a template trigger and a log event trigger send their ids; a header is named back', async () => {
    const r = await load('both');
    const typed = await setup(fields(r, { password: 'typed-password-2', auth: 'both', headerName: 'X-Blynk-Secret' }));
    assert.equal(typed.answer.ok, true, typed.answer.message);
    assert.equal(typed.answer.header, 'X-Blynk-Secret');
    assert.equal(h.sim.webhooks.definition(typed.answer.webhook?.id ?? -1)?.password, 'typed-password-2');
    assert.equal(typed.text.includes('typed-password-2'), false);
    const template = await setup(fields(r, { trigger: 'PRODUCT_DATASTREAM_UPDATE', target: 77, source: 3, auth: 'none' }));
    assert.equal(template.answer.ok, true, template.answer.message);
    const t = h.sim.webhooks.definition(template.answer.webhook?.id ?? -1);
    assert.deepEqual(
      [t?.trigger, t?.templateId, t?.deviceId, t?.dataStreamId, t?.authType, t?.password],
      ['PRODUCT_DATASTREAM_UPDATE', 77, undefined, 3, 'NONE', undefined],
    );
    const event = await setup(fields(r, { trigger: 'DEVICE_LOG_EVENT', source: 'door_open', auth: 'none' }));
    const e = h.sim.webhooks.definition(event.answer.webhook?.id ?? -1);
    assert.deepEqual([e?.trigger, e?.deviceId, e?.eventCode, e?.dataStreamId], ['DEVICE_LOG_EVENT', 101, 'door_open', undefined]);
  });

  it('a webhook deleted in Blynk since is created anew', async () => {
    const r = await load();
    const first = await setup(fields(r));
    const id = first.answer.webhook?.id ?? -1;
    assert.ok(h.sim.webhooks.remove(id));
    const again = await setup(fields(r, { webhookId: id }));
    assert.equal(again.answer.ok, true, again.answer.message);
    assert.equal(again.answer.updated, false);
    assert.notEqual(again.answer.webhook?.id, id);
  });

  it('a wrong or missing connection and bad input get a clear error before any request', async () => {
    const r = await load();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ config: '' }, 'not-deployed'],
      [{ config: 'nope' }, 'not-deployed'],
      [{ config: 'wh' }, 'not-deployed'],
      [{ baseUrl: 'http://nodered.example.com' }, 'base-url'],
      [{ baseUrl: 'https://user:pw@nodered.example.com' }, 'base-url'],
      [{ baseUrl: 'https://nodered.example.com/?x=1' }, 'base-url'],
      [{ baseUrl: 'not a url' }, 'base-url'],
      [{ baseUrl: `https://nodered.example.com/${'a'.repeat(500)}` }, 'url-too-long'],
      [{ url: 'no-slash' }, 'path'],
      [{ method: 'TRACE' }, 'method'],
      [{ trigger: 'NEW_USER' }, 'trigger'],
      [{ target: 'abc' }, 'device'],
      [{ target: 0 }, 'device'],
      [{ trigger: 'PRODUCT_DATASTREAM_UPDATE', target: '' }, 'template'],
      [{ source: '' }, 'datastream'],
      [{ source: 'V1' }, 'datastream'],
      [{ trigger: 'DEVICE_LOG_EVENT', source: 'bad-code!' }, 'event'],
      [{ name: '' }, 'name'],
      [{ name: '<img src=x>' }, 'name'],
      [{ webhookId: 'x' }, 'webhook-id'],
      [{ user: '' }, 'basic'],
      [{ id: 'not-deployed', password: '__PWRD__' }, 'basic'],
      [{ auth: 'oauth2' }, 'oauth2'],
    ];
    for (const [extra, key] of cases) {
      const { answer } = await setup(fields(r, extra));
      assert.equal(answer.ok, false, JSON.stringify(extra).slice(0, 80));
      assert.equal(answer.code, 'INVALID_INPUT');
      assert.equal(answer.key, `webhook-setup.errors.${key}`, JSON.stringify(extra).slice(0, 80));
    }
    assert.equal(h.sim.log.length, 0, 'a request was sent');
    // Not JSON, or from another origin: refused before the route runs.
    await helper.request().post('/blynk-cloud/webhook-setup').type('form').send('config=cfg').expect(415);
    await helper.request().post('/blynk-cloud/webhook-setup').set('Origin', 'https://evil.example').send(fields(r)).expect(403);
    assert.equal(h.sim.log.length, 0, 'a request was sent');
  });

  it('a hostile answer echoing the password or the access token is redacted; Blynk errors are localized', async () => {
    const r = await load();
    assert.equal((await setup(fields(r))).answer.ok, true);
    const token = h.sim.tokens.issuedAccess[0];
    assert.ok(token);
    h.sim.faults.add({
      match: { path: CREATE },
      action: { status: 200, body: { id: 42, name: `${PASSWORD} ${token}`, password: PASSWORD, token, authorization: `Bearer ${token}` } },
    });
    const echoed = await setup(fields(r));
    assert.equal(echoed.answer.ok, true, echoed.answer.message);
    assert.equal(echoed.answer.webhook?.id, 42);
    assert.equal(echoed.answer.webhook?.name, '[redacted] [redacted]');
    noSecretIn(echoed.text);
    h.sim.faults.add({
      match: { path: CREATE },
      action: { status: 400, body: { error: { message: `bad password ${PASSWORD} for ${token}` } } },
    });
    const refused = await setup(fields(r));
    assert.deepEqual(
      [refused.answer.ok, refused.answer.code, refused.answer.key],
      [false, 'BAD_REQUEST', 'webhook-setup.errors.bad-request'],
    );
    noSecretIn(refused.text);
    h.sim.faults.add({ match: { path: CREATE }, action: { status: 403, body: { error: { message: 'no permission' } } } });
    const forbidden = await setup(fields(r));
    assert.deepEqual([forbidden.answer.code, forbidden.answer.key], ['FORBIDDEN', 'webhook-setup.errors.forbidden']);
    h.sim.faults.add({ match: { path: CREATE }, action: { status: 200, body: { name: 'no id' } } });
    const noId = await setup(fields(r));
    assert.deepEqual([noId.answer.ok, noId.answer.key], [false, 'webhook-setup.errors.bad-answer']);
  });
});
