import assert from 'node:assert/strict';
import sinon from 'sinon';
import { NodeStatus } from 'node-red';
import { BlynkError } from '../../dist/blynk';
import { StartContext } from '../../dist/nodes/lib/flow-node';
import { MIN_POLL_MS, pollIntervalMs, sameValue, startWatch, WATCHING } from '../../dist/nodes/lib/watch';

/** A node context with recording spies, as registerFlowNode would hand it to `start`. */
function fakeContext(): { ctx: StartContext; sent: unknown[]; errors: unknown[]; statuses: NodeStatus[] } {
  const sent: unknown[] = [];
  const errors: unknown[] = [];
  const statuses: NodeStatus[] = [];
  const node = { send: (msg: unknown) => sent.push(msg), error: (err: unknown) => errors.push(err) };
  const ctx = {
    RED: { _: (key: string) => key },
    node,
    def: {},
    config: null,
    signal: new AbortController().signal,
    evaluate: async () => ({}),
    showStatus: (status: NodeStatus) => statuses.push(status),
  } as unknown as StartContext;
  return { ctx, sent, errors, statuses };
}

describe('watch mode (unit, fake timers)', function () {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  it('floors the interval by the per-device limit and 0.1 s, and defaults a missing one to 10 s', () => {
    assert.equal(MIN_POLL_MS, 100);
    assert.equal(pollIntervalMs(5, 20), 5000);
    assert.equal(pollIntervalMs('0.5', 20), 500);
    assert.equal(pollIntervalMs(0.01, 20), 100, 'never below 0.1 s');
    assert.equal(pollIntervalMs(0.2, 500), 500, 'never faster than the device limit (2/s)');
    assert.equal(pollIntervalMs(undefined, 20), 10_000);
    assert.equal(pollIntervalMs('', 20), 10_000);
    assert.equal(pollIntervalMs(-3, 20), 10_000);
    assert.equal(pollIntervalMs('soon', 20), 10_000);
  });

  it('compares JSON values: arrays in order, objects in any key order', () => {
    assert.ok(sameValue({ v1: 1, v2: [1, 2] }, { v2: [1, 2], v1: 1 }));
    assert.ok(!sameValue({ v1: 1 }, { v1: 1, v2: 2 }));
    assert.ok(!sameValue([1, 2], [2, 1]));
    assert.ok(!sameValue('1', 1));
    assert.ok(sameValue(true, true));
  });

  it('the first poll sets the baseline; then one new msg per change, none while the value stays', async () => {
    const { ctx, sent, statuses } = fakeContext();
    const values: unknown[] = ['0', '0', '1', '1', '1', '0'];
    let polls = 0;
    const ext = startWatch(ctx, 1000, async () => ({ topic: 'v0', value: values[Math.min(polls++, values.length - 1)] }));
    await clock.tickAsync(0);
    assert.equal(polls, 1, 'the first poll runs right after start');
    assert.deepEqual(sent, []);
    await clock.tickAsync(5000);
    assert.equal(polls, 6);
    assert.deepEqual(sent, [
      { topic: 'v0', payload: '1', previous: '0' },
      { topic: 'v0', payload: '0', previous: '1' },
    ]);
    assert.deepEqual(statuses[statuses.length - 1], WATCHING);
    assert.deepEqual(ext.idleStatus?.(), WATCHING);
    ext.close();
    assert.equal(clock.countTimers(), 0, 'close left a timer');
    await clock.tickAsync(10_000);
    assert.equal(polls, 6, 'polled after close');
  });

  it('names the changed keys of an object', async () => {
    const { ctx, sent } = fakeContext();
    const values = [
      { v0: 0, v1: 21.5 },
      { v0: 1, v1: 21.5, v2: 'new' },
    ];
    let polls = 0;
    const ext = startWatch(ctx, 100, async () => ({ topic: 'all', value: values[Math.min(polls++, 1)] }));
    await clock.tickAsync(250);
    assert.deepEqual(sent, [{ topic: 'all', payload: values[1], previous: values[0], changed: ['v0', 'v2'] }]);
    ext.close();
  });

  it('never overlaps polls: the next one is scheduled when the last has ended', async () => {
    const { ctx } = fakeContext();
    let running = 0;
    let most = 0;
    let polls = 0;
    const ext = startWatch(ctx, 100, async () => {
      running++;
      most = Math.max(most, running);
      polls++;
      await new Promise((resolve) => setTimeout(resolve, 250)); // slower than the interval
      running--;
      return { topic: 'v1', value: 1 };
    });
    await clock.tickAsync(2000);
    assert.equal(most, 1);
    assert.equal(polls, 6, 'one poll per 250 ms + 100 ms');
    ext.close();
    await clock.tickAsync(1000);
    assert.equal(clock.countTimers(), 0);
  });

  it('reports a failure once until it changes or polls succeed, shows it, and goes on polling', async () => {
    const { ctx, sent, errors, statuses } = fakeContext();
    const script: Array<() => unknown> = [
      () => 1,
      () => {
        throw new BlynkError('TIMEOUT', { timeout: 10 });
      },
      () => {
        throw new BlynkError('TIMEOUT', { timeout: 10 });
      },
      () => {
        throw new BlynkError('BAD_REQUEST', { status: 400, detail: 'Invalid token.' });
      },
      () => 1,
      () => {
        throw new BlynkError('TIMEOUT', { timeout: 10 });
      },
      () => 2,
    ];
    let polls = 0;
    const ext = startWatch(ctx, 100, async () => ({ topic: 'v1', value: script[Math.min(polls++, script.length - 1)]() }));
    await clock.tickAsync(650);
    assert.equal(polls, 7);
    assert.deepEqual(
      errors.map((e) => (e as BlynkError).code),
      ['TIMEOUT', 'BAD_REQUEST', 'TIMEOUT'],
    );
    // One status at start, then one per poll: red while failing (with why), green again after.
    const red = (key: string): NodeStatus => ({ fill: 'red', shape: 'ring', text: String(WATCHING.text).replace(/watching$/, key) });
    assert.deepEqual(statuses, [WATCHING, WATCHING, red('timeout'), red('timeout'), red('error'), WATCHING, red('timeout'), WATCHING]);
    assert.deepEqual(sent, [{ topic: 'v1', payload: 2, previous: 1 }], 'a failure is not a change');
    assert.deepEqual(ext.idleStatus?.(), WATCHING);
    ext.close();
  });

  it('close during a poll: the late answer sends nothing and schedules nothing', async () => {
    const { ctx, sent } = fakeContext();
    let polls = 0;
    const ext = startWatch(ctx, 100, async () => {
      polls++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { topic: 'v1', value: polls };
    });
    await clock.tickAsync(160); // second poll in flight
    ext.close();
    await clock.tickAsync(1000);
    assert.equal(polls, 2);
    assert.deepEqual(sent, []);
    assert.equal(clock.countTimers(), 0);
  });
});
