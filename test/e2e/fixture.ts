// What every browser test file shares: one simulator + Node-RED stack and one Chromium for the
// whole run, a failure screenshot of the page under test, and the list of screenshots written.
// The hooks are mocha root hooks: they are registered when the first test file imports this
// module, so however many *.e2e.ts files there are, the stack starts once.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { catalogText, Editor, launchBrowser, readCatalog, screenshotDir } from './editor';
import { ROOT, Stack, startStack } from './stack';

export let stack: Stack;
export let browser: Browser;
/** Screenshots written in this run, listed at the end. */
export const shots: string[] = [];
/** The editor of the running test, for a screenshot when it fails. */
let current: Editor | undefined;

/** Makes `editor` the page a failing test is photographed from; returns it. */
export function track(editor: Editor): Editor {
  current = editor;
  return editor;
}

/**
 * One editor page for the tests of a describe block: opened before them and handed to `set`, its
 * dialogs closed before each test (one that failed with a dialog open must not take the next one
 * down), closed after them.
 */
export function useEditorPage(set: (editor: Editor) => void): void {
  let editor: Editor | undefined;
  before(async function () {
    editor = track(await Editor.open(browser, stack.editor));
    set(editor);
  });
  after(async function () {
    await editor?.close();
  });
  beforeEach(async function () {
    await editor?.closeDialogs();
  });
}

/** A text of the en-US catalog of node `type`. */
export function en(type: string, key: string): string {
  return catalogText(readCatalog('en-US', type), key, `locales/en-US/${type}.json`);
}

before(async function () {
  this.timeout(90_000);
  // Start both, and keep whichever started even if the other fails, so after() can stop it
  // (a Chromium left running would keep mocha from exiting).
  const [started, launched] = await Promise.allSettled([startStack(), launchBrowser()]);
  if (started.status === 'fulfilled') stack = started.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
});

afterEach(async function () {
  if (this.currentTest?.state !== 'failed' || !current) return;
  const dir = path.join(ROOT, 'dist-test', 'e2e-failures');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${this.currentTest
      .fullTitle()
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 120)}.png`,
  );
  await current.page.screenshot({ path: file }).catch(() => undefined);
  console.log(`      failure screenshot: ${path.relative(ROOT, file)}`);
});

after(async function () {
  this.timeout(30_000);
  await browser?.close();
  await stack?.stop();
  if (shots.length) console.log(`      screenshots in ${screenshotDir()}: ${shots.map((file) => path.basename(file)).join(', ')}`);
});
