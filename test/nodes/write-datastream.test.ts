import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
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
import { BAD_DATASTREAM_IDS, BAD_DEVICE_IDS, BAD_VALUES, refusal } from '../support/inputs';

const NODE = { id: 'n1', type: 'blynk-cloud-write-datastream' };
const ONE = '/api/v1/organization/device/datastream';
const MANY = '/api/v1/organization/device/datastreams';

describe('blynk-cloud-write-datastream', function () {
  const h = useHarness();

  /** Writes `payload` and returns the one request that reached the simulator. */
  async function write(msg: NodeMessage): Promise<{ path: string; method: string; body: unknown }> {
    const before = apiRequestsOf(h.sim).length;
    const payloadBefore = structuredClone(msg.payload);
    const payloadRef = msg.payload;
    const out = await expectSent('n1', msg);
    assert.equal(out.payload, payloadRef, 'msg.payload was replaced');
    assert.deepEqual(out.payload, payloadBefore, 'msg.payload was changed');
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1, `expected exactly one request, got ${reqs.map((r) => r.path).join(', ')}`);
    assert.equal(reqs[0].status, 204);
    assert.deepEqual(reqs[0].query, {});
    return reqs[0];
  }

  it('POSTs a number, a string or [lon, lat] to /device/datastream as {deviceId, dataStreamId, value}', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);

    const num = await write({ deviceId: 101, dataStreamId: 2, payload: 23.5 });
    assert.equal(num.method, 'POST');
    assert.equal(num.path, ONE);
    assert.deepEqual(num.body, { deviceId: 101, dataStreamId: 2, value: 23.5 });
    assert.equal(sim.state.value(101, 2), 23.5);

    const str = await write({ deviceId: '102', dataStreamId: '3', payload: 'all good' });
    assert.deepEqual(str.body, { deviceId: 102, dataStreamId: 3, value: 'all good' });
    assert.equal(sim.state.value(102, 3), 'all good');
    assert.equal(sim.state.value(101, 3), 'ok', 'the other device is untouched');

    const loc = await write({ deviceId: 101, dataStreamId: 4, payload: [30.5234, 50.4501] });
    assert.deepEqual(loc.body, { deviceId: 101, dataStreamId: 4, value: [30.5234, 50.4501] });
    assert.deepEqual(sim.state.value(101, 4), [30.5234, 50.4501]);

    assert.equal(sim.tokens.requests, 1, 'one token for all three writes');
    assert.deepEqual(lastStatus('n1'), CONNECTED);
  });

  it('sends a boolean as 1/0 and leaves msg.payload a boolean', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const on = await write({ deviceId: 101, dataStreamId: 1, payload: true });
    assert.deepEqual(on.body, { deviceId: 101, dataStreamId: 1, value: 1 });
    assert.equal(sim.state.value(101, 1), 1);
    const off = await write({ deviceId: 101, dataStreamId: 1, payload: false });
    assert.deepEqual(off.body, { deviceId: 101, dataStreamId: 1, value: 0 });
    assert.equal(sim.state.value(101, 1), 0);
  });

  it('sends a plain object as ONE POST to /device/datastreams {deviceId, values} and ignores dataStreamId', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const payload = { '1': true, '2': 19.25, '3': 'batch', '4': [1.5, 2.5], '6': 55 };
    const req = await write({ deviceId: 103, dataStreamId: 'not used for a batch', payload });
    assert.equal(req.method, 'POST');
    assert.equal(req.path, MANY);
    assert.deepEqual(req.body, { deviceId: 103, values: { '1': 1, '2': 19.25, '3': 'batch', '4': [1.5, 2.5], '6': 55 } });
    assert.equal(sim.state.value(103, 1), 1);
    assert.equal(sim.state.value(103, 2), 19.25);
    assert.equal(sim.state.value(103, 3), 'batch');
    assert.deepEqual(sim.state.value(103, 4), [1.5, 2.5]);
    assert.equal(sim.state.value(103, 6), 55);
    assert.equal(apiRequestsOf(sim).filter((r) => r.path === ONE).length, 0);
  });

  it('takes msg.deviceId and msg.dataStreamId when the saved flow has neither property', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const req = await write({ deviceId: 102, dataStreamId: 6, topic: '5', payload: 70 });
    assert.deepEqual(req.body, { deviceId: 102, dataStreamId: 6, value: 70 });
  });

  it('a new node reads the datastream or pin from msg.topic, as the device nodes do', async () => {
    const { sim } = h;
    await loadNode(sim, { ...NODE, deviceId: 'deviceId', deviceIdType: 'msg', dataStreamId: 'topic', dataStreamIdType: 'msg' });
    const byId = await write({ deviceId: 101, topic: '3', dataStreamId: 6, payload: 'from topic' });
    assert.deepEqual(byId.body, { deviceId: 101, dataStreamId: 3, value: 'from topic' });
    const before = apiRequestsOf(sim).length;
    const byPin = await expectSent('n1', { deviceId: 101, topic: 'V5', payload: 61 });
    assert.deepEqual(byPin.dataStreamIds, { V5: 6 });
    assert.deepEqual(
      apiRequestsOf(sim)
        .slice(before)
        .map((r) => r.body)
        .at(-1),
      { deviceId: 101, dataStreamId: 6, value: 61 },
    );
    assert.equal(sim.state.value(101, 6), 61);
  });

  it('refuses bad device ids, datastream ids, values and batches before any request', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    for (const deviceId of BAD_DEVICE_IDS) {
      await expectRefused(
        sim,
        'n1',
        { deviceId, dataStreamId: 2, payload: 1 },
        ...refusal(deviceId, 'INVALID_DEVICE_ID', 'invalid-device-id'),
      );
      // also for a batch
      await expectRefused(sim, 'n1', { deviceId, payload: { '2': 1 } }, ...refusal(deviceId, 'INVALID_DEVICE_ID', 'invalid-device-id'));
    }
    for (const dataStreamId of BAD_DATASTREAM_IDS) {
      await expectRefused(
        sim,
        'n1',
        { deviceId: 101, dataStreamId, payload: 1 },
        ...refusal(dataStreamId, 'INVALID_DATASTREAM_ID', 'invalid-datastream-id'),
      );
    }
    for (const payload of BAD_VALUES) {
      await expectRefused(sim, 'n1', { deviceId: 101, dataStreamId: 2, payload }, 'INVALID_VALUE', 'invalid-value');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
    await expectRefused(sim, 'n1', { deviceId: 101, dataStreamId: 2, payload: {} }, 'EMPTY_BATCH', 'empty-batch');
    // A batch is validated as a whole: one bad key or value and nothing is sent.
    await expectRefused(sim, 'n1', { deviceId: 101, payload: { '2': 1, X1: 2 } }, 'INVALID_DATASTREAM_ID', 'invalid-datastream-id');
    // Keys that look like pins are pins, checked as pins before any request.
    await expectRefused(sim, 'n1', { deviceId: 101, payload: { '2': 1, V256: 2 } }, 'INVALID_PIN', 'invalid-pin');
    await expectRefused(sim, 'n1', { deviceId: 101, payload: { '2': 1, '-1': 2 } }, 'INVALID_DATASTREAM_ID', 'invalid-datastream-id');
    await expectRefused(sim, 'n1', { deviceId: 101, payload: { '2': 1, '3': { nested: 1 } } }, 'INVALID_VALUE', 'invalid-value');
    await expectRefused(sim, 'n1', { deviceId: 101, payload: { '2': 1, '3': null } }, 'INVALID_VALUE', 'invalid-value');
    await expectRefused(sim, 'n1', { deviceId: 101, payload: { '4': [1] } }, 'INVALID_VALUE', 'invalid-value');
    assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    assert.equal(sim.state.value(101, 2), 21.5, 'seeded value untouched');
  });

  it('reports what Blynk refuses with done(err): unknown datastream → not-found, wrong type → bad-request', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    await expectFailure('n1', { deviceId: 101, dataStreamId: 99, payload: 1 }, 'NOT_FOUND', 'not-found');
    assert.deepEqual(lastStatus('n1'), redRing('not-found'));
    await expectFailure('n1', { deviceId: 101, dataStreamId: 1, payload: 'on' }, 'BAD_REQUEST', 'bad-request');
    assert.deepEqual(lastStatus('n1'), redRing('error'));
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => [r.path, r.status]),
      [
        [ONE, 404],
        [ONE, 400],
      ],
    );
    assert.deepEqual(
      statusesOf('n1').filter((s) => s.fill === 'blue'),
      [REQUESTING, REQUESTING],
    );
  });
});
