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
  useHarness,
} from '../support/harness';
import { BAD_DEVICE_IDS, BAD_EVENT_CODES, refusal } from '../support/inputs';

const PATH = '/api/v1/organization/device/trigger-event';

describe('blynk-cloud-log-event', function () {
  const h = useHarness();

  /** Logs an event and returns the body of the one request that reached the simulator. */
  async function logEvent(msg: NodeMessage): Promise<unknown> {
    const before = apiRequestsOf(h.sim).length;
    const payloadRef = msg.payload;
    const out = await expectSent('n1', msg);
    assert.equal(out.payload, payloadRef, 'msg.payload was replaced');
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].method, 'POST');
    assert.equal(reqs[0].path, PATH);
    assert.equal(reqs[0].status, 204);
    return reqs[0].body;
  }

  it('POSTs {deviceId, eventCode, eventDescription} with the description from msg.payload by default', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-log-event', eventCode: 'high_temp', eventCodeType: 'str' });
    const body = await logEvent({ deviceId: 101, payload: 'Greenhouse at 41 °C' });
    assert.deepEqual(body, { deviceId: 101, eventCode: 'high_temp', eventDescription: 'Greenhouse at 41 °C' });
    const events = sim.state.events(101);
    assert.equal(events.length, 1);
    assert.equal(events[0].code, 'high_temp');
    assert.equal(events[0].description, 'Greenhouse at 41 °C');
    assert.equal(events[0].via, 'platform');
    assert.deepEqual(lastStatus('n1'), CONNECTED);
  });

  it('sends no eventDescription key when there is no description', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-log-event', eventCode: 'door_open' });
    for (const payload of [undefined, null, '']) {
      const body = (await logEvent({ deviceId: 102, payload })) as Record<string, unknown>;
      assert.deepEqual(body, { deviceId: 102, eventCode: 'door_open' });
      assert.ok(!Object.prototype.hasOwnProperty.call(body, 'eventDescription'));
    }
    assert.deepEqual(
      sim.state.events(102).map((e) => [e.code, e.description]),
      [
        ['door_open', undefined],
        ['door_open', undefined],
        ['door_open', undefined],
      ],
    );
  });

  it('sends a number or an object description as text', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-log-event', eventCode: 'low_battery', eventCodeType: 'str' });
    assert.deepEqual(await logEvent({ deviceId: 103, payload: 3.3 }), { deviceId: 103, eventCode: 'low_battery', eventDescription: '3.3' });
    assert.deepEqual(await logEvent({ deviceId: 103, payload: { volts: 3.1 } }), {
      deviceId: 103,
      eventCode: 'low_battery',
      eventDescription: '{"volts":3.1}',
    });
  });

  it('takes a fixed description (str) and accepts code + description of exactly 1024 characters', async () => {
    const { sim } = h;
    const description = 'd'.repeat(1024 - 'high_temp'.length);
    await loadNode(sim, {
      id: 'n1',
      type: 'blynk-cloud-log-event',
      eventCode: 'high_temp',
      eventCodeType: 'str',
      description,
      descriptionType: 'str',
    });
    const body = await logEvent({ deviceId: 101, payload: 'ignored' });
    assert.deepEqual(body, { deviceId: 101, eventCode: 'high_temp', eventDescription: description });
    assert.equal(sim.state.events(101)[0].description, description);
  });

  it('refuses bad device ids, bad event codes and over-long descriptions before any request', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-log-event', eventCode: 'code', eventCodeType: 'msg' });
    for (const deviceId of BAD_DEVICE_IDS) {
      await expectRefused(sim, 'n1', { deviceId, code: 'high_temp' }, ...refusal(deviceId, 'INVALID_DEVICE_ID', 'invalid-device-id'));
    }
    for (const code of BAD_EVENT_CODES) {
      await expectRefused(sim, 'n1', { deviceId: 101, code, payload: 'x' }, ...refusal(code, 'INVALID_EVENT_CODE', 'invalid-event-code'));
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
    const tooLong = 'd'.repeat(1025 - 'high_temp'.length);
    await expectRefused(sim, 'n1', { deviceId: 101, code: 'high_temp', payload: tooLong }, 'EVENT_TOO_LONG', 'event-too-long');
    await expectRefused(sim, 'n1', { deviceId: 101, code: 'c'.repeat(50), payload: 'x'.repeat(975) }, 'EVENT_TOO_LONG', 'event-too-long');
    assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    assert.deepEqual(sim.state.events(101), []);
  });

  it('refuses an empty event code when the saved flow has none (default type str)', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-log-event' });
    await expectRefused(sim, 'n1', { deviceId: 101, payload: 'x' }, 'INVALID_EVENT_CODE', 'invalid-event-code');
  });

  it('reports an event code the template lacks with done(err): 404 → not-found', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-log-event', eventCode: 'no_such_event', eventCodeType: 'str' });
    await expectFailure('n1', { deviceId: 101, payload: 'x' }, 'NOT_FOUND', 'not-found');
    assert.deepEqual(lastStatus('n1'), redRing('not-found'));
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => [r.path, r.status]),
      [[PATH, 404]],
    );
  });
});
