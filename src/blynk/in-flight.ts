import { BlynkError } from './errors';

/**
 * How many requests one connection pool (one config node) has on the wire at once; the rest wait
 * their turn, first come first served. Without a cap, 1,000 queued messages start 1,000 requests
 * (and sockets) in one tick and block the event loop for over half a second (D8). 32 keeps a
 * fast local server busy and allows 320 requests/s at 100 ms per request, above Blynk's own
 * limits (10,000/min per organisation, 50/s per device), so it costs nothing against the cloud.
 */
export const MAX_IN_FLIGHT = 32;

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
