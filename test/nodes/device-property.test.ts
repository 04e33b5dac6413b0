import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import { RequestLogEntry } from '../../dist/simulator';
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
import { helper } from '../support/runtime';
import { BAD_PINS, refusal } from '../support/inputs';

const NODE = { id: 'n1', type: 'blynk-cloud-device-property' };
const PROPERTY = '/external/api/update/property';

describe('blynk-cloud-device-property', function () {
  const h = useHarness();
  const tokenOf = (i: number): string => h.sim.demo.devices[i].token;

  async function load(node: Record<string, unknown> = {}, token: string | null = tokenOf(0)): Promise<void> {
    await loadNode(h.sim, { ...NODE, ...node }, { cfg: {}, ...(token === null ? {} : { n1: { token } }) });
  }

  async function setProperty(msg: NodeMessage): Promise<RequestLogEntry> {
    const before = apiRequestsOf(h.sim).length;
    const payload = structuredClone(msg.payload);
    const out = await expectSent('n1', msg);
    assert.deepEqual(out.payload, payload, 'msg.payload was changed');
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1);
    assert.deepEqual([reqs[0].method, reqs[0].path, reqs[0].status], ['GET', PROPERTY, 200]);
    return reqs[0];
  }

  it('GETs /external/api/update/property?token=…&pin=v1&label=…, with the label property by default', async () => {
    const { sim } = h;
    await load();
    const req = await setProperty({ topic: 'V1', payload: 'Greenhouse temperature' });
    assert.deepEqual(req.query, { token: tokenOf(0), pin: 'v1', label: 'Greenhouse temperature' });
    assert.deepEqual(sim.state.properties(101, 'V1'), { label: 'Greenhouse temperature' });
    assert.deepEqual(sim.state.properties(102, 'V1'), {});
    assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED]);
  });

  it('URL-encodes colors, sends booleans as true/false and numbers as text, and repeats the key of a multi-value property', async () => {
    const { sim } = h;
    await load({ property: 'property', propertyType: 'msg' });
    assert.deepEqual((await setProperty({ topic: 'V1', property: 'color', payload: '#D3435C' })).query, {
      token: tokenOf(0),
      pin: 'v1',
      color: '#D3435C',
    });
    assert.deepEqual((await setProperty({ topic: 'V0', property: 'isDisabled', payload: true })).query, {
      token: tokenOf(0),
      pin: 'v0',
      isDisabled: 'true',
    });
    assert.deepEqual((await setProperty({ topic: 'V5', property: 'max', payload: 80 })).query, { token: tokenOf(0), pin: 'v5', max: '80' });
    const labels = await setProperty({ topic: 'v4', property: 'labels', payload: ['Off', 'Eco & quiet', 'On'] });
    assert.deepEqual(labels.query, { token: tokenOf(0), pin: 'v4', labels: ['Off', 'Eco & quiet', 'On'] });
    assert.deepEqual(sim.state.properties(101, 'v1'), { color: '#D3435C' });
    assert.deepEqual(sim.state.properties(101, 'v0'), { isDisabled: 'true' });
    assert.deepEqual(sim.state.properties(101, 'v4'), { labels: ['Off', 'Eco & quiet', 'On'] });
  });

  it('takes pin, property and value from fixed fields and msg.deviceToken when the node has no token', async () => {
    const { sim } = h;
    await load({ pin: 'V2', pinType: 'str', property: 'onLabel', propertyType: 'str', value: 'Open', valueType: 'str' }, null);
    const msg: NodeMessage = { payload: 'not used', deviceToken: tokenOf(1) };
    const req = await setProperty(msg);
    assert.deepEqual(req.query, { token: tokenOf(1), pin: 'v2', onLabel: 'Open' });
    assert.ok(!('deviceToken' in msg));
    assert.deepEqual(sim.state.properties(102, 'v2'), { onLabel: 'Open' });
  });

  it('refuses bad pins, property names and values before any request', async () => {
    const { sim } = h;
    await load({ property: 'property', propertyType: 'msg' });
    for (const topic of BAD_PINS) {
      await expectRefused(
        sim,
        'n1',
        { topic, property: 'label', payload: 'x' } as NodeMessage,
        ...refusal(topic, 'INVALID_PIN', 'invalid-pin'),
      );
    }
    for (const property of ['', 'token', 'pin', '1abc', 'a-b', 'label=x', 'x'.repeat(65), undefined, 5]) {
      await expectRefused(sim, 'n1', { topic: 'V1', property, payload: 'x' } as NodeMessage, 'INVALID_PROPERTY', 'invalid-property');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
    }
    for (const payload of [null, undefined, {}, [], [{}], NaN, ['a', null]]) {
      await expectRefused(sim, 'n1', { topic: 'V1', property: 'label', payload }, 'INVALID_VALUE', 'invalid-value');
    }
    await helper.unload();
    await load({}, null);
    await expectRefused(sim, 'n1', { topic: 'V1', payload: 'x' }, 'NO_DEVICE_TOKEN', 'no-device-token');
  });

  it("reports a pin without a datastream with Blynk's reason", async () => {
    const { sim } = h;
    await load();
    await expectFailure('n1', { topic: 'V9', payload: 'x' }, 'BAD_REQUEST', 'bad-request');
    assert.deepEqual(
      apiRequestsOf(sim).map((r) => [r.path, r.status]),
      [[PROPERTY, 400]],
    );
  });
});
