import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The built dialog of blynk-cloud-webhook-in, run with a stub RED: its validators take (v, opt), so
 * that Node-RED shows their message, and accept exactly what the runtime serves.
 */
type Validate = (this: Record<string, unknown>, v: unknown, opt?: object) => true | string;

function definition(): { defaults: Record<string, { value: unknown; validate?: Validate }> } {
  const html = fs.readFileSync(path.resolve(__dirname, '../../dist/nodes/blynk-cloud-webhook-in.html'), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  let def: { defaults: Record<string, { value: unknown; validate?: Validate }> } | undefined;
  const RED = { nodes: { registerType: (_t: string, d: typeof def) => (def = d) }, _: (key: string) => key };
  // $ returns a jQuery-like stub whose val() reads nothing: validators fall back to the node's values.
  const stub: unknown = new Proxy(function () {}, {
    get: (_t, p) => (p === 'length' ? 0 : p === 'val' ? () => undefined : stub),
    apply: () => stub,
  });
  new Function('RED', '$', 'document', script)(RED, stub, { getElementById: () => ({}) });
  assert.ok(def);
  return def;
}

describe('blynk-cloud-webhook-in dialog', function () {
  const { defaults } = definition();

  it('declares every validator with (v, opt)', () => {
    for (const [name, prop] of Object.entries(defaults)) if (prop.validate) assert.equal(prop.validate.length, 2, name);
  });

  it('URL: a path starting with /, no spaces, query or fragment', () => {
    const validate = defaults.url.validate as Validate;
    for (const good of ['/blynk/hooks/greenhouse', '/a', '/hooks/:device']) assert.equal(validate.call({}, good, {}), true, good);
    for (const bad of ['', 'blynk/hooks', '/a b', '/a?x=1', '/a#b']) assert.equal(typeof validate.call({}, bad, {}), 'string', bad);
  });

  it('header name: checked only when a header is used', () => {
    const validate = defaults.headerName.validate as Validate;
    assert.equal(validate.call({ auth: 'basic' }, '', {}), true);
    assert.equal(typeof validate.call({ auth: 'header' }, 'X Bad', {}), 'string');
    assert.equal(validate.call({ auth: 'both' }, 'X-Blynk-Secret', {}), true);
  });
});
