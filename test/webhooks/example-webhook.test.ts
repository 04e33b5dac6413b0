import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { RECOMMENDED_TEMPLATE } from '../../dist/blynk/webhook';
import { Simulator, startSimulator } from '../../dist/simulator';
import { EXAMPLE_WEBHOOK, exampleFlows } from '../../scripts/example-flows';
import { FlowNode, helper } from '../support/runtime';
import { loadWebhookFlow, until, WebhookRig } from '../support/webhook-rig';

const EXAMPLE = '12 - A Blynk webhook starts a flow.json';

/**
 * The example as `npm start` deploys it, with the simulator's webhook as start.js defines it:
 * writing the datastream in one flow starts the other within a second, offline.
 */
describe('example: a Blynk webhook starts a flow', function () {
  let sim: Simulator;
  let rig: WebhookRig;
  before(async () => {
    sim = await startSimulator({ webhookRatePerMinute: 10 });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await rig?.close();
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
  });

  it('device update → simulator webhook → webhook in → message, within a second', async () => {
    const credentials: Record<string, Record<string, string>> = {};
    const nodes = exampleFlows({ server: sim.url, demo: sim.demo, files: [EXAMPLE] })
      // Core nodes the helper does not load: the inject is replaced by receive(), the debug by a helper node.
      .filter((n) => n.type !== 'inject' && n.type !== 'comment')
      .map((n): FlowNode => {
        const { credentials: creds, ...node } = n as FlowNode & { credentials?: Record<string, string> };
        if (creds) credentials[node.id] = creds;
        return node.type === 'debug' ? { id: node.id, z: node.z, type: 'helper' } : node;
      });
    const debug = nodes.find((n) => n.type === 'helper');
    assert.ok(debug);
    rig = await loadWebhookFlow(nodes, credentials, debug.id);
    sim.webhooks.add({
      trigger: 'DEVICE_DATASTREAM_UPDATE',
      deviceId: EXAMPLE_WEBHOOK.deviceId,
      dataStreamId: EXAMPLE_WEBHOOK.dataStreamId,
      url: rig.url + EXAMPLE_WEBHOOK.path,
      method: 'POST',
      contentType: 'JSON',
      body: RECOMMENDED_TEMPLATE,
      headers: { [EXAMPLE_WEBHOOK.headerName]: EXAMPLE_WEBHOOK.secret },
    });
    const update = nodes.find((n) => n.type === 'blynk-cloud-device-update');
    assert.ok(update);
    const started = Date.now();
    helper.getNode(update.id).receive({ payload: 55 } as NodeMessage);
    await until(() => rig.messages.length === 1, 1000);
    assert.ok(Date.now() - started < 1000);
    const msg = rig.messages[0] as NodeMessage & Record<string, unknown>;
    assert.equal(msg.deviceId, 101);
    assert.equal(msg.pin, 'V5');
    assert.equal(msg.value, 55);
  });
});
