import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeInitializer, NodeMessage } from 'node-red';
import { Simulator, startSimulator } from '../../dist/simulator';
import { exampleFlows, writeDemoFirmware } from '../../scripts/example-flows';
import { waitFor } from '../support/harness';
import { apiRequestsOf } from '../support/oauth-log';
import { ALL_NODES, FlowNode, helper } from '../support/runtime';

const EXAMPLE = '14 - Ship firmware to devices (OTA).json';
const CORE_NODES = [
  'common/20-inject',
  'common/90-comment',
  'function/10-switch',
  'function/15-change',
  'function/89-delay',
  'storage/10-file',
].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (file) => require(`@node-red/nodes/core/${file}.js`) as NodeInitializer,
);

type Shipment = {
  id: number;
  status: string;
  deviceIds: number[];
  pathToFirmware: string;
  firmwareOriginalFileName: string;
  firmwareInfo?: { version?: string };
  shipmentProgress: Record<string, number>;
};

/**
 * The OTA example as `npm start` deploys it (the demo build, the simulator's connection), run to
 * its end: file in → upload → create shipment → get shipment every few seconds until FINISH, or
 * until the stop button cancels it. Its debug nodes are helper nodes here; its delay is shortened,
 * and the simulated devices move faster, so that the run takes seconds.
 */
describe('example: ship firmware to devices (OTA)', function () {
  let sim: Simulator;
  let dir: string;
  let firmware: string;
  /** What reached each debug node, by its id. */
  let seen: Record<string, NodeMessage[]>;

  before(async () => {
    sim = await startSimulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-ota-example-'));
    firmware = writeDemoFirmware(dir);
  });
  after(async () => {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    sim.reset();
    sim.shipments.stepMs = 1000;
  });

  async function deploy(): Promise<void> {
    sim.shipments.stepMs = 150;
    const credentials: Record<string, Record<string, string>> = {};
    const nodes = exampleFlows({ server: sim.url, demo: sim.demo, files: [EXAMPLE], firmware }).map((n): FlowNode => {
      const { credentials: creds, ...node } = n as FlowNode & { credentials?: Record<string, string> };
      if (creds) credentials[node.id] = creds;
      if (node.type === 'debug') return { id: node.id, z: node.z, type: 'helper' };
      return node.type === 'delay' ? { ...node, timeout: '0.2' } : node;
    });
    assert.equal(nodes.find((n) => n.type === 'file in')?.filename, firmware, 'the file in node does not read the demo build');
    await helper.load([...ALL_NODES, ...CORE_NODES], nodes, credentials);
    seen = {};
    for (const n of nodes.filter((x) => x.type === 'helper')) {
      seen[n.id] = [];
      helper.getNode(n.id).on('input', (m: NodeMessage) => seen[n.id].push(m));
    }
  }

  it('uploads the build, ships it to devices 101 and 102 and follows the shipment until it finishes', async () => {
    await deploy();
    helper.getNode('bota-inject-ship').receive({});
    await waitFor(() => seen['bota-finished'].length === 1 || seen['bota-failed'].length > 0, 'the shipment to finish', 15_000);
    assert.deepEqual(seen['bota-failed'], [], 'a call failed');
    const done = seen['bota-finished'][0].payload as Shipment;
    assert.equal(done.status, 'FINISH');
    assert.deepEqual(done.deviceIds, [101, 102]);
    assert.equal(done.firmwareOriginalFileName, 'station_v2.bin');
    assert.equal(done.firmwareInfo?.version, '2.0.0', 'the firmware info Blynk read from the build did not reach the shipment');
    assert.equal(done.shipmentProgress.success, 2);
    // The devices were followed on the way: each poll before the end shows devices still moving.
    // The debug node shows msg.payload.shipmentProgress; its stand-in here gets the whole msg.
    const polls = seen['bota-progress'].map((m) => (m.payload as Shipment).shipmentProgress);
    assert.ok(polls.length >= 1, 'no progress was shown before the end');
    for (const p of polls) assert.ok(p.success < 2, `a poll after the end went to progress: ${JSON.stringify(p)}`);
    assert.deepEqual(seen['bota-cancelled'], []);

    const requests = apiRequestsOf(sim);
    assert.deepEqual(
      requests.slice(0, 2).map((r) => `${r.method} ${r.path} ${r.status}`),
      ['POST /api/upload 200', 'POST /api/v1/organization/shipment/create 200'],
    );
    const create = requests[1].body as { pathToFirmware: string; productId: number; deviceIds: number[] };
    assert.equal(create.pathToFirmware, done.pathToFirmware);
    assert.deepEqual([create.productId, create.deviceIds], [77, [101, 102]]);
    const gets = requests.slice(2);
    assert.equal(gets.length, polls.length + 1);
    for (const r of gets)
      assert.equal(
        `${r.method} ${r.path} ${JSON.stringify(r.query)} ${r.status}`,
        `GET /api/v1/organization/shipment {"shipmentId":"${done.id}"} 200`,
      );
  });

  it('the stop button cancels the running shipment, and the loop ends with it', async () => {
    await deploy();
    sim.shipments.stepMs = 60_000; // the devices stay at "started" until the stop
    helper.getNode('bota-inject-ship').receive({});
    await waitFor(() => seen['bota-progress'].length >= 1 || seen['bota-failed'].length > 0, 'the first progress', 10_000);
    helper.getNode('bota-inject-stop').receive({});
    await waitFor(() => seen['bota-cancelled'].length === 1 || seen['bota-failed'].length > 0, 'the shipment to end', 10_000);
    assert.deepEqual(seen['bota-failed'], [], 'a call failed');
    assert.equal((seen['bota-stopped'][0].payload as Shipment).status, 'CANCEL');
    const cancelled = seen['bota-cancelled'][0].payload as Shipment;
    assert.deepEqual([cancelled.status, cancelled.shipmentProgress.started, cancelled.shipmentProgress.success], ['CANCEL', 2, 0]);
    assert.deepEqual(seen['bota-finished'], []);
    assert.deepEqual(
      sim.shipments.list().map((s) => [s.id, s.status]),
      [[cancelled.id, 'CANCEL']],
    );
    // Nothing polls after the end.
    const count = apiRequestsOf(sim).length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(apiRequestsOf(sim).length, count);
  });
});
