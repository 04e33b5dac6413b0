// Outgoing messages: kept in order while the connection is down, sent paced when it is up.
import { BlynkError } from '../errors';
import { Pacer } from '../pacer';

export interface Outgoing {
  topic: string;
  payload: string;
  resolve(): void;
  reject(error: BlynkError): void;
}

/** Writes one message; resolves false when it was not written (the connection went away). */
export type Send = (message: Outgoing) => Promise<boolean>;

export interface OutboxOptions {
  /** Messages that may wait; the next is refused with MQTT_QUEUE_FULL. */
  maxQueue: number;
  /** Messages allowed per `periodMs`, spaced evenly (Blynk's flood limit). */
  limit: number;
  periodMs: number;
  now?: () => number;
}

/**
 * A bounded FIFO in front of the socket. A message leaves the queue only once it has been
 * written, so one that the socket refused goes again after the reconnect (none lost) and one
 * that was written is never sent twice (none doubled). Starts are paced, not dropped.
 */
export class Outbox {
  private readonly queue: Outgoing[] = [];
  private readonly pacer: Pacer;
  private readonly maxQueue: number;
  private send?: Send;
  private pumping = false;

  constructor(options: OutboxOptions) {
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue));
    // Only the pump waits on the pacer, one turn at a time.
    this.pacer = new Pacer({ limit: options.limit, periodMs: options.periodMs, maxQueue: 1, now: options.now });
  }

  get length(): number {
    return this.queue.length;
  }

  /** Queues a message; `first` puts it ahead of the others and past the size limit (info/mcu). */
  add(topic: string, payload: string, first = false): Promise<void> {
    if (!first && this.queue.length >= this.maxQueue) {
      return Promise.reject(new BlynkError('MQTT_QUEUE_FULL', { length: this.maxQueue }));
    }
    return new Promise<void>((resolve, reject) => {
      const message = { topic, payload, resolve, reject };
      if (first) this.queue.unshift(message);
      else this.queue.push(message);
      this.pump();
    });
  }

  /** Starts (or, with undefined, stops) sending through `send`. */
  attach(send: Send | undefined): void {
    this.send = send;
    this.pump();
  }

  /** Refuses every waiting message with `error`. */
  fail(error: BlynkError): void {
    for (const message of this.queue.splice(0)) message.reject(error);
  }

  /** Refuses what waits and anything later; stops the pacer's timer. */
  close(error: BlynkError): void {
    this.send = undefined;
    this.pacer.close();
    this.fail(error);
  }

  private pump(): void {
    if (this.pumping || !this.send || this.queue.length === 0) return;
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
      this.pump(); // a message added while the last send was finishing
    });
  }

  private async run(): Promise<void> {
    while (this.send && this.queue.length > 0) {
      try {
        const turn = this.pacer.acquire();
        if (turn) await turn;
      } catch {
        return; // pacer closed: the outbox is closing
      }
      const send = this.send;
      const message = this.queue[0];
      if (!send || !message) return;
      if (!(await send(message))) {
        // Stays first; sent again once the next connection attaches.
        if (this.send === send) this.send = undefined;
        return;
      }
      const at = this.queue.indexOf(message);
      if (at >= 0) this.queue.splice(at, 1);
      message.resolve();
    }
  }
}
