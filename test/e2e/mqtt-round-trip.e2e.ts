// Node-RED as a Blynk device, as a new user sees it after `npm start`: the simulator with its MQTT
// broker, the MQTT examples deployed through the admin API as scripts/start.js does, and a click on
// an inject button in the editor whose value comes back through a device in node to the Debug sidebar.
import assert from 'node:assert/strict';
import type { SimulatorMqtt } from '../../dist/simulator';
import { OUT_ACTIONS } from '../../dist/nodes/blynk-cloud-device-out/actions';
import { exampleFlows } from '../../scripts/example-flows';
import { Editor } from './editor';
import { browser, en, stack, track } from './fixture';
import { deployFlows } from './stack';

const FILES = ['10 - App switch drives a flow (MQTT device).json', '11 - A flow feeds a gauge (MQTT device).json'];

interface DebugLine {
  name: string;
  payload: string;
}

describe('Node-RED as a Blynk device over MQTT: the live round trip after npm start', function () {
  let editor: Editor | undefined;
  let broker: SimulatorMqtt;

  // Both tests start from the examples as npm start deploys them, with the editor open on them.
  before(async function () {
    this.timeout(60_000);
    const { sim } = stack;
    // npm start: `sim.mqtt({ port: BLYNK_SIM_MQTT_PORT })`, then the examples pointed at it; here a free port.
    broker = await sim.mqtt({ port: 0 });
    await deployFlows(stack, exampleFlows({ server: sim.url, demo: sim.demo, mqtt: broker.url, files: FILES }));
    editor = track(await Editor.open(browser, stack.editor));
  });

  after(async function () {
    await editor?.close();
    // The rest of the suite starts from an empty workspace, and the device disconnects.
    await deployFlows(stack, []);
  });

  it('examples 10 and 11 deployed: the "app: switch on/off" injects write Switch, the device in node brings 1 and 0 to the Debug sidebar', async function () {
    this.timeout(60_000);
    assert.ok(editor);
    const asked = (): boolean => broker.log.some((e) => e.direction === 'down' && e.topic === 'downlink/ds/Switch');
    const page = editor.page;

    const tabs = await editor.eval<string[]>(`(() => { const t = []; RED.nodes.eachWorkspace((w) => t.push(w.label)); return t; })()`);
    assert.deepEqual(
      tabs,
      FILES.map((file) => file.replace(/\.json$/, '')),
    );
    await page.locator('#red-ui-workspace-tabs .red-ui-tab', { hasText: FILES[0].replace(/\.json$/, '') }).click();
    await editor.workspaceNode('bmi-inject-on').waitFor({ state: 'visible' });

    // Connected: the device in node's status is the green dot, and its "ask for the current values
    // on connect" (get/ds Switch) has been answered with the seeded 0, before the sidebar is cleared.
    await page.waitForFunction(`(RED.nodes.node('bmi-in').status || {}).fill === 'green'`, undefined, { timeout: 15_000 });
    const deadline = Date.now() + 10_000;
    while (!asked() && Date.now() < deadline) await page.waitForTimeout(50);
    assert.ok(asked(), `no answer to get/ds: ${JSON.stringify(broker.log)}`);
    assert.equal(stack.sim.state.device(101)?.connected, true);

    await page.locator('#red-ui-tab-debug-link-button').click();
    // The answer to get/ds ("switch turned off: 0") may have come before the editor was listening:
    // whatever of it reached the sidebar is cleared.
    await page.waitForTimeout(300);
    await page.locator('#red-ui-sidebar-debug-clear').click();
    await page.waitForFunction(`$('#red-ui-sidebar-content .red-ui-debug-msg').length === 0`);
    const lines = (): Promise<DebugLine[]> =>
      editor!.eval<DebugLine[]>(
        `$('#red-ui-sidebar-content .red-ui-debug-msg').toArray().map((el) => ({
          name: $(el).find('.red-ui-debug-msg-name').text().trim(),
          payload: $(el).find('.red-ui-debug-msg-payload').text().trim(),
        }))`,
      );
    const logged = broker.log.length;

    await editor.workspaceNode('bmi-inject-on').locator('.red-ui-flow-node-button').click();
    await page.waitForFunction(`$('#red-ui-sidebar-content .red-ui-debug-msg').length >= 1`, undefined, { timeout: 10_000 });
    await editor.workspaceNode('bmi-inject-off').locator('.red-ui-flow-node-button').click();
    await page.waitForFunction(`$('#red-ui-sidebar-content .red-ui-debug-msg').length >= 2`, undefined, { timeout: 10_000 });
    await page.waitForTimeout(300); // nothing more comes
    assert.deepEqual(await lines(), [
      { name: 'node: switch turned on', payload: '1' },
      { name: 'node: switch turned off', payload: '0' },
    ]);

    // The way it went: the write datastream node's Platform API call stored the value, the broker
    // sent it to the device as downlink/ds/Switch, and the device published nothing itself.
    assert.deepEqual(
      broker.log.slice(logged).map((e) => `${e.direction} ${e.topic} ${e.payload}`),
      ['down downlink/ds/Switch 1', 'down downlink/ds/Switch 0'],
    );
    assert.equal(stack.sim.state.value(101, 'v0'), 0);
    const status = await editor.eval<{ fill?: string } | null>(`RED.nodes.node('bmi-write').status || null`);
    assert.notEqual(status?.fill, 'red', `write datastream shows ${JSON.stringify(status)}`);
    editor.assertNoProblems('during the MQTT round trip');
  });

  it('the device out dialog offers every action; the name field is labelled by it, and hidden for requests that name nothing', async function () {
    assert.ok(editor);
    const page = editor.page;
    await page.locator('#red-ui-workspace-tabs .red-ui-tab', { hasText: FILES[1].replace(/\.json$/, '') }).click();
    await editor.workspaceNode('bmo-out-2').waitFor({ state: 'visible' });
    await editor.openNode('bmo-out-2');
    const TYPE = 'blynk-cloud-device-out';
    const options = await page
      .locator('#node-input-action option')
      .evaluateAll((els) => els.map((el) => [el.getAttribute('value'), el.textContent]));
    assert.deepEqual(
      options,
      OUT_ACTIONS.map((a) => [a, en(TYPE, `action.${a}`)]),
    );
    const target: Record<string, string | null> = {
      write: 'datastream',
      event: 'eventCode',
      meta: 'metaField',
      info: null,
      getValues: 'datastreams',
      getAllValues: null,
      getMeta: 'metaFields',
      getTime: null,
      getLocation: null,
    };
    for (const [action, key] of Object.entries(target)) {
      await page.locator('#node-input-action').selectOption(action);
      const row = page.locator('.blynk-cloud-device-out-target-row');
      assert.equal(await row.isVisible(), key !== null, `${action}: name row visible`);
      if (key) assert.equal((await page.locator('#blynk-cloud-device-out-target').textContent())?.trim(), en(TYPE, `label.${key}`), action);
      const tip = (await page.locator('#blynk-cloud-device-out-tip').textContent())?.trim();
      assert.equal(
        tip,
        en(TYPE, action === 'info' ? 'tip.info' : action.startsWith('get') ? 'tip.request' : 'tip.payload'),
        `${action}: tip`,
      );
    }
    // Cancel: the deployed example stays as it is.
    await page.locator('#node-dialog-cancel').click();
    editor.assertNoProblems('in the device out dialog');
  });
});
