// Statuses that tell the truth: a (re)started node shows the connection as it is now, every node on
// one connection agrees about it, device nodes show success too, and a node's own failure (bad
// input, not found) stays until that node does better.
import assert from 'node:assert/strict';
import { allStatusesOf, CONNECTED, demoCredentials, lastStatus, redRing, useHarness } from '../support/harness';
import { ALL_NODES, exchange, FlowNode, helper } from '../support/runtime';

describe('flow nodes: statuses tell the truth', function () {
  const h = useHarness();

  const tab: FlowNode = { id: 'tab', type: 'tab', label: 'test' };
  const cfg = (): FlowNode => ({ id: 'cfg', type: 'blynk-cloud-config', server: h.sim.url, grantType: 'client_credentials' });
  const node = (id: string, type = 'blynk-cloud-get-device', extra: Record<string, unknown> = {}): FlowNode => ({
    id,
    z: 'tab',
    type,
    connection: 'cfg',
    wires: [['sink']],
    ...extra,
  });
  const observers: FlowNode[] = [
    { id: 'sink', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];

  it('after the cause is fixed and deployed, a node starts from the connection as it is, not from its old red status', async () => {
    const { sim } = h;
    const flow = [tab, cfg(), node('n1'), ...observers];
    await helper.load(ALL_NODES, flow, { cfg: { clientId: sim.demo.clientId, clientSecret: 'wrong-secret-1' } });
    await exchange('n1', { deviceId: 101 });
    assert.deepEqual(lastStatus('n1'), redRing('auth-failed'));
    // Deploy with the secret fixed: the restarted node clears the red ring before any message.
    await helper.setFlows(flow, 'full', { cfg: demoCredentials(sim) });
    assert.deepEqual(allStatusesOf('n1'), [{}]);
    const out = await exchange('n1', { deviceId: 101 });
    assert.ok(out.sent, JSON.stringify(out.caught?.error));
    assert.deepEqual(lastStatus('n1'), CONNECTED);
  });

  it('a node that starts on a connection already known to work shows it at once', async () => {
    const { sim } = h;
    const flow = [tab, cfg(), node('n1'), ...observers];
    await helper.load(ALL_NODES, flow, { cfg: demoCredentials(sim) });
    await exchange('n1', { deviceId: 101 });
    // Only the flow node changes: the connection keeps its state, and the new node shows it.
    await helper.setFlows([tab, cfg(), node('n1', 'blynk-cloud-get-device', { name: 'renamed' }), ...observers], 'nodes', {
      cfg: demoCredentials(sim),
    });
    assert.deepEqual(allStatusesOf('n1'), [CONNECTED]);
  });

  it('all nodes on one connection agree: an outage turns every one red, a success anywhere turns every one green', async () => {
    const { sim } = h;
    await helper.load(ALL_NODES, [tab, cfg(), node('n1'), node('n2'), node('n3', 'blynk-cloud-write-datastream'), ...observers], {
      cfg: demoCredentials(sim),
    });
    await exchange('n1', { deviceId: 101 });
    const unreachable = redRing('unreachable');
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 3, action: { drop: 'before' } });
    const failed = await exchange('n1', { deviceId: 101 });
    assert.equal(failed.caught?.error.code, 'NETWORK');
    assert.deepEqual(['n1', 'n2', 'n3'].map(lastStatus), [unreachable, unreachable, unreachable]);
    const ok = await exchange('n2', { deviceId: 102 });
    assert.ok(ok.sent);
    assert.deepEqual(['n1', 'n2', 'n3'].map(lastStatus), [CONNECTED, CONNECTED, CONNECTED]);
  });

  it("a node's own failure stays until it does better; another node's success does not hide it", async () => {
    const { sim } = h;
    await helper.load(ALL_NODES, [tab, cfg(), node('n1'), node('n2'), ...observers], { cfg: demoCredentials(sim) });
    await exchange('n1', { deviceId: 999 });
    assert.deepEqual(lastStatus('n1'), redRing('not-found'));
    await exchange('n2', { deviceId: 101 });
    assert.deepEqual(lastStatus('n2'), CONNECTED);
    assert.deepEqual(lastStatus('n1'), redRing('not-found'));
    await exchange('n1', { deviceId: 101 });
    assert.deepEqual(lastStatus('n1'), CONNECTED);
  });

  it('device nodes show success too, and a wrong device token as auth failed', async () => {
    const { sim } = h;
    const update = node('n1', 'blynk-cloud-device-update', { pin: 'V1', pinType: 'str' });
    await helper.load(ALL_NODES, [tab, cfg(), update, ...observers], { cfg: {}, n1: { token: sim.demo.devices[0].token } });
    assert.deepEqual(allStatusesOf('n1'), [{}]);
    await exchange('n1', { payload: 1 });
    assert.deepEqual(lastStatus('n1'), CONNECTED);
    await helper.unload();
    await helper.load(ALL_NODES, [tab, cfg(), update, ...observers], { cfg: {}, n1: { token: 'not-a-known-token-0123456789abcd' } });
    const refused = await exchange('n1', { payload: 1 });
    assert.equal(refused.caught?.error.code, 'DEVICE_TOKEN_REJECTED');
    assert.deepEqual(lastStatus('n1'), redRing('auth-failed'));
  });
});
