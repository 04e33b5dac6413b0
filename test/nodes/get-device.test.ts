import assert from 'node:assert/strict';
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
import { BAD_DEVICE_IDS, refusal } from '../support/inputs';

const NODE = { id: 'n1', type: 'blynk-cloud-get-device' };

describe('blynk-cloud-get-device', function () {
  const h = useHarness();

  it('GETs /api/v1/organization/device?deviceId= and puts the device object, as Blynk returns it less the device auth token, in msg.payload', async () => {
    const { sim } = h;
    const device = sim.demo.devices[1];
    await loadNode(sim, NODE);
    const marker = { keep: 'me' };
    const msg = { deviceId: device.id, payload: 'replaced', marker };
    const out = await expectSent('n1', msg);

    const [req] = apiRequestsOf(sim);
    assert.equal(apiRequestsOf(sim).length, 1);
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/api/v1/organization/device');
    assert.deepEqual(req.query, { deviceId: String(device.id) });
    assert.equal(req.body, undefined);
    assert.equal(sim.tokens.requests, 1);
    assert.equal(req.headers.authorization, `Bearer ${sim.tokens.issuedAccess[0]}`);
    assert.equal(req.status, 200);

    // The simulator's own answer to the same request, fetched independently.
    const direct = await fetch(`${sim.url}/api/v1/organization/device?deviceId=${device.id}`, {
      headers: { Authorization: `Bearer ${sim.tokens.issuedAccess[0]}` },
    });
    // Blynk's answer includes the device's auth token: the node's msg does not (E3).
    const { token, ...answer } = (await direct.json()) as { token?: string };
    assert.equal(token, device.token);
    assert.deepEqual(out.payload, answer);
    assert.equal(JSON.stringify(out).includes(device.token), false);
    // And against the simulator's state, so that the comparison above is not vacuous.
    const payload = out.payload as { id: number; name: string; dataStreamValues: { dataStreamId: number; value: unknown }[] };
    assert.equal(payload.id, device.id);
    assert.equal(payload.name, 'Garage');
    assert.deepEqual(
      payload.dataStreamValues.map((v) => [v.dataStreamId, v.value]),
      [1, 2, 3, 4, 5, 6].map((id) => [id, sim.state.value(device.id, id)]),
    );
    assert.equal(out.marker, marker);
    assert.equal(out.deviceId, device.id);
  });

  it('shows requesting while the request is in flight, then the connection state', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    await expectSent('n1', { deviceId: 101 });
    // The token states in between (connecting, ok) are not shown while the request is in flight.
    assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED]);
  });

  it('takes msg.deviceId when the saved flow has no deviceId / deviceIdType', async () => {
    const { sim } = h;
    await loadNode(sim, NODE); // NODE has neither property
    await expectSent('n1', { deviceId: '103', topic: '101', payload: 102 });
    assert.deepEqual(apiRequestsOf(sim)[0].query, { deviceId: '103' });
  });

  it('keeps the device auth token on msg.payload only when the node keeps credentials', async () => {
    const { sim } = h;
    const device = sim.demo.devices[1];
    await loadNode(sim, { ...NODE, keepCredentials: true });
    const out = await expectSent('n1', { deviceId: device.id });
    assert.equal((out.payload as { token?: string }).token, device.token);
  });

  it('refuses every bad device id before any request (token included)', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    for (const deviceId of BAD_DEVICE_IDS) {
      await expectRefused(sim, 'n1', { deviceId }, ...refusal(deviceId, 'INVALID_DEVICE_ID', 'invalid-device-id'));
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
  });

  it('reports a device Blynk does not know with done(err): 404 → not-found, red ring, nothing sent', async () => {
    const { sim } = h;
    await loadNode(sim, NODE);
    const caught = await expectFailure('n1', { deviceId: 999, payload: 'p' }, 'NOT_FOUND', 'not-found');
    assert.equal(caught.payload, 'p', 'the Catch node gets the msg that failed');
    assert.equal(apiRequestsOf(sim).length, 1);
    assert.equal(apiRequestsOf(sim)[0].status, 404);
    assert.deepEqual(statusesOf('n1'), [REQUESTING, redRing('not-found')]);
  });
});
