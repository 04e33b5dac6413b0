import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The shipped examples (examples/*.json, also deployed by `npm start`) must carry every property
 * of each node's `defaults` as its built editor script (dist/nodes/<type>.html) registers them: a
 * property added to a node and forgotten in the examples makes the example's dialog add it on
 * Done, so opening and closing an untouched example node turns the flows modified (and validators
 * would have to guess the missing value).
 */

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');

/** Anything, called or read, gives back itself: enough for editor code that runs no jQuery at load. */
function inert(): unknown {
  const fn = function (): void {};
  const proxy: unknown = new Proxy(fn, { get: () => proxy, apply: () => proxy });
  return proxy;
}

/** The `defaults` keys dist/nodes/<type>.html registers, run with a stub RED as the editor would. */
function defaultKeys(type: string): string[] {
  const html = fs.readFileSync(path.join(ROOT, 'dist', 'nodes', `${type}.html`), 'utf8');
  const scripts = [...html.matchAll(/<script\s+type=["']text\/javascript["'][^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const registered: Array<{ type: string; defaults: Record<string, unknown> }> = [];
  const RED = {
    nodes: {
      registerType: (t: string, def: { defaults?: Record<string, unknown> }) => registered.push({ type: t, defaults: def.defaults ?? {} }),
    },
    validators: new Proxy({}, { get: () => () => () => true }),
    _: (key: string) => key,
  };
  const document = { getElementById: () => ({}) };
  for (const src of scripts) new Function('RED', '$', 'document', src)(RED, inert(), document);
  const own = registered.find((r) => r.type === type);
  assert.ok(own, `dist/nodes/${type}.html registers no ${type}`);
  return Object.keys(own.defaults);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const TYPES = Object.keys((require('../../package.json') as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);

describe('examples carry every property of their nodes', function () {
  const files = fs
    .readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.json'))
    .sort();
  const keys = new Map(TYPES.map((type) => [type, defaultKeys(type)]));

  it('has examples, and every node type of the package has defaults', () => {
    assert.ok(files.length > 0, 'no examples/*.json');
    for (const [type, list] of keys) assert.ok(list.length > 0, `${type}: no defaults`);
  });

  for (const file of files) {
    it(file, () => {
      const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as Array<Record<string, unknown>>;
      const missing: string[] = [];
      for (const node of nodes) {
        const wanted = keys.get(String(node.type));
        if (!wanted) continue; // core nodes (inject, debug, …)
        const absent = wanted.filter((key) => !(key in node));
        if (absent.length) missing.push(`${String(node.type)} ${String(node.id)}: ${absent.join(', ')}`);
      }
      assert.deepEqual(missing, [], `${file}: properties missing from example nodes`);
    });
  }
});
