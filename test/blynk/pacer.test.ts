import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import sinon from 'sinon';
import { ApiCall, BLYNK_LIMITS, BlynkError, DEFAULT_QUEUE_LIMIT, Pacer, pacingEnabled, RateGate, rateLimitsOf } from '../../dist/blynk';

/** What happened to each acquire: when it was let through (fake ms), or the error code. */
type Outcome = { at: number } | { code: string };

describe('pacer', function () {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => clock.restore());

  const now = (): number => clock.now;

  /** Acquires `n` turns at once and records when each is granted. */
  function burst(pacer: Pacer, n: number, signal?: AbortSignal): Outcome[] {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < n; i++) {
      const slot = outcomes.length;
      outcomes.push({ code: 'pending' });
      const turn = pacer.acquire(signal);
      if (turn === undefined) outcomes[slot] = { at: clock.now };
      else
        turn.then(
          () => (outcomes[slot] = { at: clock.now }),
          (err: BlynkError) => (outcomes[slot] = { code: err.code }),
        );
    }
    return outcomes;
  }

  it('spaces starts periodMs / limit apart, first come first served, the first one at once without a promise', async () => {
    const pacer = new Pacer({ limit: 10, periodMs: 1000, maxQueue: 100, now });
    assert.equal(pacer.intervalMs, 100);
    const outcomes = burst(pacer, 5);
    assert.deepEqual(outcomes[0], { at: 0 });
    assert.equal(pacer.waiting, 4);
    await clock.tickAsync(1000);
    assert.deepEqual(outcomes, [{ at: 0 }, { at: 100 }, { at: 200 }, { at: 300 }, { at: 400 }]);
    assert.equal(pacer.waiting, 0);
    assert.equal(clock.countTimers(), 0, 'a timer is left once the queue is empty');
  });

  it('lets a call through at once, with no timer, when its turn has come', async () => {
    const pacer = new Pacer({ limit: 50, periodMs: 1000, maxQueue: 10, now });
    assert.equal(pacer.acquire(), undefined);
    await clock.tickAsync(20);
    assert.ok(pacer.idle);
    assert.equal(pacer.acquire(), undefined);
    assert.equal(clock.countTimers(), 0);
    // Too soon after: it has to wait for the rest of its 20 ms.
    await clock.tickAsync(5);
    const outcomes = burst(pacer, 1);
    assert.deepEqual(outcomes, [{ code: 'pending' }]);
    await clock.tickAsync(14);
    assert.deepEqual(outcomes, [{ code: 'pending' }]);
    await clock.tickAsync(1);
    assert.deepEqual(outcomes, [{ at: 40 }]);
  });

  it('never lets more than `limit` start in any window of periodMs (a burst of 120 at 50/s)', async () => {
    const pacer = new Pacer({ limit: 50, periodMs: 1000, maxQueue: 1000, now });
    const outcomes = burst(pacer, 120);
    await clock.tickAsync(3000);
    const times = outcomes.map((o) => ('at' in o ? o.at : NaN));
    assert.ok(times.every(Number.isFinite), 'a call was not let through');
    for (let i = 1; i < times.length; i++)
      assert.ok(times[i] - times[i - 1] >= 20, `starts ${i - 1} and ${i} are ${times[i] - times[i - 1]} ms apart`);
    for (const start of times) {
      const inWindow = times.filter((t) => t >= start && t < start + 1000).length;
      assert.ok(inWindow <= 50, `${inWindow} starts in the window from ${start} ms`);
    }
    assert.equal(times[119], 119 * 20);
  });

  it('refuses a call beyond maxQueue at once with QUEUE_FULL (the queue size in `length`), without losing the queued ones', async () => {
    const pacer = new Pacer({ limit: 1, periodMs: 1000, maxQueue: 2, now });
    const outcomes = burst(pacer, 5);
    await clock.tickAsync(0);
    assert.deepEqual(outcomes, [{ at: 0 }, { code: 'pending' }, { code: 'pending' }, { code: 'QUEUE_FULL' }, { code: 'QUEUE_FULL' }]);
    const full = await pacer.acquire()?.catch((err: BlynkError) => err);
    assert.ok(full instanceof BlynkError);
    assert.equal(full.code, 'QUEUE_FULL');
    assert.deepEqual(full.details, { length: 2 });
    await clock.tickAsync(2000);
    assert.deepEqual(outcomes.slice(0, 3), [{ at: 0 }, { at: 1000 }, { at: 2000 }]);
  });

  it('a maxQueue of 0 never queues: a call either goes at once or is refused', async () => {
    const pacer = new Pacer({ limit: 10, periodMs: 1000, maxQueue: 0, now });
    const outcomes = burst(pacer, 2);
    await clock.tickAsync(0);
    assert.deepEqual(outcomes, [{ at: 0 }, { code: 'QUEUE_FULL' }]);
  });

  it('an aborted waiter leaves the queue with CLOSED and the next one takes its turn', async () => {
    const pacer = new Pacer({ limit: 10, periodMs: 1000, maxQueue: 10, now });
    const aborted = new AbortController();
    const first = burst(pacer, 1);
    const gone = burst(pacer, 1, aborted.signal);
    const next = burst(pacer, 1);
    assert.equal(pacer.waiting, 2);
    aborted.abort();
    await clock.tickAsync(0);
    assert.deepEqual(gone, [{ code: 'CLOSED' }]);
    assert.equal(pacer.waiting, 1);
    await clock.tickAsync(100);
    assert.deepEqual([first, next], [[{ at: 0 }], [{ at: 100 }]]);
    // An already aborted signal is refused at once.
    const late = burst(pacer, 1, aborted.signal);
    await clock.tickAsync(0);
    assert.deepEqual(late, [{ code: 'CLOSED' }]);
  });

  it('close() rejects every waiting call with CLOSED, clears its timer, and refuses later calls', async () => {
    const pacer = new Pacer({ limit: 1, periodMs: 60_000, maxQueue: 10, now });
    const outcomes = burst(pacer, 4);
    assert.equal(clock.countTimers(), 1);
    pacer.close();
    await clock.tickAsync(0);
    assert.deepEqual(outcomes, [{ at: 0 }, { code: 'CLOSED' }, { code: 'CLOSED' }, { code: 'CLOSED' }]);
    assert.equal(clock.countTimers(), 0);
    assert.equal(pacer.waiting, 0);
    const after = burst(pacer, 1);
    await clock.tickAsync(0);
    assert.deepEqual(after, [{ code: 'CLOSED' }]);
  });

  it('removes its abort listeners once a waiter is released (no listener build-up on a shared signal)', async () => {
    const pacer = new Pacer({ limit: 100, periodMs: 1000, maxQueue: 1000, now });
    const shared = new AbortController();
    // As the client does for each flow node's signal: 49 waiters listen at once, by design.
    setMaxListeners(0, shared.signal);
    const add = sinon.spy(shared.signal, 'addEventListener');
    const remove = sinon.spy(shared.signal, 'removeEventListener');
    burst(pacer, 50, shared.signal);
    await clock.tickAsync(1000);
    assert.equal(add.callCount, 49, 'the first call goes at once and registers nothing');
    assert.equal(remove.callCount, 49);
  });

  it('refuses a limit or period that is not positive', () => {
    assert.throws(() => new Pacer({ limit: 0, periodMs: 1000, maxQueue: 1 }), RangeError);
    assert.throws(() => new Pacer({ limit: 1, periodMs: NaN, maxQueue: 1 }), RangeError);
  });
});

describe('rate limits: settings and the per-kind gate', function () {
  const platform: ApiCall = { api: 'platform', method: 'GET', path: '/api/v1/organization/profile', idempotent: true };
  const device = (token: string): ApiCall => ({
    api: 'device',
    method: 'GET',
    path: '/external/api/get',
    query: [['token', token], ['v1']],
    idempotent: true,
  });

  it('auto paces blynk.cloud and its regions and nothing else; on and off are what they say', () => {
    for (const server of ['https://blynk.cloud', 'https://fra1.blynk.cloud', 'https://ny3.blynk.cloud:443/', undefined, '']) {
      assert.equal(pacingEnabled('auto', server), true, String(server));
      assert.equal(pacingEnabled(undefined, server), true, `a flow saved without the setting, ${String(server)}`);
    }
    for (const server of [
      'http://127.0.0.1:1880',
      'https://blynk.example.com',
      'https://evilblynk.cloud',
      'https://blynk.cloud.example.com',
      'not a url',
    ]) {
      assert.equal(pacingEnabled('auto', server), false, server);
      assert.equal(pacingEnabled('on', server), true, server);
    }
    assert.equal(pacingEnabled('off', 'https://blynk.cloud'), false);
    assert.equal(pacingEnabled('bogus', 'https://blynk.cloud'), true, 'an unknown mode acts as auto');
  });

  it("uses Blynk's documented numbers unless the config sets readable positive ones", () => {
    assert.deepEqual(BLYNK_LIMITS, { platformPerMinute: 10_000, devicePerSecond: 50 });
    assert.equal(DEFAULT_QUEUE_LIMIT, 1000);
    assert.deepEqual(rateLimitsOf({}), { platformPerMinute: 10_000, devicePerSecond: 50, maxQueue: 1000 });
    assert.deepEqual(rateLimitsOf({ platformPerMinute: '600', devicePerSecond: 5, maxQueue: '20' }), {
      platformPerMinute: 600,
      devicePerSecond: 5,
      maxQueue: 20,
    });
    assert.deepEqual(rateLimitsOf({ platformPerMinute: '', devicePerSecond: -1, maxQueue: 'x' }), {
      platformPerMinute: 10_000,
      devicePerSecond: 50,
      maxQueue: 1000,
    });
    assert.deepEqual(rateLimitsOf({ platformPerMinute: 0, devicePerSecond: NaN, maxQueue: 2.7 }), {
      platformPerMinute: 10_000,
      devicePerSecond: 50,
      maxQueue: 2,
    });
  });

  describe('RateGate', function () {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    });
    afterEach(() => clock.restore());

    it('keeps one queue for the organisation and one per device token', async () => {
      const gate = new RateGate({ platformPerMinute: 600, devicePerSecond: 10, maxQueue: 10 }, () => clock.now);
      const granted: string[] = [];
      const take = (label: string, call: ApiCall): void => {
        const turn = gate.acquire(call);
        if (!turn) granted.push(`${label}@${clock.now}`);
        else void turn.then(() => granted.push(`${label}@${clock.now}`));
      };
      take('p1', platform);
      take('p2', platform);
      take('a1', device('token-a'));
      take('a2', device('token-a'));
      take('b1', device('token-b'));
      await clock.tickAsync(200);
      assert.deepEqual(granted.sort(), ['a1@0', 'a2@100', 'b1@0', 'p1@0', 'p2@100']);
      assert.equal(gate.deviceQueues, 2);
      gate.close();
      assert.equal(clock.countTimers(), 0);
      const refused = await gate.acquire(device('token-c'))?.catch((err: BlynkError) => err.code);
      assert.equal(refused, 'CLOSED');
      assert.equal(gate.deviceQueues, 0, 'a closed gate keeps no new device queue');
    });

    it('drops idle device queues when more than 1000 devices came, and keeps busy ones', async () => {
      const gate = new RateGate({ platformPerMinute: 600, devicePerSecond: 1, maxQueue: 10 }, () => clock.now);
      const busy = gate.acquire(device('busy'));
      assert.equal(busy, undefined);
      const waiting = gate.acquire(device('busy'));
      for (let i = 0; i < 999; i++) gate.acquire(device(`t${i}`));
      assert.equal(gate.deviceQueues, 1000);
      // At 1000 ms the waiter goes and `busy` is next allowed at 2000 ms; the 999 others are idle.
      await clock.tickAsync(1000);
      const queued = gate.acquire(device('busy'));
      assert.ok(queued instanceof Promise, 'busy should have a waiter now');
      gate.acquire(device('new'));
      assert.equal(gate.deviceQueues, 2, 'idle queues were dropped, the busy one and the new one kept');
      await waiting;
      await clock.tickAsync(1000);
      await queued;
      gate.close();
    });
  });
});
