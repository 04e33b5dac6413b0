// The editor side of the package in a real browser: palette, help, edit dialogs with their
// typedInputs and validation, the config dialog with Test connection, an example imported from
// the Import menu and deployed against the simulator, Sign in with Blynk (authorization code,
// Allow and Deny on the simulator's consent page), and the German and Japanese catalogs.
// Run with `npm run test:e2e` (needs Chromium at /usr/bin/chromium or CHROMIUM_PATH).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PRESETS, presetGroups } from '../../dist/blynk';
import { DEMO } from '../../dist/simulator';
import { catalogText, categoryOf, Editor, helpIntro, iconOf, readCatalog } from './editor';
import { browser, en, shots, stack, track, useEditorPage } from './fixture';
import type { Page } from 'playwright-core';
import { declaredTypes, deployFlows, ROOT } from './stack';

const CONFIG = 'blynk-cloud-config';

interface TypedStep {
  field: string;
  /** The type a new node starts with. */
  from: string;
  to: string;
  value: string;
}

interface NodeCase {
  type: string;
  short: string;
  /** Where to drop it on the workspace (page coordinates). */
  at: [number, number];
  typed: TypedStep[];
  /** A value the dialog must mark in red, then the node in the workspace. */
  bad: { field: string; type: string; value: string };
  /** Text inputs to fill before Done. */
  fill?: Record<string, string>;
}

const NODES: NodeCase[] = [
  {
    type: 'blynk-cloud-get-device',
    short: 'get-device',
    at: [330, 140],
    typed: [{ field: 'deviceId', from: 'msg', to: 'num', value: '101' }],
    bad: { field: 'deviceId', type: 'num', value: '0' },
  },
  {
    type: 'blynk-cloud-write-datastream',
    short: 'write-datastream',
    at: [330, 240],
    typed: [
      { field: 'deviceId', from: 'msg', to: 'num', value: '101' },
      { field: 'dataStreamId', from: 'msg', to: 'num', value: '2' },
    ],
    bad: { field: 'deviceId', type: 'str', value: 'abc' },
  },
  {
    type: 'blynk-cloud-log-event',
    short: 'log-event',
    at: [330, 340],
    typed: [
      { field: 'deviceId', from: 'msg', to: 'num', value: '101' },
      { field: 'eventCode', from: 'str', to: 'str', value: 'high_temp' },
      { field: 'description', from: 'msg', to: 'str', value: 'Greenhouse too hot' },
    ],
    bad: { field: 'deviceId', type: 'num', value: '0' },
  },
  {
    type: 'blynk-cloud-device-update',
    short: 'device-update',
    at: [330, 440],
    typed: [{ field: 'pin', from: 'msg', to: 'str', value: 'V1' }],
    bad: { field: 'pin', type: 'str', value: 'V256' },
    fill: { 'node-input-token': DEMO.devices[0].token },
  },
];

/** Flow nodes (not config nodes) in package.json order: what the Blynk palette category shows. */
const PALETTE = declaredTypes().filter((type) => categoryOf(type) === 'Blynk');

/** Nodes of the open editor that do not validate (flow and config nodes), with their errors. */
const INVALID_NODES = `(() => {
  const bad = [];
  const check = (n) => {
    if (n.valid === undefined) RED.editor.validateNode(n);
    if (n.valid === false || (n.validationErrors && n.validationErrors.length)) {
      bad.push(n.type + ' ' + n.id + (n.z ? ' on ' + n.z : '') + ': ' + JSON.stringify(n.validationErrors || []));
    }
  };
  RED.nodes.eachNode(check);
  RED.nodes.eachConfig(check);
  return bad;
})()`;

// The first minute of a new user: `npm start` (the nine example tabs deployed against the
// simulator), then a first flow of their own built from the palette, deployed and run.
describe('the first minute after npm start', function () {
  after(async function () {
    // The rest of the suite starts from an empty workspace.
    await deployFlows(stack, []);
  });

  it('no example node is invalid; inject → get device → debug with a new connection deploys without warnings and shows the device', async function () {
    const { sim } = stack;
    await deployFlows(stack);
    const editor = track(await Editor.open(browser, stack.editor));
    try {
      const page = editor.page;
      const tabs = await editor.eval<string[]>(`(() => { const t = []; RED.nodes.eachWorkspace((w) => t.push(w.label)); return t; })()`);
      const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((file) => file.endsWith('.json'));
      assert.equal(tabs.length, examples.length, `tabs: ${tabs.join(', ')}`);
      assert.deepEqual(await editor.eval<string[]>(INVALID_NODES), [], 'invalid nodes after npm start');
      assert.equal(await page.locator('g.red-ui-flow-node-error:visible').count(), 0, 'red triangles on the first tab');

      // Opening an example's node and pressing Done changes nothing: the examples carry every
      // property their dialogs save (a missing one would be added and the flows turn modified).
      const blynkNodes = await editor.eval<Array<{ id: string; z: string; type: string }>>(
        `RED.nodes.filterNodes({}).filter((n) => n.type.startsWith('blynk-cloud-')).map((n) => ({ id: n.id, z: n.z, type: n.type }))`,
      );
      assert.ok(blynkNodes.length >= examples.length, `Blynk nodes in the examples: ${blynkNodes.length}`);
      const changedBy: string[] = [];
      for (const [index, node] of blynkNodes.entries()) {
        await editor.eval(`RED.workspaces.show(${JSON.stringify(node.z)})`);
        await page.waitForFunction(`RED.workspaces.active() === ${JSON.stringify(node.z)}`);
        await editor.workspaceNode(node.id).waitFor({ state: 'visible' });
        await editor.openNode(node.id);
        if (index === 0) {
          // The examples' shared connection, from the first node's pencil.
          await editor.openConfigDialog('edit');
          await editor.configDialogDone();
          if (await editor.eval<boolean>('RED.nodes.dirty()')) changedBy.push('the connection (Update)');
        }
        await editor.dialogDone();
        if (await editor.eval<boolean>('RED.nodes.dirty()')) {
          const changed = await editor.eval<string[]>(
            `RED.nodes.filterNodes({}).concat((() => { const c = []; RED.nodes.eachConfig((n) => c.push(n)); return c; })()).filter((n) => n.changed).map((n) => n.type + ' ' + n.id)`,
          );
          changedBy.push(`${node.type} ${node.id} (Done): ${changed.join(', ')}`);
          await page.locator('#red-ui-header-button-deploy').click();
          await page.waitForFunction(`!RED.nodes.dirty()`, undefined, { timeout: 20_000 }).catch(() => undefined);
          await editor.dismissNotifications().catch(() => undefined);
        }
      }
      assert.deepEqual(changedBy, [], 'opening and closing example nodes changed the flows');

      // A flow of their own, on a new tab.
      const before = await editor.eval<string>('RED.workspaces.active()');
      await page.locator('#red-ui-workspace-tabs .red-ui-tabs-add a, .red-ui-tab-button.red-ui-tabs-add a').first().click();
      await page.waitForFunction(`RED.workspaces.active() !== ${JSON.stringify(before)}`);
      const inject = await editor.addNode('inject', 320, 220, 'common');
      const getDevice = await editor.addNode(NODES[0].type, 520, 220);
      const debug = await editor.addNode('debug', 740, 220, 'common');
      await editor.wire(inject, getDevice);
      await editor.wire(getDevice, debug);

      await editor.openNode(getDevice);
      // The examples' connection is the only one: the new node starts with it.
      await page
        .waitForFunction(`$('#node-input-connection').val() === 'blynk-demo-connection'`, undefined, { timeout: 2_000 })
        .catch(() => assert.fail("the only connection (the examples') is not preselected"));
      await editor.openConfigDialog('add');
      await page.locator('#node-config-input-name').fill('My Blynk');
      await page.locator('#node-config-input-region-select').selectOption('custom');
      await page.locator('#node-config-input-server').waitFor({ state: 'visible' });
      await page.locator('#node-config-input-server').fill(sim.url);
      await page.locator('#node-config-input-clientId').fill(sim.demo.clientId);
      await page.locator('#node-config-input-clientSecret').fill(sim.demo.clientSecret);
      await page.locator('#node-config-blynk-cloud-test').click();
      const connected = en(CONFIG, 'test-connection.connected').replace('__name__', sim.demo.org.name);
      await page
        .waitForFunction(`$('#node-config-blynk-cloud-test-result').text().trim() === ${JSON.stringify(connected)}`, undefined, {
          timeout: 20_000,
        })
        .catch(async () =>
          assert.fail(`Test connection shows "${(await page.locator('#node-config-blynk-cloud-test-result').textContent()) ?? ''}"`),
        );
      await editor.configDialogDone();
      const configId = await page.locator('#node-input-connection').inputValue();
      assert.equal(await editor.nodeProperty(configId, 'name'), 'My Blynk');
      await editor.setTyped('deviceId', 'num', '101');
      await editor.dialogDone();
      assert.deepEqual(await editor.eval<string[]>(INVALID_NODES), [], 'invalid nodes before Deploy');

      // Deploy: no "badly configured nodes" question, the flows are deployed.
      await page.locator('#red-ui-header-button-deploy').click();
      await page.waitForFunction(
        `$('.red-ui-deploy-dialog-confirm-list:visible').length > 0 || (!RED.nodes.dirty() && $('#red-ui-header-button-deploy').hasClass('disabled'))`,
        undefined,
        { timeout: 20_000 },
      );
      const warning = await page.locator('.red-ui-notification:visible').allTextContents();
      assert.equal(await page.locator('.red-ui-deploy-dialog-confirm-list:visible').count(), 0, `Deploy warned: ${warning.join(' | ')}`);
      assert.equal(
        await page.locator('.red-ui-notification-warning:visible, .red-ui-notification-error:visible').count(),
        0,
        `notifications: ${warning.join(' | ')}`,
      );
      await editor.dismissNotifications().catch(() => undefined);

      await page.locator('#red-ui-tab-debug-link-button').click();
      await page
        .locator('#red-ui-sidebar-debug-clear')
        .click()
        .catch(() => undefined);
      await editor.workspaceNode(inject).locator('.red-ui-flow-node-button').click();
      const message = page.locator('#red-ui-sidebar-content .red-ui-debug-msg', { hasText: 'Greenhouse' });
      await message
        .first()
        .waitFor({ state: 'visible', timeout: 20_000 })
        .catch(async () =>
          assert.fail(
            `no device in the debug sidebar: ${(await page.locator('#red-ui-sidebar-content .red-ui-debug-msg').allTextContents()).join(' | ')}`,
          ),
        );
      editor.assertNoProblems('in the first minute');
    } finally {
      await editor.close();
    }
  });
});

describe('editor in Chromium (en-US)', function () {
  let editor: Editor;
  const ids: Record<string, string> = {};
  useEditorPage((e) => (editor = e));

  it('shows every flow node of package.json under Blynk with its label and icon, and loads every icon', async function () {
    const page = editor.page;
    const category = page.locator('#red-ui-palette-container-Blynk');
    assert.equal((await category.locator('.red-ui-palette-header span').textContent())?.trim(), 'Blynk');
    const types = await category
      .locator('.red-ui-palette-node')
      .evaluateAll((nodes) =>
        nodes.map((node) => (node as unknown as { getAttribute(name: string): string }).getAttribute('data-palette-type')),
      );
    // The palette lists a module's node sets in the order package.json declares them.
    assert.deepEqual(types, PALETTE);
    for (const { type } of NODES) assert.ok(PALETTE.includes(type), `${type} is not a Blynk palette node`);

    for (const type of PALETTE) {
      const node = editor.paletteNode(type);
      const label = en(type, 'paletteLabel');
      assert.equal(await node.getAttribute('data-palette-label'), label);
      // The palette may break a label over lines: compare the words.
      const shown = ((await node.locator('.red-ui-palette-label').textContent()) ?? '').replace(/\s+/g, ' ').trim();
      assert.equal(shown, label);
      assert.equal(
        await node.locator('.red-ui-palette-icon-container').getAttribute('data-palette-icon'),
        `icons/node-red-contrib-blynk-cloud/${iconOf(type)}`,
      );
    }
    // The config node has no palette entry; its icon is still served and drawn.
    const icons = declaredTypes().map(iconOf);
    const loaded = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map(
            (url) =>
              new Promise<number>((resolve) => {
                const image = new (
                  globalThis as unknown as {
                    Image: new () => { src: string; naturalWidth: number; onload: () => void; onerror: () => void };
                  }
                ).Image();
                image.onload = () => resolve(image.naturalWidth);
                image.onerror = () => resolve(0);
                image.src = url;
              }),
          ),
        ),
      icons.map((icon) => `icons/node-red-contrib-blynk-cloud/${icon}`),
    );
    icons.forEach((icon, i) => assert.ok(loaded[i] > 0, `${icon} did not load as an image`));
    for (const type of PALETTE) {
      const status = editor.statuses.get(`/icons/node-red-contrib-blynk-cloud/${iconOf(type)}`);
      assert.equal(status, 200, `palette icon of ${type} answered ${status}`);
    }

    await category.scrollIntoViewIfNeeded();
    const palette = await page.locator('#red-ui-palette').boundingBox();
    const box = await category.boundingBox();
    assert.ok(palette && box);
    const top = Math.max(palette.y, box.y - 150);
    shots.push(
      await editor.screenshot('palette.png', {
        x: 0,
        y: top,
        width: palette.x + palette.width,
        height: Math.min(box.y + box.height + 20, palette.y + palette.height) - top,
      }),
    );
    editor.assertNoProblems('on loading the editor');
  });

  it('config dialog: region picker, grant switch, help, Test connection good and bad', async function () {
    const page = editor.page;
    const { sim } = stack;
    ids['get-device'] = await editor.addNode(NODES[0].type, ...NODES[0].at);
    await editor.openNode(ids['get-device']);
    await editor.openConfigDialog('add');

    // What a new connection needs is on the first screen, in this order, without scrolling:
    // Name, Region, Grant, Client ID, Client secret, Test connection, and the result line right
    // under the button, as wide as the fields.
    const firstScreen = await editor.eval<{
      boxes: Array<{ id: string; top: number; bottom: number } | null>;
      visibleBottom: number;
      result: { top: number; width: number };
      field: { width: number };
    }>(`(() => {
      const footer = $('.red-ui-tray').last().find('.red-ui-tray-footer')[0].getBoundingClientRect();
      const box = (s) => { const r = $(s)[0].getBoundingClientRect(); return r.height ? { id: s, top: r.top, bottom: r.bottom } : null; };
      return {
        boxes: ['#node-config-input-name', '#node-config-input-region-select', '#node-config-input-grantType', '#node-config-input-clientId', '#node-config-input-clientSecret', '#node-config-blynk-cloud-test'].map(box),
        visibleBottom: Math.min(window.innerHeight, footer.top),
        result: (() => { const r = $('#node-config-blynk-cloud-test-result')[0].getBoundingClientRect(); return { top: r.top, width: r.width }; })(),
        field: { width: $('#node-config-input-clientId')[0].getBoundingClientRect().width },
      };
    })()`);
    firstScreen.boxes.forEach((b, i) => {
      assert.ok(b, `field ${i + 1} of the first screen is not shown`);
      assert.ok(b.bottom <= firstScreen.visibleBottom, `${b.id} is below the first screen (${b.bottom} > ${firstScreen.visibleBottom})`);
      const previous = firstScreen.boxes[i - 1];
      if (previous) assert.ok(b.top >= previous.bottom, `${b.id} is not below ${previous.id}`);
    });
    const testButton = firstScreen.boxes[firstScreen.boxes.length - 1]!;
    assert.ok(
      firstScreen.result.top >= testButton.bottom && firstScreen.result.top - testButton.bottom < 20,
      'the Test connection result is not right under the button',
    );
    assert.ok(firstScreen.result.width >= firstScreen.field.width, 'the Test connection result line is narrower than the fields');
    // The rest is in tabs; Sign-in only for the authorization code grant.
    const tabLabels = async (): Promise<string[]> =>
      (await page.locator('#node-config-blynk-cloud-tabs li.red-ui-tab:not(.hide-tab)').allTextContents()).map((t) => t.trim());
    assert.deepEqual(
      await tabLabels(),
      ['connection', 'advanced', 'clients'].map((tab) => en(CONFIG, `tabs.${tab}`)),
    );
    // Creating an OAuth client needs a deployed connection: disabled, with the reason.
    await editor.showConfigField('#node-config-blynk-cloud-oauth-name');
    assert.equal(
      (await page.locator('#node-config-blynk-cloud-oauth-unavailable').textContent())?.trim(),
      en(CONFIG, 'oauth-client.errors.not-deployed'),
    );
    assert.equal(
      await page.locator('#node-config-blynk-cloud-oauth-create').isDisabled(),
      true,
      'Create client is enabled on a new connection',
    );
    await editor.showConfigField('#node-config-input-clientId');

    const region = page.locator('#node-config-input-region-select');
    const server = page.locator('#node-config-input-server');
    const customRow = page.locator('.blynk-cloud-config-custom-row');
    const userRows = page.locator('.blynk-cloud-config-user-row');
    // A new connection: the global cloud, server row hidden.
    assert.equal(await region.inputValue(), 'https://blynk.cloud');
    assert.equal(await customRow.isVisible(), false);

    await region.selectOption({ label: en(CONFIG, 'region.fra1') });
    assert.equal(await server.inputValue(), 'https://fra1.blynk.cloud');
    assert.equal(await customRow.isVisible(), false);
    await region.selectOption('custom');
    await customRow.waitFor({ state: 'visible' });
    assert.equal(await server.isVisible(), true);

    // Grant type: e-mail and password only for the user credentials grant.
    const grant = page.locator('#node-config-input-grantType');
    assert.equal(await grant.inputValue(), 'client_credentials');
    assert.equal(await userRows.first().isVisible(), false);
    assert.equal(await page.locator('#node-config-input-password').isVisible(), false);
    await grant.selectOption('authorization_code');
    assert.deepEqual(
      await tabLabels(),
      ['connection', 'signin', 'advanced'].map((tab) => en(CONFIG, `tabs.${tab}`)),
    );
    await grant.selectOption('user_credentials');
    await page.locator('#node-config-input-userEmail').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#node-config-input-password').isVisible(), true);

    const result = page.locator('#node-config-blynk-cloud-test-result');
    const button = page.locator('#node-config-blynk-cloud-test');
    const test = async (): Promise<string> => {
      await button.click();
      await page.waitForFunction(
        `$('#node-config-blynk-cloud-test-result .fa-spinner').length === 0 && $('#node-config-blynk-cloud-test-result').text().trim() !== ''`,
      );
      // The button is usable again once the answer is shown.
      await page.waitForFunction(`!$('#node-config-blynk-cloud-test').prop('disabled')`);
      return ((await result.textContent()) ?? '').trim();
    };
    const connected = en(CONFIG, 'test-connection.connected').replace('__name__', sim.demo.org.name);
    const tokensBefore = { requests: sim.tokens.requests, byGrant: { ...sim.tokens.byGrant } };
    const grantDelta = (grant: string): number => (sim.tokens.byGrant[grant] ?? 0) - (tokensBefore.byGrant[grant] ?? 0);

    await page.locator('#node-config-input-name').fill('Blynk simulator');
    await server.fill(sim.url);
    // The user credentials grant with the demo user.
    await page.locator('#node-config-input-userEmail').fill(sim.demo.userEmail);
    await page.locator('#node-config-input-password').fill(sim.demo.password);
    await page.locator('#node-config-input-clientId').fill(sim.demo.clientId);
    await page.locator('#node-config-input-clientSecret').fill(sim.demo.clientSecret);
    assert.equal(await test(), connected);

    await grant.selectOption('client_credentials');
    await userRows.first().waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#node-config-input-userEmail').isVisible(), false);

    // A wrong secret: the reason, from the simulator's invalid_client answer.
    await page.locator('#node-config-input-clientSecret').fill('not-the-secret');
    const failed = await test();
    assert.match(failed, /^Failed: Blynk rejected the OAuth client \(/, failed);
    assert.equal(
      await result.evaluate((el: { querySelector(s: string): unknown }) => !!el.querySelector('.fa-exclamation-triangle')),
      true,
    );

    await page.locator('#node-config-input-clientSecret').fill(sim.demo.clientSecret);
    assert.equal(await test(), connected);
    assert.equal(await result.evaluate((el: { querySelector(s: string): unknown }) => !!el.querySelector('.fa-check')), true);
    // Each of the three tests asked the simulator for exactly one token (a new client each time,
    // no retry: the wrong secret is a 4xx on the primary grant): the user grant once, then the
    // client grant twice.
    assert.equal(sim.tokens.requests - tokensBefore.requests, 3, 'token requests of three Test connection clicks');
    assert.deepEqual(
      { user_credentials: grantDelta('user_credentials'), client_credentials: grantDelta('client_credentials') },
      { user_credentials: 1, client_credentials: 2 },
      'token requests by grant',
    );

    shots.push(await editor.trayScreenshot('config-test-connection.png'));

    // The dialog's help button shows the config node's help.
    await editor.tray().locator('.red-ui-tray-footer-left button').first().click();
    const help = await editor.helpShown();
    assert.equal(help.title, en(CONFIG, 'paletteLabel'));
    assert.equal(help.intro, helpIntro('en-US', CONFIG));

    await editor.configDialogDone();
    const configId = await page.locator('#node-input-connection').inputValue();
    assert.equal(await editor.nodeProperty(configId, 'type'), CONFIG);
    assert.equal(await editor.nodeProperty(configId, 'server'), sim.url);
    assert.equal(await editor.nodeProperty(configId, 'grantType'), 'client_credentials');
    await editor.dialogDone();
    editor.assertNoProblems('in the config dialog');
  });

  for (const spec of NODES) {
    it(`${spec.type}: dialog, typedInputs kept, bad values marked, help`, async function () {
      const page = editor.page;
      const id = ids[spec.short] ?? (ids[spec.short] = await editor.addNode(spec.type, ...spec.at));
      await editor.openNode(id);
      assert.equal((await page.locator('.red-ui-tray-breadcrumbs li').last().textContent())?.includes(en(spec.type, 'paletteLabel')), true);
      // A new node starts with no connection ("none"); the user picks the one made above
      // (get device already has it: the connection was created from its dialog).
      // get device already has it (the connection was created from its dialog); the others start
      // without one, and the dialog picks the only connection there is.
      const select = page.locator('#node-input-connection');
      await page
        .waitForFunction(`$('#node-input-connection').val() !== '_ADD_'`, undefined, { timeout: 2_000 })
        .catch(() => assert.fail(`${spec.type}: the only connection is not preselected`));
      assert.equal(await editor.eval(`(RED.nodes.node(${JSON.stringify(await select.inputValue())}) || {}).name`), 'Blynk simulator');
      assert.equal(await editor.eval(`(RED.nodes.node(${JSON.stringify(await select.inputValue())}) || {}).type`), CONFIG);
      // Every label of the form is translated (no raw key, no empty label).
      const labels = await page.locator('#dialog-form label span[data-i18n]').allTextContents();
      assert.ok(labels.length >= 3 && labels.every((text) => text.trim() !== '' && !text.includes('.label.')), labels.join('|'));

      for (const step of spec.typed) {
        assert.equal((await editor.readTyped(step.field)).type, step.from, `${step.field} starts as ${step.from}`);
        await editor.setTyped(step.field, step.to, step.value);
        assert.equal(await editor.hasInputError(editor.typedContainer(step.field)), false, `${step.field}=${step.value} marked bad`);
      }
      for (const [selector, value] of Object.entries(spec.fill ?? {})) await page.locator(`#${selector}`).fill(value);
      shots.push(await editor.trayScreenshot(`dialog-${spec.short}.png`));
      await editor.dialogDone();
      assert.equal(await editor.invalidMarker(id).isVisible(), false, 'valid node shows the invalid marker');
      assert.equal(await editor.nodeProperty(id, 'valid'), true);

      // Reopened: the types and values are kept.
      await editor.openNode(id);
      for (const step of spec.typed) {
        const typed = await editor.readTyped(step.field);
        assert.equal(typed.type, step.to, `${step.field} type after reopening`);
        assert.equal(typed.value, step.value, `${step.field} value after reopening`);
        assert.equal(await editor.nodeProperty(id, step.field), step.value);
        assert.equal(await editor.nodeProperty(id, `${step.field}Type`), step.to);
      }
      // Credentials typed before Done are kept in the editor until deploy.
      for (const [selector, value] of Object.entries(spec.fill ?? {})) {
        assert.equal(await page.locator(`#${selector}`).inputValue(), value, `${selector} after reopening`);
      }

      // A bad value: red in the dialog, then the invalid marker on the node.
      const { bad } = spec;
      await editor.setTyped(bad.field, bad.type, bad.value);
      await page
        .waitForFunction(`$('#node-input-${bad.field} + .red-ui-typedInput-container').hasClass('input-error')`, undefined, {
          timeout: 5_000,
        })
        .catch(() => assert.fail(`${bad.field} = ${bad.type} "${bad.value}" is not marked red (input-error) in the dialog`));
      // The reason is shown under the field (Node-RED's tooltip sits on the hidden input).
      const reason = page.locator(`#node-input-${bad.field}-error`);
      await reason.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => assert.fail(`no reason shown under ${bad.field}`));
      assert.equal((await reason.textContent())?.trim(), en(spec.type, bad.field === 'pin' ? 'errors.pin' : 'errors.deviceId'));
      await editor.dialogDone();
      await editor
        .invalidMarker(id)
        .waitFor({ state: 'visible', timeout: 5_000 })
        .catch(() => assert.fail(`node with ${bad.field} = "${bad.value}" shows no invalid marker in the workspace`));
      assert.equal(await editor.nodeProperty(id, 'valid'), false);

      // Fixed again.
      await editor.openNode(id);
      const good = spec.typed.find((step) => step.field === bad.field)!;
      await editor.setTyped(good.field, good.to, good.value);
      await page.waitForFunction(`!$('#node-input-${bad.field} + .red-ui-typedInput-container').hasClass('input-error')`);
      await page.locator(`#node-input-${bad.field}-error`).waitFor({ state: 'hidden', timeout: 5_000 });
      await editor.dialogDone();
      await editor.invalidMarker(id).waitFor({ state: 'hidden' });

      // Help: select the node in the workspace, open the help tab.
      await editor.selectNode(id);
      const help = await editor.helpShown();
      assert.equal(help.title, en(spec.type, 'paletteLabel'));
      assert.equal(help.intro, helpIntro('en-US', spec.type));
      editor.assertNoProblems(`in the ${spec.type} dialog`);
    });
  }

  // One fixed value per node that the shared editor helpers (src/editor/, bundled into each dialog)
  // must refuse, and one they must accept.
  const LITERALS: Record<string, { field: string; bad: string; good: string }> = {
    'blynk-cloud-api': { field: 'method', bad: 'FETCH', good: 'get' },
    'blynk-cloud-device-read': { field: 'pins', bad: 'V1, X2', good: 'v1, V255' },
    'blynk-cloud-device-event': { field: 'eventCode', bad: 'high-temp!', good: 'high_temp' },
    'blynk-cloud-device-property': { field: 'pin', bad: 'V256', good: ' V3 ' },
    'blynk-cloud-device-out': { field: 'datastream', bad: 'a/b', good: 'Temperature' },
  };
  /** Nodes without a typed property: the fixed-value check does not apply (device in: a plain list field). */
  const UNTYPED = new Set(['blynk-cloud-device-in']);
  /** The connection each node picks when the dialog offers none yet: its config type's example node. */
  const CONNECTION_LABEL: Record<string, string> = {
    'blynk-cloud-device-in': 'Greenhouse (simulator)',
    'blynk-cloud-device-out': 'Greenhouse (simulator)',
  };

  // Nodes whose dialog has a plain (not typed) field to check, with checks of their own.
  const PLAIN_LITERALS: Record<string, { field: string; bad: string; good: string; extra?: (page: Page) => Promise<void> }> = {
    'blynk-cloud-webhook-in': {
      field: 'url',
      bad: 'no slash',
      good: '/blynk/hooks/greenhouse',
      // No authentication: the warning shows; Generate makes a secret Blynk accepts in a header.
      async extra(page) {
        await page.selectOption('#node-input-auth', 'none');
        assert.equal(await page.locator('#blynk-webhook-no-auth').isVisible(), true, 'no warning without authentication');
        await page.selectOption('#node-input-auth', 'header');
        await page.click('#blynk-webhook-generate');
        assert.match(await page.inputValue('#node-input-secret'), /^[A-Za-z0-9]{40}$/);
        assert.match(await page.inputValue('#blynk-webhook-template'), /"\{device_pinValue\}"/);
      },
    },
  };

  // Nodes beyond the four above (added later) get the basic checks: their dialog opens and
  // closes without a console error, every label is translated, a bad fixed value is marked red,
  // the help shows their intro.
  for (const [index, type] of PALETTE.filter((t) => !NODES.some((n) => n.type === t)).entries()) {
    it(`${type}: dialog opens without errors, labels translated, bad fixed value marked, help`, async function () {
      const page = editor.page;
      const id = await editor.addNode(type, 620 + 250 * (index % 2), 140 + 100 * Math.floor(index / 2));
      await editor.openNode(id);
      const labels = await page.locator('#dialog-form label span[data-i18n]').allTextContents();
      assert.ok(
        labels.length > 0 && labels.every((text) => text.trim() !== '' && !/\.label\./.test(text)),
        `no or untranslated labels: ${labels.join('|')}`,
      );
      const literal = LITERALS[type];
      const plain = PLAIN_LITERALS[type];
      assert.ok(literal || plain || UNTYPED.has(type), `no fixed values to check for ${type}`);
      if (literal) {
        const container = editor.typedContainer(literal.field);
        await editor.setTyped(literal.field, 'str', literal.bad);
        await page
          .waitForFunction(`$('#node-input-${literal.field} + .red-ui-typedInput-container').hasClass('input-error')`, undefined, {
            timeout: 5_000,
          })
          .catch(() => assert.fail(`${type}: ${literal.field} = "${literal.bad}" is not marked red`));
        await editor.setTyped(literal.field, 'str', literal.good);
        assert.equal(await editor.hasInputError(container), false, `${type}: ${literal.field} = "${literal.good}" marked red`);
      } else if (plain) {
        const input = page.locator(`#node-input-${plain.field}`);
        await input.fill(plain.bad);
        await input.dispatchEvent('change');
        await page
          .waitForFunction(`$('#node-input-${plain.field}').hasClass('input-error')`, undefined, { timeout: 5_000 })
          .catch(() => assert.fail(`${type}: ${plain.field} = "${plain.bad}" is not marked red`));
        await input.fill(plain.good);
        await input.dispatchEvent('change');
        assert.equal(await editor.hasInputError(input), false, `${type}: ${plain.field} = "${plain.good}" marked red`);
        await plain.extra?.(page);
      }
      const select = page.locator('#node-input-connection');
      const connection = CONNECTION_LABEL[type] ?? 'Blynk simulator';
      // A config type with no node in the workspace yet offers only "Add new…": the node stays without.
      if (
        (await select.count()) > 0 &&
        (await select.inputValue()) === '_ADD_' &&
        (await select.locator('option', { hasText: connection }).count()) > 0
      ) {
        await select.selectOption({ label: connection });
      }
      await editor.dialogDone();
      await editor.selectNode(id);
      const help = await editor.helpShown();
      assert.equal(help.title, en(type, 'paletteLabel'));
      assert.equal(help.intro, helpIntro('en-US', type));
      editor.assertNoProblems(`in the ${type} dialog`);
    });
  }

  it('blynk-cloud-api: a search narrows the presets; choosing one fills the fields and shows its documentation and link', async function () {
    const page = editor.page;
    const preset = PRESETS.find((p) => p.id === 'updateDatastreamProperty');
    assert.ok(preset, 'no preset updateDatastreamProperty');
    const options = (): Promise<string[]> =>
      editor.eval<string[]>(`$('#node-input-preset-select option').map((i, o) => o.value).get().filter((v) => v !== '')`);
    const id = await editor.addNode('blynk-cloud-api', 330, 540);
    await editor.openNode(id);
    // Every preset, under the docs' groups.
    assert.deepEqual(
      await options(),
      presetGroups().flatMap((g) => g.presets.map((p) => p.id)),
    );
    assert.deepEqual(
      await editor.eval<string[]>(`$('#node-input-preset-select optgroup').map((i, g) => g.label).get()`),
      presetGroups().map((g) => g.group),
    );
    assert.equal(await page.locator('#blynk-cloud-api-preset-info').isVisible(), false, 'details shown before a preset is chosen');

    // A route whose page section could not be read says so, and that the route is a third-party inventory's, above the link.
    const unread = PRESETS.find((p) => p.id === 'claimDeviceByStaticToken');
    assert.ok(unread && unread.unread && unread.routeSource === 'third-party', 'no unread third-party preset claimDeviceByStaticToken');
    await page.locator('#node-input-preset-select').selectOption(unread.id);
    const note = page.locator('#blynk-cloud-api-preset-info .blynk-cloud-api-info-unread');
    await note.waitFor({ state: 'visible' });
    assert.equal((await note.locator('.blynk-cloud-api-info-unread-text').textContent())?.trim(), en('blynk-cloud-api', 'info.unread'));
    assert.equal((await note.locator('.blynk-cloud-api-info-third-party').textContent())?.trim(), en('blynk-cloud-api', 'info.thirdParty'));
    // Right above the link to Blynk's page.
    assert.equal(
      await page
        .locator('#blynk-cloud-api-preset-info .blynk-cloud-api-info-unread + .blynk-cloud-api-info-source a.blynk-cloud-api-info-link')
        .getAttribute('href'),
      unread.link,
    );
    shots.push(await editor.trayScreenshot('dialog-api-preset-unread.png'));

    await page.locator('#node-input-preset-search').fill('Datastream PROPERTY');
    const hay = (p: (typeof PRESETS)[number]): string => `${p.summary} ${p.method} ${p.path}`.toLowerCase();
    const expected = PRESETS.filter((p) => hay(p).includes('datastream') && hay(p).includes('property')).map((p) => p.id);
    assert.ok(expected.includes(preset.id));
    assert.deepEqual(await options(), expected);
    await page.locator('#node-input-preset-search').fill('no such call anywhere');
    assert.deepEqual(await options(), []);
    assert.equal(
      (await page.locator('#node-input-preset-select option:disabled').textContent())?.trim(),
      en('blynk-cloud-api', 'preset.none'),
    );
    await page.locator('#node-input-preset-search').fill('property');
    await page.locator('#node-input-preset-select').selectOption(preset.id);

    // Method, path, query and body skeleton filled in.
    const method = await editor.readTyped('method');
    assert.deepEqual([method.type, method.value], ['str', preset.method]);
    assert.equal((await editor.readTyped('path')).value, preset.path);
    const body = await editor.readTyped('body');
    assert.deepEqual([body.type, JSON.parse(body.value)], ['json', preset.body]);

    // Blynk's documentation of the route.
    const info = page.locator('#blynk-cloud-api-preset-info');
    await info.waitFor({ state: 'visible' });
    assert.equal((await info.locator('.blynk-cloud-api-info-route').textContent())?.trim(), `${preset.method} ${preset.path}`);
    assert.equal(
      (await info.locator('.blynk-cloud-api-info-permission').textContent())?.trim(),
      preset.permission ?? en('blynk-cloud-api', 'info.noPermission'),
    );
    assert.equal(
      (await info.locator('.blynk-cloud-api-info-retried').textContent())?.trim(),
      en('blynk-cloud-api', preset.idempotent ? 'info.retriedYes' : 'info.retriedNo'),
    );
    assert.equal(
      (await info.locator('.blynk-cloud-api-info-paged').textContent())?.trim(),
      en('blynk-cloud-api', preset.paged ? 'info.pagedYes' : 'info.pagedNo'),
    );
    type Cell = { textContent: string | null };
    const rows = await info
      .locator('table.blynk-cloud-api-fields tbody tr')
      .evaluateAll((trs: Array<{ querySelectorAll(selector: string): ArrayLike<Cell> }>) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll('td'))
            .slice(0, 3)
            .map((td) => (td.textContent ?? '').trim()),
        ),
      );
    const yes = en('blynk-cloud-api', 'info.yes');
    const no = en('blynk-cloud-api', 'info.no');
    assert.deepEqual(
      rows,
      [...preset.parameters, ...(preset.fields ?? [])].map((f) => [f.name, f.type, f.required ? yes : no]),
    );
    assert.ok(rows.length > 0, 'no fields shown');
    const link = info.locator('a.blynk-cloud-api-info-link');
    assert.equal(await link.getAttribute('href'), preset.link);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal((await link.textContent())?.trim(), en('blynk-cloud-api', 'info.link').replace('__group__', preset.group));
    assert.equal(await info.locator('.blynk-cloud-api-info-unread').count(), 0, 'a route read from its page shows the unread note');

    shots.push(await editor.trayScreenshot('dialog-api-preset.png'));

    // Saved, the node is named by Blynk's title and opens on its preset again (found by method and path).
    await editor.dialogDone();
    assert.equal(await editor.eval<string>(`RED.utils.getNodeLabel(RED.nodes.node(${JSON.stringify(id)}))`), preset.summary);
    await editor.openNode(id);
    assert.equal(await page.locator('#node-input-preset-select').inputValue(), preset.id);
    await info.waitFor({ state: 'visible' });
    await editor.dialogDone();
    editor.assertNoProblems('in the platform api dialog');
  });
});

describe('example imported from Import > Examples, deployed against the simulator', function () {
  let editor: Editor;
  useEditorPage((e) => (editor = e));

  it('imports "01 - Get device details", takes the connection settings, deploys and shows debug output', async function () {
    const page = editor.page;
    const { sim } = stack;
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-import').click();
    await page.locator('#red-ui-clipboard-dialog-import-tabs a:has-text("Examples")').click();
    const examples = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await examples.locator('.red-ui-treeList-label', { hasText: 'node-red-contrib-blynk-cloud' }).click();
    await examples.locator('.red-ui-treeList-label', { hasText: '01 - Get device details' }).click();
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    await page.waitForFunction(`!!RED.nodes.node('bgd-get-1')`);
    // The example comes as its own flow tab, next to the (empty) Flow 1: switch to it.
    await page.locator('#red-ui-workspace-tabs .red-ui-tab', { hasText: 'Blynk: get device' }).click();
    await page.waitForFunction(`RED.workspaces.active() === 'bgd-tab'`);

    // What the example's comment tells a user to do: open its connection, set the server and
    // the OAuth client. Here the server is the test's simulator (not the :18443 of npm start).
    await editor.openNode('bgd-get-1');
    assert.equal(await page.locator('#node-input-connection').inputValue(), 'blynk-demo-connection');
    await editor.openConfigDialog('edit');
    assert.equal(await page.locator('#node-config-input-region-select').inputValue(), 'custom');
    await page.locator('#node-config-input-server').fill(sim.url);
    await page.locator('#node-config-input-clientId').fill(sim.demo.clientId);
    await page.locator('#node-config-input-clientSecret').fill(sim.demo.clientSecret);
    await editor.configDialogDone();
    await editor.dialogDone();

    await editor.deploy();
    const deployed = (await (await fetch(`${stack.editor}flows`)).json()) as Array<{ id: string; server?: string }>;
    assert.equal(deployed.find((node) => node.id === 'blynk-demo-connection')?.server, sim.url);

    await page.locator('#red-ui-tab-debug-link-button').click();
    const logged = sim.log.length;
    await editor.workspaceNode('bgd-inject-1').locator('.red-ui-flow-node-button').click();
    const messages = page.locator('#red-ui-sidebar-content .red-ui-debug-msg');
    await messages.nth(1).waitFor({ state: 'visible', timeout: 20_000 });
    const names = await messages.locator('.red-ui-debug-msg-name').allTextContents();
    const bodies = await messages.locator('.red-ui-debug-msg-payload').allTextContents();
    const text = bodies.join('\n');
    // The example's two debug nodes, "device" and "temperature" (the sidebar prefixes "node: ").
    assert.deepEqual([...names].map((name) => name.trim()).sort(), ['node: device', 'node: temperature'], names.join('|'));
    assert.match(text, /Greenhouse/, text);
    assert.ok(
      bodies.some((body) => body.trim() === '21.5'),
      text,
    );
    // The node shows no error status (it sets its status before it sends), and the simulator
    // served the device once, for this click.
    const status = await editor.eval<{ fill?: string; text?: string } | null>(`RED.nodes.node('bgd-get-1').status || null`);
    assert.notEqual(status?.fill, 'red', `get device shows the status ${JSON.stringify(status)}`);
    const deviceReads = sim.log
      .slice(logged)
      .filter((entry) => entry.method === 'GET' && entry.path === '/api/v1/organization/device')
      .map((entry) => `${JSON.stringify(entry.query)} → ${entry.status}`);
    assert.deepEqual(
      deviceReads,
      [`${JSON.stringify({ deviceId: '101' })} → 200`],
      'GET /api/v1/organization/device after the inject click',
    );
    await editor.dismissNotifications();
    await page.mouse.click(600, 700); // deselect, on empty canvas
    shots.push(await editor.screenshot('example-deployed.png'));
    editor.assertNoProblems('while importing and deploying the example');
  });
});

describe('sign in with Blynk (authorization code)', function () {
  let editor: Editor;
  useEditorPage((e) => (editor = e));

  const authCodeRequests = (): number => stack.sim.tokens.byGrant.authorization_code ?? 0;

  /** Credentials of a config node as the editor's admin API shows them (secrets as has_*). */
  const runtimeCredentials = async (id: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${stack.editor}credentials/${CONFIG}/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    assert.equal(res.status, 200, `GET /credentials/${CONFIG}/${id}`);
    return (await res.json()) as Record<string, unknown>;
  };

  /**
   * A get-device node with a new connection (the add button of its connection field) on the
   * simulator, authorization code grant, the demo client and scope org:read; the config dialog
   * stays open. Returns the id of the node.
   */
  const newAuthCodeConnection = async (name: string, at: [number, number]): Promise<string> => {
    const page = editor.page;
    const nodeId = await editor.addNode(NODES[0].type, ...at);
    await editor.openNode(nodeId);
    await editor.openConfigDialog('add');
    await page.locator('#node-config-input-name').fill(name);
    await page.locator('#node-config-input-region-select').selectOption('custom');
    await page.locator('#node-config-input-server').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-server').fill(stack.sim.url);

    await page.locator('#node-config-input-grantType').selectOption('authorization_code');
    await editor.showConfigField('#node-config-blynk-cloud-redirect');
    const redirect = page.locator('#node-config-blynk-cloud-redirect');
    await redirect.waitFor({ state: 'visible' });
    assert.equal(await redirect.inputValue(), `${stack.editor}blynk-cloud/authorize/callback`);
    assert.equal(await page.locator('#node-config-blynk-cloud-signin').isVisible(), true);

    await editor.showConfigField('#node-config-input-clientId');
    await page.locator('#node-config-input-clientId').fill(DEMO.clientId);
    await page.locator('#node-config-input-clientSecret').fill(DEMO.clientSecret);
    await editor.showConfigField('#node-config-input-scope');
    await page.locator('#node-config-input-scope').fill('org:read');
    return nodeId;
  };

  /** Clicks Sign in with Blynk and returns the window it opens, on the simulator's consent page. */
  const openSignIn = async () => {
    const page = editor.page;
    await editor.showConfigField('#node-config-blynk-cloud-signin');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#node-config-blynk-cloud-signin')]);
    popup.on('pageerror', (error) => editor.problems.push(`uncaught in the sign-in window: ${error.message}`));
    await popup.locator('#allow').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(new URL(popup.url()).origin, new URL(stack.sim.url).origin, 'the consent page is on the simulator');
    assert.equal((await popup.locator('#scope').textContent())?.trim(), 'org:read');
    return popup;
  };

  /** Add (config dialog), Done (node dialog): the id the connection got in the workspace. */
  const addAndDone = async (): Promise<string> => {
    const page = editor.page;
    await editor.configDialogDone();
    const configId = await page.locator('#node-input-connection').inputValue();
    assert.equal(await editor.nodeProperty(configId, 'type'), CONFIG);
    assert.equal(await editor.nodeProperty(configId, 'grantType'), 'authorization_code');
    assert.equal(await editor.nodeProperty(configId, 'scope'), 'org:read');
    await editor.dialogDone();
    return configId;
  };

  const deployedConfig = async (id: string): Promise<Record<string, unknown> | undefined> => {
    const flows = (await (await fetch(`${stack.editor}flows`, { headers: { Accept: 'application/json' } })).json()) as Array<
      Record<string, unknown>
    >;
    return flows.find((node) => node.id === id);
  };

  it('Allow on the consent page: the dialog shows the sign-in, Deploy keeps it in the runtime', async function () {
    const page = editor.page;
    assert.equal(authCodeRequests(), 0, 'an authorization code was exchanged before the test');
    await newAuthCodeConnection('Blynk sign-in', [330, 600]);
    const popup = await openSignIn();
    const closed = popup.waitForEvent('close', { timeout: 20_000 });
    await popup.locator('#allow').click();
    // The callback page reports to the editor and closes itself.
    await closed.catch(() => assert.fail(`the sign-in window did not close itself (at ${popup.url()})`));

    const result = page.locator('#node-config-blynk-cloud-signin-result');
    const signedIn = en(CONFIG, 'signin.signedIn');
    await page
      .waitForFunction(
        `(() => { const t = $('#node-config-blynk-cloud-signin-result').text(); return t.includes(${JSON.stringify(signedIn)}) && t.includes('org:read'); })()`,
        undefined,
        { timeout: 10_000 },
      )
      .catch(async () => assert.fail(`the dialog shows "${(await result.textContent()) ?? ''}", not "${signedIn}" with org:read`));
    assert.equal(
      await result.evaluate((el: { textContent: string | null }) => el.textContent?.trim()),
      `${signedIn} ${en(CONFIG, 'signin.scope').replace('__scope__', 'org:read')}`,
    );
    assert.equal(authCodeRequests(), 1, 'authorization_code token requests at the simulator');
    shots.push(await editor.trayScreenshot('config-sign-in.png'));

    const configId = await addAndDone();
    await editor.deploy();
    const deployed = await deployedConfig(configId);
    assert.ok(deployed, `GET /flows has no config node ${configId}`);
    assert.equal(deployed.type, CONFIG);
    assert.equal(deployed.server, stack.sim.url);
    assert.equal(deployed.grantType, 'authorization_code');
    const creds = await runtimeCredentials(configId);
    assert.equal(creds.has_refreshToken, true, `credentials after deploy: ${JSON.stringify(creds)}`);
    assert.equal(creds.clientId, DEMO.clientId);
    assert.equal(creds.has_clientSecret, true);
    // No second exchange: the code was used once.
    assert.equal(authCodeRequests(), 1);
    assert.equal(stack.sim.tokens.codeReuse, 0);
    await editor.dismissNotifications().catch(() => undefined);
    editor.assertNoProblems('while signing in with Blynk');
  });

  it('Deny on the consent page: the dialog shows the failure, nothing is stored', async function () {
    const page = editor.page;
    const before = authCodeRequests();
    await newAuthCodeConnection('Blynk refused', [330, 700]);
    const popup = await openSignIn();
    await popup.locator('#deny').click();
    const outcome = popup.locator('#blynk-cloud-signin-result');
    await outcome.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await outcome.getAttribute('data-ok'), 'false');
    assert.equal((await popup.locator('#blynk-cloud-signin-message').textContent())?.trim(), en(CONFIG, 'signin.errors.denied'));

    const failed = en(CONFIG, 'signin.failed').replace('__message__', en(CONFIG, 'signin.errors.denied'));
    const result = page.locator('#node-config-blynk-cloud-signin-result');
    await page
      .waitForFunction(`$('#node-config-blynk-cloud-signin-result').text().trim() === ${JSON.stringify(failed)}`, undefined, {
        timeout: 10_000,
      })
      .catch(async () => assert.fail(`the dialog shows "${(await result.textContent()) ?? ''}", not "${failed}"`));
    if (!popup.isClosed()) await popup.close();

    const configId = await addAndDone();
    await editor.deploy();
    assert.ok(await deployedConfig(configId), `GET /flows has no config node ${configId}`);
    const creds = await runtimeCredentials(configId);
    assert.equal(creds.has_refreshToken, false, `credentials after deploy: ${JSON.stringify(creds)}`);
    assert.equal(authCodeRequests(), before, 'a refused sign-in asked the simulator for a token');
    await editor.dismissNotifications().catch(() => undefined);
    editor.assertNoProblems('after a refused sign-in');
  });
  it('Create OAuth client, then "use it in a new connection": Blynk has the client, the new connection signs in with it, Deploy keeps it', async function () {
    const page = editor.page;
    // A connection allowed to create clients (the demo client, client credentials), deployed:
    // the create route uses the deployed connection's token.
    const nodeId = await editor.addNode(NODES[0].type, 330, 800);
    await editor.openNode(nodeId);
    await editor.openConfigDialog('add');
    await page.locator('#node-config-input-name').fill('Blynk admin');
    await page.locator('#node-config-input-region-select').selectOption('custom');
    await page.locator('#node-config-input-server').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-server').fill(stack.sim.url);
    await page.locator('#node-config-input-clientId').fill(DEMO.clientId);
    await page.locator('#node-config-input-clientSecret').fill(DEMO.clientSecret);
    await editor.configDialogDone();
    const adminId = await page.locator('#node-input-connection').inputValue();
    await editor.dialogDone();
    await editor.deploy();

    await editor.openNode(nodeId);
    await editor.openConfigDialog('edit');
    const callback = `${stack.editor}blynk-cloud/authorize/callback`;
    await editor.showConfigField('#node-config-blynk-cloud-oauth-name');
    assert.equal(
      await page.locator('#node-config-blynk-cloud-oauth-unavailable').isVisible(),
      false,
      'client creation offered on a deployed connection',
    );
    assert.equal(await page.locator('#node-config-blynk-cloud-oauth-urls').inputValue(), callback);
    await page.locator('#node-config-blynk-cloud-oauth-name').fill('Node-RED e2e');
    await page.locator('#node-config-blynk-cloud-oauth-create').click();
    const shownId = page.locator('#node-config-blynk-cloud-oauth-new-id');
    await shownId.waitFor({ state: 'visible', timeout: 10_000 });
    const clientId = ((await shownId.textContent()) ?? '').trim();
    const secret = ((await page.locator('#node-config-blynk-cloud-oauth-new-secret').textContent()) ?? '').trim();
    assert.ok(stack.sim.tokens.hasClient(clientId), `the simulator has no client ${clientId}`);
    assert.ok(secret.length >= 16, 'the new secret is shown once');

    const configIds = (): Promise<string[]> =>
      editor.eval<string[]>(
        `(() => { const ids = []; RED.nodes.eachConfig((n) => { if (n.type === ${JSON.stringify(CONFIG)}) ids.push(n.id); }); return ids; })()`,
      );
    const before = await configIds();
    await page.locator('#node-config-blynk-cloud-oauth-use').click();
    const added = (await configIds()).filter((id) => !before.includes(id));
    assert.equal(added.length, 1, 'one new connection in the workspace');
    const [newId] = added;
    assert.deepEqual(
      await editor.eval(
        `(() => { const n = RED.nodes.node(${JSON.stringify(newId)}); return [n.name, n.server, n.grantType, n.rateLimit, n.scope, n.credentials.clientId]; })()`,
      ),
      ['Node-RED e2e', stack.sim.url, 'authorization_code', 'auto', '', clientId],
    );
    await editor.closeDialogs();

    // The new connection on the node, signed in with the new client.
    await editor.openNode(nodeId);
    await page.locator('#node-input-connection').selectOption(newId);
    await editor.openConfigDialog('edit');
    assert.equal(await page.locator('#node-config-input-grantType').inputValue(), 'authorization_code');
    await editor.showConfigField('#node-config-input-scope');
    await page.locator('#node-config-input-scope').fill('org:read');
    const exchanged = authCodeRequests();
    const popup = await openSignIn();
    const closed = popup.waitForEvent('close', { timeout: 20_000 });
    await popup.locator('#allow').click();
    await closed.catch(() => assert.fail(`the sign-in window did not close itself (at ${popup.url()})`));
    const signedIn = en(CONFIG, 'signin.signedIn');
    await page
      .waitForFunction(`$('#node-config-blynk-cloud-signin-result').text().includes(${JSON.stringify(signedIn)})`, undefined, {
        timeout: 10_000,
      })
      .catch(async () =>
        assert.fail(`the dialog shows "${(await page.locator('#node-config-blynk-cloud-signin-result').textContent()) ?? ''}"`),
      );
    // The code was exchanged with the new client's id and secret (the simulator checks both).
    assert.equal(authCodeRequests(), exchanged + 1);
    await editor.configDialogDone();
    await editor.dialogDone();
    await editor.deploy();

    const deployed = await deployedConfig(newId);
    assert.ok(deployed, `GET /flows has no config node ${newId}`);
    assert.deepEqual([deployed.server, deployed.grantType], [stack.sim.url, 'authorization_code']);
    const creds = await runtimeCredentials(newId);
    assert.deepEqual([creds.clientId, creds.has_clientSecret, creds.has_refreshToken], [clientId, true, true], JSON.stringify(creds));
    assert.ok(await deployedConfig(adminId), 'the connection that created the client is still deployed');
    await editor.dismissNotifications().catch(() => undefined);
    editor.assertNoProblems('while creating an OAuth client and using it');
  });
});

describe('editor languages (browser locale)', function () {
  for (const [lang, locale] of [
    ['de', 'de-DE'],
    ['ja', 'ja-JP'],
  ] as const) {
    it(`shows the get device dialog in ${lang} (browser locale ${locale})`, async function () {
      const type = NODES[0].type;
      assert.ok(
        fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'locales', lang)),
        `dist/nodes/locales/${lang}/ does not exist: run npm run build`,
      );
      const catalog = readCatalog(lang, type);
      const where = `locales/${lang}/${type}.json`;
      assert.ok(catalog, `${where} is missing`);
      const editor = track(await Editor.open(browser, stack.editor, locale));
      try {
        const page = editor.page;
        assert.equal(await page.evaluate('navigator.language'), locale);
        assert.equal(await editor.paletteNode(type).getAttribute('data-palette-label'), catalogText(catalog, 'paletteLabel', where));
        const id = await editor.addNode(type, 330, 140);
        await editor.openNode(id);
        const label = (key: string) => page.locator(`span[data-i18n$="${type}.label.${key}"]`).textContent();
        assert.equal((await label('deviceId'))?.trim(), catalogText(catalog, 'label.deviceId', where));
        assert.equal((await label('connection'))?.trim(), catalogText(catalog, 'label.connection', where));
        assert.equal(
          (await page.locator(`span[data-i18n$="${type}.tip.deviceId"]`).textContent())?.trim(),
          catalogText(catalog, 'tip.deviceId', where),
        );
        assert.equal((await label('keepCredentials'))?.trim(), catalogText(catalog, 'label.keepCredentials', where));
        assert.equal(
          (await page.locator(`span[data-i18n$="${type}.tip.keepCredentials"]`).textContent())?.trim(),
          catalogText(catalog, 'tip.keepCredentials', where),
        );
        // The connection dialog in this language: translated tabs, and no label of any tab
        // broken over two lines (German and Japanese labels are longer).
        await editor.openConfigDialog('add');
        const config = readCatalog(lang, CONFIG);
        const configWhere = `locales/${lang}/${CONFIG}.json`;
        assert.deepEqual(
          (await page.locator('#node-config-blynk-cloud-tabs li.red-ui-tab:not(.hide-tab)').allTextContents()).map((t) => t.trim()),
          ['connection', 'advanced', 'clients'].map((tab) => catalogText(config, `tabs.${tab}`, configWhere)),
        );
        for (const grant of ['user_credentials', 'authorization_code']) {
          await page.locator('#node-config-input-grantType').selectOption(grant);
          for (const tab of ['connection', 'signin', 'advanced', 'clients']) {
            const link = page.locator(`#node-config-blynk-cloud-tabs li:not(.hide-tab) a[href="#blynk-cloud-config-tab-${tab}"]`);
            if ((await link.count()) === 0) continue;
            await editor.showConfigField(`#blynk-cloud-config-tab-${tab} .form-row`);
            const labels = await editor.eval<
              Array<{ text: string; height: number }>
            >(`$('#blynk-cloud-config-tab-${tab} .form-row > label:first-child:visible, .blynk-cloud-config-form > .form-row > label:first-child')
              .map(function () { return { text: $(this).text().trim(), height: this.getBoundingClientRect().height }; }).get()`);
            assert.ok(labels.length >= 2, `no labels found in the ${tab} tab`);
            // One line is 20 px high.
            assert.deepEqual(
              labels.filter((l) => l.height > 30).map((l) => l.text),
              [],
              `labels on two lines in the ${tab} tab (${grant})`,
            );
          }
          await editor.showConfigField('#node-config-input-clientId');
        }
        // Test connection's answer in this language, not the runtime's: a wrong secret.
        await page.locator('#node-config-input-grantType').selectOption('client_credentials');
        await page.locator('#node-config-input-region-select').selectOption('custom');
        await page.locator('#node-config-input-server').fill(stack.sim.url);
        await page.locator('#node-config-input-clientId').fill(stack.sim.demo.clientId);
        await page.locator('#node-config-input-clientSecret').fill('wrong-secret-for-the-language-test');
        await page.locator('#node-config-blynk-cloud-test').click();
        const refused = catalogText(config, 'errors.token-invalid-client', configWhere).split('__detail__')[0];
        await page
          .waitForFunction(`$('#node-config-blynk-cloud-test-result').text().includes(${JSON.stringify(refused)})`, undefined, {
            timeout: 20_000,
          })
          .catch(async () =>
            assert.fail(
              `Test connection shows "${(await page.locator('#node-config-blynk-cloud-test-result').textContent()) ?? ''}", not "${refused}…"`,
            ),
          );
        await page.locator('#node-config-dialog-cancel').click();
        await editor.settleTray();
        await page.locator('#node-dialog-cancel').click();
        await editor.settleTray();
        const intro = helpIntro(lang, type);
        assert.ok(intro, `locales/${lang}/${type}.html is missing`);
        await editor.selectNode(id);
        assert.equal((await editor.helpShown()).intro, intro);
        editor.assertNoProblems(`in the ${lang} editor`);
      } finally {
        await editor.close();
      }
    });

    it(`keeps every label of every flow node dialog on one line in ${lang}`, async function () {
      const editor = track(await Editor.open(browser, stack.editor, locale));
      try {
        const types = fs
          .readdirSync(path.join(ROOT, 'src', 'nodes'), { withFileTypes: true })
          .filter((e) => e.isDirectory() && e.name !== 'lib' && categoryOf(e.name) !== 'config')
          .map((e) => e.name);
        assert.ok(types.length >= 8, `only ${types.length} flow node types found`);
        const wrapped: string[] = [];
        for (const type of types) {
          const id = await editor.addNode(type, 330, 140);
          await editor.openNode(id);
          const labels = await editor.eval<Array<{ text: string; height: number }>>(`$('#dialog-form .form-row > label:first-child:visible')
            .map(function () { return { text: $(this).text().trim(), height: this.getBoundingClientRect().height }; }).get()`);
          assert.ok(labels.length >= 2, `${type}: no labels found`);
          // One line is 20 px high.
          wrapped.push(...labels.filter((l) => l.height > 30).map((l) => `${type}: ${l.text}`));
          await editor.page.locator('#node-dialog-cancel').click();
          await editor.settleTray();
          // The next one is dropped at the same place.
          await editor.eval(`(RED.nodes.remove(${JSON.stringify(id)}), RED.view.redraw(true), true)`);
        }
        assert.deepEqual(wrapped, [], `labels on two lines in ${lang}`);
        editor.assertNoProblems(`in the ${lang} dialogs`);
      } finally {
        await editor.close();
      }
    });
  }
});
