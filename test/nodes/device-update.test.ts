import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { RequestLogEntry } from '../../dist/simulator';
import {
  apiRequestsOf,
  CONNECTED,
  demoCredentials,
  errorKey,
  expectFailure,
  expectRefused,
  expectSent,
  lastStatus,
  loadNode,
  redRing,
  REQUESTING,
  statusesOf,
  tokenRequestsOf,
  useHarness,
} from '../support/harness';
import { exchange, helper } from '../support/runtime';
import { BAD_PINS, BAD_VALUES, refusal } from '../support/inputs';

const NODE = { id: 'n1', type: 'blynk-cloud-device-update' };
const UPDATE = '/external/api/update';
const BATCH = '/external/api/batch/update';

describe('blynk-cloud-device-update', function () {
  const h = useHarness();

  const tokenOf = (i: number): string => h.sim.demo.devices[i].token;

  /** The config has no OAuth client; the node has device 101's token as its credential. */
  async function loadWithToken(node: Record<string, unknown> = {}, cfgCredentials: Record<string, string> = {}): Promise<void> {
    await loadNode(h.sim, { ...NODE, ...node }, { cfg: cfgCredentials, n1: { token: tokenOf(0) } });
  }

  /** Sends `msg` and returns the one request that reached the simulator. */
  async function update(msg: NodeMessage): Promise<RequestLogEntry> {
    const before = apiRequestsOf(h.sim).length;
    const payloadBefore = structuredClone(msg.payload);
    const out = await expectSent('n1', msg);
    assert.deepEqual(out.payload, payloadBefore, 'msg.payload was changed');
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1, `expected exactly one request, got ${reqs.map((r) => r.path).join(', ')}`);
    assert.equal(reqs[0].method, 'GET');
    assert.equal(reqs[0].status, 200);
    assert.equal(reqs[0].body, undefined);
    assert.equal(reqs[0].headers.authorization, undefined, 'the Device API takes no Authorization header');
    return reqs[0];
  }

  it('GETs /external/api/update?token=…&v1=… with the token credential, without any OAuth client', async () => {
    const { sim } = h;
    await loadWithToken();
    const req = await update({ topic: 'V1', payload: 25.5 });
    assert.equal(req.path, UPDATE);
    assert.deepEqual(req.query, { token: tokenOf(0), v1: '25.5' });
    assert.equal(sim.state.value(101, 'v1'), 25.5);
    assert.equal(sim.state.value(102, 'v1'), 21.5, 'only the token owner changes');
    assert.equal(sim.tokens.requests, 0);
    assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED]);
  });

  it('never asks for an OAuth token, even when the config has an OAuth client', async () => {
    const { sim } = h;
    await loadWithToken({}, demoCredentials(sim));
    await update({ topic: 'v2', payload: 'fine' });
    await update({ topic: 'V1', payload: { V2: 'batch' } });
    assert.equal(sim.tokens.requests, 0);
    assert.deepEqual(tokenRequestsOf(sim), []);
    assert.equal(sim.state.value(101, 'v2'), 'batch');
  });

  it('takes msg.topic as the pin when the saved flow has no pin / pinType, and sends a boolean as 1/0', async () => {
    const { sim } = h;
    await loadWithToken();
    const on = await update({ topic: 'V0', payload: true });
    assert.deepEqual(on.query, { token: tokenOf(0), v0: '1' });
    assert.equal(sim.state.value(101, 'v0'), 1);
    const off = await update({ topic: 'v0', payload: false });
    assert.deepEqual(off.query, { token: tokenOf(0), v0: '0' });
    assert.equal(sim.state.value(101, 'v0'), 0);
    const last = await update({ topic: ' V5 ', payload: '77' });
    assert.deepEqual(last.query, { token: tokenOf(0), v5: '77' });
  });

  it('sends an object {"V1": 20, "V2": "on"} as ONE GET /external/api/batch/update', async () => {
    const { sim } = h;
    await loadWithToken();
    const req = await update({ topic: 'V4', payload: { V1: 20, v2: 'on', V0: true } });
    assert.equal(req.path, BATCH);
    assert.deepEqual(req.query, { token: tokenOf(0), v1: '20', v2: 'on', v0: '1' });
    assert.equal(sim.state.value(101, 'v1'), 20);
    assert.equal(sim.state.value(101, 'v2'), 'on');
    assert.equal(sim.state.value(101, 'v0'), 1);
    assert.equal(sim.state.value(101, 'v4'), 1, 'the node pin is not used for a batch');
  });

  it('URL-encodes values: #, spaces, &, = and é arrive intact, single and batch', async () => {
    const { sim } = h;
    await loadWithToken();
    for (const text of ['#D3435C', 'two words', 'a&v1=5', 'x=y+z', 'café é', '100%']) {
      const req = await update({ topic: 'V2', payload: text });
      assert.deepEqual(req.query, { token: tokenOf(0), v2: text });
      assert.equal(sim.state.value(101, 'v2'), text);
    }
    const req = await update({ payload: { V2: '#FF0000 & é', V1: 7 } });
    assert.deepEqual(req.query, { token: tokenOf(0), v2: '#FF0000 & é', v1: '7' });
    assert.equal(sim.state.value(101, 'v2'), '#FF0000 & é');
    assert.equal(sim.state.value(101, 'v1'), 7);
  });

  it('sends [lon, lat] as pin=v3&value=lon&value=lat (and in a batch as a repeated key)', async () => {
    const { sim } = h;
    await loadWithToken();
    const req = await update({ topic: 'V3', payload: [30.5234, 50.4501] });
    assert.equal(req.path, UPDATE);
    assert.deepEqual(req.query, { token: tokenOf(0), pin: 'v3', value: ['30.5234', '50.4501'] });
    assert.deepEqual(sim.state.value(101, 'v3'), [30.5234, 50.4501]);
    const batch = await update({ payload: { V3: [-0.1276, 51.5072] } });
    assert.equal(batch.path, BATCH);
    assert.deepEqual(batch.query, { token: tokenOf(0), v3: ['-0.1276', '51.5072'] });
    assert.deepEqual(sim.state.value(101, 'v3'), [-0.1276, 51.5072]);
  });

  it('uses msg.deviceToken when the node has no token, and does not pass it on', async () => {
    const { sim } = h;
    await loadNode(sim, NODE, { cfg: {} });
    const msg: NodeMessage = { topic: 'V5', payload: 61, deviceToken: tokenOf(1) };
    const req = await update(msg);
    assert.deepEqual(req.query, { token: tokenOf(1), v5: '61' });
    assert.equal(sim.state.value(102, 'v5'), 61);
    assert.ok(!('deviceToken' in msg), 'msg.deviceToken went on down the flow');
  });

  it('prefers the node credential to msg.deviceToken', async () => {
    const { sim } = h;
    await loadWithToken();
    const req = await update({ topic: 'V5', payload: 12, deviceToken: tokenOf(2) });
    assert.deepEqual(req.query, { token: tokenOf(0), v5: '12' });
    assert.equal(sim.state.value(101, 'v5'), 12);
    assert.equal(sim.state.value(103, 'v5'), 40);
  });

  it('refuses bad pins, values and batches before any request', async () => {
    const { sim } = h;
    await loadWithToken();
    for (const topic of BAD_PINS) {
      await expectRefused(sim, 'n1', { topic, payload: 1 } as NodeMessage, ...refusal(topic, 'INVALID_PIN', 'invalid-pin'));
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
    for (const payload of BAD_VALUES) {
      await expectRefused(sim, 'n1', { topic: 'V1', payload }, 'INVALID_VALUE', 'invalid-value');
    }
    // An object is a batch: `{}` has nothing to send, and a nested object is not a value.
    await expectRefused(sim, 'n1', { topic: 'V1', payload: {} }, 'EMPTY_BATCH', 'empty-batch');
    await expectRefused(sim, 'n1', { payload: { V1: { nested: 1 } } }, 'INVALID_VALUE', 'invalid-value');
    await expectRefused(sim, 'n1', { payload: { V1: 1, V256: 2 } }, 'INVALID_PIN', 'invalid-pin');
    await expectRefused(sim, 'n1', { payload: { V1: 1, X1: 2 } }, 'INVALID_PIN', 'invalid-pin');
    await expectRefused(sim, 'n1', { payload: { V1: 1, V2: null } }, 'INVALID_VALUE', 'invalid-value');
    assert.equal(sim.state.value(101, 'v1'), 21.5);
  });

  it('refuses a missing device token before any request', async () => {
    const { sim } = h;
    await loadNode(sim, NODE, { cfg: {} });
    for (const deviceToken of [undefined, '', '   ', null, 42]) {
      const caught = await expectRefused(sim, 'n1', { topic: 'V1', payload: 1, deviceToken }, 'NO_DEVICE_TOKEN', 'no-device-token');
      assert.equal(caught.error.source.id, 'n1');
      assert.deepEqual(lastStatus('n1'), redRing('not-configured'));
    }
  });

  it('reports what the Device API refuses with done(err): a pin with no datastream → bad-request', async () => {
    const { sim } = h;
    await loadWithToken();
    await expectFailure('n1', { topic: 'V9', payload: 1 }, 'BAD_REQUEST', 'bad-request');
    assert.deepEqual(lastStatus('n1'), redRing('error'));
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => [r.path, r.status]),
      [[UPDATE, 400]],
    );
  });

  it('never shows the token: not in the msg sent, the Catch msg, the error, statuses or the log', async () => {
    const { sim } = h;
    const secret = tokenOf(0);
    const fromMsg = tokenOf(1);
    await loadWithToken();
    const sent = await exchange('n1', { topic: 'V1', payload: 3 });
    const refusedByServer = await exchange('n1', { topic: 'V9', payload: 1 });
    const refusedHere = await exchange('n1', { topic: 'V999', payload: 1 });
    // unload() restores the helper's spies: keep what they saw first.
    const seen: unknown[] = [statusesOf('n1'), helper.log().args];
    await helper.unload();

    await loadNode(sim, NODE, { cfg: {} });
    const sentFromMsg = await exchange('n1', { topic: 'V1', payload: 4, deviceToken: fromMsg });
    const failedFromMsg = await exchange('n1', { topic: 'V9', payload: 4, deviceToken: fromMsg });
    const wrongToken = await exchange('n1', { topic: 'V1', payload: 4, deviceToken: 'not-a-known-token-0123456789abcd' });

    assert.ok(sent.sent && sentFromMsg.sent, 'the successful updates were not sent');
    assert.ok(refusedByServer.caught && refusedHere.caught && failedFromMsg.caught && wrongToken.caught);
    assert.equal(failedFromMsg.caught.error.code, 'BAD_REQUEST');
    // Blynk's "Invalid token." names the token as the thing to check, not the ids or data types.
    assert.equal(wrongToken.caught.error.code, 'DEVICE_TOKEN_REJECTED');
    assert.equal(wrongToken.caught.error.message, errorKey('device-token-rejected'));
    const shown = JSON.stringify({
      outcomes: [sent, refusedByServer, refusedHere, sentFromMsg, failedFromMsg, wrongToken],
      seen: [...seen, statusesOf('n1'), helper.log().args],
    });
    assert.ok(!shown.includes(secret), 'the node credential token was shown');
    assert.ok(!shown.includes(fromMsg), 'the msg.deviceToken was shown');
    assert.ok(!shown.includes('not-a-known-token'), 'a rejected msg.deviceToken was shown');
    // …while the requests did carry them, so the check above is not vacuous.
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => r.query.token),
      [secret, secret, fromMsg, fromMsg, 'not-a-known-token-0123456789abcd'],
    );
  });
});
