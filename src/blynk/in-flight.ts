import { BlynkError } from './errors';

/**
 * How many requests one connection pool (one config node) has on the wire at once; the rest wait
 * their turn, first come first served. 64 hides a 50 ms round trip up to about 1,280 requests per
 * second, so that a burst of messages waits on the server rather than on the pool; that is well
 * above Blynk's own Platform API limit (10,000 per minute per organisation), and keeps the number
 * of sockets to one server bounded.
 */
export const MAX_IN_FLIGHT = 64;

/**
 * How many requests are started before the event loop gets a turn. Starting a request through
 * axios costs about 0.3–0.8 ms of CPU, and its answer about as much again, so 1,000 queued messages
 * started at once would block the loop for most of a second. Starting them in slices keeps each
 * turn short: with a fast server the answers come back in slices of the same size, with a slow one
 * the slices add up to MAX_IN_FLIGHT in flight within a few turns.
 */
export const STARTS_PER_TURN = 16;

interface Waiter {
  start(): void;
  fail(error: BlynkError): void;
}

/** A counting semaphore, started in slices per event-loop turn, whose waiters leave on abort or close. */
export class InFlight {
  private active = 0;
  private startedThisTurn = 0;
  private turnEnd: NodeJS.Immediate | undefined;
  private readonly queue: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly limit = MAX_IN_FLIGHT,
    private readonly perTurn = STARTS_PER_TURN,
  ) {}

  /** Requests waiting for a turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Takes a turn: `undefined` when one is free (nothing to await), else a promise of one. Every
   * turn taken must be given back with `release()`, once.
   */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    if (this.closed || signal?.aborted) return Promise.reject(new BlynkError('CLOSED'));
    if (this.queue.length === 0 && this.mayStart()) {
      this.started();
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(new BlynkError('CLOSED'));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Gives a turn back: the next waiter, if any, takes it over now or in the next loop turn. */
  release(): void {
    this.active--;
    this.drain();
  }

  /** Refuses every waiting request with CLOSED, and any later one. */
  close(): void {
    this.closed = true;
    if (this.turnEnd) clearImmediate(this.turnEnd);
    this.turnEnd = undefined;
    for (const waiter of this.queue.splice(0)) waiter.fail(new BlynkError('CLOSED'));
  }

  private mayStart(): boolean {
    return this.active < this.limit && this.startedThisTurn < this.perTurn;
  }

  private started(): void {
    this.active++;
    // The first start of a turn schedules its end (setImmediate: after the callbacks running now),
    // where the budget comes back and the waiters left over start.
    if (this.startedThisTurn++ === 0) this.turnEnd = setImmediate(this.nextTurn);
  }

  private readonly nextTurn = (): void => {
    this.turnEnd = undefined;
    this.startedThisTurn = 0;
    this.drain();
  };

  private drain(): void {
    while (this.queue.length > 0 && !this.closed && this.mayStart()) {
      this.started();
      this.queue.shift()!.start();
    }
  }
}
