import { BlynkError } from './errors';

export interface PacerOptions {
  /** Requests allowed per `periodMs`: starts are spaced `periodMs / limit` apart. */
  limit: number;
  periodMs: number;
  /** Calls that may wait for their turn; the next one is refused with QUEUE_FULL. */
  maxQueue: number;
  /** Monotonic milliseconds; `performance.now` unless a test injects another clock. */
  now?: () => number;
}

interface Waiter {
  resolve(): void;
  reject(error: BlynkError): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Spaces request starts evenly (`periodMs / limit` apart), first come first served, so that no
 * window of `periodMs` sees more than `limit` starts however the server counts (Blynk does not
 * say whether its windows are fixed or sliding). A call whose turn has come goes at once with no
 * promise and no timer; the others wait in a bounded queue behind one unref'd timer.
 */
export class Pacer {
  readonly intervalMs: number;
  private readonly maxQueue: number;
  private readonly now: () => number;
  /** Earliest time the next call may start. */
  private next = -Infinity;
  private readonly queue: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(options: PacerOptions) {
    if (!(options.limit > 0) || !(options.periodMs > 0)) throw new RangeError('Pacer needs a positive limit and period');
    this.intervalMs = options.periodMs / options.limit;
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue));
    this.now = options.now ?? (() => performance.now());
  }

  /** Calls waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Nothing waits and a call would go at once: the pacer holds no state worth keeping. */
  get idle(): boolean {
    return this.queue.length === 0 && this.now() >= this.next;
  }

  /**
   * Takes a turn: `undefined` when the call may start now, else a promise that resolves at its
   * turn, or rejects with QUEUE_FULL (queue full), or CLOSED (aborted or pacer closed).
   */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    if (this.closed || signal?.aborted) return Promise.reject(new BlynkError('CLOSED'));
    const now = this.now();
    if (this.queue.length === 0 && now >= this.next) {
      this.next = now + this.intervalMs;
      return undefined;
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new BlynkError('QUEUE_FULL', { length: this.maxQueue }));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(new BlynkError('CLOSED'));
          if (this.queue.length === 0) this.stopTimer();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /** Refuses every waiting call with CLOSED, and any later one. */
  close(): void {
    this.closed = true;
    this.stopTimer();
    const waiting = this.queue.splice(0);
    for (const waiter of waiting) {
      release(waiter);
      waiter.reject(new BlynkError('CLOSED'));
    }
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const delay = Math.max(0, this.next - this.now());
    this.timer = setTimeout(() => this.drain(), Math.ceil(delay));
    this.timer.unref();
  }

  /** One start per turn: a late timer does not release a burst to catch up. */
  private drain(): void {
    this.timer = undefined;
    const now = this.now();
    if (now >= this.next) {
      const waiter = this.queue.shift();
      if (waiter) {
        this.next = now + this.intervalMs;
        release(waiter);
        waiter.resolve();
      }
    }
    this.schedule();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function release(waiter: Waiter): void {
  if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
}
