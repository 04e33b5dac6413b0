// G6: nothing from Blynk, a node property or a user reaches the editor's DOM as HTML. The simulator
// echoes the name an OAuth client is created with, so a name that is markup comes back from
// "Blynk" as it would from a hostile or compromised server; RED.notify renders a string as HTML.
import assert from 'node:assert/strict';
import { DEMO } from '../../dist/simulator';
import { Editor } from './editor';
import { en, stack, useEditorPage } from './fixture';

const CONFIG = 'blynk-cloud-config';
const GET_DEVICE = 'blynk-cloud-get-device';

/** Markup that sets window.__pwned if it is ever parsed as HTML (and run as a script). */
const MARKUP = `<img src=x onerror="window.__pwned=1">"><script>window.__pwned=2</script>`;
/** The same within the 64 characters Blynk allows a client name (the runtime and the simulator check it). */
const MARKUP_64 = `<img src=x onerror="__pwned=1">"><script>__pwned=2</script>`;

describe('G6: names are shown as text, never run as HTML', function () {
  let editor: Editor;
  useEditorPage((e) => (editor = e));
  beforeEach(async function () {
    // Each test starts clean, so one that ran markup cannot fail the next.
    await editor.dismissNotifications().catch(() => undefined);
    await editor.eval(`delete window.__pwned; $('img[src="x"]').remove()`);
    editor.problems.splice(0);
  });

  /** Fails if any markup ran, or if an element of it got into the page. */
  const assertNothingRan = async (when: string): Promise<void> => {
    // An <img src=x> fires its error handler once the (aborted or 404) load fails.
    await editor.page.waitForTimeout(500);
    assert.equal(await editor.eval('typeof window.__pwned'), 'undefined', `markup ran ${when}`);
    const injected = await editor.eval<number>(
      `$('img[src="x"]').length + $('script').filter(function () { return /__pwned/.test(this.textContent); }).length`,
    );
    assert.equal(injected, 0, `markup became elements ${when}`);
  };

  /** Clicks "use it" and returns the text of the notification it shows. */
  const useIt = async (): Promise<string> => {
    const page = editor.page;
    const before = await editor.eval<number>(`$('#red-ui-notifications .red-ui-notification').length`);
    await page.locator('#node-config-blynk-cloud-oauth-use').click();
    await page.waitForFunction(`$('#red-ui-notifications .red-ui-notification').length > ${before}`);
    return editor.eval<string>(`$('#red-ui-notifications .red-ui-notification').last().text().trim()`);
  };

  it('G6: an OAuth client named with markup: created, "use it", the notification shows the name as text, nothing runs', async function () {
    const page = editor.page;
    // A deployed connection allowed to create clients (the demo client), as in editor.e2e.ts.
    const nodeId = await editor.addNode(GET_DEVICE, 330, 140);
    await editor.openNode(nodeId);
    await editor.openConfigDialog('add');
    await page.locator('#node-config-input-name').fill('G6 admin');
    await page.locator('#node-config-input-region-select').selectOption('custom');
    await page.locator('#node-config-input-server').fill(stack.sim.url);
    await page.locator('#node-config-input-clientId').fill(DEMO.clientId);
    await page.locator('#node-config-input-clientSecret').fill(DEMO.clientSecret);
    await editor.configDialogDone();
    await editor.dialogDone();
    await editor.deploy();
    await editor.dismissNotifications().catch(() => undefined);

    await editor.openNode(nodeId);
    await editor.openConfigDialog('edit');
    const configIds = (): Promise<string[]> =>
      editor.eval<string[]>(
        `(() => { const ids = []; RED.nodes.eachConfig((n) => { if (n.type === ${JSON.stringify(CONFIG)}) ids.push(n.id); }); return ids; })()`,
      );
    const create = async (name: string): Promise<void> => {
      await editor.showConfigField('#node-config-blynk-cloud-oauth-name');
      await page.locator('#node-config-blynk-cloud-oauth-name').fill(name);
      assert.equal(await page.locator('#node-config-blynk-cloud-oauth-name').inputValue(), name, 'the name field holds the whole name');
      await page.locator('#node-config-blynk-cloud-oauth-create').click();
      await page.locator('#node-config-blynk-cloud-oauth-new-id').waitFor({ state: 'visible', timeout: 10_000 });
    };
    const useLabel = en(CONFIG, 'oauth-client.useIt');

    // The name as the user typed it, echoed by the simulator.
    await create(MARKUP_64);
    const clientId = ((await page.locator('#node-config-blynk-cloud-oauth-new-id').textContent()) ?? '').trim();
    assert.ok(stack.sim.tokens.hasClient(clientId), `the simulator has no client ${clientId}`);
    let before = await configIds();
    let shown = await useIt();
    await assertNothingRan('after "use it" with a client named with markup');
    assert.equal(shown, `${useLabel}: ${MARKUP_64}`, 'the notification shows the name as text');
    let added = (await configIds()).filter((id) => !before.includes(id));
    assert.equal(added.length, 1, 'one new connection');
    assert.equal(await editor.nodeProperty(added[0], 'name'), MARKUP_64, 'the new connection is named as the client');

    // A name that Blynk changed on the way (longer than the form allows): the answer is what counts.
    await page.route('**/blynk-cloud/oauth-clients', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { client?: { name?: string } };
      if (body.client) body.client.name = MARKUP;
      await route.fulfill({ response, json: body });
    });
    try {
      await create('G6 renamed by the server');
      before = await configIds();
      shown = await useIt();
      await assertNothingRan('after "use it" with a name from the server');
      assert.equal(shown, `${useLabel}: ${MARKUP}`, 'the notification shows the name from the answer as text');
      added = (await configIds()).filter((id) => !before.includes(id));
      assert.equal(added.length, 1, 'one new connection');
      assert.equal(await editor.nodeProperty(added[0], 'name'), MARKUP);
    } finally {
      await page.unroute('**/blynk-cloud/oauth-clients');
    }

    // The connections named with markup are listed as text in the node's connection field.
    await editor.closeDialogs();
    await editor.openNode(nodeId);
    const options = await page.locator('#node-input-connection option').allTextContents();
    for (const name of [MARKUP_64, MARKUP])
      assert.ok(options.includes(name), `the connection list ${JSON.stringify(options)} does not show ${name}`);
    await assertNothingRan('in the connection list');
    await editor.closeDialogs();
    await editor.dismissNotifications().catch(() => undefined);
    editor.assertNoProblems('with OAuth clients named with markup');
  });

  it('G6: a node and a connection named with markup show the name as text: workspace label, dialogs, Deploy warning', async function () {
    const page = editor.page;
    const id = await editor.addNode(GET_DEVICE, 330, 260);
    await editor.openNode(id);
    await page.locator('#node-input-name').fill(MARKUP);
    await editor.openConfigDialog('add');
    await page.locator('#node-config-input-name').fill(MARKUP);
    await editor.configDialogDone();
    const configId = await page.locator('#node-input-connection').inputValue();
    assert.equal(await page.locator('#node-input-connection option:checked').textContent(), MARKUP, 'the connection field shows the name');
    await editor.dialogDone();
    await assertNothingRan('after naming a node');

    const label = await editor.workspaceNode(id).locator('text.red-ui-flow-node-label-text').allTextContents();
    assert.equal(label.join(''), MARKUP, 'the workspace label');
    assert.equal(await editor.nodeProperty(configId, 'name'), MARKUP);

    // Reopened: the name is the input's value, not markup in the dialog.
    await editor.openNode(id);
    assert.equal(await page.locator('#node-input-name').inputValue(), MARKUP);
    await editor.openConfigDialog('edit');
    assert.equal(await page.locator('#node-config-input-name').inputValue(), MARKUP);
    await assertNothingRan('in the dialogs');
    await editor.closeDialogs();

    // A fixed device id that is markup: invalid, and Deploy's warning lists the label as text.
    await editor.openNode(id);
    await editor.setTyped('deviceId', 'str', MARKUP);
    await editor.dialogDone();
    await page.locator('#red-ui-header-button-deploy').click();
    const list = page.locator('.red-ui-deploy-dialog-confirm-list');
    await list.waitFor({ state: 'visible', timeout: 5_000 });
    assert.ok(((await list.textContent()) ?? '').includes(MARKUP), 'Deploy lists the node by its name');
    await assertNothingRan('in the Deploy warning');
    await page.locator('#red-ui-notifications .red-ui-notification button', { hasText: 'Cancel' }).click();
    await list.waitFor({ state: 'detached' });
    editor.assertNoProblems('with a node named with markup');
  });

  it('G6: Test connection and sign-in answers that hold markup are shown as text', async function () {
    const page = editor.page;
    const id = await editor.addNode(GET_DEVICE, 330, 380);
    await editor.openNode(id);
    await editor.openConfigDialog('add');
    await page.locator('#node-config-input-region-select').selectOption('custom');
    await page.locator('#node-config-input-server').fill(stack.sim.url);
    await page.locator('#node-config-input-clientId').fill(DEMO.clientId);
    await page.locator('#node-config-input-clientSecret').fill(DEMO.clientSecret);
    // The runtime's answers as a hostile server could make them: organisation name, scope and
    // error message are markup.
    let answer: unknown = { ok: true, organization: { id: 1, name: MARKUP, scope: MARKUP } };
    await page.route('**/blynk-cloud/test-connection', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }),
    );
    await page.route('**/blynk-cloud/authorize/start', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ok: false, message: MARKUP }) }),
    );
    try {
      const result = page.locator('#node-config-blynk-cloud-test-result');
      const test = async (): Promise<string> => {
        await page.locator('#node-config-blynk-cloud-test').click();
        await page.waitForFunction(
          `$('#node-config-blynk-cloud-test-result .fa-spinner').length === 0 && $('#node-config-blynk-cloud-test-result').text().trim() !== ''`,
        );
        return ((await result.textContent()) ?? '').trim();
      };
      assert.equal(
        await test(),
        `${en(CONFIG, 'test-connection.connected').replace('__name__', MARKUP)}; ${en(CONFIG, 'test-connection.scope').replace('__scope__', MARKUP)}`,
      );
      await assertNothingRan('in the Test connection result');
      answer = { ok: false, message: MARKUP };
      assert.equal(await test(), en(CONFIG, 'test-connection.failed').replace('__message__', MARKUP));
      await assertNothingRan('in the Test connection failure');

      await page.locator('#node-config-input-grantType').selectOption('authorization_code');
      await editor.showConfigField('#node-config-blynk-cloud-signin');
      const popup = page.waitForEvent('popup');
      await page.locator('#node-config-blynk-cloud-signin').click();
      await (await popup).waitForEvent('close', { timeout: 10_000 }).catch(() => undefined);
      const failed = en(CONFIG, 'signin.failed').replace('__message__', MARKUP);
      await page
        .waitForFunction(`$('#node-config-blynk-cloud-signin-result').text().trim() === ${JSON.stringify(failed)}`, undefined, {
          timeout: 10_000,
        })
        .catch(async () =>
          assert.fail(`the sign-in result shows "${(await page.locator('#node-config-blynk-cloud-signin-result').textContent()) ?? ''}"`),
        );
      await assertNothingRan('in the sign-in result');
    } finally {
      await page.unroute('**/blynk-cloud/test-connection');
      await page.unroute('**/blynk-cloud/authorize/start');
    }
    await editor.closeDialogs();
    editor.assertNoProblems('with answers holding markup');
  });
});
