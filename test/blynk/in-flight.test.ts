import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BlynkError, InFlight, MAX_IN_FLIGHT, STARTS_PER_TURN } from '../../dist/blynk';

/** What became of each acquire so far: started, waiting, or the error code. */
type State = 'started' | 'waiting' | string;

describe('in-flight cap', function () {
  /** Acquires `n` turns at once; the returned list is updated as turns are granted or refused. */
  function acquireMany(gate: InFlight, n: number, signal?: AbortSignal): State[] {
    const states: State[] = [];
    for (let i = 0; i < n; i++) {
      const slot = states.length;
      const turn = gate.acquire(signal);
      states.push(turn === undefined ? 'started' : 'waiting');
      turn?.then(
        () => (states[slot] = 'started'),
        (err: BlynkError) => (states[slot] = err.code),
      );
    }
    return states;
  }

  const started = (states: State[]): number => states.filter((s) => s === 'started').length;

  it('defaults: 64 requests on the wire, started 16 per event-loop turn', () => {
    assert.equal(MAX_IN_FLIGHT, 64);
    assert.equal(STARTS_PER_TURN, 16);
  });

  it('starts a burst in slices of 16 per event-loop turn until 64 are on the wire', async () => {
    const gate = new InFlight();
    const states = acquireMany(gate, 100);
    const perTurn = [started(states)];
    for (let turn = 0; turn < 5; turn++) {
      await nextTurn();
      perTurn.push(started(states));
    }
    assert.deepEqual(perTurn, [16, 32, 48, 64, 64, 64]);
    assert.equal(gate.waiting, 36);
    gate.close();
  });

  it('a released turn goes to the longest waiter, first come first served', async () => {
    const gate = new InFlight(2, 10);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) {
      const turn = gate.acquire();
      if (turn === undefined) order.push(i);
      else void turn.then(() => order.push(i));
    }
    assert.deepEqual(order, [0, 1]);
    for (let i = 0; i < 3; i++) {
      gate.release();
      await Promise.resolve();
    }
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(gate.waiting, 0);
    gate.close();
  });

  it('releases start waiters at once while the turn has budget, and in the next turn after it', async () => {
    const gate = new InFlight(64, 4);
    const states = acquireMany(gate, 70);
    for (let turn = 0; turn < 16; turn++) await nextTurn();
    assert.equal(started(states), 64);
    // Ten releases in one event-loop turn: the first four start their waiters now, the rest next turn.
    for (let i = 0; i < 10; i++) gate.release();
    await Promise.resolve();
    assert.equal(started(states), 68);
    await nextTurn();
    assert.equal(started(states), 70);
    gate.close();
  });

  it('an aborted waiter leaves the queue with CLOSED and its place goes to the next one', async () => {
    const gate = new InFlight(1, 10);
    assert.equal(gate.acquire(), undefined);
    const controller = new AbortController();
    const aborted = acquireMany(gate, 1, controller.signal);
    const next = acquireMany(gate, 1);
    controller.abort();
    await Promise.resolve();
    assert.deepEqual(aborted, ['CLOSED']);
    assert.equal(gate.waiting, 1);
    gate.release();
    await Promise.resolve();
    assert.deepEqual(next, ['started']);
    gate.close();
  });

  it('close() refuses every waiter and later acquire with CLOSED and leaves no pending immediate', async () => {
    const gate = new InFlight(64, 2);
    const states = acquireMany(gate, 5);
    const handlesBefore = process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    assert.ok(handlesBefore >= 1, 'the end of the turn is scheduled');
    gate.close();
    await Promise.resolve();
    assert.deepEqual(states, ['started', 'started', 'CLOSED', 'CLOSED', 'CLOSED']);
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length, handlesBefore - 1);
    await assert.rejects(gate.acquire()!, (err: BlynkError) => err.code === 'CLOSED');
  });
});
