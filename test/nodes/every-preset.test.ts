// Every preset of the platform api node, generated from contract/*.json, sent by the node in a real
// Node-RED runtime to the simulator: each answers 2xx, and the contract check (root hook, on every
// exchange) finds no deviation. The presets are counted against the contract's Platform operations,
// so that no documented route can be left out; the README's coverage figures are checked here too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeMessage } from 'node-red';
import { Preset, PRESETS } from '../../dist/blynk';
import { Simulator } from '../../dist/simulator';
import { answerErrors, contractResults, OPERATIONS } from '../support/contract';
import { apiRequestsOf, expectSent, loadNode } from '../support/harness';
import { helper, withSimulator } from '../support/runtime';

/** The operations of contract/ on Blynk's Platform API paths (what the api node may call). */
const PLATFORM_OPERATIONS = OPERATIONS.filter((o) => o.route.split(' ')[1].startsWith('/api/'));

/**
 * The simulator's demo ids and values in place of the docs' example ones, as a user puts their
 * own ids into a skeleton: the keys Blynk's examples use for them, wherever they are.
 */
const DEMO_VALUES: Record<string, (example: unknown) => unknown> = {
  deviceId: () => 101,
  deviceIds: () => [101],
  dataStreamId: () => 3, // a String datastream: it takes the docs' example values as they are
  dataStreamIds: () => [3],
  templateId: (example) => (typeof example === 'string' ? example : 77),
  orgId: () => 1001,
  metaFieldId: () => 1,
  eventCode: () => 'high_temp',
  // Imports older than 3 months are refused: the docs' example times are.
  ts: () => Date.now() - 1000,
  webhookId: () => webhookId,
};

/** A webhook of the simulator's, for the routes that read, change or delete one by id (it never fires: no device 999). */
let webhookId = 0;
/** Shipments of the simulator's: one running (read, then stopped) and one ended (deleted). */
let running = 0;
let ended = 0;

/**
 * Query parameters a route needs that its docs mark optional: the history takes `dataStreamId` or
 * `pin`, each documented as optional on its own.
 */
const NEEDED: Record<string, () => Record<string, unknown>> = {
  getDatastreamHistory: () => ({ dataStreamId: 3 }),
  getShipment: () => ({ shipmentId: running }),
  stopShipment: () => ({ shipmentId: running }),
  deleteShipment: () => ({ shipmentId: ended }),
};

/** What the page's unread sections leave out of a skeleton: the create body as the peer client sends it. */
const BODIES: Record<string, () => unknown> = {
  createShipment: () => ({ productId: 77, title: 'walk', pathToFirmware: '/static/walk.bin', deviceIds: [101] }),
};

function withDemoValues(value: unknown, key?: string): unknown {
  if (key !== undefined && DEMO_VALUES[key]) return DEMO_VALUES[key](value);
  if (Array.isArray(value)) return value.map((v) => withDemoValues(v));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDemoValues(v, k)]));
  return value;
}

/** The body a preset sends: a multipart route (the firmware upload) takes the file as a Buffer, named by msg.filename. */
function bodyOf(preset: Preset): unknown {
  if (preset.contentType === 'multipart') return Buffer.from('firmware');
  return BODIES[preset.id]?.() ?? withDemoValues(preset.body);
}

describe('platform api: every preset through the node to the simulator', function () {
  let sim: Simulator;
  before(async () => {
    sim = await withSimulator();
    webhookId = sim.webhooks.add({ name: 'walk', trigger: 'DEVICE_LOG_EVENT', deviceId: 999, url: 'http://127.0.0.1:9/never' });
    await new Promise<void>((resolve) => helper.startServer(() => resolve()));
    // One node takes method, path, query and body from each msg, as a preset would set them.
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-api' });
    // Shipments to read, stop and delete, made as a flow makes them (to the offline device: they stay running).
    const shipment = async (): Promise<number> => {
      const payload = { productId: 77, title: 'walk', pathToFirmware: '/static/walk.bin', deviceIds: [103] };
      const out = (await expectSent('n1', {
        method: 'POST',
        path: '/api/v1/organization/shipment/create',
        payload,
      } as NodeMessage)) as NodeMessage & {
        payload: { id: number };
      };
      return out.payload.id;
    };
    running = await shipment();
    ended = await shipment();
    await expectSent('n1', { method: 'PUT', path: '/api/v1/organization/shipment/stop', params: { shipmentId: ended } } as NodeMessage);
  });
  after(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    await sim.close();
  });

  it('has one preset per Platform operation of contract/ (none left out, none made up)', () => {
    assert.deepEqual(PRESETS.map((p) => `${p.method} ${p.path}`).sort(), PLATFORM_OPERATIONS.map((o) => o.route).sort());
    assert.equal(PRESETS.length, PLATFORM_OPERATIONS.length);
  });

  for (const preset of PRESETS) {
    it(`${preset.group}: ${preset.summary} (${preset.method} ${preset.path}) answers 2xx as documented`, async () => {
      const before = apiRequestsOf(sim).length;
      const deviations = contractResults().deviations.length;
      const msg = {
        method: preset.method,
        path: preset.path,
        params: { ...(withDemoValues(preset.params ?? {}) as object), ...NEEDED[preset.id]?.() },
        payload: bodyOf(preset),
        filename: 'walk.bin',
      } as NodeMessage;
      const out = (await expectSent('n1', msg)) as NodeMessage & { statusCode: number };
      const sent = apiRequestsOf(sim).slice(before);
      assert.deepEqual(
        sent.map((r) => `${r.method} ${r.path}`),
        [`${preset.method} ${preset.path}`],
      );
      const last = sent[0];
      assert.ok(out.statusCode >= 200 && out.statusCode < 300, `status ${out.statusCode}: ${JSON.stringify(out.payload)}`);
      assert.equal(last.status, out.statusCode);
      // A route Blynk takes as multipart/form-data gets its fields so, the file as a file part.
      if (preset.contentType === 'multipart') {
        assert.match(last.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
        assert.match(String(last.body), /^\[multipart, \d+ bytes\]$/);
        assert.equal((out.payload as { firmwareInfo: { fileSize: number } }).firmwareInfo.fileSize, 'firmware'.length);
      }
      // The root hook checked this exchange against the contract as it happened.
      const found = contractResults()
        .deviations.slice(deviations)
        .filter((d) => d.route === `${preset.method} ${preset.path}`);
      assert.deepEqual(found, []);
    });
  }

  it('the contract check this walk relies on does see a deviation (a bad answer is caught)', () => {
    assert.deepEqual(
      answerErrors('GET /api/v1/organization/device/online', 200, 'application/json', '{"connected":"yes"}').map((e) => e.field),
      ['/connected'],
    );
    assert.deepEqual(answerErrors('GET /api/v1/organization/device/online', 200, 'application/json', '{"connected":true}'), []);
  });

  it("README's coverage figures are the counts: routes documented, routes with presets, routes the simulator serves", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const figure = (label: string): number => {
      const m = new RegExp(`^- ${label}: \\*\\*(\\d+)\\*\\*`, 'm').exec(readme);
      assert.ok(m, `README has no line "- ${label}: **N**"`);
      return Number(m[1]);
    };
    const served = OPERATIONS.filter((o) => sim.routes.includes(o.route)).length;
    assert.deepEqual(
      {
        documented: figure('Routes documented in `contract/`'),
        presets: figure('Routes with a preset in the platform api node'),
        served: figure('Routes the simulator serves'),
      },
      { documented: OPERATIONS.length, presets: PRESETS.length, served },
    );
  });
});
