// G8: every validator of every node type marks a bad value, through Node-RED's own validation.
// Node-RED reads a validator's returned message as an error only if the validator takes two
// parameters (v, opt); from any other it keeps !!result, so "bad" counted as valid. Here flows are
// imported into the editor as a user's saved flow would be (absent properties stay absent), each
// node validated by RED.editor.validateNode, and its `valid` and `validationErrors` read; a few
// values are also typed into the dialogs, to see the red field, the red triangle and Deploy's warning.
import assert from 'node:assert/strict';
import { catalogText, Editor, readCatalog } from './editor';
import { useEditorPage } from './fixture';
import { declaredTypes } from './stack';

// The page's globals; the test project compiles without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const CONFIG = 'blynk-cloud-config';

/** Leaves the property out of the saved node, as a flow from before it existed. */
const ABSENT = { absent: true } as const;
type Value = string | number | boolean | typeof ABSENT;

/** Expected message: a key of the node type's catalog, with its placeholders. */
interface Message {
  key: string;
  vars?: Record<string, string | number>;
}

interface Case {
  value: Value;
  /** Other properties of the node in this case (the type of a typed property, watch, …). */
  with?: Record<string, Value>;
  /** Bad values only: the message, or 'node-red' for Node-RED's own syntax message. */
  error?: Message | 'node-red';
}

interface Spec {
  type: string;
  /** A valid node of the type (without id, type, z, position). */
  base: Record<string, Value>;
  /** Every validated property of the type, with values that must be refused and accepted. */
  props: Record<string, { bad: Case[]; good: Case[] }>;
}

const CONN = 'g8-connection';
/** A valid connection as the current release saves it. */
const CONNECTION: Record<string, Value> = {
  name: 'G8 connection',
  server: 'https://blynk.cloud',
  grantType: 'client_credentials',
  rateLimit: 'auto',
  scope: '',
  authorizePath: '',
  tokenPath: '',
  platformRate: 10000,
  deviceRate: 50,
  queueLimit: 1000,
};

const DEVICE = 'g8-device';
/** A valid MQTT device as the current release saves it: what device in/out nodes use. */
const DEVICE_CONFIG: Record<string, Value> = { name: 'G8 device', server: 'https://blynk.cloud', broker: '', queueSize: 100 };
/** Config node types: saved without a tab or position. */
const CONFIG_TYPES = new Set([CONFIG, 'blynk-cloud-device']);

const m = (key: string, vars?: Record<string, string | number>): Message => ({ key, vars });
const text = (value: string): Case => ({ value, with: {} });

/** `cases` with the node set as `mode` says (the option under which the field is read). */
const under = (mode: Record<string, Value>, cases: Case[]): Case[] => cases.map((c) => ({ ...c, with: { ...c.with, ...mode } }));

/** A typed property: `cases` are [type, value] pairs. */
const typed = (field: string, cases: Array<[string, string]>, error?: Message | 'node-red'): Case[] =>
  cases.map(([type, value]) => ({ value, with: { [`${field}Type`]: type }, error }));

// The paths the runtime refuses: each would send the token request elsewhere or out of the API.
const BAD_PATHS = [
  ':20001/steal',
  '@127.0.0.1:20001/steal',
  '.attacker.example/steal',
  '//host/x',
  '/a\\b',
  '/%2e%2e/x',
  '/x?y',
  '/a/../b',
  'oauth2/token',
  ' /oauth2/token',
  '/oauth2/token#x',
  ' ',
];
const GOOD_PATHS: Case[] = [{ value: ABSENT }, text(''), text('/oauth2/token'), text('/oauth2/authorize'), text('/a-b_c.d~e/f')];

const deviceId = {
  bad: [
    ...typed(
      'deviceId',
      [
        ['num', '0'],
        ['str', 'abc'],
        ['num', '-3'],
        ['str', '1.5'],
      ],
      m('errors.deviceId'),
    ),
    ...typed(
      'deviceId',
      [
        ['msg', ''],
        ['jsonata', ' '],
      ],
      m('errors.required'),
    ),
    ...typed(
      'deviceId',
      [
        ['msg', 'a['],
        ['jsonata', '$$$('],
      ],
      'node-red',
    ),
  ],
  good: typed('deviceId', [
    ['num', '101'],
    ['str', ' 7 '],
    ['msg', 'deviceId'],
    ['msg', 'payload.id'],
    ['env', 'DEVICE'],
    ['jsonata', 'payload.id'],
    ['flow', 'device'],
  ]),
};

const SPECS: Spec[] = [
  {
    type: CONFIG,
    base: CONNECTION,
    props: {
      server: {
        bad: ['http://example.com', 'https://user@blynk.cloud', 'ftp://blynk.cloud', 'https://blynk.cloud/api', 'blynk.cloud'].map(
          (value) => ({
            value,
            error: m('errors.invalid-server', { server: value }),
          }),
        ),
        good: [text('https://fra1.blynk.cloud'), text('https://blynk.cloud/'), text('http://127.0.0.1:18443'), text('http://localhost')],
      },
      grantType: {
        bad: [{ value: 'password', error: m('validation.grantType') }],
        good: [text('client_credentials'), text('user_credentials'), text('authorization_code'), { value: ABSENT }],
      },
      rateLimit: {
        bad: [
          { value: 'fast', error: m('validation.rateLimit') },
          { value: 'AUTO', error: m('validation.rateLimit') },
        ],
        good: [text('auto'), text('on'), text('off'), text(''), { value: ABSENT }],
      },
      authorizePath: { bad: BAD_PATHS.map((value) => ({ value, error: m('validation.path') })), good: GOOD_PATHS },
      tokenPath: { bad: BAD_PATHS.map((value) => ({ value, error: m('validation.path') })), good: GOOD_PATHS },
      platformRate: {
        bad: ['0', '-5', 'abc', 'Infinity', 0].map((value) => ({ value, error: m('validation.rate') })),
        good: [{ value: ABSENT }, text(''), { value: 10000 }, text('20'), text(' 0.5 ')],
      },
      deviceRate: {
        bad: ['0', '-1', 'fast'].map((value) => ({ value, error: m('validation.rate') })),
        good: [{ value: ABSENT }, text(''), { value: 50 }, text('0.2')],
      },
      queueLimit: {
        bad: ['0', '0.5', '-1', 'x'].map((value) => ({ value, error: m('validation.queue') })),
        good: [{ value: ABSENT }, text(''), { value: 1000 }, text('1'), text('2.5')],
      },
    },
  },
  {
    type: 'blynk-cloud-get-device',
    base: { connection: CONN, deviceId: 'deviceId', deviceIdType: 'msg' },
    props: { deviceId },
  },
  {
    type: 'blynk-cloud-write-datastream',
    base: { connection: CONN, deviceId: 'deviceId', deviceIdType: 'msg', dataStreamId: 'dataStreamId', dataStreamIdType: 'msg' },
    props: {
      deviceId,
      dataStreamId: {
        bad: [
          ...typed(
            'dataStreamId',
            [
              ['str', 'V256'],
              ['num', '-1'],
              ['str', 'x'],
            ],
            m('errors.dataStreamId'),
          ),
          ...typed('dataStreamId', [['msg', '']], m('errors.required')),
        ],
        good: typed('dataStreamId', [
          ['str', ''],
          ['num', '2'],
          ['str', 'v3'],
          ['msg', 'topic'],
        ]),
      },
    },
  },
  {
    type: 'blynk-cloud-log-event',
    base: {
      connection: CONN,
      deviceId: 'deviceId',
      deviceIdType: 'msg',
      eventCode: 'high_temp',
      eventCodeType: 'str',
      description: 'payload',
      descriptionType: 'msg',
    },
    props: {
      deviceId,
      eventCode: {
        bad: [
          ...typed(
            'eventCode',
            [
              ['str', 'high-temp!'],
              ['str', ''],
              ['str', 'x'.repeat(51)],
            ],
            m('errors.eventCode'),
          ),
          ...typed('eventCode', [['msg', '']], m('errors.required')),
        ],
        good: typed('eventCode', [
          ['str', 'high_temp'],
          ['str', 'Door open 2'],
          ['msg', 'topic'],
        ]),
      },
      description: {
        // Fixed code and description together: at most 1024 characters ("high_temp" is 9).
        bad: typed('description', [['str', 'x'.repeat(1016)]], m('errors.tooLong', { length: 1025 })),
        good: typed('description', [
          ['str', 'x'.repeat(1015)],
          ['str', ''],
          ['msg', ''],
        ]),
      },
    },
  },
  {
    type: 'blynk-cloud-device-update',
    base: { connection: CONN, pin: 'topic', pinType: 'msg' },
    props: {
      pin: {
        bad: [
          ...typed(
            'pin',
            [
              ['str', 'V256'],
              ['str', 'D1'],
            ],
            m('errors.pin'),
          ),
          ...typed('pin', [['msg', '']], m('errors.required')),
        ],
        good: typed('pin', [
          ['str', ''],
          ['str', 'v1'],
          ['msg', 'topic'],
        ]),
      },
      write: {
        bad: [{ value: 'upload', error: m('errors.write') }],
        good: [
          text('pins'),
          text('timestamped'),
          { value: 'meta', with: { metaField: 'Serial Number', metaFieldType: 'str' } },
          { value: 'file', with: { filename: 'filename', filenameType: 'msg' } },
          { value: ABSENT },
        ],
      },
      metaField: {
        bad: under({ write: 'meta' }, [
          ...typed('metaField', [['str', '   ']], m('errors.metaField')),
          ...typed('metaField', [['msg', '']], m('errors.required')),
        ]),
        good: [
          ...under(
            { write: 'meta' },
            typed('metaField', [
              ['str', 'Serial Number'],
              ['str', '12'],
              ['msg', 'topic'],
            ]),
          ),
          // Not read when the node writes pins.
          { value: '', with: { write: 'pins', metaFieldType: 'str' } },
        ],
      },
      filename: {
        bad: under({ write: 'file' }, typed('filename', [['str', '  ']], m('errors.filename'))),
        good: [
          ...under(
            { write: 'file' },
            typed('filename', [
              ['str', 'log.csv'],
              ['msg', 'filename'],
            ]),
          ),
          { value: '', with: { write: 'pins', filenameType: 'str' } },
        ],
      },
    },
  },
  {
    type: 'blynk-cloud-api',
    base: {
      connection: CONN,
      method: 'method',
      methodType: 'msg',
      path: 'path',
      pathType: 'msg',
      params: 'params',
      paramsType: 'msg',
      body: 'payload',
      bodyType: 'msg',
      allPages: false,
    },
    props: {
      method: {
        bad: [
          ...typed(
            'method',
            [
              ['str', 'FETCH'],
              ['str', ''],
            ],
            m('errors.method'),
          ),
          ...typed('method', [['msg', '']], m('errors.required')),
        ],
        good: typed('method', [
          ['str', 'get'],
          ['str', ' DELETE '],
          ['msg', 'method'],
        ]),
      },
      path: {
        bad: [
          ...typed(
            'path',
            [
              ['str', 'http://evil.example/api/v1'],
              ['str', '/api/v1/../admin'],
              ['str', '/api'],
              ['str', '/api//x'],
              ['str', '//evil.example/api/v1'],
            ],
            m('errors.path'),
          ),
          ...typed('path', [['msg', '']], m('errors.required')),
        ],
        good: typed('path', [
          ['str', '/api/v1/organization/devices'],
          ['str', 'api/v1/organization/device?deviceId=1'],
          ['msg', 'path'],
        ]),
      },
      params: {
        bad: typed(
          'params',
          [
            ['json', '{'],
            ['msg', 'a['],
          ],
          'node-red',
        ),
        good: typed('params', [
          ['json', '{}'],
          ['msg', ''],
          ['str', 'deviceId=1'],
        ]),
      },
      body: {
        bad: typed(
          'body',
          [
            ['json', '['],
            ['jsonata', '$$$('],
          ],
          'node-red',
        ),
        good: typed('body', [
          ['msg', 'payload'],
          ['msg', ''],
          ['json', '[1]'],
        ]),
      },
    },
  },
  {
    type: 'blynk-cloud-device-read',
    base: { connection: CONN, read: 'pins', pins: 'V1', pinsType: 'str', watch: false, interval: 10 },
    props: {
      read: {
        bad: [{ value: 'some', error: m('errors.read') }],
        good: [
          text('pins'),
          text('all'),
          text('connected'),
          { value: 'meta', with: { metaField: 'Serial Number', metaFieldType: 'str' } },
          text('report'),
          { value: ABSENT },
        ],
      },
      pins: {
        bad: [
          ...typed(
            'pins',
            [
              ['str', 'V1, X2'],
              ['str', ''],
            ],
            m('errors.pins'),
          ),
          // Watching polls without a message.
          { value: 'topic', with: { pinsType: 'msg', watch: true }, error: m('errors.watchPins') },
          ...typed('pins', [['msg', '']], m('errors.required')),
        ],
        good: [
          ...typed('pins', [
            ['str', 'v1, V255'],
            ['msg', 'topic'],
          ]),
          // Not read when the node reads all values.
          { value: 'nonsense', with: { read: 'all', pinsType: 'str' } },
        ],
      },
      metaField: {
        bad: under({ read: 'meta' }, typed('metaField', [['str', '   ']], m('errors.metaField'))),
        good: [
          ...under(
            { read: 'meta' },
            typed('metaField', [
              ['str', 'Serial Number'],
              ['msg', 'topic'],
            ]),
          ),
          { value: '', with: { read: 'pins', metaFieldType: 'str' } },
        ],
      },
      period: { bad: [{ value: 'YEAR', error: m('errors.reportOption') }], good: [text('DAY'), text('THREE_MONTHS'), { value: ABSENT }] },
      granularityType: {
        bad: [
          { value: 'SECOND', error: m('errors.reportOption') },
          // The page: raw data "is not supported for the THREE_MONTH period".
          { value: 'RAW_DATA', with: { read: 'report', period: 'THREE_MONTHS' }, error: m('errors.rawThreeMonths') },
        ],
        good: [text('HOURLY'), { value: 'DAILY', with: { read: 'report', period: 'THREE_MONTHS' } }, { value: ABSENT }],
      },
      sourceType: { bad: [{ value: 'MEDIAN', error: m('errors.reportOption') }], good: [text('MAX'), { value: ABSENT }] },
      format: { bad: [{ value: 'ISO', error: m('errors.reportOption') }], good: [text('ISO_US'), { value: ABSENT }] },
      interval: {
        bad: [0, '0', '-1', 'abc', ''].map((value) => ({ value, with: { watch: true }, error: m('errors.interval') })),
        good: [
          { value: '0.5', with: { watch: true } },
          { value: 2, with: { watch: true } },
          // Saved without one: the runtime's 10 s.
          { value: ABSENT, with: { watch: true } },
          // Not read without watch.
          { value: '0', with: { watch: false } },
        ],
      },
    },
  },
  {
    type: 'blynk-cloud-device-event',
    base: { connection: CONN, eventCode: 'high_temp', eventCodeType: 'str', description: 'payload', descriptionType: 'msg' },
    props: {
      eventCode: {
        bad: [
          ...typed(
            'eventCode',
            [
              ['str', 'a-b'],
              ['str', ''],
            ],
            m('errors.eventCode'),
          ),
          ...typed('eventCode', [['msg', '']], m('errors.required')),
        ],
        good: typed('eventCode', [
          ['str', 'x'],
          ['msg', 'topic'],
        ]),
      },
      description: {
        bad: typed('description', [['str', 'x'.repeat(301)]], m('errors.tooLong', { length: 301 })),
        good: typed('description', [
          ['str', 'x'.repeat(300)],
          ['msg', ''],
        ]),
      },
    },
  },
  {
    type: 'blynk-cloud-device-property',
    base: { connection: CONN, pin: 'V1', pinType: 'str', property: 'color', propertyType: 'str', value: 'payload', valueType: 'msg' },
    props: {
      pin: {
        bad: [
          ...typed(
            'pin',
            [
              ['str', 'V256'],
              ['str', ''],
            ],
            m('errors.pin'),
          ),
          ...typed('pin', [['msg', '']], m('errors.required')),
        ],
        good: typed('pin', [
          ['str', ' V3 '],
          ['msg', 'topic'],
        ]),
      },
      property: {
        bad: [
          ...typed(
            'property',
            [
              ['str', 'token'],
              ['str', '1abc'],
              ['str', 'pin'],
            ],
            m('errors.property'),
          ),
          ...typed('property', [['msg', '']], m('errors.required')),
        ],
        good: typed('property', [
          ['str', 'color'],
          ['str', 'isDisabled'],
          ['msg', 'property'],
        ]),
      },
      value: {
        bad: [...typed('value', [['json', '{']], 'node-red'), ...typed('value', [['msg', '']], m('errors.required'))],
        good: typed('value', [
          ['msg', 'payload'],
          ['str', ''],
          ['num', '3'],
          ['json', '{"a":1}'],
        ]),
      },
    },
  },
  {
    type: 'blynk-cloud-webhook-in',
    base: { url: '/blynk/hooks/g8', method: 'POST', auth: 'header', headerName: 'X-Blynk-Secret', topic: '' },
    props: {
      url: {
        bad: ['blynk/hooks', '/a b', '/a?x=1', '/a#b'].map((value): Case => ({ value, with: {}, error: m('errors.url') })),
        good: [text('/a'), text('/blynk/hooks/greenhouse'), text('/hooks/:device')],
      },
      headerName: {
        // Checked only when a header is used.
        bad: [
          { value: 'X Bad', with: { auth: 'header' }, error: m('errors.headerName') },
          { value: '', with: { auth: 'both' }, error: m('errors.headerName') },
        ],
        good: [text('X-Blynk-Secret'), { value: '', with: { auth: 'basic' } }],
      },
    },
  },
  {
    type: 'blynk-cloud-device',
    base: DEVICE_CONFIG,
    props: {
      broker: {
        bad: [text('mqtt://blynk.cloud:1883'), text('http://blynk.cloud'), text('ws://example.com/mqtt'), text('blynk.cloud')].map((c) => ({
          ...c,
          error: m('errors.broker'),
        })),
        good: [
          text(''),
          text('wss'),
          text('mqtts://fra1.blynk.cloud:8883'),
          text('wss://blynk.cloud:443/mqtt'),
          text('mqtt://127.0.0.1:18883'),
          text('ws://localhost:8080/mqtt'),
        ],
      },
      queueSize: {
        bad: [text('0'), text('-1'), text('1.5'), text('x')].map((c) => ({ ...c, error: m('errors.queueSize') })),
        good: [{ value: 100, with: {} }, text('5')],
      },
    },
  },
  {
    type: 'blynk-cloud-device-in',
    base: { connection: DEVICE, datastreams: '', current: false, others: false },
    props: {
      datastreams: {
        bad: [text('Switch,,Mode'), text('a/b'), text('#')].map((c) => ({ ...c, error: m('errors.datastreams') })),
        good: [text(''), text('Switch'), text(' Switch, Mode ')],
      },
    },
  },
  {
    type: 'blynk-cloud-device-out',
    base: { connection: DEVICE, action: 'write', datastream: 'topic', datastreamType: 'msg', property: 'color', propertyType: 'str' },
    props: {
      action: {
        bad: [text('publish')].map((c) => ({ ...c, error: m('errors.action') })),
        good: [text('write'), text('event'), text('eraseProperty'), text('getMeta'), text('getTime'), text('getLocation'), text('info')],
      },
      datastream: {
        bad: [
          ...typed(
            'datastream',
            [
              ['str', 'a/b'],
              ['str', ''],
            ],
            m('errors.name'),
          ),
          ...typed('datastream', [['msg', '']], m('errors.required')),
          // get/meta: the names separated by comma, as the runtime splits them.
          ...under(
            { action: 'getMeta' },
            typed(
              'datastream',
              [
                ['str', 'Serial Number,,Device Name'],
                ['str', ''],
                ['str', 'a/b'],
              ],
              m('errors.names'),
            ),
          ),
        ],
        good: [
          ...typed('datastream', [
            ['str', 'Temperature'],
            ['msg', 'topic'],
          ]),
          ...under({ action: 'getMeta' }, typed('datastream', [['str', ' Serial Number, Device Name ']])),
          // The time and location requests name nothing: the field is not read.
          ...under({ action: 'getTime' }, typed('datastream', [['str', '']])),
          ...under({ action: 'getLocation' }, typed('datastream', [['str', 'a/b']])),
        ],
      },
      property: {
        bad: under({ action: 'property' }, typed('property', [['str', '']], m('errors.name'))),
        good: [...typed('property', [['str', 'color']]), { value: '', with: { propertyType: 'str', action: 'write' } }],
      },
    },
  },
];

/** The English text of a message, or a marker that cannot match if the catalog lacks the key. */
function expected(type: string, message: Message): string {
  let template: string;
  try {
    template = catalogText(readCatalog('en-US', type), message.key, `locales/en-US/${type}.json`);
  } catch {
    return `<no ${message.key} in locales/en-US/${type}.json>`;
  }
  return Object.entries(message.vars ?? {}).reduce((out, [name, value]) => out.split(`__${name}__`).join(String(value)), template);
}

/** A node as a saved flow holds it: `base` with the case applied, absent properties left out. */
function savedNode(id: string, spec: Spec, property: string, c: Case, at: number, z: string): Record<string, unknown> {
  const node: Record<string, unknown> = { id, type: spec.type };
  const props: Record<string, Value> = { ...spec.base, ...(c.with ?? {}), [property]: c.value };
  for (const [name, value] of Object.entries(props)) if (value !== ABSENT) node[name] = value;
  if (!CONFIG_TYPES.has(spec.type)) Object.assign(node, { z, x: 200 + 180 * (at % 5), y: 80 + 40 * Math.floor(at / 5), wires: [[]] });
  return node;
}

interface Verdict {
  valid: boolean;
  errors: unknown[];
}

/**
 * Imports `nodes` (a valid connection first) as the editor loads a saved flow, validates each with
 * RED.editor.validateNode and returns what it concluded; removes them again unless `keep`.
 */
async function importAndValidate(editor: Editor, nodes: Array<Record<string, unknown>>, keep = false): Promise<Record<string, Verdict>> {
  return editor.page.evaluate(
    ({ nodes, keep }) => {
      RED.nodes.import(nodes);
      const out: Record<string, { valid: boolean; errors: unknown[] }> = {};
      for (const { id } of nodes) {
        const node = RED.nodes.node(id);
        if (!node) throw new Error(`node ${String(id)} was not imported`);
        RED.editor.validateNode(node);
        out[id as string] = { valid: node.valid, errors: node.validationErrors ?? [] };
      }
      if (keep) {
        RED.nodes.dirty(true);
      } else {
        for (const { id } of [...nodes].reverse()) RED.nodes.remove(id);
      }
      RED.view.redraw(true);
      return out;
    },
    { nodes, keep },
  );
}

/** Clicks Deploy, expects the warning about improperly configured nodes naming each of `labels`, cancels it. */
async function deployWarns(editor: Editor, labels: string[]): Promise<void> {
  const page = editor.page;
  await page.locator('#red-ui-header-button-deploy').click();
  const list = page.locator('.red-ui-deploy-dialog-confirm-list');
  await list
    .waitFor({ state: 'visible', timeout: 5_000 })
    .catch(() => assert.fail(`Deploy did not warn about the invalid node(s) ${labels.join(', ')}`));
  const shown = (await list.textContent()) ?? '';
  for (const label of labels) assert.ok(shown.includes(label), `Deploy's warning lists "${shown}", not ${label}`);
  await page.locator('#red-ui-notifications .red-ui-notification button', { hasText: 'Cancel' }).click();
  await list.waitFor({ state: 'detached' });
}

async function hasError(editor: Editor, selector: string): Promise<boolean> {
  return editor.page
    .locator(selector)
    .evaluate((element: { classList: { contains(name: string): boolean } }) => element.classList.contains('input-error'));
}

/** Types `value` into a plain input of the open dialog and leaves it, as a user would. */
async function typeInto(editor: Editor, selector: string, value: string): Promise<void> {
  const input = editor.page.locator(selector);
  await input.fill(value);
  await input.press('Tab');
}

describe('G8: dialog validators mark bad values (Node-RED validation)', function () {
  let editor: Editor;
  let z: string;
  useEditorPage((e) => (editor = e));
  before(async function () {
    z = await editor.eval<string>('RED.workspaces.active()');
  });

  it('G8: every validator of every node type takes (v, opt), and the cases below cover each validated property', async function () {
    const found = await editor.page.evaluate((types: string[]) => {
      const out: Record<string, Record<string, number>> = {};
      for (const type of types) {
        const defaults = RED.nodes.getType(type).defaults as Record<string, { validate?: (...args: unknown[]) => unknown }>;
        out[type] = {};
        for (const [name, def] of Object.entries(defaults)) if (def.validate) out[type][name] = def.validate.length;
      }
      return out;
    }, declaredTypes());
    assert.deepEqual(Object.keys(found).sort(), SPECS.map((spec) => spec.type).sort(), 'node types with cases');
    for (const spec of SPECS) {
      assert.deepEqual(Object.keys(found[spec.type]).sort(), Object.keys(spec.props).sort(), `validated properties of ${spec.type}`);
      for (const [name, length] of Object.entries(found[spec.type])) {
        assert.equal(length, 2, `${spec.type}.${name}: a validator with ${length} parameter(s) has its message read as "valid"`);
      }
    }
  });

  it("G8: each bad value makes its node invalid with the property's message, each good value keeps it valid", async function () {
    const nodes: Array<Record<string, unknown>> = [
      { id: CONN, type: CONFIG, ...CONNECTION },
      { id: DEVICE, type: 'blynk-cloud-device', ...DEVICE_CONFIG },
    ];
    const checks: Array<{ id: string; what: string; bad: boolean; message?: string; property: string }> = [];
    let at = 0;
    for (const spec of SPECS) {
      for (const [property, { bad, good }] of Object.entries(spec.props)) {
        for (const [kind, cases] of [
          ['bad', bad],
          ['good', good],
        ] as const) {
          cases.forEach((c, i) => {
            const id = `g8-${spec.type.replace('blynk-cloud-', '')}-${property}-${kind}-${i}`;
            nodes.push(savedNode(id, spec, property, c, at++, z));
            const shown = c.value === ABSENT ? '(absent)' : JSON.stringify(c.value);
            const extra = Object.entries(c.with ?? {})
              .map(([k, v]) => `${k}=${v === ABSENT ? '(absent)' : JSON.stringify(v)}`)
              .join(', ');
            checks.push({
              id,
              property,
              what: `${spec.type} ${property} = ${shown}${extra ? ` (${extra})` : ''}`,
              bad: kind === 'bad',
              message: c.error && c.error !== 'node-red' ? expected(spec.type, c.error) : undefined,
            });
          });
        }
      }
    }
    const verdicts = await importAndValidate(editor, nodes);
    assert.deepEqual(verdicts[CONN], { valid: true, errors: [] }, 'the connection the flow nodes use');
    const wrong: string[] = [];
    for (const check of checks) {
      const { valid, errors } = verdicts[check.id];
      if (check.bad) {
        const [error] = errors;
        const ok =
          valid === false &&
          errors.length === 1 &&
          (check.message !== undefined ? error === check.message : typeof error === 'string' && error !== '' && error !== check.property);
        if (!ok)
          wrong.push(
            `${check.what}: expected invalid with ${check.message ? JSON.stringify(check.message) : "Node-RED's message"}, got valid=${valid} errors=${JSON.stringify(errors)}`,
          );
      } else if (valid !== true || errors.length !== 0) {
        wrong.push(`${check.what}: expected valid, got valid=${valid} errors=${JSON.stringify(errors)}`);
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${checks.length} cases wrong:\n${wrong.join('\n')}`);
    editor.assertNoProblems('while validating');
  });

  it('G8: a connection saved by the first release (name, server, grantType) and a node using it are valid, in the editor and in the dialog', async function () {
    const page = editor.page;
    const oldConn = {
      id: 'g8-first-release',
      type: CONFIG,
      name: 'G8 first release',
      server: 'https://blynk.cloud',
      grantType: 'client_credentials',
    };
    const node = {
      id: 'g8-first-release-node',
      type: 'blynk-cloud-get-device',
      z,
      name: '',
      connection: oldConn.id,
      deviceId: 'deviceId',
      deviceIdType: 'msg',
      x: 300,
      y: 600,
      wires: [[]],
    };
    const verdicts = await importAndValidate(editor, [oldConn, node], true);
    assert.deepEqual(verdicts[oldConn.id], { valid: true, errors: [] }, 'first-release connection');
    assert.deepEqual(verdicts[node.id], { valid: true, errors: [] }, 'get device node using it');
    assert.equal(await editor.invalidMarker(node.id).isVisible(), false, 'red triangle on the node');

    // The dialog shows the runtime defaults and marks nothing.
    await editor.openNode(node.id);
    await editor.openConfigDialog('edit');
    assert.equal(await page.locator('#node-config-input-rateLimit').inputValue(), 'auto');
    const marked = await editor.eval<string[]>(`$('.red-ui-tray:last .input-error').map(function () { return this.id; }).get()`);
    assert.deepEqual(marked, [], 'fields marked red in the dialog of a first-release connection');
    await editor.configDialogDone();
    await editor.dialogDone();
    assert.equal(await editor.nodeProperty(oldConn.id, 'valid'), true);
    assert.equal(await editor.invalidMarker(node.id).isVisible(), false);
    editor.assertNoProblems('with a first-release connection');
  });

  it('G8: a token path that leaves the server: red field in the dialog, red triangle on the node, Deploy warns', async function () {
    const conn = { id: 'g8-token-path', type: CONFIG, ...CONNECTION, name: 'G8 token path', tokenPath: '@127.0.0.1:20001/steal' };
    const node = {
      id: 'g8-token-path-node',
      type: 'blynk-cloud-get-device',
      z,
      name: 'G8 token path node',
      connection: conn.id,
      deviceId: 'deviceId',
      deviceIdType: 'msg',
      x: 300,
      y: 660,
      wires: [[]],
    };
    const verdicts = await importAndValidate(editor, [conn, node], true);
    assert.deepEqual(verdicts[conn.id], { valid: false, errors: [expected(CONFIG, m('validation.path'))] });
    assert.equal(verdicts[node.id].valid, false, 'a node using the connection');
    await editor
      .invalidMarker(node.id)
      .waitFor({ state: 'visible', timeout: 5_000 })
      .catch(() => assert.fail('no red triangle on the node'));
    await deployWarns(editor, [`${conn.name} (${CONFIG})`, `${node.name} (blynk-cloud-get-device)`]);

    await editor.openNode(node.id);
    await editor.openConfigDialog('edit');
    const field = '#node-config-input-tokenPath';
    // The field is on the Advanced tab: the tab itself is marked while the dialog opens elsewhere.
    const advancedTab = editor.page.locator('#node-config-blynk-cloud-tabs li:has(a[href="#blynk-cloud-config-tab-advanced"])');
    assert.equal(
      await advancedTab.evaluate((li: { classList: { contains(name: string): boolean } }) =>
        li.classList.contains('blynk-cloud-config-tab-error'),
      ),
      true,
      'the Advanced tab is not marked',
    );
    await editor.showConfigField(field);
    assert.equal(await hasError(editor, field), true, 'the stored token path is not marked red');
    for (const bad of [':20001/steal', '.attacker.example/steal', '//host/x', '/x?y']) {
      await typeInto(editor, field, bad);
      assert.equal(await hasError(editor, field), true, `token path ${bad} is not marked red`);
    }
    await typeInto(editor, field, '/oauth2/token');
    assert.equal(await hasError(editor, field), false, 'a good token path is marked red');
    assert.equal(
      await advancedTab.evaluate((li: { classList: { contains(name: string): boolean } }) =>
        li.classList.contains('blynk-cloud-config-tab-error'),
      ),
      false,
      'the Advanced tab stays marked',
    );
    await editor.configDialogDone();
    await editor.dialogDone();
    assert.equal(await editor.nodeProperty(conn.id, 'valid'), true);
    await editor.invalidMarker(node.id).waitFor({ state: 'hidden', timeout: 5_000 });
    editor.assertNoProblems('with a bad token path');
  });

  it('G8: a rate of 0 typed into the connection dialog: red field, red triangle on the node, Deploy warns', async function () {
    const conn = { id: 'g8-rate', type: CONFIG, ...CONNECTION, name: 'G8 rate' };
    const node = {
      id: 'g8-rate-node',
      type: 'blynk-cloud-get-device',
      z,
      name: 'G8 rate node',
      connection: conn.id,
      deviceId: 'deviceId',
      deviceIdType: 'msg',
      x: 300,
      y: 720,
      wires: [[]],
    };
    await importAndValidate(editor, [conn, node], true);
    await editor.openNode(node.id);
    await editor.openConfigDialog('edit');
    const field = '#node-config-input-platformRate';
    await editor.showConfigField(field);
    assert.equal(await hasError(editor, field), false);
    await typeInto(editor, field, '0');
    assert.equal(await hasError(editor, field), true, 'platform rate 0 is not marked red');
    await editor.configDialogDone();
    await editor.dialogDone();
    assert.equal(await editor.nodeProperty(conn.id, 'valid'), false);
    await editor
      .invalidMarker(node.id)
      .waitFor({ state: 'visible', timeout: 5_000 })
      .catch(() => assert.fail('no red triangle on the node'));
    await deployWarns(editor, [`${conn.name} (${CONFIG})`, `${node.name} (blynk-cloud-get-device)`]);

    await editor.openNode(node.id);
    await editor.openConfigDialog('edit');
    await editor.showConfigField(field);
    await typeInto(editor, field, '');
    assert.equal(await hasError(editor, field), false, "an empty rate (Blynk's limit) is marked red");
    await editor.configDialogDone();
    await editor.dialogDone();
    await editor.invalidMarker(node.id).waitFor({ state: 'hidden', timeout: 5_000 });
    editor.assertNoProblems('with a bad rate');
  });

  it('G8: a watch interval of 0 in the device read dialog: red field, red triangle, Deploy warns', async function () {
    const node = {
      id: 'g8-interval-node',
      type: 'blynk-cloud-device-read',
      z,
      name: 'G8 interval node',
      connection: CONN,
      read: 'pins',
      pins: 'V1',
      pinsType: 'str',
      watch: false,
      interval: 10,
      x: 300,
      y: 780,
      wires: [[]],
    };
    await importAndValidate(editor, [{ id: CONN, type: CONFIG, ...CONNECTION }, node], true);
    await editor.openNode(node.id);
    const field = '#node-input-interval';
    await editor.page.locator('#node-input-watch').check();
    await editor.page.locator(field).waitFor({ state: 'visible' });
    await typeInto(editor, field, '0');
    assert.equal(await hasError(editor, field), true, 'interval 0 is not marked red');
    await editor.dialogDone();
    assert.equal(await editor.nodeProperty(node.id, 'valid'), false);
    await editor
      .invalidMarker(node.id)
      .waitFor({ state: 'visible', timeout: 5_000 })
      .catch(() => assert.fail('no red triangle on the node'));
    await deployWarns(editor, [`${node.name} (blynk-cloud-device-read)`]);

    await editor.openNode(node.id);
    await typeInto(editor, field, '2');
    assert.equal(await hasError(editor, field), false, 'interval 2 is marked red');
    await editor.dialogDone();
    await editor.invalidMarker(node.id).waitFor({ state: 'hidden', timeout: 5_000 });
    editor.assertNoProblems('with a bad interval');
  });
});
