import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import sinon from 'sinon';
import { apiRequestsOf, expectFailure, expectRefused, expectSent, lastStatus, loadNode, redRing, useHarness } from '../support/harness';
import { helper } from '../support/runtime';

const SEARCH = '/api/v1/organization/search/devices';
const DEVICE = '/api/v1/organization/device';

/** A node of `type` that takes its device by name from msg.deviceName. */
function byName(type: string, extra: Record<string, unknown> = {}): { id: string; type: string } & Record<string, unknown> {
  return { id: 'n1', type, deviceByName: true, deviceId: 'deviceName', deviceIdType: 'msg', ...extra };
}

describe('Platform nodes given a device by name', function () {
  const h = useHarness();

  /** The API requests since `from`, as `METHOD path query-or-body status`. */
  const requests = (from = 0): string[] =>
    apiRequestsOf(h.sim)
      .slice(from)
      .map((r) => `${r.method} ${r.path} ${r.method === 'GET' ? JSON.stringify(r.query) : JSON.stringify(r.body)} ${r.status}`);
  const searches = (): number => apiRequestsOf(h.sim, SEARCH).length;
  const searchOf = (name: string): string => `GET ${SEARCH} ${JSON.stringify({ query: name, page: '0', size: '1000' })} 200`;

  /** Every device token the simulator knows: none may reach an error. */
  const deviceTokens = (): string[] => [...h.sim.state.devices.values()].map((d) => d.token);

  /** Gets `name` through the node and returns the id of the device it read. */
  async function idOf(name: string): Promise<number> {
    const out = await expectSent('n1', { deviceName: name });
    return (out.payload as { id: number }).id;
  }

  describe('get device', function () {
    it('an exact name: one search, then the device by its id', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      const out = await expectSent('n1', { deviceName: 'Garage', topic: 'kept' });
      assert.deepEqual([(out.payload as { id: number; name: string }).id, (out.payload as { name: string }).name], [102, 'Garage']);
      assert.equal(out.topic, 'kept');
      assert.deepEqual(requests(), [searchOf('Garage'), `GET ${DEVICE} {"deviceId":"102"} 200`]);
    });

    it('prefers the case-sensitive exact name, then a case-insensitive one when it is the only one', async () => {
      const { sim } = h;
      sim.addDevice({ id: 201, name: 'garage' });
      sim.addDevice({ id: 202, name: 'Greenhouse 2' });
      await loadNode(sim, byName('blynk-cloud-get-device'));
      assert.equal(await idOf('Garage'), 102, 'Garage');
      assert.equal(await idOf('garage'), 201, 'garage');
      // The search finds both greenhouses; only one has exactly this name.
      assert.equal(await idOf('Greenhouse'), 101, 'Greenhouse');
      assert.equal(await idOf(' greenhouse 2 '), 202, 'greenhouse 2, spaces around');
      assert.equal(await idOf('ATTIC (OFFLINE)'), 103, 'ATTIC (OFFLINE)');
    });

    it('several devices of that name: DEVICE_NAME_AMBIGUOUS at the Catch node, naming the count, nothing else sent', async () => {
      const { sim } = h;
      sim.addDevice({ id: 201, name: 'Garage' });
      sim.addDevice({ id: 202, name: 'GARAGE' });
      await loadNode(sim, byName('blynk-cloud-get-device'));
      const caught = await expectFailure('n1', { deviceName: 'Garage' }, 'DEVICE_NAME_AMBIGUOUS', 'device-name-ambiguous');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
      // No exact match, and three in any case.
      await expectFailure('n1', { deviceName: 'garage' }, 'DEVICE_NAME_AMBIGUOUS', 'device-name-ambiguous');
      assert.deepEqual(requests(), [searchOf('Garage'), searchOf('garage')]);
      const text = JSON.stringify(caught);
      for (const token of deviceTokens()) assert.ok(!text.includes(token), 'a device token reached the Catch node');
    });

    it('no device of that name: DEVICE_NAME_NOT_FOUND with a not-found ring; a failure is not cached', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      // The search finds Garage and Greenhouse for "G", neither named so.
      const caught = await expectFailure('n1', { deviceName: 'G' }, 'DEVICE_NAME_NOT_FOUND', 'device-name-not-found');
      assert.deepEqual(lastStatus('n1'), redRing('not-found'));
      await expectFailure('n1', { deviceName: 'Pump' }, 'DEVICE_NAME_NOT_FOUND', 'device-name-not-found');
      sim.addDevice({ id: 210, name: 'Pump' });
      assert.equal(await idOf('Pump'), 210);
      assert.deepEqual(requests(), [searchOf('G'), searchOf('Pump'), searchOf('Pump'), `GET ${DEVICE} {"deviceId":"210"} 200`]);
      const text = JSON.stringify(caught);
      for (const token of deviceTokens()) assert.ok(!text.includes(token), 'a device token reached the Catch node');
    });

    it('a name already looked up costs no search: the connection keeps it (request log)', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      assert.equal(await idOf('Garage'), 102);
      assert.equal(await idOf('Garage'), 102);
      assert.equal(await idOf('Greenhouse'), 101);
      assert.equal(await idOf('Garage'), 102);
      assert.deepEqual(requests(), [
        searchOf('Garage'),
        `GET ${DEVICE} {"deviceId":"102"} 200`,
        `GET ${DEVICE} {"deviceId":"102"} 200`,
        searchOf('Greenhouse'),
        `GET ${DEVICE} {"deviceId":"101"} 200`,
        `GET ${DEVICE} {"deviceId":"102"} 200`,
      ]);
    });

    it('a name is kept for 5 minutes, then looked up again (fake clock)', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      const clock = sinon.useFakeTimers({ toFake: ['performance'], now: Date.now(), shouldAdvanceTime: false });
      try {
        assert.equal(await idOf('Garage'), 102);
        clock.tick(299_000);
        assert.equal(await idOf('Garage'), 102);
        assert.equal(searches(), 1, 'looked up again before 5 minutes');
        clock.tick(2_000);
        assert.equal(await idOf('Garage'), 102);
        assert.equal(searches(), 2, 'not looked up again after 5 minutes');
        assert.equal(await idOf('Garage'), 102);
        assert.equal(searches(), 2);
      } finally {
        clock.restore();
      }
    });

    it('concurrent messages for one name share one search', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      const sink = helper.getNode('sink');
      const sent: NodeMessage[] = [];
      sink.on('input', (m: NodeMessage) => sent.push(m));
      for (let i = 0; i < 8; i++) helper.getNode('n1').receive({ deviceName: i % 2 ? 'Garage' : 'Greenhouse', n: i } as NodeMessage);
      const deadline = Date.now() + 10_000;
      while (sent.length < 8 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(sent.length, 8);
      for (const m of sent) {
        const n = (m as { n: number }).n;
        assert.equal((m.payload as { id: number }).id, n % 2 ? 102 : 101, `message ${n}`);
      }
      assert.deepEqual(
        apiRequestsOf(sim, SEARCH)
          .map((r) => r.query.query)
          .sort(),
        ['Garage', 'Greenhouse'],
      );
      assert.equal(apiRequestsOf(sim, DEVICE).length, 8);
    });

    it('a full redeploy forgets the names; a deploy of the flow node alone keeps them', async () => {
      const { sim } = h;
      const flow = await loadNode(sim, byName('blynk-cloud-get-device'));
      assert.equal(await idOf('Garage'), 102);
      await helper.setFlows(
        flow.map((n) => (n.id === 'n1' ? { ...n, name: 'renamed' } : n)),
        'nodes',
      );
      assert.equal(await idOf('Garage'), 102);
      assert.equal(searches(), 1, 'a flow node deploy dropped the names');
      await helper.setFlows(flow, 'full');
      assert.equal(await idOf('Garage'), 102);
      assert.equal(searches(), 2, 'a full deploy kept the names');
    });

    it('a kept id that Blynk no longer finds: the name is looked up again once and the call repeated', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      assert.equal(await idOf('Garage'), 102);
      // Device 102 renamed and a new "Garage" created; the old id answers 404 once.
      (sim.state.device(102) as { name: string }).name = 'Old garage';
      sim.addDevice({ id: 301, name: 'Garage' });
      sim.faults.add({ match: { path: DEVICE }, action: { status: 404, body: { error: { message: 'Device not found.' } } } });
      const from = apiRequestsOf(sim).length;
      assert.equal(await idOf('Garage'), 301);
      assert.deepEqual(requests(from), [
        `GET ${DEVICE} {"deviceId":"102"} 404`,
        searchOf('Garage'),
        `GET ${DEVICE} {"deviceId":"301"} 200`,
      ]);
    });

    it('refuses a name that is not one before any request; an unset msg.deviceName is named as such', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device'));
      await expectRefused(sim, 'n1', { deviceName: '   ' }, 'INVALID_DEVICE_NAME', 'invalid-device-name');
      await expectRefused(sim, 'n1', { deviceName: 101 }, 'INVALID_DEVICE_NAME', 'invalid-device-name');
      await expectRefused(sim, 'n1', { deviceName: 'x'.repeat(256) }, 'INVALID_DEVICE_NAME', 'invalid-device-name');
      await expectRefused(sim, 'n1', { deviceId: 101 }, 'INPUT_NOT_SET', 'input-not-set');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    });

    it('a fixed name (str) works the same; without the option the node still takes ids only', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-get-device', { deviceId: 'Attic (offline)', deviceIdType: 'str' }));
      const out = await expectSent('n1', {});
      assert.equal((out.payload as { id: number }).id, 103);
      await helper.unload();
      sim.reset();
      await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device', deviceId: 'Garage', deviceIdType: 'str' });
      await expectRefused(sim, 'n1', {}, 'INVALID_DEVICE_ID', 'invalid-device-id');
    });
  });

  describe('write datastream', function () {
    it('by name and id: one search, then the write; by pin: the pin lookup too', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-write-datastream', { dataStreamId: 'topic', dataStreamIdType: 'msg' }));
      await expectSent('n1', { deviceName: 'Garage', topic: '2', payload: 30.5 });
      await expectSent('n1', { deviceName: 'Garage', topic: 'V5', payload: 70 });
      assert.deepEqual(requests(), [
        searchOf('Garage'),
        'POST /api/v1/organization/device/datastream {"deviceId":102,"dataStreamId":2,"value":30.5} 204',
        'GET /api/v2/organization/device/datastreams {"deviceId":"102"} 200',
        'POST /api/v1/organization/device/datastream {"deviceId":102,"dataStreamId":6,"value":70} 204',
      ]);
      assert.deepEqual([sim.state.value(102, 'v1'), sim.state.value(102, 'v5'), sim.state.value(101, 'v1')], [30.5, 70, 21.5]);
    });

    it('a bad pin or value is refused before the name is looked up', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-write-datastream', { dataStreamId: 'topic', dataStreamIdType: 'msg' }));
      await expectRefused(sim, 'n1', { deviceName: 'Garage', topic: 'V256', payload: 1 }, 'INVALID_PIN', 'invalid-pin');
      await expectRefused(sim, 'n1', { deviceName: 'Garage', payload: { '2': { nested: 1 } } }, 'INVALID_VALUE', 'invalid-value');
    });
  });

  describe('log event', function () {
    it('by name: one search, then the event on that device', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-log-event', { eventCode: 'door_open', eventCodeType: 'str' }));
      await expectSent('n1', { deviceName: 'greenhouse', payload: 'left open' });
      assert.deepEqual(requests(), [
        searchOf('greenhouse'),
        'POST /api/v1/organization/device/trigger-event {"deviceId":101,"eventCode":"door_open","eventDescription":"left open"} 204',
      ]);
      assert.deepEqual(
        sim.state.events(101).map((e) => [e.code, e.description]),
        [['door_open', 'left open']],
      );
    });

    it('a bad event code is refused before the name is looked up; an ambiguous name logs nothing', async () => {
      const { sim } = h;
      await loadNode(sim, byName('blynk-cloud-log-event', { eventCode: 'code', eventCodeType: 'msg' }));
      await expectRefused(sim, 'n1', { deviceName: 'Garage', code: 'no-dashes!' }, 'INVALID_EVENT_CODE', 'invalid-event-code');
      sim.addDevice({ id: 201, name: 'Garage' });
      await expectFailure('n1', { deviceName: 'Garage', code: 'door_open' }, 'DEVICE_NAME_AMBIGUOUS', 'device-name-ambiguous');
      assert.deepEqual(requests(), [searchOf('Garage')]);
      assert.deepEqual([sim.state.events(102), sim.state.events(201)], [[], []]);
    });
  });
});
