import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  BlynkError,
  deviceIdOf,
  deviceNameOf,
  endpointPathOf,
  eventCodeOf,
  isBlynkHost,
  methodOf,
  parseServer,
  pathOf,
  pinOf,
  pinsOf,
  PRESETS,
  presetGroups,
  propertyNameOf,
} from '../../dist/blynk';
import { REGIONS } from '../../dist/blynk/regions';

/**
 * The dialogs bundle the runtime's own checks (src/blynk) instead of keeping copies: run each
 * built editor script (dist/nodes/<type>.html) with a stub RED and check that a fixed value is
 * refused in the dialog exactly when the runtime would refuse it.
 */

const DIST = path.resolve(__dirname, '../../dist/nodes');

type Validator = (this: Record<string, unknown>, v: unknown, opt?: object) => true | string;
interface Definition {
  defaults: Record<string, { value?: unknown; validate?: Validator }>;
  oneditprepare(this: Record<string, unknown>): void;
}

/** A jQuery stand-in for a closed dialog: no fields, so validators read the node's own values. */
function closedDialog(): unknown {
  const none: Record<string, unknown> = { length: 0, val: () => undefined, attr: () => undefined };
  return () => none;
}

function definitionOf(type: string, $: unknown = closedDialog()): Definition {
  const html = fs.readFileSync(path.join(DIST, `${type}.html`), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, `${type}.html has no editor script`);
  let definition: Definition | undefined;
  const RED = {
    nodes: { registerType: (_t: string, def: Definition) => (definition = def), getType: () => undefined },
    validators: { typedInput: () => () => true },
    _: (key: string) => key,
  };
  new Function('RED', '$', 'document', script)(RED, $, { getElementById: () => ({}) });
  assert.ok(definition, `${type}.html registers nothing`);
  return definition;
}

/** Whether a runtime check (one that throws on a refused value) accepts `value`. */
function runtimeAccepts(check: (value: unknown) => unknown, value: unknown): boolean {
  try {
    check(value);
    return true;
  } catch (err) {
    // A refusal is a BlynkError; anything else is a bug in the check, not a verdict.
    if (err instanceof BlynkError) return false;
    throw err;
  }
}

/** Whether the dialog's validator of `field` accepts `value` as a fixed string. */
function dialogAccepts(def: Definition, field: string, value: string, node: Record<string, unknown> = {}): boolean {
  const validate = def.defaults[field].validate;
  assert.ok(validate, `no validator for ${field}`);
  return validate.call({ [`${field}Type`]: 'str', ...node }, value, {}) === true;
}

const SAMPLES = {
  deviceId: ['1', ' 7 ', '101', '0', '-3', '1.5', 'abc', '007', '2147483647', '2147483648', ''],
  deviceName: ['Greenhouse', ' Attic (offline) ', '101', 'x'.repeat(255), 'x'.repeat(256), ' '.repeat(3), ''],
  pin: ['V0', 'v1', ' V3 ', 'V255', 'V256', 'D1', 'V-1', 'V01', ''],
  pins: ['V1', 'v1, V255', 'V1;V2 V3', 'V1, X2', 'V256', ''],
  eventCode: ['high_temp', 'Door open 2', 'high-temp!', 'x'.repeat(50), 'x'.repeat(51), ''],
  property: ['color', ' isDisabled ', 'label', 'token', 'pin', '1abc', ''],
  method: ['get', ' DELETE ', 'PATCH', 'FETCH', 'OPTIONS'],
  path: [
    '/api/v1/organization/devices',
    'api/v1/organization/device?deviceId=1',
    '/api',
    '/api//x',
    '/api/v1/../admin',
    'http://evil.example/api/v1',
  ],
  endpointPath: ['/oauth2/token', '/a-b_c.d~e/f', ':20001/steal', '//host/x', '/a/../b', ' /oauth2/token', '/x?y'],
};

describe("dialogs check fixed values with the runtime's own rules (bundled from src/blynk)", function () {
  const cases: Array<[string, string, keyof typeof SAMPLES, (value: unknown) => unknown]> = [
    ['blynk-cloud-log-event', 'eventCode', 'eventCode', eventCodeOf],
    ['blynk-cloud-device-event', 'eventCode', 'eventCode', eventCodeOf],
    ['blynk-cloud-device-property', 'pin', 'pin', pinOf],
    ['blynk-cloud-device-property', 'property', 'property', propertyNameOf],
    ['blynk-cloud-device-read', 'pins', 'pins', pinsOf],
    ['blynk-cloud-api', 'path', 'path', pathOf],
  ];
  for (const [type, field, samples, check] of cases) {
    it(`${type}: ${field}`, () => {
      const def = definitionOf(type);
      for (const value of SAMPLES[samples]) {
        assert.equal(dialogAccepts(def, field, value), runtimeAccepts(check, value), JSON.stringify(value));
      }
    });
  }

  for (const type of ['blynk-cloud-get-device', 'blynk-cloud-write-datastream', 'blynk-cloud-log-event']) {
    it(`${type}: deviceId as an id, and as a name when the device is given by name`, () => {
      const def = definitionOf(type);
      assert.equal(def.defaults.deviceByName?.value, false);
      for (const value of [...SAMPLES.deviceId, ...SAMPLES.deviceName]) {
        assert.equal(dialogAccepts(def, 'deviceId', value), runtimeAccepts(deviceIdOf, value), `id ${JSON.stringify(value)}`);
        assert.equal(
          dialogAccepts(def, 'deviceId', value, { deviceByName: true }),
          runtimeAccepts(deviceNameOf, value),
          `name ${JSON.stringify(value)}`,
        );
      }
    });
  }

  it('blynk-cloud-api: method (written out; empty, GET at run time, is refused in the dialog)', () => {
    const def = definitionOf('blynk-cloud-api');
    for (const value of SAMPLES.method) assert.equal(dialogAccepts(def, 'method', value), runtimeAccepts(methodOf, value), value);
    assert.equal(dialogAccepts(def, 'method', ''), false);
  });

  it('blynk-cloud-config: token and authorize paths', () => {
    const def = definitionOf('blynk-cloud-config');
    for (const field of ['tokenPath', 'authorizePath']) {
      for (const value of SAMPLES.endpointPath) {
        const validate = def.defaults[field].validate;
        assert.equal(
          validate?.call({}, value, {}) === true,
          runtimeAccepts((v) => endpointPathOf(v, ''), value),
          `${field} ${JSON.stringify(value)}`,
        );
      }
    }
  });

  it('blynk-cloud-api: the preset list is the runtime table, grouped as the docs group it', () => {
    const options: string[] = [];
    const $ = (selector: unknown): unknown => {
      // `$('<option>').val(id)` records the option; anything else is an empty field.
      const fields: Record<string, unknown> = {
        length: 0,
        val: (v?: unknown) => {
          if (selector === '<option>' && v !== undefined) options.push(String(v));
          return v === undefined ? undefined : chain;
        },
      };
      const chain: unknown = new Proxy(fields, { get: (target, prop) => (prop in target ? target[prop as string] : () => chain) });
      return chain;
    };
    const def = definitionOf('blynk-cloud-api', $);
    def.oneditprepare.call({ _: (key: string) => key, methodType: 'msg', pathType: 'msg' });
    assert.deepEqual(options, ['', ...presetGroups().flatMap((g) => g.presets.map((p) => p.id))]);
    assert.equal(options.length, PRESETS.length + 1);
  });

  it('blynk-cloud-config: every region is a Blynk server the dialog and the runtime accept, named in every language', () => {
    const def = definitionOf('blynk-cloud-config');
    for (const region of REGIONS) {
      assert.equal(def.defaults.server.validate?.call({}, region.server, {}), true, region.server);
      assert.equal(parseServer(region.server).origin, region.server);
      assert.ok(isBlynkHost(new URL(region.server).hostname), region.server);
      for (const lang of ['en-US', 'de', 'ja']) {
        const catalogue = JSON.parse(fs.readFileSync(path.join(DIST, 'locales', lang, 'blynk-cloud-config.json'), 'utf8')) as {
          'blynk-cloud-config': { region: Record<string, string> };
        };
        assert.ok(catalogue['blynk-cloud-config'].region[region.id], `${lang}: no name for region ${region.id}`);
      }
    }
  });
});
