// "Create in Blynk" in the webhook in dialog: with a deployed connection on the simulator, the
// button creates the webhook (the node's stored Basic password read by the runtime, never shown),
// a second click updates it, the id is kept in the node, and a datastream write then reaches
// the deployed node through the simulator's webhook call.
import assert from 'node:assert/strict';
import { RECOMMENDED_TEMPLATE } from '../../dist/blynk/webhook';
import { Editor } from './editor';
import { en, stack, useEditorPage } from './fixture';
import { deployFlows } from './stack';

const TYPE = 'blynk-cloud-webhook-in';
const PATH = '/blynk/hooks/e2e-setup';
const PASSWORD = 'e2e-hook-password-7';
const NODE = 'e2e-wh';

describe('webhook in: Create in Blynk', function () {
  let editor: Editor;
  before(async function () {
    const { sim } = stack;
    await deployFlows(stack, [
      { id: 'e2e-wh-tab', type: 'tab', label: 'webhook setup' },
      {
        id: 'e2e-wh-cfg',
        type: 'blynk-cloud-config',
        name: 'simulator',
        server: sim.url,
        grantType: 'client_credentials',
        credentials: { clientId: sim.demo.clientId, clientSecret: sim.demo.clientSecret },
      },
      {
        id: NODE,
        z: 'e2e-wh-tab',
        type: TYPE,
        name: 'setup',
        url: PATH,
        method: 'POST',
        auth: 'basic',
        headerName: 'X-Blynk-Secret',
        topic: '',
        x: 200,
        y: 120,
        wires: [[]],
        credentials: { user: 'hook', password: PASSWORD },
      },
    ]);
  });
  useEditorPage((e) => (editor = e));
  after(async function () {
    await deployFlows(stack, []);
    stack.sim.reset();
  });

  it('creates the webhook, a second click updates it, the id is kept, and a write reaches the node', async function () {
    const { page } = editor;
    const { sim } = stack;
    const text = async (selector: string): Promise<string> => ((await page.locator(selector).textContent()) ?? '').trim();
    await editor.openNode(NODE);
    assert.equal(await text('#blynk-webhook-setup-title'), en(TYPE, 'setup.title'));
    assert.equal(await text('#blynk-webhook-setup-create-label'), en(TYPE, 'setup.create'));
    // The id fields are named after the trigger.
    const labels = async (): Promise<string[]> => [
      await text('#blynk-webhook-setup-target-label'),
      await text('#blynk-webhook-setup-source-label'),
    ];
    assert.deepEqual(await labels(), [en(TYPE, 'setup.device'), en(TYPE, 'setup.datastream')]);
    await page.selectOption('#node-input-setupTrigger', 'PRODUCT_DATASTREAM_UPDATE');
    assert.deepEqual(await labels(), [en(TYPE, 'setup.template'), en(TYPE, 'setup.datastream')]);
    await page.selectOption('#node-input-setupTrigger', 'DEVICE_LOG_EVENT');
    assert.deepEqual(await labels(), [en(TYPE, 'setup.device'), en(TYPE, 'setup.event')]);
    await page.selectOption('#node-input-setupTrigger', 'DEVICE_DATASTREAM_UPDATE');

    // No connection chosen: said so, nothing sent.
    await page.evaluate(`$('#node-input-setupConfig').val('_ADD_').trigger('change')`);
    const before = sim.log.length;
    await page.locator('#blynk-webhook-setup-create').click();
    await page.waitForFunction(`$('#blynk-webhook-setup-result').text().length > 0`);
    assert.equal(await text('#blynk-webhook-setup-result'), en(TYPE, 'setup.needsDeployed'));
    assert.equal(sim.log.length, before);

    const base = stack.editor.replace(/\/$/, '');
    await page.selectOption('#node-input-setupConfig', 'e2e-wh-cfg');
    await page.fill('#node-input-setupBaseUrl', base);
    await page.fill('#node-input-setupTarget', '101');
    await page.fill('#node-input-setupSource', '2');
    await page.fill('#node-input-setupName', 'Greenhouse temperature');
    await page.locator('#blynk-webhook-setup-create').click();
    await page.waitForFunction(`/^Created webhook/.test($('#blynk-webhook-setup-result').text())`, undefined, { timeout: 20_000 });
    const id = Number(/^Created webhook (\d+)/.exec(await text('#blynk-webhook-setup-result'))?.[1]);
    assert.ok(id > 0);
    assert.match(await text('#blynk-webhook-setup-result'), /Greenhouse temperature/);
    assert.ok(await page.locator('#blynk-webhook-setup-result').evaluate((el) => el.classList.contains('blynk-cloud-config-ok')));
    const created = sim.webhooks.definition(id);
    assert.deepEqual(
      [created?.trigger, created?.deviceId, created?.dataStreamId, created?.url, created?.method, created?.contentType, created?.body],
      ['DEVICE_DATASTREAM_UPDATE', 101, 2, `${base}${PATH}`, 'POST', 'JSON', RECOMMENDED_TEMPLATE],
    );
    assert.deepEqual([created?.authType, created?.username, created?.password], ['BASIC', 'hook', PASSWORD]);
    assert.equal(await text('#blynk-webhook-setup-create-label'), en(TYPE, 'setup.update'));

    await page.fill('#node-input-setupName', 'Greenhouse temperature two');
    await page.locator('#blynk-webhook-setup-create').click();
    await page.waitForFunction(`/^Updated webhook/.test($('#blynk-webhook-setup-result').text())`, undefined, { timeout: 20_000 });
    assert.match(await text('#blynk-webhook-setup-result'), new RegExp(`^Updated webhook ${id} \\(Greenhouse temperature two\\)`));
    assert.equal(sim.webhooks.list().length, 1);
    assert.equal((await page.content()).includes(PASSWORD), false, 'the stored password reached the page');

    await editor.dialogDone();
    assert.equal(await editor.nodeProperty(NODE, 'blynkWebhookId'), String(id));
    await editor.deploy();

    const write = await fetch(`${sim.url}/external/api/update?token=${sim.demo.devices[0].token}&v1=23.5`);
    assert.equal(write.status, 200);
    const deadline = Date.now() + 10_000;
    while (!sim.webhooks.attempts().some((a) => a.webhookId === id && a.status !== 0) && Date.now() < deadline)
      await page.waitForTimeout(100);
    // 200: the deployed node took the stored Basic credentials the runtime sent to Blynk.
    assert.deepEqual(
      sim.webhooks.attempts().map((a) => [a.webhookId, a.status, a.url]),
      [[id, 200, `${base}${PATH}`]],
    );
    editor.assertNoProblems('in the webhook in dialog');
  });
});
