import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { BlynkClient } from '../../dist/blynk';
import { apiRequestsOf, demoCredentials, errorKey, loadNode, statusesOf, statusText, useHarness, waitFor } from '../support/harness';
import { flowWith, helper, ALL_NODES } from '../support/runtime';

interface ConfigNode {
  clientFor(api: 'platform' | 'device'): BlynkClient;
  devicePollFloorMs(): number;
}

const DEVICE_TOKEN = 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ';

/** Sends `n` messages into node `id` at once; resolves with what reached the sink and the Catch node. */
async function burst(
  id: string,
  n: number,
  msg: (i: number) => NodeMessage,
  timeoutMs = 15_000,
): Promise<{ sent: NodeMessage[]; caught: NodeMessage[] }> {
  const sent: NodeMessage[] = [];
  const caught: NodeMessage[] = [];
  helper.getNode('sink').on('input', (m: NodeMessage) => sent.push(m));
  helper.getNode('caught').on('input', (m: NodeMessage) => caught.push(m));
  for (let i = 0; i < n; i++) helper.getNode(id).receive(msg(i));
  await waitFor(() => sent.length + caught.length === n, `${n} outcomes`, timeoutMs);
  return { sent, caught };
}

const codeOf = (m: NodeMessage): string => (m as NodeMessage & { error: { code: string } }).error.code;

describe('rate limits of the connection', function () {
  const h = useHarness();

  it("auto (also a flow saved without the settings): no pacing for the simulator, Blynk's limits for *.blynk.cloud", async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' }); // flowWith sets no rateLimit
    const local = helper.getNode('cfg') as unknown as ConfigNode;
    assert.equal(local.clientFor('device').gate, undefined);
    assert.equal(local.devicePollFloorMs(), 20, "Blynk's 50 requests per second per device");
    await helper.unload();

    await helper.load(ALL_NODES, flowWith('https://fra1.blynk.cloud', { id: 'n1', type: 'blynk-cloud-get-device' }), { cfg: {} });
    const region = helper.getNode('cfg') as unknown as ConfigNode;
    assert.deepEqual(region.clientFor('device').gate?.limits, { platformPerMinute: 10_000, devicePerSecond: 50, maxQueue: 1000 });
    await helper.unload();

    await helper.load(ALL_NODES, flowWith('https://blynk.cloud', { id: 'n1', type: 'blynk-cloud-get-device' }, { rateLimit: 'off' }), {
      cfg: {},
    });
    assert.equal((helper.getNode('cfg') as unknown as ConfigNode).clientFor('device').gate, undefined);
    await helper.unload();

    await helper.load(
      ALL_NODES,
      flowWith(
        sim.url,
        { id: 'n1', type: 'blynk-cloud-get-device' },
        { rateLimit: 'on', platformRate: '600', deviceRate: '5', queueLimit: '7' },
      ),
      { cfg: {} },
    );
    const on = helper.getNode('cfg') as unknown as ConfigNode;
    assert.deepEqual(on.clientFor('device').gate?.limits, { platformPerMinute: 600, devicePerSecond: 5, maxQueue: 7 });
    assert.equal(on.devicePollFloorMs(), 200);
  });

  it('a burst of 12 device updates to a server allowing 5/s: paced at 4/s, all 12 delivered, not one 429', async function () {
    this.timeout(20_000);
    const { sim } = h;
    sim.setLimits({ deviceRequestsPerSecond: 5 });
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-device-update' }, { cfg: {} }, { rateLimit: 'on', deviceRate: 4 });
    const started = Date.now();
    const { sent, caught } = await burst('n1', 12, (i) => ({ topic: 'V5', payload: i, deviceToken: DEVICE_TOKEN }));
    assert.equal(caught.length, 0, JSON.stringify(caught.map(codeOf)));
    assert.deepEqual(
      sent.map((m) => m.payload),
      [...Array(12).keys()],
      'not delivered in order',
    );
    const reqs = apiRequestsOf(sim);
    assert.deepEqual(
      reqs.map((r) => r.status),
      Array(12).fill(200),
    );
    for (let i = 1; i < reqs.length; i++)
      assert.ok(reqs[i].at - reqs[i - 1].at >= 200, `requests ${i - 1}, ${i} ${reqs[i].at - reqs[i - 1].at} ms apart`);
    assert.ok(Date.now() - started >= 11 * 250 - 50, 'faster than the limit');
    assert.equal(sim.state.value(101, 'v5'), 11);
  });

  it('…while the same burst without pacing collects 429s from that server', async function () {
    this.timeout(20_000);
    const { sim } = h;
    sim.setLimits({ deviceRequestsPerSecond: 5 });
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-device-update' }, { cfg: {} }, { rateLimit: 'off' });
    await burst('n1', 12, (i) => ({ topic: 'V5', payload: i, deviceToken: DEVICE_TOKEN }));
    assert.ok(apiRequestsOf(sim).filter((r) => r.status === 429).length >= 7, 'the server never refused');
  });

  it('paces Platform calls of all nodes of the connection together, per organisation', async () => {
    const { sim } = h;
    const flow = flowWith(sim.url, { id: 'n1', type: 'blynk-cloud-get-device' }, { rateLimit: 'on', platformRate: 600 });
    flow.push({ id: 'n2', z: 'tab', type: 'blynk-cloud-write-datastream', connection: 'cfg', wires: [['sink']] });
    await helper.load(ALL_NODES, flow, { cfg: demoCredentials(sim) });
    const sent: NodeMessage[] = [];
    helper.getNode('sink').on('input', (m: NodeMessage) => sent.push(m));
    for (let i = 0; i < 3; i++) {
      helper.getNode('n1').receive({ deviceId: 101 });
      helper.getNode('n2').receive({ deviceId: 101, dataStreamId: 6, payload: i });
    }
    await waitFor(() => sent.length === 6, 'six messages');
    const reqs = apiRequestsOf(sim);
    assert.equal(reqs.length, 6);
    // Released every 100 ms; a request's way to the server varies by a few ms on a loaded machine, so
    // the six are checked as a whole (500 ms from the first to the last, less that jitter)...
    const span = reqs[5].at - reqs[0].at;
    assert.ok(span >= 440, `six requests within ${span} ms at 600/min`);
    // ...and no two together: each gap is most of the 100 ms.
    for (let i = 1; i < reqs.length; i++)
      assert.ok(reqs[i].at - reqs[i - 1].at >= 60, `${reqs[i].at - reqs[i - 1].at} ms apart at 600/min`);
  });

  it('refuses calls beyond the queue at once with QUEUE_FULL and shows it; redeploy ends the queued ones', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-device-update' }, { cfg: {} }, { rateLimit: 'on', deviceRate: 0.5, queueLimit: 2 });
    const caught: NodeMessage[] = [];
    const sent: NodeMessage[] = [];
    helper.getNode('caught').on('input', (m: NodeMessage) => caught.push(m));
    helper.getNode('sink').on('input', (m: NodeMessage) => sent.push(m));
    for (let i = 0; i < 5; i++) helper.getNode('n1').receive({ topic: 'V5', payload: i, deviceToken: DEVICE_TOKEN });
    await waitFor(() => sent.length === 1 && caught.length === 2, 'one sent and two refused');
    assert.deepEqual(caught.map(codeOf), ['QUEUE_FULL', 'QUEUE_FULL']);
    assert.deepEqual(
      caught.map((m) => m.payload),
      [3, 4],
    );
    assert.equal((caught[0] as NodeMessage & { error: { message: string } }).error.message, errorKey('queue-full'));
    assert.equal(apiRequestsOf(sim).length, 1);
    const statuses = statusesOf('n1').map((s) => s.text);
    assert.ok(statuses.includes(statusText('queue-full')), JSON.stringify(statuses));
    await helper.unload();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(apiRequestsOf(sim).length, 1, 'a queued call was sent after close');
  });
});
