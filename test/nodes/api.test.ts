import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { Preset, PRESETS } from '../../dist/blynk';
import { RequestLogEntry, Simulator } from '../../dist/simulator';
import {
  apiRequestsOf,
  CONNECTED,
  expectFailure,
  expectRefused,
  expectSent,
  lastStatus,
  loadNode,
  redRing,
  REQUESTING,
  statusesOf,
  useHarness,
} from '../support/harness';
import { FlowNode, helper } from '../support/runtime';

const NODE = { id: 'n1', type: 'blynk-cloud-api' };

/** A node as the editor leaves it once a preset is chosen and its ids are filled in. */
function presetNode(preset: Preset, params: Record<string, unknown> | undefined, body: unknown): FlowNode {
  return {
    ...NODE,
    method: preset.method,
    methodType: 'str',
    path: preset.path,
    pathType: 'str',
    params: JSON.stringify(params ?? {}),
    paramsType: 'json',
    ...(body === undefined ? {} : { body: JSON.stringify(body), bodyType: 'json' }),
  };
}

/** What the simulator itself answers to a GET, with the token the node used. */
async function direct(sim: Simulator, req: RequestLogEntry): Promise<unknown> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) for (const item of Array.isArray(v) ? v : [v]) query.append(k, item);
  const res = await fetch(`${sim.url}${req.path}?${query}`, { headers: { Authorization: req.headers.authorization ?? '' } });
  return res.json();
}

interface Case {
  params?: Record<string, unknown>;
  body?: unknown;
  /** The status Blynk answers with. */
  status: number;
  /** Checks on the answer and the simulator's state after the call. */
  check(sim: Simulator, payload: unknown): void | Promise<void>;
}

const NOW = Date.now();

/** Each preset with real ids of the simulator's demo data, and what must follow from it. */
const CASES: Record<string, Case> = {
  getOwnOrganization: {
    status: 200,
    check: (sim, p) => assert.deepEqual([(p as { id: number }).id, (p as { name: string }).name], [sim.demo.org.id, 'Simulated Org']),
  },
  getOrganization: { params: { orgId: 1001 }, status: 200, check: (_s, p) => assert.equal((p as { id: number }).id, 1001) },
  getDevices: {
    params: { page: 0, size: 50 },
    status: 200,
    check: (_s, p) => {
      const page = p as { content: Array<{ id: number; templateId: number }>; totalElements: number };
      assert.deepEqual(
        page.content.map((d) => [d.id, d.templateId, 'token' in d]),
        [
          [101, 77, false],
          [102, 77, false],
          [103, 77, false],
        ],
      );
      assert.equal(page.totalElements, 3);
    },
  },
  searchDevices: {
    params: { query: 'g', sortBy: 'Name', sortOrder: 'DESC', page: 0, size: 50 },
    status: 200,
    check: (_s, p) =>
      assert.deepEqual(
        (p as { content: Array<{ name: string }> }).content.map((d) => d.name),
        ['Greenhouse', 'Garage'],
      ),
  },
  getDevice: {
    params: { deviceId: 102 },
    status: 200,
    check: (_s, p) => assert.deepEqual([(p as { name: string }).name, 'token' in (p as object)], ['Garage', false]),
  },
  getDeviceBaseInfo: {
    params: { deviceId: 101 },
    status: 200,
    check: (_s, p) => {
      assert.equal((p as { templateId: number }).templateId, 77);
      assert.ok(!('dataStreamValues' in (p as object)));
    },
  },
  getDeviceOnline: { params: { deviceId: 103 }, status: 200, check: (_s, p) => assert.deepEqual(p, { connected: false }) },
  getDeviceDatastreamValues: {
    params: { deviceId: 101, dataStreamIds: [2, 3] },
    status: 200,
    check: (_s, p) =>
      assert.deepEqual(
        (p as Array<{ pin: string; value: unknown }>).map((v) => [v.pin, v.value]),
        [
          ['v1', 21.5],
          ['v2', 'ok'],
        ],
      ),
  },
  getDatastreamHistory: {
    params: { deviceId: 101, dataStreamId: 2, from: 0, to: 4102444800000, page: 0, size: 100 },
    status: 200,
    check: (_s, p) => {
      const page = p as { content: Array<{ value: unknown }>; totalElements: number };
      assert.deepEqual(
        page.content.map((x) => x.value),
        [21.5],
      );
      assert.equal(page.totalElements, 1);
    },
  },
  updateDatastreamValue: {
    body: { deviceId: 101, dataStreamId: 2, value: 25 },
    status: 204,
    check: (sim) => assert.equal(sim.state.value(101, 2), 25),
  },
  updateDatastreamValues: {
    body: { deviceId: 102, values: { '2': 26, '3': 'via preset' } },
    status: 204,
    check: (sim) => assert.deepEqual([sim.state.value(102, 2), sim.state.value(102, 3)], [26, 'via preset']),
  },
  importDatastreamValues: {
    body: {
      deviceId: 101,
      dataStreamId: 6,
      values: [
        { value: 55, ts: NOW - 2000 },
        { value: 56, ts: NOW - 1000 },
      ],
    },
    status: 204,
    // The points are older than the seeded value: they go into the history, in time order, and the
    // current value stays.
    check: async (sim) => {
      assert.equal(sim.state.value(101, 6), 40);
      const history = (sim.state.device(101)?.history.get(6) ?? []).map((p) => p.value);
      assert.deepEqual(history, [55, 56, 40]);
    },
  },
  updateDatastreamProperty: {
    body: { deviceId: 101, dataStreamId: 2, property: 'color', value: '#FF0000' },
    status: 204,
    check: (sim) => assert.deepEqual(sim.state.properties(101, 'v1'), { color: '#FF0000' }),
  },
  logDeviceEvent: {
    body: { deviceId: 101, eventCode: 'high_temp', eventDescription: 'Too warm' },
    status: 204,
    check: (sim) =>
      assert.deepEqual(
        sim.state.events(101).map((e) => [e.code, e.description, e.via]),
        [['high_temp', 'Too warm', 'platform']],
      ),
  },
  getDeviceTimeline: {
    params: { deviceId: 101, page: 0, size: 20 },
    status: 200,
    check: (_s, p) => assert.deepEqual(p, { content: [], totalElements: 0 }),
  },
  getDeviceMetafields: {
    params: { deviceId: 101 },
    status: 200,
    check: (_s, p) =>
      assert.deepEqual(p, [
        { id: 1, name: 'Device Name', value: 'Greenhouse' },
        { id: 2, name: 'Serial Number', value: 'SN-101' },
      ]),
  },
  updateDeviceMetafield: {
    body: { deviceId: 101, metaFieldId: 2, newValue: 'SN-NEW' },
    status: 204,
    check: (sim) => assert.equal(sim.state.device(101)?.metaFields.find((f) => f.id === 2)?.value, 'SN-NEW'),
  },
  getTemplateDatastreams: {
    params: { templateId: 77 },
    status: 200,
    check: (_s, p) =>
      assert.deepEqual(
        (p as Array<{ id: number; pin: number }>).map((d) => [d.id, d.pin]),
        [
          [1, 0],
          [2, 1],
          [3, 2],
          [4, 3],
          [5, 4],
          [6, 5],
        ],
      ),
  },
};

describe('blynk-cloud-api', function () {
  const h = useHarness();

  it('has its cases on documented presets (every other preset: simulator/every-preset.test.ts)', () => {
    assert.deepEqual(
      Object.keys(CASES).filter((id) => !PRESETS.some((p) => p.id === id)),
      [],
    );
  });

  for (const preset of PRESETS.filter((p) => CASES[p.id] !== undefined)) {
    it(`preset ${preset.id}: ${preset.method} ${preset.path} reaches the simulator as configured and gives its answer`, async () => {
      const { sim } = h;
      const c = CASES[preset.id];
      await loadNode(sim, presetNode(preset, c.params, c.body));
      const out = await expectSent('n1', { payload: 'ignored for GET', topic: 't' });
      const reqs = apiRequestsOf(sim);
      assert.equal(reqs.length, 1);
      const [req] = reqs;
      assert.equal(req.method, preset.method);
      assert.equal(req.path, preset.path);
      const expectedQuery: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(c.params ?? {})) expectedQuery[k] = Array.isArray(v) ? v.map(String) : String(v);
      assert.deepEqual(req.query, expectedQuery);
      assert.deepEqual(req.body, preset.method === 'GET' ? undefined : c.body);
      assert.equal(req.headers.authorization, `Bearer ${sim.tokens.issuedAccess[0]}`);
      assert.equal(req.status, c.status);
      assert.equal((out as NodeMessage & { statusCode: number }).statusCode, c.status);
      if (preset.method === 'GET') {
        // Blynk's answer as it came, less any device auth token (which no msg carries: E3).
        const answer = await direct(sim, req);
        assert.deepEqual(
          out.payload,
          JSON.parse(JSON.stringify(answer, (key: string, value: unknown) => (key === 'token' ? undefined : value))),
        );
        const tokens = sim.demo.devices.map((d) => d.token).filter((t) => JSON.stringify(out).includes(t));
        assert.deepEqual(tokens, []);
      } else assert.equal(out.payload, '', 'a write answers without a body');
      await c.check(sim, out.payload);
      assert.deepEqual(statusesOf('n1')[0], REQUESTING);
      assert.deepEqual(lastStatus('n1'), CONNECTED);
    });
  }

  it('takes method, path and query from msg.method, msg.path and msg.params by default (GET when no method)', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const out = await expectSent('n1', { path: '/api/v1/organization/device/online', params: { deviceId: 101 }, payload: 1 });
    assert.deepEqual(out.payload, { connected: true });
    assert.equal((out as { statusCode?: number }).statusCode, 200);
    const body = { deviceId: 101, dataStreamId: 3, value: 'from msg' };
    const write = await expectSent('n1', { method: 'post', path: 'api/v1/organization/device/datastream', payload: body });
    assert.equal((write as { statusCode?: number }).statusCode, 204);
    assert.equal(sim.state.value(101, 3), 'from msg');
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => [r.method, r.path, r.query, r.body]),
      [
        ['GET', '/api/v1/organization/device/online', { deviceId: '101' }, undefined],
        ['POST', '/api/v1/organization/device/datastream', {}, body],
      ],
    );
  });

  it('follows a paged list to the end when Pages is on: one request per page, every item in msg.payload.content', async () => {
    const { sim } = h;
    const preset = PRESETS.find((p) => p.id === 'getDevices') as Preset;
    await loadNode(sim, { ...presetNode(preset, { page: 0, size: 1 }, undefined), allPages: true });
    const out = (await expectSent('n1', {})) as NodeMessage & { pages: number; truncated: boolean; statusCode: number };
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => r.query),
      [
        { page: '0', size: '1' },
        { page: '1', size: '1' },
        { page: '2', size: '1' },
      ],
    );
    const payload = out.payload as { content: Array<{ id: number }>; totalElements: number };
    assert.deepEqual(
      payload.content.map((d) => d.id),
      [101, 102, 103],
    );
    assert.equal(payload.totalElements, 3);
    assert.deepEqual([out.pages, out.truncated, out.statusCode], [3, false, 200]);
    await helper.unload();
    sim.reset();

    // Without Pages: one page only.
    await loadNode(sim, presetNode(preset, { page: 0, size: 1 }, undefined));
    const one = await expectSent('n1', {});
    assert.equal((one.payload as { content: unknown[] }).content.length, 1);
    assert.equal(apiRequestsOf(sim).length, 1);
    assert.ok(!('pages' in one));
  });

  it("reports an error answer with done(err): Catch gets msg.statusCode and Blynk's message", async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const caught = await expectFailure('n1', { path: '/api/v1/organization/device', params: { deviceId: 999 } }, 'NOT_FOUND', 'not-found');
    assert.equal((caught as NodeMessage & { statusCode?: number }).statusCode, 404);
    assert.deepEqual(lastStatus('n1'), redRing('not-found'));
    const bad = await expectFailure(
      'n1',
      { method: 'POST', path: '/api/v1/organization/device/datastream', payload: { deviceId: 101, dataStreamId: 1, value: 'on' } },
      'BAD_REQUEST',
      'bad-request',
    );
    assert.equal((bad as NodeMessage & { statusCode?: number }).statusCode, 400);
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => r.status),
      [404, 400],
    );
  });

  it('refuses a bad method, path, query or body before any request, token included', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    for (const method of ['FETCH', 'OPTIONS', 3])
      await expectRefused(sim, 'n1', { method, path: '/api/v1/organization/profile' } as NodeMessage, 'INVALID_METHOD', 'invalid-method');
    for (const path of [
      undefined,
      '',
      '/oauth2/token',
      '/external/api/get',
      'https://evil.example/api/v1/x',
      '//evil.example/api/v1',
      '/api/../oauth2/token',
      '/api//v1',
    ]) {
      await expectRefused(sim, 'n1', { path } as NodeMessage, 'INVALID_PATH', 'invalid-path');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
    for (const params of [[1], 7, { a: { b: 1 } }])
      await expectRefused(sim, 'n1', { path: '/api/v1/organization/device', params } as NodeMessage, 'INVALID_PARAMS', 'invalid-params');
    for (const payload of [5, 'not json', true])
      await expectRefused(
        sim,
        'n1',
        { method: 'POST', path: '/api/v1/organization/device/datastream', payload },
        'INVALID_BODY',
        'invalid-body',
      );
  });
  describe('input checked against the documented schema before any request', function () {
    const write = { method: 'POST', path: '/api/v1/organization/device/datastream' };

    it('a missing required body field: done(err) NOT_AS_DOCUMENTED, nothing sent, token not even asked for (the English message: reliability B)', async () => {
      const { sim } = h;
      await loadNode(sim, NODE);
      await expectRefused(sim, 'n1', { ...write, payload: { deviceId: 101, value: 1 } }, 'NOT_AS_DOCUMENTED', 'not-as-documented');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
      assert.deepEqual(sim.log, []);
    });

    it('a wrong type in the body or the query, a required query parameter missing: refused, nothing reaches the simulator', async () => {
      const { sim } = h;
      await loadNode(sim, NODE);
      await expectRefused(
        sim,
        'n1',
        { ...write, payload: { deviceId: 'greenhouse', dataStreamId: 2, value: 1 } },
        'NOT_AS_DOCUMENTED',
        'not-as-documented',
      );
      await expectRefused(
        sim,
        'n1',
        { path: '/api/v1/organization/device', params: { deviceId: 'abc' } } as NodeMessage,
        'NOT_AS_DOCUMENTED',
        'not-as-documented',
      );
      await expectRefused(
        sim,
        'n1',
        { path: '/api/v1/organization/device/online' } as NodeMessage,
        'NOT_AS_DOCUMENTED',
        'not-as-documented',
      );
      assert.deepEqual(sim.log, []);
    });

    it('good input passes, a number given as text in the query included', async () => {
      const { sim } = h;
      await loadNode(sim, NODE);
      const out = await expectSent('n1', { path: '/api/v1/organization/device/online', params: 'deviceId=101' } as NodeMessage);
      assert.deepEqual(out.payload, { connected: true });
      const wrote = await expectSent('n1', { ...write, payload: { deviceId: 101, dataStreamId: 3, value: 'checked' } });
      assert.equal((wrote as NodeMessage & { statusCode: number }).statusCode, 204);
      assert.equal(sim.state.value(101, 3), 'checked');
      assert.deepEqual(
        apiRequestsOf(sim).map((r) => [r.method, r.path, r.status]),
        [
          ['GET', '/api/v1/organization/device/online', 200],
          ['POST', '/api/v1/organization/device/datastream', 204],
        ],
      );
    });
  });
});
