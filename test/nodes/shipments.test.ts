import assert from 'node:assert/strict';
import sinon from 'sinon';
import { apiRequestsOf, expectSent, loadNode, useHarness } from '../support/harness';

const CREATE = '/api/v1/organization/shipment/create';
const ONE = '/api/v1/organization/shipment';
const ALL = '/api/v1/organization/shipments';
const STOP = '/api/v1/organization/shipment/stop';

type Shipment = { id: number; status: string; finishedAt: number; shipmentProgress: Record<string, number> };

/**
 * The simulator's shipments through the platform api node over HTTP: every answer is checked
 * against the contract's shipment operations by the run's contract hook.
 */
describe('simulator shipments through the platform api node', function () {
  const h = useHarness();
  const NODE = { id: 'n1', type: 'blynk-cloud-api' };

  async function call(
    method: string,
    path: string,
    params?: Record<string, unknown>,
    payload?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const out = await expectSent('n1', { method, path, params, payload } as never);
    return { status: out.statusCode as number, body: out.payload };
  }
  const body = { title: 'v2', productId: 77, pathToFirmware: '/static/fw_1.bin', deviceIds: [101, 102] };

  it('create, follow to FINISH, list, delete', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const clock = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: true });
    try {
      const created = await call('POST', CREATE, undefined, body);
      const s = created.body as Shipment;
      assert.deepEqual([created.status, s.status, s.shipmentProgress.started], [200, 'RUN', 2]);
      clock.tick(2 * sim.shipments.stepMs);
      const mid = (await call('GET', ONE, { shipmentId: s.id })).body as Shipment;
      assert.deepEqual([mid.status, mid.shipmentProgress.firmwareRequested], ['RUN', 2]);
      clock.tick(2 * sim.shipments.stepMs);
      const done = (await call('GET', ONE, { shipmentId: s.id })).body as Shipment;
      assert.deepEqual([done.status, done.shipmentProgress.success, done.finishedAt > 0], ['FINISH', 2, true]);
      const list = (await call('GET', ALL)).body as Shipment[];
      assert.deepEqual(
        list.map((x) => [x.id, x.status]),
        [[s.id, 'FINISH']],
      );
      assert.equal((await call('DELETE', ONE, { shipmentId: s.id })).status, 204);
      assert.deepEqual((await call('GET', ALL)).body, []);
    } finally {
      clock.restore();
    }
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => `${r.method} ${r.path} ${r.status}`),
      [`POST ${CREATE} 200`, `GET ${ONE} 200`, `GET ${ONE} 200`, `GET ${ALL} 200`, `DELETE ${ONE} 204`, `GET ${ALL} 200`],
    );
  });

  it('stop cancels a running shipment, which then stays as it was', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const s = (await call('POST', CREATE, undefined, body)).body as Shipment;
    const stopped = await call('PUT', STOP, { shipmentId: s.id });
    assert.deepEqual([stopped.status, (stopped.body as Shipment).status], [200, 'CANCEL']);
    assert.deepEqual(
      sim.shipments.list().map((x) => [x.id, x.status]),
      [[s.id, 'CANCEL']],
    );
  });
});
