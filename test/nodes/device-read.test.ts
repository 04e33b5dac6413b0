import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { RequestLogEntry } from '../../dist/simulator';
import { encodeQuery } from '../../dist/blynk';
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
  statusText,
  useHarness,
  waitFor,
} from '../support/harness';
import { helper } from '../support/runtime';
import { BAD_PINS, refusal } from '../support/inputs';

const NODE = { id: 'n1', type: 'blynk-cloud-device-read' };
const GET = '/external/api/get';
const WATCHING = { fill: 'green', shape: 'ring', text: statusText('watching') };

describe('blynk-cloud-device-read', function () {
  const h = useHarness();
  const tokenOf = (i: number): string => h.sim.demo.devices[i].token;

  /** The config has no OAuth client; the node has device 101's token, or none with `token` null. */
  async function load(
    node: Record<string, unknown> = {},
    token: string | null = tokenOf(0),
    cfg: Record<string, unknown> = {},
  ): Promise<void> {
    await loadNode(h.sim, { ...NODE, ...node }, { cfg: {}, ...(token === null ? {} : { n1: { token } }) }, cfg);
  }

  /** Sends `msg`, returns the msg that came out and the one request that reached the simulator. */
  async function read(msg: NodeMessage): Promise<{ out: NodeMessage; req: RequestLogEntry }> {
    const before = apiRequestsOf(h.sim).length;
    const out = await expectSent('n1', msg);
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1, `expected one request, got ${reqs.map((r) => r.path).join(', ')}`);
    assert.equal(reqs[0].method, 'GET');
    assert.equal(reqs[0].status, 200);
    assert.equal(reqs[0].headers.authorization, undefined);
    return { out, req: reqs[0] };
  }

  it('reads one pin with GET /external/api/get?token=…&v1 (a bare key) and gives the value as Blynk sends it: text', async () => {
    const { sim } = h;
    await load();
    const { out, req } = await read({ topic: 'V1', payload: 'replaced' });
    assert.equal(req.path, GET);
    assert.deepEqual(req.query, { token: tokenOf(0), v1: '' });
    assert.equal(out.payload, '21.5');
    assert.equal(out.topic, 'V1', 'msg.topic is left as it was');
    // The documented form: `&v1` with no `=`.
    assert.equal(encodeQuery([['token', 't'], ['v1'], ['v2']]), 'token=t&v1&v2');
    // A Location comes back as [lon, lat]; a String stream as its text.
    assert.deepEqual((await read({ topic: 'v3' })).out.payload, [24.0336, 49.8419]);
    assert.equal((await read({ topic: 'V2' })).out.payload, 'ok');
    assert.equal(sim.tokens.requests, 0);
    // Three reads, one after the other, each ending in the connection's state.
    assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED, REQUESTING, CONNECTED, REQUESTING, CONNECTED]);
  });

  it("with Numbers ticked (new nodes), one pin's numeric text is a number; other text stays text", async () => {
    const { sim } = h;
    await load({ numbers: true });
    assert.equal((await read({ topic: 'V1' })).out.payload, 21.5);
    assert.equal((await read({ topic: 'V2' })).out.payload, 'ok');
    assert.deepEqual((await read({ topic: 'v3' })).out.payload, [24.0336, 49.8419]);
    // As Blynk's own example sends it: "100.00000".
    sim.faults.add({ match: { path: GET }, action: { status: 200, body: '100.00000' } });
    assert.equal((await read({ topic: 'V1' })).out.payload, 100);
    sim.faults.add({ match: { path: GET }, action: { status: 200, body: '1e3x' } });
    assert.equal((await read({ topic: 'V1' })).out.payload, '1e3x');
  });

  it('reads several pins in one request, from a list or an array, typed as Blynk stores them', async () => {
    await load();
    const list = await read({ topic: 'V1, v2;V5 V1' });
    assert.deepEqual(list.req.query, { token: tokenOf(0), v1: '', v2: '', v5: '' });
    assert.deepEqual(list.out.payload, { v1: 21.5, v2: 'ok', v5: 40 });
    const array = await read({ topic: ['V0', 'V3'] as unknown as string });
    assert.deepEqual(array.out.payload, { v0: 0, v3: [24.0336, 49.8419] });
  });

  it('reads all values with getAll, and the connection status with isHardwareConnected as a boolean', async () => {
    const { sim } = h;
    await load({ read: 'all', pins: '', pinsType: 'str' });
    const all = await read({ topic: 'ignored' });
    assert.equal(all.req.path, '/external/api/getAll');
    assert.deepEqual(all.req.query, { token: tokenOf(0) });
    assert.deepEqual(all.out.payload, { v0: 0, v1: 21.5, v2: 'ok', v3: [24.0336, 49.8419], v4: 1, v5: 40 });
    await helper.unload();

    await load({ read: 'connected' }, null);
    const online = await read({ deviceToken: tokenOf(0) });
    assert.equal(online.req.path, '/external/api/isHardwareConnected');
    assert.equal(online.out.payload, true);
    const offline = await read({ deviceToken: tokenOf(2) });
    assert.equal(offline.out.payload, false, 'device 103 is offline in the simulator');
    assert.ok(!('deviceToken' in offline.out), 'msg.deviceToken went on');
    assert.equal(sim.state.device(103)?.connected, false);
  });

  it('refuses bad pins and a missing token before any request', async () => {
    const { sim } = h;
    await load();
    for (const topic of [...BAD_PINS.filter((p) => p !== undefined && p !== null), 'V1, V256', [], ['V1', 3], 'V1,,X']) {
      await expectRefused(sim, 'n1', { topic } as NodeMessage, ...refusal(topic, 'INVALID_PIN', 'invalid-pin'));
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
    await helper.unload();
    await load({}, null);
    await expectRefused(sim, 'n1', { topic: 'V1' }, 'NO_DEVICE_TOKEN', 'no-device-token');
  });

  it("reports what the Device API refuses: a pin without a datastream → bad-request with Blynk's message", async () => {
    const { sim } = h;
    await load();
    const caught = await expectFailure('n1', { topic: 'V9' }, 'BAD_REQUEST', 'bad-request');
    assert.match(String((caught.error as unknown as { message: string }).message), /bad-request/);
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => [r.path, r.status]),
      [[GET, 400]],
    );
  });

  describe('watch', function () {
    /** Updates a pin of device 101 as the app (or the device) would, straight on the simulator. */
    async function setPin(pin: string, value: string | number): Promise<void> {
      const res = await fetch(`${h.sim.url}/external/api/update?token=${tokenOf(0)}&${pin}=${value}`);
      assert.equal(res.status, 200);
    }

    const polls = (): RequestLogEntry[] => apiRequestsOf(h.sim).filter((r) => r.path === GET);

    it('polls, keeps the first answer as the baseline, and sends a NEW msg only when the value changes', async () => {
      await load({ pins: 'V0', pinsType: 'str', watch: true, interval: 0.1 });
      const sink = helper.getNode('sink');
      const received: NodeMessage[] = [];
      sink.on('input', (m: NodeMessage) => received.push(m));
      await waitFor(() => polls().length >= 3, 'three polls');
      assert.equal(received.length, 0, 'the baseline was sent');
      assert.deepEqual(lastStatus('n1'), WATCHING);
      await setPin('v0', 1);
      await waitFor(() => received.length === 1, 'the change');
      const pollsAtChange = polls().length;
      await waitFor(() => polls().length >= pollsAtChange + 3, 'three more polls');
      assert.equal(received.length, 1, 'an unchanged value was sent again');
      const msg = received[0] as NodeMessage & { previous: unknown };
      assert.equal(msg.topic, 'v0');
      assert.equal(msg.payload, '1');
      assert.equal(msg.previous, '0');
      assert.ok(typeof msg._msgid === 'string' && msg._msgid.length > 0);
      await setPin('v0', 0);
      await waitFor(() => received.length === 2, 'the change back');
      assert.deepEqual([received[1].payload, (received[1] as { previous?: unknown }).previous], ['0', '1']);
      for (const poll of polls()) assert.deepEqual(poll.query, { token: tokenOf(0), v0: '' });
    });

    it('watches several pins and all values, naming the changed keys', async () => {
      await load({ read: 'all', watch: true, interval: 0.1 });
      const received: NodeMessage[] = [];
      helper.getNode('sink').on('input', (m: NodeMessage) => received.push(m));
      await waitFor(() => apiRequestsOf(h.sim).filter((r) => r.path === '/external/api/getAll').length >= 2, 'two polls');
      await setPin('v5', 77);
      await waitFor(() => received.length === 1, 'the change');
      const msg = received[0] as NodeMessage & { changed: string[]; previous: Record<string, unknown> };
      assert.equal(msg.topic, 'all');
      assert.deepEqual(msg.changed, ['v5']);
      assert.equal((msg.payload as Record<string, unknown>).v5, 77);
      assert.equal(msg.previous.v5, 40);
    });

    it('never polls faster than the per-device limit of the connection allows (and never below 0.1 s)', async () => {
      // Device API limit 4/s → at most one poll per 250 ms, although the node asks for 0.05 s.
      await load({ pins: 'V1', pinsType: 'str', watch: true, interval: 0.05 }, tokenOf(0), { deviceRate: 4 });
      await waitFor(() => polls().length >= 5, 'five polls');
      const at = polls().map((r) => r.at);
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 230, `polls ${at[i] - at[i - 1]} ms apart`);
      await helper.unload();
      h.sim.reset();

      // The documented 50/s allows 20 ms: the 0.1 s minimum applies.
      await load({ pins: 'V1', pinsType: 'str', watch: true, interval: 0.01 });
      await waitFor(() => polls().length >= 5, 'five polls');
      const at2 = polls().map((r) => r.at);
      for (let i = 1; i < at2.length; i++) assert.ok(at2[i] - at2[i - 1] >= 90, `polls ${at2[i] - at2[i - 1]} ms apart`);
    });

    it('stops polling on close and does not multiply across redeploys', async () => {
      for (let i = 0; i < 3; i++) {
        await load({ pins: 'V1', pinsType: 'str', watch: true, interval: 0.1 });
        await waitFor(() => polls().length >= 1, 'a poll');
        await helper.unload();
      }
      await load({ pins: 'V1', pinsType: 'str', watch: true, interval: 0.1 });
      await waitFor(() => polls().length >= 4, 'a poll');
      const start = polls().length;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const inOneSecond = polls().length - start;
      assert.ok(inOneSecond >= 5 && inOneSecond <= 11, `${inOneSecond} polls in 1 s: one watcher polls about 10 times`);
      await helper.unload();
      const afterClose = polls().length;
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(polls().length, afterClose, 'a poll came after close');
    });

    it('reports a failing poll once to Catch nodes, shows it, and recovers', async () => {
      await load({ pins: 'V1', pinsType: 'str', watch: true, interval: 0.1 });
      const caught: NodeMessage[] = [];
      helper.getNode('caught').on('input', (m: NodeMessage) => caught.push(m));
      await waitFor(() => polls().length >= 1, 'a poll');
      h.sim.faults.add({ match: { path: GET }, times: 4, action: { status: 400, body: { error: { message: 'Invalid token.' } } } });
      await waitFor(() => polls().filter((r) => r.status === 400).length >= 4, 'four failed polls');
      assert.deepEqual(lastStatus('n1'), redRing('auth-failed'));
      await waitFor(() => lastStatus('n1')?.text === WATCHING.text, 'recovery');
      assert.equal(caught.length, 1, `failures reported ${caught.length} times`);
      const error = (caught[0] as NodeMessage & { error: { code: string; message: string; source: { id: string } } }).error;
      assert.equal(error.code, 'DEVICE_TOKEN_REJECTED');
      assert.equal(error.source.id, 'n1');
      assert.ok(!JSON.stringify(caught).includes(tokenOf(0)), 'the token was shown');
    });

    it('refuses pins that need a message: reported once as invalid input, no request', async () => {
      await load({ watch: true, interval: 0.1 }); // pins from msg.topic
      const caught: NodeMessage[] = [];
      helper.getNode('caught').on('input', (m: NodeMessage) => caught.push(m));
      await waitFor(() => caught.length === 1, 'the report');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(caught.length, 1);
      assert.equal((caught[0] as NodeMessage & { error: { code: string } }).error.code, 'INVALID_PIN');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
      assert.deepEqual(apiRequestsOf(h.sim), []);
    });

    it('still answers input messages while watching, then shows watching again', async () => {
      await load({ pins: 'V1', pinsType: 'str', watch: true, interval: 0.2 });
      await waitFor(() => polls().length >= 1, 'a poll');
      const out = await expectSent('n1', { topic: 'ignored: the node pins are fixed' });
      assert.equal(out.payload, '21.5');
      assert.deepEqual(lastStatus('n1'), WATCHING);
    });
  });
});
