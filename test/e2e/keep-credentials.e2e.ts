// The "keep credentials" box of the platform api and get device nodes: off for a new node and for
// a node saved before the option existed (the runtime then removes Blynk's credentials from msg),
// kept when ticked, and explained in the dialog.
import assert from 'node:assert/strict';
import { Editor } from './editor';
import { en, useEditorPage } from './fixture';

const TYPES = ['blynk-cloud-api', 'blynk-cloud-get-device'];

describe('keep credentials option', function () {
  let editor: Editor;
  useEditorPage((e) => (editor = e));
  // Its own empty tab: nodes other tests deployed cannot lie where these are dropped.
  before(async function () {
    const before = await editor.eval<string>('RED.workspaces.active()');
    await editor.eval('RED.workspaces.add()');
    await editor.page.waitForFunction(`RED.workspaces.active() !== ${JSON.stringify(before)}`);
  });

  for (const [index, type] of TYPES.entries()) {
    it(`${type}: off when new and when saved without it, kept when ticked, label and tip shown`, async function () {
      const page = editor.page;
      const box = page.locator('#node-input-keepCredentials');
      const id = await editor.addNode(type, 330, 140 + 120 * index);
      assert.equal(await editor.nodeProperty(id, 'keepCredentials'), false, 'a new node');

      await editor.openNode(id);
      assert.equal(await box.isChecked(), false);
      const text = async (selector: string): Promise<string> => ((await page.locator(selector).textContent()) ?? '').trim();
      assert.equal(await text(`span[data-i18n$="${type}.label.keepCredentials"]`), en(type, 'label.keepCredentials'));
      assert.equal(await text(`span[data-i18n$="${type}.keepCredentials.checkbox"]`), en(type, 'keepCredentials.checkbox'));
      assert.equal(await text(`span[data-i18n$="${type}.tip.keepCredentials"]`), en(type, 'tip.keepCredentials'));
      // Clicking the text beside the box ticks it.
      await page.locator(`label[for="node-input-keepCredentials"] span[data-i18n$="${type}.keepCredentials.checkbox"]`).click();
      assert.equal(await box.isChecked(), true);
      await editor.dialogDone();
      assert.equal(await editor.nodeProperty(id, 'keepCredentials'), true, 'ticked');
      await editor.openNode(id);
      assert.equal(await box.isChecked(), true, 'ticked, reopened');
      await box.uncheck();
      await editor.dialogDone();
      assert.equal(await editor.nodeProperty(id, 'keepCredentials'), false, 'unticked');

      // A node saved before the option existed.
      const old = `keep-credentials-old-${index}`;
      await page.evaluate(
        (node) => {
          const RED = (
            globalThis as unknown as { RED: { nodes: { import(nodes: unknown[]): void }; view: { redraw(full: boolean): void } } }
          ).RED;
          RED.nodes.import([node]);
          RED.view.redraw(true);
        },
        {
          id: old,
          type,
          z: await editor.eval<string>('RED.workspaces.active()'),
          name: 'saved before',
          connection: '',
          x: 600,
          y: 140 + 120 * index,
          wires: [[]],
        },
      );
      assert.equal(await editor.nodeProperty(old, 'keepCredentials'), undefined);
      await editor.openNode(old);
      assert.equal(await box.isChecked(), false, 'a node saved without the option');
      await editor.dialogDone();
      assert.equal(await editor.nodeProperty(old, 'keepCredentials'), false);
      editor.assertNoProblems(`in the ${type} dialog`);
    });
  }
});
