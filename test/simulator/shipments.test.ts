import assert from 'node:assert/strict';
import sinon from 'sinon';
import { DEMO } from '../../dist/simulator';
import type { Handler, Reply, SimRequest } from '../../dist/simulator/http';
import { Shipments, shipmentRoutes, SHIPMENT_PROGRESS_KEYS } from '../../dist/simulator/shipments';
import { Store } from '../../dist/simulator/store';

/**
 * The shipment routes' own rules, called as the server calls them (no HTTP: several answers here,
 * 400 and 404 to bad requests, are not in the contract, whose shipment operations document only
 * their success). The HTTP path and the contract are covered by the node tests and the example.
 */

type Json = Record<string, unknown>;

function request(method: string, path: string, query: Record<string, string> = {}, body?: unknown): SimRequest {
  const rawBody = body === undefined ? '' : JSON.stringify(body);
  return { method, path, query, headers: {}, rawBody, bytes: Buffer.from(rawBody), json: body, jsonError: false };
}

const STEP = 1000;
const ZERO = Object.fromEntries(SHIPMENT_PROGRESS_KEYS.map((k) => [k, 0]));

describe('simulator: shipments (Blynk.Air OTA)', function () {
  let clock: sinon.SinonFakeTimers;
  let store: Store;
  let routes: Record<string, Handler>;
  let uploads: Map<string, { name: string; firmwareInfo?: Json }>;

  const send = (method: string, path: string, query: Record<string, string> = {}, body?: unknown): { status: number; json: Json } => {
    const reply: Reply = routes[`${method} ${path}`](request(method, path, query, body));
    return { status: reply.status, json: reply.body ? (JSON.parse(reply.body) as Json) : {} };
  };
  const create = (body: Json) => send('POST', '/api/v1/organization/shipment/create', {}, body);
  const get = (id: unknown) => send('GET', '/api/v1/organization/shipment', { shipmentId: String(id) });
  const stop = (id: unknown) => send('PUT', '/api/v1/organization/shipment/stop', { shipmentId: String(id) });
  const remove = (id: unknown) => send('DELETE', '/api/v1/organization/shipment', { shipmentId: String(id) });
  const progressOf = (id: unknown): Json => {
    const { shipmentProgress } = get(id).json as { shipmentProgress: Json };
    const { updatedAt: _updatedAt, ...counts } = shipmentProgress;
    return counts;
  };
  const body = (extra: Json = {}): Json => ({
    title: 'v2 rollout',
    productId: DEMO.template.id,
    pathToFirmware: '/static/fw_1.bin',
    deviceIds: [101, 102],
    ...extra,
  });

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['Date'], now: 1_700_000_000_000 });
    store = new Store(structuredClone(DEMO));
    uploads = new Map([['/static/fw_1.bin', { name: 'station_v2.bin', firmwareInfo: { version: '2.0.0', type: 'MCU' } }]]);
    const shipments = new Shipments(store);
    shipments.stepMs = STEP;
    routes = shipmentRoutes(shipments, { store, authed: (h) => h, firmware: (path) => uploads.get(path) });
  });
  afterEach(() => clock.restore());

  it('a created shipment runs its devices through the documented statuses, then finishes', () => {
    const created = create(body());
    assert.equal(created.status, 200);
    const start = Date.now();
    assert.deepEqual(
      {
        id: created.json.id,
        status: created.json.status,
        productName: created.json.productName,
        firmwareOriginalFileName: created.json.firmwareOriginalFileName,
        firmwareInfo: created.json.firmwareInfo,
        deviceIds: created.json.deviceIds,
        startedAt: created.json.startedAt,
        finishedAt: created.json.finishedAt,
      },
      {
        id: 1,
        status: 'RUN',
        productName: DEMO.template.name,
        firmwareOriginalFileName: 'station_v2.bin',
        firmwareInfo: { version: '2.0.0', type: 'MCU' },
        deviceIds: [101, 102],
        startedAt: start,
        finishedAt: 0,
      },
    );
    assert.deepEqual(progressOf(1), { ...ZERO, started: 2 });
    const seen: string[] = [];
    for (let i = 1; i <= 4; i++) {
      clock.tick(STEP);
      const p = progressOf(1);
      seen.push(Object.keys(p).find((k) => p[k] === 2) ?? JSON.stringify(p));
    }
    assert.deepEqual(seen, ['requestSent', 'firmwareRequested', 'firmwareUploaded', 'success']);
    const done = get(1).json;
    assert.deepEqual([done.status, done.finishedAt], ['FINISH', start + 4 * STEP]);
    assert.equal((done.shipmentProgress as Json).updatedAt, start + 4 * STEP);
    // It stays finished.
    clock.tick(10 * STEP);
    assert.deepEqual([get(1).json.status, get(1).json.finishedAt], ['FINISH', start + 4 * STEP]);
    assert.deepEqual(
      (send('GET', '/api/v1/organization/shipments').json as unknown as Json[]).map((s) => [s.id, s.status]),
      [[1, 'FINISH']],
    );
  });

  it('a device of another template ends in firmware type mismatch unless the check is skipped', () => {
    store.add({ id: 301, name: 'Other board', token: 'other-board-token-0000000000000', templateId: 78 });
    create(body({ deviceIds: [101, 301] }));
    create(body({ deviceIds: [301], skipFwTypeCheck: true }));
    clock.tick(4 * STEP);
    assert.deepEqual(progressOf(1), { ...ZERO, success: 1, firmwareTypeMismatch: 1 });
    assert.equal(get(1).json.status, 'FINISH');
    assert.deepEqual(progressOf(2), { ...ZERO, success: 1 });
  });

  it('an offline device waits uncounted and carries on from when it comes online', () => {
    create(body({ deviceIds: [101, 103] }));
    clock.tick(10 * STEP);
    assert.deepEqual(progressOf(1), { ...ZERO, success: 1 });
    assert.equal(get(1).json.status, 'RUN');
    (store.device(103) as { connected: boolean }).connected = true;
    assert.deepEqual(progressOf(1), { ...ZERO, started: 1, success: 1 });
    clock.tick(2 * STEP);
    assert.deepEqual(progressOf(1), { ...ZERO, firmwareRequested: 1, success: 1 });
    clock.tick(2 * STEP);
    assert.deepEqual([get(1).json.status, get(1).json.finishedAt], ['FINISH', Date.now()]);
  });

  it('stop cancels a running shipment and freezes its progress; an ended one cannot be stopped', () => {
    create(body());
    clock.tick(STEP);
    const stopped = stop(1);
    assert.deepEqual([stopped.status, stopped.json.status, stopped.json.finishedAt], [200, 'CANCEL', Date.now()]);
    clock.tick(10 * STEP);
    assert.deepEqual(progressOf(1), { ...ZERO, requestSent: 2 });
    assert.equal(get(1).json.status, 'CANCEL');
    assert.equal(stop(1).status, 400);
    create(body());
    clock.tick(4 * STEP);
    assert.equal(stop(2).status, 400, 'a finished shipment was stopped');
  });

  it('delete takes only an ended shipment', () => {
    create(body());
    assert.equal(remove(1).status, 400, 'a running shipment was deleted');
    stop(1);
    assert.equal(remove(1).status, 204);
    assert.equal(get(1).status, 404);
    assert.equal(remove(1).status, 404);
  });

  it('refuses what it cannot ship, with Blynk error bodies', () => {
    const cases: Array<[Json | string, number]> = [
      [body({ title: '' }), 400],
      [body({ productId: 'x' }), 400],
      [body({ productId: 999 }), 404],
      [body({ pathToFirmware: '' }), 400],
      [body({ deviceIds: [] }), 400],
      [body({ deviceIds: ['101'] }), 400],
      [body({ deviceIds: [101, 999] }), 404],
      [body({ shipmentTime: 'NOON' }), 400],
      [body({ compareField: 'ANY' }), 400],
      [body({ isSecure: 'yes' }), 400],
      [body({ orgId: 7 }), 404],
    ];
    for (const [b, status] of cases) {
      const out = create(b as Json);
      assert.equal(out.status, status, JSON.stringify(b));
      assert.equal(typeof (out.json.error as { message?: unknown })?.message, 'string', JSON.stringify(b));
    }
    assert.equal(send('GET', '/api/v1/organization/shipments').json.length, 0);
    // A path the simulator holds no upload for is taken (undocumented), named after its last segment.
    assert.equal(create(body({ pathToFirmware: '/static/other.bin' })).json.firmwareOriginalFileName, 'other.bin');
    assert.equal(get('x').status, 400);
    assert.equal(get(5).status, 404);
    assert.equal(send('GET', '/api/v1/organization/shipments', { orgId: '7' }).status, 404);
  });
});
