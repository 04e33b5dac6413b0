import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeAPI } from 'node-red';

/**
 * The editor file (dist/nodes/<type>.html) and the runtime module must agree on what a node
 * stores: the helper never loads the html, and credentials given to `helper.load()` bypass the
 * runtime's credential filter, so flow tests cannot catch a mismatch.
 */

const DIST = path.resolve(__dirname, '../../dist/nodes');

type Definition = Record<string, unknown> & {
  category?: string;
  defaults?: Record<string, { value?: unknown; type?: string; required?: boolean }>;
  credentials?: Record<string, { type?: string }>;
  oneditprepare?: (this: unknown) => void;
};

const PASSWORD = { type: 'password' };
const TEXT = { type: 'text' };

/** The contract: credentials exactly, and the defaults that must be present with these values. */
const CONTRACT: Record<
  string,
  { category: string; credentials?: Record<string, { type: string }>; defaults: Record<string, unknown>; typed: string[] }
> = {
  'blynk-cloud-config': {
    category: 'config',
    // refreshToken: the authorization code grant's, a password so it never reaches the editor.
    credentials: { clientId: TEXT, clientSecret: PASSWORD, userEmail: TEXT, password: PASSWORD, refreshToken: PASSWORD },
    // rateLimit, platformRate, deviceRate, queueLimit: added later; flows saved before get "auto".
    // scope, authorizePath, tokenPath: added later; empty means none / the default paths.
    defaults: {
      name: '',
      server: 'https://blynk.cloud',
      grantType: 'client_credentials',
      rateLimit: 'auto',
      platformRate: 10000,
      deviceRate: 50,
      queueLimit: 1000,
      scope: '',
      authorizePath: '',
      tokenPath: '',
    },
    typed: [],
  },
  'blynk-cloud-get-device': {
    category: 'Blynk',
    // keepCredentials: off unless ticked; the runtime leaves Blynk's credentials out of msg.
    defaults: { name: '', connection: '', deviceId: 'deviceId', deviceIdType: 'msg', keepCredentials: false },
    typed: ['deviceId'],
  },
  'blynk-cloud-write-datastream': {
    category: 'Blynk',
    defaults: { name: '', connection: '', deviceId: 'deviceId', deviceIdType: 'msg', dataStreamId: 'topic', dataStreamIdType: 'msg' },
    typed: ['deviceId', 'dataStreamId'],
  },
  'blynk-cloud-log-event': {
    category: 'Blynk',
    defaults: {
      name: '',
      connection: '',
      deviceId: 'deviceId',
      deviceIdType: 'msg',
      eventCodeType: 'str',
      description: 'payload',
      descriptionType: 'msg',
    },
    typed: ['deviceId', 'eventCode', 'description'],
  },
  'blynk-cloud-device-update': {
    category: 'Blynk',
    credentials: { token: PASSWORD },
    defaults: { name: '', connection: '', pin: 'topic', pinType: 'msg' },
    typed: ['pin'],
  },
  'blynk-cloud-api': {
    category: 'Blynk',
    defaults: {
      name: '',
      connection: '',
      method: 'method',
      methodType: 'msg',
      path: 'path',
      pathType: 'msg',
      params: 'params',
      paramsType: 'msg',
      body: 'payload',
      bodyType: 'msg',
      allPages: false,
      keepCredentials: false,
    },
    typed: ['method', 'path', 'params', 'body'],
  },
  'blynk-cloud-device-read': {
    category: 'Blynk',
    credentials: { token: PASSWORD },
    defaults: { name: '', connection: '', read: 'pins', pins: 'topic', pinsType: 'msg', numbers: true, watch: false, interval: 10 },
    typed: ['pins'],
  },
  'blynk-cloud-device-event': {
    category: 'Blynk',
    credentials: { token: PASSWORD },
    defaults: { name: '', connection: '', eventCode: '', eventCodeType: 'str', description: 'payload', descriptionType: 'msg' },
    typed: ['eventCode', 'description'],
  },
  'blynk-cloud-device-property': {
    category: 'Blynk',
    credentials: { token: PASSWORD },
    defaults: {
      name: '',
      connection: '',
      pin: 'topic',
      pinType: 'msg',
      property: 'label',
      propertyType: 'str',
      value: 'payload',
      valueType: 'msg',
    },
    typed: ['pin', 'property', 'value'],
  },
  // Started by Blynk's webhook calls; needs no connection.
  'blynk-cloud-webhook-in': {
    category: 'Blynk',
    credentials: { user: TEXT, password: PASSWORD, secret: PASSWORD, clientId: TEXT, clientSecret: PASSWORD },
    // setup*: Create in Blynk (the connection is optional: the node serves its path without one).
    defaults: {
      name: '',
      url: '',
      method: 'POST',
      auth: 'basic',
      headerName: 'X-Blynk-Secret',
      topic: '',
      setupConfig: '',
      setupBaseUrl: '',
      setupTrigger: 'DEVICE_DATASTREAM_UPDATE',
      setupTarget: '',
      setupSource: '',
      setupName: '',
      blynkWebhookId: '',
    },
    typed: [],
  },
  // Node-RED as a Blynk device over MQTT. broker '' = mqtts://<host>:8883 of the region.
  'blynk-cloud-device': {
    category: 'config',
    credentials: { token: PASSWORD },
    defaults: { name: '', server: 'https://blynk.cloud', broker: '', queueSize: 100 },
    typed: [],
  },
  'blynk-cloud-device-in': {
    category: 'Blynk',
    defaults: { name: '', connection: '', datastreams: '', current: false, others: false },
    typed: [],
  },
  'blynk-cloud-device-out': {
    category: 'Blynk',
    defaults: {
      name: '',
      connection: '',
      action: 'write',
      datastream: 'topic',
      datastreamType: 'msg',
      property: 'color',
      propertyType: 'str',
    },
    typed: ['datastream', 'property'],
  },
};
/** Types that talk to no Blynk server of their own, so have no connection. */
const WITHOUT_CONNECTION = new Set(['blynk-cloud-config', 'blynk-cloud-webhook-in']);
const TYPES = Object.keys(CONTRACT);

describe('registration: package.json', function () {
  it('declares exactly the types of the contract, each with a built .js and .html', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodes = (require('../../package.json') as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;
    assert.deepEqual(Object.keys(nodes).sort(), [...TYPES].sort());
    for (const [type, file] of Object.entries(nodes)) {
      assert.equal(file, `dist/nodes/${type}.js`);
      assert.ok(fs.existsSync(path.join(DIST, `${type}.js`)) && fs.existsSync(path.join(DIST, `${type}.html`)), type);
    }
  });

  it('gives every type its own icon file, white on transparent, 40×60', () => {
    const icons = new Set<string>();
    for (const type of TYPES) {
      const html = fs.readFileSync(path.join(DIST, `${type}.html`), 'utf8');
      const icon = /icon:\s*"([^"]+)"/.exec(html)?.[1];
      assert.ok(icon, `${type}: no icon`);
      assert.ok(!icons.has(icon), `${type}: icon ${icon} is shared`);
      icons.add(icon);
      const svg = fs.readFileSync(path.join(DIST, 'icons', icon), 'utf8');
      assert.match(svg, /width="40" height="60"/, icon);
      assert.doesNotMatch(svg, /fill="#(?!fff)[0-9a-f]{3,6}"|<rect[^>]*width="40" height="60"/i, `${icon}: not white on transparent`);
    }
  });
});

/** Anything, called or read, gives back itself: enough for editor code that runs no jQuery at load. */
function inert(): unknown {
  const fn = function (): void {};
  const proxy: unknown = new Proxy(fn, { get: () => proxy, apply: () => proxy });
  return proxy;
}

/**
 * Runs the built html's script (the node's editor code, bundled by the build) as the editor would,
 * with a stub RED; the style sheet counts as loaded.
 */
function editorRegistrations(type: string, $: unknown = inert()): Array<{ type: string; def: Definition }> {
  const html = fs.readFileSync(path.join(DIST, `${type}.html`), 'utf8');
  assert.doesNotMatch(html, /<script\s+src=/, `${type}.html loads a script: the build bundles everything into it`);
  const scripts = [...html.matchAll(/<script\s+type=["']text\/javascript["'][^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1, `${type}.html: one <script type="text/javascript">`);
  const registered: Array<{ type: string; def: Definition }> = [];
  const RED = {
    nodes: { registerType: (t: string, def: Definition) => registered.push({ type: t, def }), getType: () => undefined },
    // Every validator factory returns a validator.
    validators: new Proxy({}, { get: () => () => () => true }),
    _: (key: string) => key,
  };
  const document = { getElementById: () => ({}) };
  new Function('RED', '$', 'document', scripts[0])(RED, $, document);
  return registered;
}

/** Calls the built module's initializer with a stub RED, recording `registerType`'s options. */
function runtimeRegistrations(
  type: string,
): Array<{ type: string; opts: { credentials?: Record<string, { type?: string }> } | undefined }> {
  const registered: Array<{ type: string; opts: { credentials?: Record<string, { type?: string }> } | undefined }> = [];
  const RED = {
    nodes: {
      registerType: (t: string, _ctor: unknown, opts?: { credentials?: Record<string, { type?: string }> }) =>
        registered.push({ type: t, opts }),
    },
    httpAdmin: { get: () => undefined, post: () => undefined },
    auth: { needsPermission: () => () => undefined },
    _: (key: string) => key,
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const init = require(path.join(DIST, `${type}.js`)) as (red: NodeAPI) => void;
  assert.equal(typeof init, 'function', `${type}.js does not export its initializer`);
  init(RED as unknown as NodeAPI);
  return registered;
}

/** Records the typedInput() calls the html's oneditprepare makes (with its `$` recording them). */
function typedInputs(type: string): Array<{ selector: string; opts: { types?: string[]; typeField?: string } }> {
  const calls: Array<{ selector: string; opts: { types?: string[]; typeField?: string } }> = [];
  const $ = (selector: string): unknown =>
    new Proxy(
      {},
      {
        get: (_t, prop) =>
          prop === 'typedInput'
            ? (opts: { types?: string[]; typeField?: string }) => {
                calls.push({ selector, opts });
                return inert();
              }
            : () => inert(),
      },
    );
  const [{ def }] = editorRegistrations(type, $);
  assert.equal(typeof def.oneditprepare, 'function');
  def.oneditprepare?.call({ _: (k: string) => k });
  return calls;
}

describe('registration: editor html vs runtime', function () {
  for (const type of TYPES) {
    describe(type, function () {
      const contract = CONTRACT[type];

      it('registers exactly this type in both the html and the runtime module', () => {
        assert.deepEqual(
          editorRegistrations(type).map((r) => r.type),
          [type],
        );
        assert.deepEqual(
          runtimeRegistrations(type).map((r) => r.type),
          [type],
        );
      });

      it('declares the same credentials, with the same types, in the html and the runtime', () => {
        const [{ def }] = editorRegistrations(type);
        const [{ opts }] = runtimeRegistrations(type);
        const typesOf = (creds: Record<string, { type?: string }> | undefined): Record<string, string | undefined> | undefined =>
          creds && Object.fromEntries(Object.entries(creds).map(([k, v]) => [k, v.type]));
        assert.deepEqual(typesOf(def.credentials), typesOf(opts?.credentials), 'html and runtime differ');
        assert.deepEqual(typesOf(opts?.credentials), typesOf(contract.credentials), 'runtime differs from the contract');
      });

      it('declares the contract defaults and category', () => {
        const [{ def }] = editorRegistrations(type);
        assert.equal(def.category, contract.category);
        const defaults = def.defaults ?? {};
        for (const [name, value] of Object.entries(contract.defaults)) {
          assert.ok(defaults[name], `no default for ${name}`);
          assert.deepEqual(defaults[name].value, value, `default of ${name}`);
        }
        if (!WITHOUT_CONNECTION.has(type) && contract.category !== 'config') {
          // The MQTT device nodes use the device config node, all others the Platform one.
          assert.equal(
            defaults.connection.type,
            type.startsWith('blynk-cloud-device-') && /-(in|out)$/.test(type) ? 'blynk-cloud-device' : 'blynk-cloud-config',
          );
          assert.equal(defaults.connection.required, true);
        }
        for (const name of contract.typed) {
          assert.ok(defaults[name], `no default for ${name}`);
          assert.ok(defaults[`${name}Type`], `no default for ${name}Type`);
        }
      });

      if (contract.typed.length > 0) {
        it('edits each typed property with a typedInput bound to its <X>Type field', () => {
          const calls = typedInputs(type);
          for (const name of contract.typed) {
            const call = calls.find((c) => c.selector === `#node-input-${name}`);
            assert.ok(call, `no typedInput for ${name}`);
            assert.equal(call.opts.typeField, `#node-input-${name}Type`);
            const types = call.opts.types ?? [];
            for (const t of ['str', 'msg', 'flow', 'global', 'env', 'jsonata']) assert.ok(types.includes(t), `${name} lacks type ${t}`);
            if (/Id$/.test(name)) assert.ok(types.includes('num'), `${name} lacks type num`);
          }
        });
      }
    });
  }
});
