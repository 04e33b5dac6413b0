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
import { BAD_EVENT_CODES, refusal } from '../support/inputs';

const NODE = { id: 'n1', type: 'blynk-cloud-device-event', eventCode: 'door_open', eventCodeType: 'str' };
const LOG = '/external/api/logEvent';

describe('blynk-cloud-device-event', function () {
  const h = useHarness();
  const tokenOf = (i: number): string => h.sim.demo.devices[i].token;

  async function load(node: Record<string, unknown> = {}, token: string | null = tokenOf(0)): Promise<void> {
    await loadNode(h.sim, { ...NODE, ...node }, { cfg: {}, ...(token === null ? {} : { n1: { token } }) });
  }

  async function logEvent(msg: NodeMessage): Promise<RequestLogEntry> {
    const before = apiRequestsOf(h.sim).length;
    const payload = msg.payload;
    const out = await expectSent('n1', msg);
    assert.equal(out.payload, payload, 'msg.payload was changed');
    const reqs = apiRequestsOf(h.sim).slice(before);
    assert.equal(reqs.length, 1);
    assert.deepEqual([reqs[0].method, reqs[0].path, reqs[0].status], ['GET', LOG, 200]);
    return reqs[0];
  }

  it("GETs /external/api/logEvent?token=…&code=…&description=… and Blynk logs the event for the token's device", async () => {
    const { sim } = h;
    await load();
    const req = await logEvent({ payload: 'Back door opened & left open #2' });
    assert.deepEqual(req.query, { token: tokenOf(0), code: 'door_open', description: 'Back door opened & left open #2' });
    assert.deepEqual(
      sim.state.events(101).map((e) => [e.code, e.description, e.via]),
      [['door_open', 'Back door opened & left open #2', 'device']],
    );
    assert.deepEqual(sim.state.events(102), []);
    assert.equal(sim.tokens.requests, 0);
    assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED]);
  });

  it('sends no description when it is empty, and an object as JSON text; the code may come from the msg', async () => {
    const { sim } = h;
    await load({ eventCode: 'code', eventCodeType: 'msg' });
    assert.deepEqual((await logEvent({ code: 'high_temp', payload: '' })).query, { token: tokenOf(0), code: 'high_temp' });
    assert.deepEqual((await logEvent({ code: 'low_battery', payload: { level: 5 } })).query, {
      token: tokenOf(0),
      code: 'low_battery',
      description: '{"level":5}',
    });
    assert.deepEqual(
      sim.state.events(101).map((e) => e.code),
      ['high_temp', 'low_battery'],
    );
  });

  it('accepts 300 characters of description and refuses 301 before any request (the Device API would discard it)', async () => {
    const { sim } = h;
    await load();
    await logEvent({ payload: 'x'.repeat(300) });
    sim.reset();
    const caught = await expectRefused(sim, 'n1', { payload: 'y'.repeat(301) }, 'DESCRIPTION_TOO_LONG', 'description-too-long');
    assert.equal((caught.error as unknown as { message: string }).message.includes('y'.repeat(50)), false, 'the description is echoed');
    assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
  });

  it('refuses bad event codes and a missing token before any request', async () => {
    const { sim } = h;
    await load({ eventCode: 'code', eventCodeType: 'msg' });
    for (const code of BAD_EVENT_CODES)
      await expectRefused(sim, 'n1', { code, payload: 'x' } as NodeMessage, ...refusal(code, 'INVALID_EVENT_CODE', 'invalid-event-code'));
    await helper.unload();
    await load({}, null);
    await expectRefused(sim, 'n1', { payload: 'x' }, 'NO_DEVICE_TOKEN', 'no-device-token');
    await expectSent('n1', { payload: 'x', deviceToken: tokenOf(1) });
    assert.deepEqual(
      sim.state.events(102).map((e) => e.code),
      ['door_open'],
    );
  });

  it("reports an unknown code with Blynk's reason, and never repeats a logged event after a lost answer", async () => {
    const { sim } = h;
    await load({ eventCode: 'no_such_code' });
    await expectFailure('n1', { payload: 'x' }, 'BAD_REQUEST', 'bad-request');
    assert.deepEqual(lastStatus('n1'), redRing('error'));
    await helper.unload();
    sim.reset();

    await load();
    sim.faults.add({ match: { path: LOG }, times: 1, action: { drop: 'after' } });
    await expectFailure('n1', { payload: 'x' }, 'NETWORK', 'network');
    assert.equal(apiRequestsOf(sim).length, 1, 'the event was sent again');
    assert.equal(sim.state.events(101).length, 1, 'Blynk logged it once');
  });
});
