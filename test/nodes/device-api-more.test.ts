// Device metadata, timestamped readings, reports and file uploads through the device nodes, and
// the firmware upload through the platform api node: a real Node-RED runtime, real HTTP, the simulator.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { NodeInitializer, NodeMessage } from 'node-red';
import { RequestLogEntry, startSimulator, type Simulator } from '../../dist/simulator';
import { exampleFlows } from '../../scripts/example-flows';
import { until } from '../mqtt/helpers';
import { ALL_NODES, FlowNode, helper } from '../support/runtime';
import {
  apiRequestsOf,
  CONNECTED,
  expectFailure,
  expectRefused,
  expectSent,
  loadNode,
  REQUESTING,
  statusesOf,
  useHarness,
} from '../support/harness';

/** A msg with properties NodeMessage types narrower (a numeric topic). */
const msgOf = (props: Record<string, unknown>): NodeMessage => props as NodeMessage;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

describe('device API: metadata, timestamped readings, reports, files', function () {
  const h = useHarness();
  const tokenOf = (i: number): string => h.sim.demo.devices[i].token;

  /** A device node with device 101's token and a connection without an OAuth client. */
  async function load(type: string, node: Record<string, unknown>): Promise<void> {
    await loadNode(h.sim, { id: 'n1', type, ...node }, { cfg: {}, n1: { token: tokenOf(0) } });
  }

  /** Sends `msg`, expects it out, and returns the one request it made. */
  async function sent(msg: NodeMessage): Promise<{ out: NodeMessage; req: RequestLogEntry }> {
    const before = apiRequestsOf(h.sim).length;
    const out = await expectSent('n1', msg);
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1, `expected one request, got ${reqs.map((r) => r.path).join(', ')}`);
    assert.equal(reqs[0].headers.authorization, undefined, 'the Device API takes no Authorization header');
    return { out, req: reqs[0] };
  }

  describe('metadata', () => {
    it('device read (Metadata field) reads a field by name and by id: msg.payload is its value', async () => {
      await load('blynk-cloud-device-read', { read: 'meta', metaField: 'Serial Number', metaFieldType: 'str' });
      const { out, req } = await sent({ payload: 'go' });
      assert.equal(req.path, '/external/api/device/meta');
      assert.deepEqual(req.query, { token: tokenOf(0), metaFieldId: 'Serial Number' });
      assert.equal(out.payload, 'SN-101');
      assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED]);
    });

    it('device read takes the field from msg.topic (an id there), and an unknown field reaches Catch with Blynk words', async () => {
      await load('blynk-cloud-device-read', { read: 'meta', metaField: 'topic', metaFieldType: 'msg' });
      await expectRefused(h.sim, 'n1', { payload: 1 }, 'INPUT_NOT_SET', 'input-not-set');
      const { out, req } = await sent(msgOf({ topic: 1 }));
      assert.deepEqual(req.query, { token: tokenOf(0), metaFieldId: '1' });
      assert.equal(out.payload, 'Greenhouse');
      await expectFailure('n1', { topic: 'Colour' }, 'BAD_REQUEST', 'bad-request');
      assert.deepEqual(
        apiRequestsOf(h.sim).map((r) => [r.query.metaFieldId, r.status]),
        [
          ['1', 200],
          ['Colour', 400],
        ],
      );
    });

    it('device update (Metadata field) sets a field by name (metaFieldName) and by id, and the store changes', async () => {
      await load('blynk-cloud-device-update', { write: 'meta', metaField: 'Serial Number', metaFieldType: 'str' });
      const { out, req } = await sent({ payload: 'SN-new 1' });
      assert.equal(req.path, '/external/api/device/meta/update');
      assert.deepEqual(req.query, { token: tokenOf(0), metaFieldName: 'Serial Number', value: 'SN-new 1' });
      assert.equal(out.payload, 'SN-new 1');
      assert.equal(out.statusCode, 200);
      assert.equal(h.sim.state.device(101)?.metaFields.find((f) => f.id === 2)?.value, 'SN-new 1');
      assert.equal(h.sim.state.device(102)?.metaFields.find((f) => f.id === 2)?.value, 'SN-102');
    });

    it('device update refuses a bad field or value before any request', async () => {
      await load('blynk-cloud-device-update', { write: 'meta', metaField: 'topic', metaFieldType: 'msg' });
      await expectRefused(h.sim, 'n1', { topic: 'a\nb', payload: 'x' }, 'INVALID_META_FIELD', 'invalid-meta-field');
      await expectRefused(h.sim, 'n1', msgOf({ topic: -1, payload: 'x' }), 'INVALID_META_FIELD', 'invalid-meta-field');
      await expectRefused(h.sim, 'n1', msgOf({ topic: 1, payload: { a: 1 } }), 'INVALID_VALUE', 'invalid-value');
      await expectRefused(h.sim, 'n1', { payload: 'x' }, 'INPUT_NOT_SET', 'input-not-set');
    });
  });

  describe('readings with their own times', () => {
    const now = Date.now();
    const pairs = [
      [now - 3 * 60_000, 20.5],
      [now - 2 * 60_000, 21],
      [now - 60_000, 21.75],
    ];

    it('POSTs [[ts, value], …] as JSON to batch/update?pin=v1: every point is in the history, the newest is the value', async () => {
      await load('blynk-cloud-device-update', { write: 'timestamped', pin: 'V1', pinType: 'str' });
      const payload = [pairs[1], { ts: new Date(pairs[0][0]), value: pairs[0][1] }, { ts: pairs[2][0], value: pairs[2][1] }];
      const { out, req } = await sent({ payload });
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/external/api/batch/update');
      assert.deepEqual(req.query, { token: tokenOf(0), pin: 'v1' });
      assert.match(req.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(req.body, [pairs[1], pairs[0], pairs[2]]);
      assert.equal(out.payload, payload, 'msg.payload passes on as it came');
      assert.equal(h.sim.state.value(101, 'v1'), 21.75);
      const history = h.sim.state.device(101)?.history.get(2) ?? [];
      assert.deepEqual(
        history.filter((p) => p.updatedAt < now).map((p) => [p.updatedAt, p.value]),
        pairs,
      );
    });

    it('refuses bad readings before any request: seconds, non-finite values, empty, not an array, over 10000', async () => {
      await load('blynk-cloud-device-update', { write: 'timestamped' });
      const bad: unknown[] = [
        [[Math.floor(now / 1000), 1]],
        [[now, NaN]],
        [[now, Infinity]],
        [[NaN, 1]],
        [[now, null]],
        [{ ts: now }],
        [[now, 1, 2]],
        [],
        { ts: now, value: 1 },
        '[[1,2]]',
        Array.from({ length: 10_001 }, (_, i) => [now - i, i]),
      ];
      for (const payload of bad) await expectRefused(h.sim, 'n1', { topic: 'V1', payload }, 'INVALID_POINTS', 'invalid-points');
      await expectRefused(h.sim, 'n1', { payload: pairs }, 'INPUT_NOT_SET', 'input-not-set');
    });
  });

  describe('report', () => {
    it('device read (Report) asks data/get with the node options; msg.payload is the link', async () => {
      await load('blynk-cloud-device-read', {
        read: 'report',
        pins: 'V1',
        pinsType: 'str',
        period: 'DAY',
        granularityType: 'MINUTE',
        sourceType: 'MAX',
        tzName: 'Europe/Berlin',
        format: 'ISO_SIMPLE',
        sendEvents: true,
      });
      const { out, req } = await sent({ payload: 1 });
      assert.equal(req.path, '/external/api/data/get');
      assert.deepEqual(req.query, {
        token: tokenOf(0),
        period: 'DAY',
        granularityType: 'MINUTE',
        sourceType: 'MAX',
        tzName: 'Europe/Berlin',
        format: 'ISO_SIMPLE',
        sendEvents: 'true',
        output: 'FILE',
        pin: 'v1',
      });
      assert.match(String(out.payload), new RegExp(`^${h.sim.url}/device_data_101_[0-9T-]+\\.zip$`));
    });

    it('a saved node without the options asks for Blynk defaults for every datastream; Blynk errors reach Catch', async () => {
      await load('blynk-cloud-device-read', { read: 'report' });
      const { req } = await sent({ payload: 1 });
      assert.deepEqual(req.query, {
        token: tokenOf(0),
        period: 'MONTH',
        granularityType: 'RAW_DATA',
        sourceType: 'AVG',
        tzName: 'UTC',
        format: 'TS',
        sendEvents: 'false',
        output: 'FILE',
      });
    });

    it('refuses undocumented options before any request', async () => {
      await load('blynk-cloud-device-read', { read: 'report', period: 'YEAR' });
      await expectRefused(h.sim, 'n1', { payload: 1 }, 'INVALID_REPORT_OPTION', 'invalid-report-option');
    });

    it('refuses raw data over three months before any request', async () => {
      await load('blynk-cloud-device-read', { read: 'report', period: 'THREE_MONTHS', granularityType: 'RAW_DATA' });
      await expectRefused(h.sim, 'n1', { payload: 1 }, 'INVALID_REPORT_OPTION', 'invalid-report-option');
    });

    it('refuses an unknown time zone before any request', async () => {
      await load('blynk-cloud-device-read', { read: 'report', tzName: 'Mars/Olympus' });
      await expectRefused(h.sim, 'n1', { payload: 1 }, 'INVALID_REPORT_OPTION', 'invalid-report-option');
    });

    it('a pin without data: Blynk answers 500 "No data", which reaches Catch', async () => {
      await load('blynk-cloud-device-read', { read: 'report', pins: 'V200', pinsType: 'str' });
      await expectFailure('n1', { payload: 1 }, 'SERVER_ERROR', 'server-error');
      // A 500 is retried (a GET): every attempt got Blynk's "No data".
      assert.ok(apiRequestsOf(h.sim).every((r) => r.path === '/external/api/data/get' && r.status === 500));
    });
  });

  describe('file upload', () => {
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 13) % 256));

    it('a Buffer with msg.filename (a read file node path) becomes a device file; msg.payload is its URL', async () => {
      await load('blynk-cloud-device-update', { write: 'file' });
      const { out, req } = await sent({ payload: data, filename: '/data/readings/2026-12-03.csv' });
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/external/api/upload');
      assert.deepEqual(req.query, { token: tokenOf(0) });
      const [file] = h.sim.state.files(101);
      assert.deepEqual([file.name, file.size, file.md5], ['2026-12-03.csv', data.length, md5(data)]);
      assert.equal(out.payload, file.url);
      assert.equal(out.statusCode, 200);
    });

    it('a file of the same name replaces the earlier one; a device keeps at most 10 files', async () => {
      await load('blynk-cloud-device-update', { write: 'file', filename: 'name', filenameType: 'msg' });
      for (let i = 0; i < 12; i++) await sent({ payload: Buffer.from([i]), name: `f${i}.bin` });
      await sent({ payload: Buffer.from([99, 99]), name: 'f11.bin' });
      assert.deepEqual(
        h.sim.state.files(101).map((f) => [f.name, f.size]),
        [...['f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10'].map((n) => [`${n}.bin`, 1]), ['f11.bin', 2]],
      );
    });

    it('refuses what is not a file before any request: text, an empty Buffer, no name, over 5 MB', async () => {
      await load('blynk-cloud-device-update', { write: 'file' });
      await expectRefused(h.sim, 'n1', { payload: 'text', filename: 'a.txt' }, 'INVALID_FILE', 'invalid-file');
      await expectRefused(h.sim, 'n1', { payload: Buffer.alloc(0), filename: 'a.txt' }, 'INVALID_FILE', 'invalid-file');
      await expectRefused(h.sim, 'n1', { payload: data, filename: '/data/' }, 'INVALID_FILE', 'invalid-file');
      await expectRefused(h.sim, 'n1', { payload: data }, 'INPUT_NOT_SET', 'input-not-set');
      await expectRefused(
        h.sim,
        'n1',
        { payload: Buffer.alloc(5 * 1024 * 1024 + 1), filename: 'big.bin' },
        'FILE_TOO_LARGE',
        'file-too-large',
      );
    });
  });

  describe('firmware upload (platform api)', () => {
    it('POST /api/upload with a Buffer sends the documented form; msg.payload is the answer with the firmware info', async () => {
      await loadNode(h.sim, { id: 'n1', type: 'blynk-cloud-api', method: 'POST', methodType: 'str', path: '/api/upload', pathType: 'str' });
      const data = Buffer.concat([Buffer.from('blnkinf\0mcu\x000.9.1\0\0', 'latin1'), Buffer.alloc(1000, 7)]);
      const out = await expectSent('n1', { payload: data, filename: 'C:\\builds\\firmware.bin' });
      const [req] = apiRequestsOf(h.sim, '/api/upload');
      assert.match(req.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
      assert.match(req.headers.authorization ?? '', /^Bearer /);
      const [stored] = h.sim.state.firmware;
      assert.deepEqual(
        [stored.name, stored.size, stored.uploadType, stored.md5],
        ['firmware.bin', data.length, 'FIRMWARE', md5(data).toUpperCase()],
      );
      const answer = out.payload as { path: string; firmwareInfo: Record<string, unknown> };
      assert.equal(answer.path, stored.path);
      assert.deepEqual([answer.firmwareInfo.version, answer.firmwareInfo.fileSize], ['0.9.1', data.length]);
      assert.equal(out.statusCode, 200);
    });

    it('refuses a file Blynk would not take before any request (extension, size)', async () => {
      await loadNode(h.sim, { id: 'n1', type: 'blynk-cloud-api', method: 'POST', methodType: 'str', path: '/api/upload', pathType: 'str' });
      await expectRefused(h.sim, 'n1', { payload: Buffer.alloc(10), filename: 'fw.exe' }, 'INVALID_FILE', 'invalid-file');
      await expectRefused(
        h.sim,
        'n1',
        { payload: Buffer.alloc(10 * 1024 * 1024 + 1), filename: 'fw.bin' },
        'FILE_TOO_LARGE',
        'file-too-large',
      );
    });
  });
});

/** The core nodes example 13 uses besides the helper's own (catch). */
const CORE_NODES = ['common/20-inject', 'common/21-debug', 'common/90-comment', 'function/10-function'].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (file) => require(`@node-red/nodes/core/${file}.js`) as NodeInitializer,
);

describe('example 13 (buffered readings) runs against the simulator', function () {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    sim.reset();
  });

  async function deploy(): Promise<NodeMessage[]> {
    const nodes = exampleFlows({ server: sim.url, demo: sim.demo, files: ['13 - Send buffered readings with their own times.json'] });
    const credentials: Record<string, Record<string, string>> = {};
    for (const n of nodes) if (n.credentials) credentials[n.id] = n.credentials as Record<string, string>;
    await helper.load([...ALL_NODES, ...CORE_NODES], nodes.map(({ credentials: _c, ...n }) => n) as FlowNode[], credentials);
    const sent: NodeMessage[] = [];
    helper.getNode('bts-debug').on('input', (m: NodeMessage) => sent.push(m));
    return sent;
  }

  it('three readings taken apart go to V1 in one request, each with the time it was taken', async () => {
    const sent = await deploy();
    const taken: number[] = [];
    for (let i = 0; i < 3; i++) {
      taken.push(Date.now());
      // What the inject would send: a reading (here a known one) into the buffer.
      helper.getNode('bts-buffer').receive({ payload: 20 + i });
      await delay(30);
    }
    helper.getNode('bts-inject-send').receive({});
    await until(() => sent.length === 1, 'the buffer was sent');
    const uploads = sim.log.filter((e) => e.path === '/external/api/batch/update');
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0].method, 'POST');
    assert.deepEqual(uploads[0].query, { token: sim.demo.devices[0].token, pin: 'v1' });
    const points = uploads[0].body as Array<[number, number]>;
    assert.deepEqual(
      points.map((p) => p[1]),
      [20, 21, 22],
    );
    points.forEach(([ts], i) => assert.ok(ts >= taken[i] && ts < taken[i] + 25, `point ${i} carries ${ts}, taken at ${taken[i]}`));
    assert.equal(sim.state.value(101, 'v1'), 22);
    assert.deepEqual(
      (sim.state.device(101)?.history.get(2) ?? []).filter((p) => p.updatedAt >= taken[0]).map((p) => [p.updatedAt, p.value]),
      points,
    );
    // The buffer is empty now: sending again sends nothing.
    helper.getNode('bts-inject-send').receive({});
    await delay(100);
    assert.equal(sim.log.filter((e) => e.path === '/external/api/batch/update').length, 1);
  });

  it('a failed send keeps the readings for the next try (Catch puts them back)', async () => {
    const sent = await deploy();
    helper.getNode('bts-buffer').receive({ payload: 19.5 });
    sim.faults.add({
      match: { path: '/external/api/batch/update' },
      action: { status: 400, body: { error: { message: 'Invalid token.' } } },
    });
    helper.getNode('bts-inject-send').receive({});
    await until(() => sim.log.some((e) => e.path === '/external/api/batch/update'), 'the first try');
    await delay(100);
    helper.getNode('bts-inject-send').receive({});
    await until(() => sent.length === 1, 'the second try was sent');
    const uploads = sim.log.filter((e) => e.path === '/external/api/batch/update');
    assert.deepEqual(
      uploads.map((e) => [e.status, (e.body as Array<[number, number]>).map((p) => p[1])]),
      [
        [400, [19.5]],
        [200, [19.5]],
      ],
    );
  });
});
