import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { RECOMMENDED_TEMPLATE } from '../../dist/blynk/webhook';
import { Simulator, startSimulator } from '../../dist/simulator';
import { httpRequest } from '../support/http';
import { FlowNode, helper } from '../support/runtime';
import { loadWebhookFlow, until, WebhookRig } from '../support/webhook-rig';

const PATH = '/blynk/hooks/greenhouse';
const DEVICE = { id: 101, token: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' };

const flow: FlowNode[] = [
  { id: 'tab', type: 'tab', label: 'test' },
  {
    id: 'wh',
    z: 'tab',
    type: 'blynk-cloud-webhook-in',
    url: PATH,
    method: 'POST',
    auth: 'both',
    headerName: 'X-Blynk-Secret',
    wires: [['sink']],
  },
  { id: 'sink', z: 'tab', type: 'helper' },
];
const CREDS = { wh: { user: 'hook', password: 'hook-password-1', secret: 'AbC123secret' } };

describe('simulator webhooks → blynk-cloud-webhook-in (end to end)', function () {
  let sim: Simulator;
  let rig: WebhookRig;
  beforeEach(async () => {
    await new Promise<void>((resolve) => helper.startServer(() => resolve()));
    rig = await loadWebhookFlow(flow, CREDS);
    sim = await startSimulator({ webhookRatePerMinute: 10 });
  });
  afterEach(async () => {
    await sim.close();
    await rig.close();
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
  });

  const define = (extra: Record<string, unknown> = {}): Promise<{ status: number; text: string }> =>
    httpRequest(
      'POST',
      `${sim.url}/sim/webhooks`,
      { 'Content-Type': 'application/json' },
      JSON.stringify({
        trigger: 'DEVICE_DATASTREAM_UPDATE',
        deviceId: DEVICE.id,
        url: rig.url + PATH,
        method: 'POST',
        contentType: 'JSON',
        body: RECOMMENDED_TEMPLATE,
        authType: 'BASIC',
        username: 'hook',
        password: 'hook-password-1',
        headers: { 'X-Blynk-Secret': 'AbC123secret' },
        ...extra,
      }),
    );

  it('a datastream write calls the webhook, which starts the flow within a second', async () => {
    assert.equal((await define()).status, 201);
    const started = Date.now();
    assert.equal((await httpRequest('GET', `${sim.url}/external/api/update?token=${DEVICE.token}&v1=23.5`)).status, 200);
    await until(() => rig.messages.length === 1, 1000);
    assert.ok(Date.now() - started < 1000);
    const msg = rig.messages[0] as NodeMessage & Record<string, unknown>;
    assert.equal(msg.deviceId, 101);
    assert.equal(msg.deviceName, 'Greenhouse');
    assert.equal(msg.pin, 'V1');
    assert.equal(msg.dataStreamId, 2);
    assert.equal(msg.value, 23.5);
    assert.equal(msg.topic, '101/V1');
    assert.equal(typeof msg.timestamp, 'number');
    const payload = msg.payload as Record<string, string>;
    assert.equal(payload.templateName, 'Sim Weather Station');
    assert.equal(payload.orgName, 'Simulated Org');
    await until(() => sim.webhooks.attempts()[0]?.status === 200);
  });

  it('only the matching device and datastream; a logged event fires an event webhook', async () => {
    await define({ dataStreamId: 1 });
    await define({
      trigger: 'DEVICE_LOG_EVENT',
      eventCode: 'high_temp',
      contentType: 'URL_ENCODED_FORM',
      formBody: { deviceId: '{device_id}', eventCode: '{event_code}' },
      body: undefined,
    });
    await httpRequest('GET', `${sim.url}/external/api/update?token=${DEVICE.token}&v1=20`); // other datastream
    await httpRequest('GET', `${sim.url}/external/api/update?token=njeVSg0-F1Ui1-PHnulaACQVpyCAEeVz&v0=1`); // other device
    await httpRequest('GET', `${sim.url}/external/api/update?token=${DEVICE.token}&v0=1`);
    await httpRequest('GET', `${sim.url}/external/api/logEvent?token=${DEVICE.token}&code=high_temp&description=hot`);
    await until(() => rig.messages.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a third (filtered) call would arrive now
    assert.equal(rig.messages.length, 2);
    const byPin = rig.messages.find((m) => (m as NodeMessage & { pin?: string }).pin === 'V0') as NodeMessage & Record<string, unknown>;
    assert.deepEqual([byPin.deviceId, byPin.value], [101, 1]);
    const event = rig.messages.find((m) => (m as NodeMessage & { eventCode?: string }).eventCode) as NodeMessage & Record<string, unknown>;
    assert.equal(event.eventCode, 'high_temp');
    assert.equal(event.deviceId, 101);
  });

  it('at most the rate per webhook and minute; every attempt is logged, without the credential', async () => {
    sim.webhooks.ratePerMinute = 2;
    await define();
    for (const v of [1, 2, 3]) await httpRequest('GET', `${sim.url}/external/api/update?token=${DEVICE.token}&v1=${v}`);
    await until(() => rig.messages.length === 2);
    const attempts = sim.webhooks.attempts();
    assert.equal(attempts.length, 3);
    assert.equal(attempts[2].error, 'rate-limited');
    const listed = await httpRequest('GET', `${sim.url}/sim/webhooks`);
    assert.ok(!listed.text.includes('hook-password-1'));
    assert.ok(!listed.text.includes('AbC123secret'));
  });

  it('wrong credentials in Blynk: 401 logged, no message', async () => {
    await define({ password: 'wrong' });
    await httpRequest('GET', `${sim.url}/external/api/update?token=${DEVICE.token}&v1=5`);
    await until(() => sim.webhooks.attempts()[0]?.status === 401);
    assert.equal(rig.messages.length, 0);
  });

  it('refuses a bad definition', async () => {
    assert.equal((await define({ trigger: 'NOPE' })).status, 400);
    assert.equal((await define({ url: 'ftp://x' })).status, 400);
  });
});
