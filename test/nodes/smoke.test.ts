import assert from 'node:assert/strict';
import { Simulator } from '../../dist/simulator';
import { ALL_NODES, exchange, flowWith, helper, withSimulator } from '../support/runtime';

describe('smoke', function () {
  let sim: Simulator;
  before(async () => {
    sim = await withSimulator();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    sim.reset();
  });

  it('gets a device', async () => {
    const device = sim.demo.devices[0];
    await helper.load(ALL_NODES, flowWith(sim.url, { id: 'n1', type: 'blynk-cloud-get-device' }), {
      cfg: { clientId: sim.demo.clientId, clientSecret: sim.demo.clientSecret },
    });
    const out = await exchange('n1', { deviceId: device.id });
    assert.equal(out.caught, undefined, JSON.stringify(out.caught?.error));
    assert.equal((out.sent?.payload as { name: string }).name, device.name);
    assert.equal(sim.tokens.requests, 1);
  });
});
