// Drives the Node-RED editor in Debian's Chromium through playwright-core: opening the editor,
// placing nodes from the palette, editing them in their dialogs, the help sidebar, screenshots.
// Code passed to page.evaluate runs in the browser; it is given as strings or untyped callbacks
// because the test project compiles without the DOM library.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { ROOT } from './stack';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const VIEWPORT = { width: 1400, height: 900 };
/**
 * Where screenshots go: a temporary folder made for the run, or BLYNK_SCREENSHOTS (relative to the
 * repository), e.g. `BLYNK_SCREENSHOTS=docs/images` to refresh the README's pictures.
 */
let images: string | undefined;
export function screenshotDir(): string {
  const asked = process.env.BLYNK_SCREENSHOTS;
  images ??= asked ? path.resolve(ROOT, asked) : fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-screenshots-'));
  return images;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:';
}

/** One value of a typedInput as the dialog shows it. */
export interface Typed {
  type: string;
  value: string;
  label: string;
}

export class Editor {
  /** Console errors and uncaught exceptions in the page, in order. */
  readonly problems: string[] = [];
  /** Last HTTP status per request path (no query) the page received. */
  readonly statuses = new Map<string, number>();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** A fresh browser context (own storage, own language) with the editor loaded. */
  static async open(browser: Browser, base: string, locale = 'en-US'): Promise<Editor> {
    const context = await browser.newContext({ viewport: VIEWPORT, locale, deviceScaleFactor: 1 });
    // The machine is offline: anything not on loopback would only time out, and is not ours.
    await context.route(
      (url) => !isLoopback(url),
      (route) => route.abort(),
    );
    const page = await context.newPage();
    const editor = new Editor(context, page);
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location();
      editor.problems.push(`console.error: ${message.text()} (${where.url}:${where.lineNumber})`);
    });
    page.on('pageerror', (error) => editor.problems.push(`uncaught: ${error.stack || error.message}`));
    page.on('response', (response) => editor.statuses.set(new URL(response.url()).pathname, response.status()));
    await page.goto(base);
    await page.waitForSelector('#red-ui-palette-container-Blynk .red-ui-palette-node', { timeout: 60_000 });
    await page.waitForFunction(
      `window.RED && RED.workspaces && RED.workspaces.active() && !$('#red-ui-loading-progress').is(':visible')`,
      undefined,
      { timeout: 60_000 },
    );
    return editor;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Fails with every console error and uncaught exception seen since the last call. */
  assertNoProblems(when: string): void {
    const seen = this.problems.splice(0);
    assert.deepEqual(seen, [], `browser console errors ${when}:\n${seen.join('\n')}`);
  }

  eval<T>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }

  /** A palette entry of the Blynk category, or of `category` (e.g. `common` for inject and debug). */
  paletteNode(type: string, category = 'Blynk'): Locator {
    return this.page.locator(`#red-ui-palette-container-${category} .red-ui-palette-node[data-palette-type="${type}"]`);
  }

  /** Drags a node from the palette onto the workspace at page coordinates; returns its id. */
  async addNode(type: string, x: number, y: number, category = 'Blynk'): Promise<string> {
    const source = this.paletteNode(type, category);
    await source.scrollIntoViewIfNeeded();
    // With more nodes than the palette shows, it may still be scrolling: drag from where the node settles.
    let box = await source.boundingBox();
    for (let i = 0; i < 20; i++) {
      await this.page.waitForTimeout(50);
      const next = await source.boundingBox();
      if (next && box && next.x === box.x && next.y === box.y) break;
      box = next;
    }
    assert.ok(box, `palette node ${type} has no box`);
    const before = await this.eval<string[]>(`RED.nodes.filterNodes({type: ${JSON.stringify(type)}}).map(n => n.id)`);
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(x - 40, y - 20, { steps: 8 });
    await this.page.mouse.move(x, y, { steps: 8 });
    await this.page.mouse.up();
    const handle = await this.page.waitForFunction(
      `(() => { const ids = RED.nodes.filterNodes({type: ${JSON.stringify(type)}}).map(n => n.id)
        .filter(id => !${JSON.stringify(before)}.includes(id)); return ids.length === 1 && ids[0]; })()`,
    );
    return (await handle.jsonValue()) as string;
  }

  /** Draws a wire from the output port of node `from` to the input port of node `to`, with the mouse. */
  async wire(from: string, to: string): Promise<void> {
    const out = await this.workspaceNode(from).locator('g.red-ui-flow-port-output rect.red-ui-flow-port').first().boundingBox();
    const into = await this.workspaceNode(to).locator('g.red-ui-flow-port-input rect.red-ui-flow-port').first().boundingBox();
    assert.ok(out && into, `no ports to wire ${from} to ${to}`);
    await this.page.mouse.move(out.x + out.width / 2, out.y + out.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(into.x - 20, into.y + into.height / 2, { steps: 8 });
    await this.page.mouse.move(into.x + into.width / 2, into.y + into.height / 2, { steps: 4 });
    await this.page.mouse.up();
    await this.page.waitForFunction(
      `RED.nodes.filterLinks({source: RED.nodes.node(${JSON.stringify(from)}), target: RED.nodes.node(${JSON.stringify(to)})}).length === 1`,
    );
  }

  workspaceNode(id: string): Locator {
    return this.page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`);
  }

  /** The red triangle Node-RED draws on a node whose properties do not validate. */
  invalidMarker(id: string): Locator {
    return this.workspaceNode(id).locator('g.red-ui-flow-node-error');
  }

  async nodeProperty<T>(id: string, property: string): Promise<T> {
    return this.eval<T>(`RED.nodes.node(${JSON.stringify(id)})[${JSON.stringify(property)}]`);
  }

  /** Double-clicks a workspace node and waits for its edit dialog. */
  async openNode(id: string): Promise<void> {
    await this.workspaceNode(id).locator('rect.red-ui-flow-node').dblclick();
    await this.page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
    await this.settleTray();
  }

  /** Waits until the tray has stopped sliding in or out. */
  async settleTray(): Promise<void> {
    await this.page.waitForFunction(`$('.red-ui-tray:animated').length === 0`);
    await this.page.waitForTimeout(150);
  }

  /** Clicks away the editor's notifications (Imported, Successfully deployed, …). */
  async dismissNotifications(): Promise<void> {
    // A click closes a notification that is not fixed; jQuery's trigger avoids waiting for
    // the slide-in animation to settle.
    await this.page.evaluate(`$('#red-ui-notifications .red-ui-notification:visible').trigger('click')`);
    await this.page.waitForFunction(`$('#red-ui-notifications .red-ui-notification:visible').length === 0`, undefined, {
      timeout: 10_000,
    });
  }

  /** Cancels any open edit dialogs (config dialog first). */
  async closeDialogs(): Promise<void> {
    for (const id of ['#node-config-dialog-cancel', '#node-dialog-cancel']) {
      const cancel = this.page.locator(id);
      if (await cancel.isVisible()) {
        await cancel.click();
        await cancel.waitFor({ state: 'detached' });
        await this.settleTray();
      }
    }
  }

  /**
   * Opens the config dialog from the node dialog's connection field: the add button (a new
   * connection) or the pencil (the selected one); waits until it has slid in.
   */
  async openConfigDialog(how: 'add' | 'edit'): Promise<void> {
    await this.page.locator(`#node-input-btn-connection-${how}`).click();
    await this.page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    await this.settleTray();
  }

  /**
   * Shows the tab of the connection dialog that holds `selector` (the dialog keeps what only some
   * connections need in tabs), as a user clicks it; nothing if it is not in a tab.
   */
  async showConfigField(selector: string): Promise<void> {
    const tab = await this.eval<string | null>(
      `(() => { const pane = $(${JSON.stringify(selector)}).closest('.blynk-cloud-config-tab'); return pane.length ? pane.attr('id') : null; })()`,
    );
    if (!tab) return;
    // RED.tabs takes a second click within 400 ms for a double click and ignores it: click again.
    for (let attempt = 1; ; attempt++) {
      await this.page.locator(`#node-config-blynk-cloud-tabs a[href="#${tab}"]`).click();
      try {
        await this.page.locator(`#${tab}`).waitFor({ state: 'visible', timeout: 1_000 });
        return;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  /** Add/Update in the config dialog; back in the node dialog. */
  async configDialogDone(): Promise<void> {
    await this.page.locator('#node-config-dialog-ok').click();
    await this.page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    await this.settleTray();
  }

  async dialogDone(): Promise<void> {
    await this.page.locator('#node-dialog-ok').click();
    await this.page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await this.settleTray();
  }

  /** Clicks Deploy and waits until the editor shows the flows as deployed. */
  async deploy(): Promise<void> {
    await this.page.locator('#red-ui-header-button-deploy').click();
    await this.page.waitForFunction(
      `!RED.nodes.dirty() && !$('.red-ui-deploy-button-spinner').is(':visible') && $('#red-ui-header-button-deploy').hasClass('disabled')`,
      undefined,
      { timeout: 20_000 },
    );
  }

  /** The open edit tray (the topmost one when a config dialog is stacked on a node dialog). */
  tray(): Locator {
    return this.page.locator('.red-ui-tray').last();
  }

  typedContainer(field: string): Locator {
    return this.page.locator(`#node-input-${field} + .red-ui-typedInput-container`);
  }

  async readTyped(field: string): Promise<Typed> {
    return this.eval<Typed>(`({
      type: $('#node-input-${field}').typedInput('type'),
      value: String($('#node-input-${field}').typedInput('value')),
      label: $('#node-input-${field} + .red-ui-typedInput-container .red-ui-typedInput-type-label').text(),
    })`);
  }

  /** Picks a type from the typedInput's menu and types a value, as a user would. */
  async setTyped(field: string, type: string, value: string): Promise<void> {
    const container = this.typedContainer(field);
    const menu = this.page.locator('.red-ui-typedInput-options:visible');
    // The menu opens with a 100 ms slide; a click that lands while typedInput is still
    // "disarmed" from a previous menu is swallowed, so click again if no menu shows up.
    for (let attempt = 1; ; attempt++) {
      await container.locator('button.red-ui-typedInput-type-select').click();
      try {
        await menu.first().waitFor({ state: 'visible', timeout: 2_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw new Error(`the type menu of ${field} did not open: ${String(err)}`, { cause: err });
      }
    }
    assert.equal(await menu.count(), 1, `one type menu open for ${field}`);
    await menu.locator(`a[value="${type}"]`).click();
    await menu.first().waitFor({ state: 'hidden' });
    assert.equal((await this.readTyped(field)).type, type, `${field} switched to ${type}`);
    const input = container.locator('input.red-ui-typedInput-input');
    await input.fill(value);
    await input.press('Tab');
  }

  async hasInputError(locator: Locator): Promise<boolean> {
    return locator.evaluate((element: { classList: { contains(name: string): boolean } }) => element.classList.contains('input-error'));
  }

  /** Opens the help sidebar tab and returns what it shows: title and first paragraph. */
  async helpShown(): Promise<{ title: string; intro: string }> {
    await this.page.locator('#red-ui-tab-help-link-button').click();
    const handle = await this.page.waitForFunction(`(() => {
      const title = [...document.querySelectorAll('h1.red-ui-help-title')].find((e) => e.offsetParent);
      const intro = title && title.parentElement.querySelector('p');
      return intro ? { title: title.textContent.trim(), intro: intro.textContent.replace(/\\s+/g, ' ').trim() } : false;
    })()`);
    return (await handle.jsonValue()) as { title: string; intro: string };
  }

  /** Selects a workspace node with a click, so the help sidebar follows it. */
  async selectNode(id: string): Promise<void> {
    await this.workspaceNode(id).locator('rect.red-ui-flow-node').click();
    await this.page.waitForFunction(
      `RED.view.selection().nodes && RED.view.selection().nodes.length === 1 && RED.view.selection().nodes[0].id === ${JSON.stringify(id)}`,
    );
  }

  /**
   * A screenshot of the open dialog, from its title down to the last row of its form. A form
   * taller than the window is shown whole: the window grows for the picture, then shrinks back.
   */
  async trayScreenshot(name: string): Promise<string> {
    await this.page.evaluate(`document.activeElement && document.activeElement.blur()`);
    /* eslint-disable @typescript-eslint/no-explicit-any */
    const measure = () =>
      this.tray().evaluate((element: any) => {
        for (const node of element.querySelectorAll('*')) if (node.scrollTop) node.scrollTop = 0;
        const form = [...element.querySelectorAll('.red-ui-tray-content form')].find((f: any) => f.offsetParent) as any;
        let last = 0;
        let first = Infinity;
        for (const child of form ? [...form.children] : []) {
          const rect = (child as any).getBoundingClientRect();
          if (rect.height > 0) {
            last = Math.max(last, rect.bottom);
            first = Math.min(first, rect.top);
          }
        }
        const content = form ? form.closest('.red-ui-tray-content') : null;
        const visibleBottom = content ? content.getBoundingClientRect().bottom : last;
        return { last, overflow: Math.max(0, last - visibleBottom), first };
      });
    /* eslint-enable @typescript-eslint/no-explicit-any */
    let fit = await measure();
    const grown = fit.overflow > 0;
    try {
      if (grown) {
        await this.page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + Math.ceil(fit.overflow) + 40 });
        await this.page.waitForTimeout(400);
        fit = await measure();
      }
      const box = await this.tray().boundingBox();
      assert.ok(box, 'no dialog open');
      const height = fit.last > box.y ? Math.min(box.height, fit.last + 16 - box.y) : box.height;
      return await this.screenshot(name, { x: box.x, y: box.y, width: box.width, height });
    } finally {
      if (grown) {
        await this.page.setViewportSize(VIEWPORT);
        await this.page.waitForTimeout(400);
      }
    }
  }

  async screenshot(name: string, target?: Locator | { x: number; y: number; width: number; height: number }): Promise<string> {
    const dir = screenshotDir();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    // Park the mouse outside the content so no hover state or tooltip ends up in the picture.
    await this.page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 2);
    await this.page.waitForTimeout(250);
    if (!target) await this.page.screenshot({ path: file });
    else if ('screenshot' in target) await target.screenshot({ path: file });
    else await this.page.screenshot({ path: file, clip: target });
    return file;
  }
}

/** A catalog of this package (`locales/<lang>/<type>.json`), or undefined if it does not exist. */
export function readCatalog(lang: string, type: string): Record<string, unknown> | undefined {
  const file = path.join(ROOT, 'locales', lang, `${type}.json`);
  if (!fs.existsSync(file)) return undefined;
  const catalog = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  return catalog[type] as Record<string, unknown>;
}

/** The text at a dotted key of a catalog, failing clearly if the key is missing. */
export function catalogText(catalog: Record<string, unknown> | undefined, key: string, where: string): string {
  let value: unknown = catalog;
  for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  assert.equal(typeof value, 'string', `${where} has no string at ${key}`);
  return value as string;
}

/** The first paragraph of a node's help file, as plain text. */
export function helpIntro(lang: string, type: string): string | undefined {
  const file = path.join(ROOT, 'locales', lang, `${type}.html`);
  if (!fs.existsSync(file)) return undefined;
  const match = /<p>([\s\S]*?)<\/p>/.exec(fs.readFileSync(file, 'utf8'));
  assert.ok(match, `${file} has no <p>`);
  return match[1]
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The palette category of a node type (`category: '…'` in its built editor script, dist/nodes/<type>.html). */
export function categoryOf(type: string): string {
  const html = fs.readFileSync(path.join(ROOT, 'dist', 'nodes', `${type}.html`), 'utf8');
  const match = /\bcategory:\s*['"]([^'"]+)['"]/.exec(html);
  assert.ok(match, `dist/nodes/${type}.html names no category`);
  return match[1];
}

/** The icon file each node's editor definition names (`icon: "….svg"` in dist/nodes/<type>.html). */
export function iconOf(type: string): string {
  const html = fs.readFileSync(path.join(ROOT, 'dist', 'nodes', `${type}.html`), 'utf8');
  const match = /\bicon:\s*"([^"]+)"/.exec(html);
  assert.ok(match, `dist/nodes/${type}.html names no icon`);
  return match[1];
}
