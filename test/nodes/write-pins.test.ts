import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { apiRequestsOf, expectFailure, expectRefused, expectSent, lastStatus, loadNode, redRing, useHarness } from '../support/harness';
import { ALL_NODES, flowWith, helper } from '../support/runtime';
import { demoCredentials } from '../support/harness';

const NODE = { id: 'n1', type: 'blynk-cloud-write-datastream' };
const LOOKUP = '/api/v2/organization/device/datastreams';
const ONE = '/api/v1/organization/device/datastream';
const MANY = '/api/v1/organization/device/datastreams';

describe('blynk-cloud-write-datastream: writes by pin', function () {
  const h = useHarness();

  /** The requests since `from`, as `METHOD path query-or-body status`. */
  const requests = (from = 0): string[] =>
    apiRequestsOf(h.sim)
      .slice(from)
      .map((r) => `${r.method} ${r.path} ${r.method === 'GET' ? JSON.stringify(r.query) : JSON.stringify(r.body)} ${r.status}`);

  /** The msg that came out of the last write. */
  let last: NodeMessage | undefined;

  async function write(msg: NodeMessage): Promise<string[]> {
    const from = apiRequestsOf(h.sim).length;
    const payload = structuredClone(msg.payload);
    const out = await expectSent('n1', msg);
    assert.deepEqual(out.payload, payload, 'msg.payload was changed');
    last = out;
    return requests(from);
  }

  it("maps V1 to its datastream id through the device's own datastreams: one lookup, then ONE write request per message", async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    assert.deepEqual(await write({ deviceId: 101, dataStreamId: 'V1', payload: 23 }), [
      `GET ${LOOKUP} {"deviceId":"101"} 200`,
      `POST ${ONE} {"deviceId":101,"dataStreamId":2,"value":23} 204`,
    ]);
    assert.equal(sim.state.value(101, 'v1'), 23);
    // The msg says where the write went, and how Blynk answered.
    assert.deepEqual(
      [(last as { dataStreamIds?: unknown }).dataStreamIds, (last as { statusCode?: unknown }).statusCode],
      [{ V1: 2 }, 204],
    );
    for (const [pin, value, id] of [
      ['v1', 24, 2],
      ['V5', 61, 6],
      [' v0 ', true, 1],
    ] as const) {
      const expected = `POST ${ONE} ${JSON.stringify({ deviceId: 101, dataStreamId: id, value: value === true ? 1 : value })} 204`;
      assert.deepEqual(await write({ deviceId: 101, dataStreamId: pin, payload: value }), [expected]);
    }
    assert.deepEqual([sim.state.value(101, 'v5'), sim.state.value(101, 'v0')], [61, 1]);
    assert.equal(sim.tokens.requests, 1);
  });

  it('needs only the right to view the device: a token refused on the template routes (no PRODUCT_VIEW) still writes by pin', async () => {
    const { sim } = h;
    const denied = { status: 403, body: { error: { message: 'Permission denied: PRODUCT_VIEW.' } } };
    sim.faults.add({ match: { path: '/api/v1/organization/template/datastreams' }, times: Infinity, action: denied });
    sim.faults.add({ match: { path: '/api/v1/organization/device/baseInfo' }, times: Infinity, action: denied });
    await loadNode(sim, NODE);
    assert.deepEqual(await write({ deviceId: 101, dataStreamId: 'V1', payload: 5 }), [
      `GET ${LOOKUP} {"deviceId":"101"} 200`,
      `POST ${ONE} {"deviceId":101,"dataStreamId":2,"value":5} 204`,
    ]);
    assert.equal(sim.state.value(101, 'v1'), 5);
  });

  it('writes a batch keyed by pins (ids may be mixed in) as ONE multi-datastream request', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    await write({ deviceId: 101, dataStreamId: 'V1', payload: 1 }); // warms the cache
    assert.deepEqual(await write({ deviceId: 101, payload: { V0: true, '3': 'mixed', v5: 60 } }), [
      `POST ${MANY} {"deviceId":101,"values":{"1":1,"3":"mixed","6":60}} 204`,
    ]);
    assert.deepEqual((last as { dataStreamIds?: unknown }).dataStreamIds, { V0: 1, V5: 6 });
    assert.deepEqual([sim.state.value(101, 1), sim.state.value(101, 3), sim.state.value(101, 6)], [1, 'mixed', 60]);
  });

  it('shares the map between the nodes of one connection: a second device costs one lookup', async () => {
    const { sim } = h;
    const flow = flowWith(sim.url, NODE);
    flow.push({ id: 'n2', z: 'tab', type: 'blynk-cloud-write-datastream', connection: 'cfg', wires: [['sink']] });
    await helper.load(ALL_NODES, flow, { cfg: demoCredentials(sim) });
    await write({ deviceId: 101, dataStreamId: 'V1', payload: 1 });
    const from = apiRequestsOf(sim).length;
    await expectSent('n2', { deviceId: 102, dataStreamId: 'V2', payload: 'other node' });
    assert.deepEqual(requests(from), [
      `GET ${LOOKUP} {"deviceId":"102"} 200`,
      `POST ${ONE} {"deviceId":102,"dataStreamId":3,"value":"other node"} 204`,
    ]);
    const again = apiRequestsOf(sim).length;
    await expectSent('n2', { deviceId: 101, dataStreamId: 'V2', payload: 'cached' });
    assert.deepEqual(requests(again), [`POST ${ONE} {"deviceId":101,"dataStreamId":3,"value":"cached"} 204`]);
  });

  it("on a 404 from the write, fetches the device's datastreams again ONCE and repeats the write once", async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    await write({ deviceId: 101, dataStreamId: 'V1', payload: 1 });
    sim.faults.add({
      match: { method: 'POST', path: ONE },
      times: 1,
      action: { status: 404, body: { error: { message: 'Data stream with identifier 2 is not found!' } } },
    });
    assert.deepEqual(await write({ deviceId: 101, dataStreamId: 'V1', payload: 2 }), [
      `POST ${ONE} {"deviceId":101,"dataStreamId":2,"value":2} 404`,
      `GET ${LOOKUP} {"deviceId":"101"} 200`,
      `POST ${ONE} {"deviceId":101,"dataStreamId":2,"value":2} 204`,
    ]);
    // Two 404s in a row: one refresh, then the error; no loop.
    sim.faults.add({
      match: { method: 'POST', path: ONE },
      times: 2,
      action: { status: 404, body: { error: { message: 'Data stream with identifier 2 is not found!' } } },
    });
    const from = apiRequestsOf(sim).length;
    await expectFailure('n1', { deviceId: 101, dataStreamId: 'V1', payload: 3 }, 'NOT_FOUND', 'not-found');
    assert.deepEqual(
      requests(from).map((r) => r.split(' ').slice(0, 2).join(' ') + ' ' + r.split(' ').pop()),
      [`POST ${ONE} 404`, `GET ${LOOKUP} 200`, `POST ${ONE} 404`],
    );
  });

  it('a pin the device does not have: one refetch, then pin-not-found, and nothing is written', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    await write({ deviceId: 101, dataStreamId: 'V1', payload: 1 });
    const from = apiRequestsOf(sim).length;
    await expectFailure('n1', { deviceId: 101, dataStreamId: 'V9', payload: 1 }, 'PIN_NOT_FOUND', 'pin-not-found');
    assert.deepEqual(requests(from), [`GET ${LOOKUP} {"deviceId":"101"} 200`]);
    assert.deepEqual(lastStatus('n1'), redRing('not-found'));
    const batch = apiRequestsOf(sim).length;
    await expectFailure('n1', { deviceId: 101, payload: { V1: 5, V200: 1 } }, 'PIN_NOT_FOUND', 'pin-not-found');
    assert.deepEqual(requests(batch), [`GET ${LOOKUP} {"deviceId":"101"} 200`]);
    assert.equal(sim.state.value(101, 'v1'), 1, 'part of the batch was written');
  });

  it('a device Blynk does not know fails on its lookup, with not-found', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    await expectFailure('n1', { deviceId: 999, dataStreamId: 'V1', payload: 1 }, 'NOT_FOUND', 'not-found');
    assert.deepEqual(requests(), [`GET ${LOOKUP} {"deviceId":"999"} 404`]);
  });

  it('refuses bad pins before any request, and leaves id writes as they were: one request, no lookup', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    for (const dataStreamId of ['V256', 'v-1', 'V1.5', 'V']) {
      await expectRefused(sim, 'n1', { deviceId: 101, dataStreamId, payload: 1 }, 'INVALID_PIN', 'invalid-pin');
    }
    await expectRefused(sim, 'n1', { deviceId: 0, dataStreamId: 'V1', payload: 1 }, 'INVALID_DEVICE_ID', 'invalid-device-id');
    await expectRefused(sim, 'n1', { deviceId: 101, dataStreamId: 'V1', payload: null }, 'INVALID_VALUE', 'invalid-value');
    assert.deepEqual(await write({ deviceId: 101, dataStreamId: 2, payload: 30 }), [
      `POST ${ONE} {"deviceId":101,"dataStreamId":2,"value":30} 204`,
    ]);
  });
});
