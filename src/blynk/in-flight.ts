import { BlynkError } from './errors';

/**
 * How many requests one connection pool (one config node) has on the wire at once; the rest wait
 * their turn, first come first served. Without a cap, 1,000 queued messages start 1,000 requests
 * (and sockets) at once and block the event loop for 0.6–0.9 s (D8); the answers that arrive
 * together are what blocks it, so the delay grows with the cap (p99 measured ~50 ms at 8, ~70 ms
 * at 16, ~100–150 ms at 32, ~170 ms at 64). The cost: at most 16 / round-trip time requests per
 * second per config node, e.g. 160/s at 100 ms, which is Blynk's own Platform API limit (10,000
 * per minute per organisation); against a local server throughput was the same for 8 to 64.
 */
export const MAX_IN_FLIGHT = 16;

interface Waiter {
  start(): void;
  fail(error: BlynkError): void;
}

/** A counting semaphore whose waiters leave on abort or close with CLOSED. */
export class InFlight {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private closed = false;

  constructor(private readonly limit = MAX_IN_FLIGHT) {}

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
    if (this.active < this.limit) {
      this.active++;
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

  /** Gives a turn back: the next waiter, if any, takes it over. */
  release(): void {
    const next = this.queue.shift();
    if (next) next.start();
    else this.active--;
  }

  /** Refuses every waiting request with CLOSED, and any later one. */
  close(): void {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) waiter.fail(new BlynkError('CLOSED'));
  }
}
