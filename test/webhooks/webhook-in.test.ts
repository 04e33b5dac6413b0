import assert from 'node:assert/strict';
import http from 'node:http';
import { NodeMessage, NodeStatus } from 'node-red';
import { fillPlaceholders, RECOMMENDED_TEMPLATE } from '../../dist/blynk/webhook';
import { allStatusesOf, statusText } from '../support/harness';
import { httpRequest } from '../support/http';
import { FlowNode, helper } from '../support/runtime';
import { loadWebhookFlow, until, WebhookRig } from '../support/webhook-rig';

const PATH = '/blynk/hooks/greenhouse';
const USER = 'blynk-hook';
const PASSWORD = 'pw-Ue83kd9Zq';
const SECRET = 'S3cretHeaderValue0123456789abcdefABCDEF';
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const JSON_TYPE = { 'Content-Type': 'application/json' };

function flow(node: Record<string, unknown>): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    {
      id: 'wh',
      z: 'tab',
      type: 'blynk-cloud-webhook-in',
      url: PATH,
      method: 'POST',
      auth: 'basic',
      headerName: 'X-Blynk-Secret',
      wires: [['sink']],
      ...node,
    },
    { id: 'sink', z: 'tab', type: 'helper' },
  ];
}

/** Everything the runtime logged, as text. */
function logged(): string {
  return JSON.stringify(helper.log().args);
}

function warnings(key: string): number {
  return helper.log().args.filter((a) => JSON.stringify(a).includes(key)).length;
}

describe('blynk-cloud-webhook-in over HTTP', function () {
  let rig: WebhookRig;
  const load = async (
    node: Record<string, unknown> = {},
    creds: Record<string, string> = { user: USER, password: PASSWORD },
  ): Promise<void> => {
    rig = await loadWebhookFlow(flow(node), { wh: creds });
  };
  const post = (headers: Record<string, string>, body?: string, method = 'POST', path = PATH): ReturnType<typeof httpRequest> =>
    httpRequest(method, rig.url + path, headers, body);

  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    // No credential anywhere the user or another node can see.
    const seen = logged() + JSON.stringify(rig?.messages ?? []) + JSON.stringify(helper.getNode('wh') ? allStatusesOf('wh') : []);
    for (const secret of [PASSWORD, SECRET, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')])
      assert.ok(!seen.includes(secret), 'a secret leaked');
    await rig?.close();
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
  });

  describe('Basic authentication', function () {
    it('passes the right credentials: an empty 200, then the message', async () => {
      await load();
      const res = await post({ ...JSON_TYPE, Authorization: basic(USER, PASSWORD) }, '{"a":1}');
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      await until(() => rig.messages.length === 1);
      assert.deepEqual(rig.messages[0].payload, { a: 1 });
      assert.equal((rig.messages[0] as NodeMessage & { headers: Record<string, string> }).headers.authorization, undefined);
    });

    it('refuses wrong or missing credentials with 401 and WWW-Authenticate, sends nothing, logs once per reason', async () => {
      await load();
      for (let i = 0; i < 3; i++) {
        const wrong = await post({ ...JSON_TYPE, Authorization: basic(USER, 'nope') }, '{}');
        assert.equal(wrong.status, 401);
        assert.match(String(wrong.headers['www-authenticate']), /^Basic /);
      }
      const wrongUser = await post({ ...JSON_TYPE, Authorization: basic('someone', PASSWORD) }, '{}');
      assert.equal(wrongUser.status, 401);
      assert.equal((await post(JSON_TYPE, '{}')).status, 401);
      assert.equal((await post({ ...JSON_TYPE, Authorization: 'Bearer abc' }, '{}')).status, 401);
      assert.equal(warnings('refused.basic-wrong'), 1);
      assert.equal(warnings('refused.basic-missing'), 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(rig.messages.length, 0);
    });

    it('refuses everything while the credentials are incomplete', async () => {
      await load({}, { user: USER });
      assert.equal((await post({ ...JSON_TYPE, Authorization: basic(USER, '') }, '{}')).status, 401);
      assert.equal(warnings('incomplete-auth'), 1);
    });
  });

  describe('secret header', function () {
    it('passes the right value and keeps the header off the message', async () => {
      await load({ auth: 'header' }, { secret: SECRET });
      const res = await post({ ...JSON_TYPE, 'X-Blynk-Secret': SECRET, 'X-Other': 'shown' }, '{"v":2}');
      assert.equal(res.status, 200);
      await until(() => rig.messages.length === 1);
      const headers = (rig.messages[0] as NodeMessage & { headers: Record<string, string> }).headers;
      assert.equal(headers['x-blynk-secret'], undefined);
      assert.equal(headers['x-other'], 'shown');
    });

    it('refuses a wrong or missing value with 401 (no WWW-Authenticate)', async () => {
      await load({ auth: 'header' }, { secret: SECRET });
      const wrong = await post({ ...JSON_TYPE, 'X-Blynk-Secret': `${SECRET}x` }, '{}');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers['www-authenticate'], undefined);
      assert.equal((await post(JSON_TYPE, '{}')).status, 401);
      assert.equal(warnings('refused.header-wrong'), 1);
      assert.equal(warnings('refused.header-missing'), 1);
      assert.equal(rig.messages.length, 0);
    });

    it('with both, needs both', async () => {
      await load({ auth: 'both' }, { user: USER, password: PASSWORD, secret: SECRET });
      assert.equal((await post({ ...JSON_TYPE, 'X-Blynk-Secret': SECRET }, '{}')).status, 401);
      assert.equal((await post({ ...JSON_TYPE, Authorization: basic(USER, PASSWORD) }, '{}')).status, 401);
      assert.equal((await post({ ...JSON_TYPE, Authorization: basic(USER, PASSWORD), 'X-Blynk-Secret': SECRET }, '{}')).status, 200);
    });

    it('without authentication accepts requests and warns when deployed', async () => {
      await load({ auth: 'none' }, {});
      assert.equal(warnings('webhook.no-auth'), 1);
      assert.equal((await post(JSON_TYPE, '{}')).status, 200);
    });
  });

  describe('bodies', function () {
    beforeEach(async () => load({ auth: 'none' }, {}));

    it('JSON, form fields, plain text, JSON without a content type', async () => {
      await post(JSON_TYPE, '{"deviceId":"101","value":"3.5"}');
      await post({ 'Content-Type': 'application/x-www-form-urlencoded' }, 'deviceId=102&pin=v2&value=ok&tag=a&tag=b');
      await post({ 'Content-Type': 'text/plain; charset=utf-8' }, 'temperature is 21');
      await post({}, '{"x":true}');
      await until(() => rig.messages.length === 4);
      const [json, form, text, bare] = rig.messages as Array<NodeMessage & Record<string, unknown>>;
      assert.deepEqual(json.payload, { deviceId: '101', value: '3.5' });
      assert.equal(json.deviceId, 101);
      assert.equal(json.value, 3.5);
      assert.deepEqual(form.payload, { deviceId: '102', pin: 'v2', value: 'ok', tag: ['a', 'b'] });
      assert.equal(form.topic, '102/V2');
      assert.equal(form.value, 'ok');
      assert.equal(text.payload, 'temperature is 21');
      assert.deepEqual(bare.payload, { x: true });
    });

    it('every placeholder of the recommended template arrives typed', async () => {
      const body = fillPlaceholders(RECOMMENDED_TEMPLATE, {
        device_id: '101',
        device_name: 'Greenhouse',
        device_pin: 'V1',
        device_dataStreamId: '2',
        device_pinValue: '23.25',
        device_productName: 'Sim Weather Station',
        device_orgName: 'Simulated Org',
        device_tags: 'north,glass',
        timestamp_unix: '1764770000000',
        timestamp_iso8601: '2025-12-03T13:53:20.000Z',
      });
      await post(JSON_TYPE, body);
      await until(() => rig.messages.length === 1);
      const msg = rig.messages[0] as NodeMessage & Record<string, unknown>;
      assert.equal(msg.deviceId, 101);
      assert.equal(msg.deviceName, 'Greenhouse');
      assert.equal(msg.pin, 'V1');
      assert.equal(msg.dataStreamId, 2);
      assert.equal(msg.value, 23.25);
      assert.equal(msg.timestamp, 1764770000000);
      assert.equal(msg.time, '2025-12-03T13:53:20.000Z');
      assert.equal(msg.topic, '101/V1');
      const payload = msg.payload as Record<string, string>;
      assert.equal(payload.templateName, 'Sim Weather Station');
      assert.equal(payload.orgName, 'Simulated Org');
      assert.equal(payload.tags, 'north,glass');
    });

    it('takes Unix seconds too, and leaves unfilled placeholders out', async () => {
      await post(JSON_TYPE, '{"deviceId":"{device_id}","timestamp":"1764770000","value":"{device_pinValue}"}');
      await until(() => rig.messages.length === 1);
      const msg = rig.messages[0] as NodeMessage & Record<string, unknown>;
      assert.equal(msg.timestamp, 1764770000000);
      assert.equal(msg.deviceId, undefined);
      assert.equal(msg.value, undefined);
    });

    it('a GET gives its query parameters as the payload', async () => {
      await helper.unload();
      await rig.close();
      await load({ auth: 'none', method: 'GET' }, {});
      const res = await post({}, undefined, 'GET', `${PATH}?deviceId=101&pin=V0&value=1`);
      assert.equal(res.status, 200);
      await until(() => rig.messages.length === 1);
      const msg = rig.messages[0] as NodeMessage & Record<string, unknown>;
      assert.deepEqual(msg.payload, { deviceId: '101', pin: 'V0', value: '1' });
      assert.equal(msg.value, 1);
      assert.deepEqual(msg.query, { deviceId: '101', pin: 'V0', value: '1' });
    });
  });

  describe('bad input', function () {
    beforeEach(async () => load({ auth: 'none' }, {}));

    it('413 over 5 KB, 400 for malformed JSON, 405 for another method; no message', async () => {
      const big = JSON.stringify({ s: 'x'.repeat(5 * 1024) });
      assert.equal((await post(JSON_TYPE, big)).status, 413);
      assert.equal((await post(JSON_TYPE, '{"a":')).status, 400);
      const put = await post(JSON_TYPE, '{}', 'PUT');
      assert.equal(put.status, 405);
      assert.equal(put.headers.allow, 'POST');
      assert.equal((await post({}, undefined, 'DELETE')).status, 405);
      // Exactly 5 KB is still taken.
      assert.equal((await post({ 'Content-Type': 'text/plain' }, 'y'.repeat(5 * 1024))).status, 200);
      await until(() => rig.messages.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(rig.messages.length, 1);
    });

    it('leaves another method to another node serving the same path (a core http in), 405 otherwise', async () => {
      rig.app.get(PATH, (_req, res) => void res.status(200).send('served by the other node'));
      const get = await post({}, undefined, 'GET');
      assert.deepEqual([get.status, get.text], [200, 'served by the other node']);
      assert.equal((await post(JSON_TYPE, '{}', 'PUT')).status, 405);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(rig.messages.length, 0);
    });

    it('413 for a chunked body that grows past 5 KB', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          rig.url + PATH,
          { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' }, agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 6; i++) req.write('z'.repeat(1024));
        req.end();
      });
      assert.equal(status, 413);
      assert.equal(rig.messages.length, 0);
    });
  });

  it('concurrent deliveries: none lost, none duplicated; the status counts them', async () => {
    await load({ auth: 'none' }, {});
    const n = 40;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => post(JSON_TYPE, JSON.stringify({ value: String(i) }))));
    assert.ok(answers.every((a) => a.status === 200));
    await until(() => rig.messages.length === n);
    const values = rig.messages.map((m) => (m as NodeMessage & { value: number }).value).sort((a, b) => a - b);
    assert.deepEqual(
      values,
      Array.from({ length: n }, (_, i) => i),
    );
    const last = allStatusesOf('wh').at(-1) as NodeStatus;
    assert.equal(last.fill, 'green');
    assert.equal(last.text, statusText('webhook-delivered'));
  });

  it('redeploy while a delivery is in flight: 503, no message, no crash, the route is gone', async () => {
    await load({ auth: 'none' }, {});
    const answer = new Promise<number>((resolve, reject) => {
      const req = http.request(
        rig.url + PATH,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': '19' }, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{"value":');
      setTimeout(() => req.end('"9"      }'), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    await helper.unload();
    assert.equal(await answer, 503);
    assert.equal(rig.messages.length, 0);
    // Node-RED's log entries carry their level (20 = error).
    const errors = helper.log().args.filter((a) => (a[0] as { level?: number } | undefined)?.level === 20);
    assert.deepEqual(errors, [], 'an error was logged');
    assert.equal((await post(JSON_TYPE, '{}')).status, 404);
  });
});
