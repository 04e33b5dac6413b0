// Bounded logs (requests, MQTT messages, webhook calls): a ring buffer, so recording is O(1)
// however long the run.
export class RequestLog<T> {
  private ring: T[] = [];
  private next = 0; // where the next entry goes once the ring is full

  constructor(private readonly limit: number) {}

  push(entry: T): void {
    if (this.limit <= 0) return;
    if (this.ring.length < this.limit) this.ring.push(entry);
    else {
      this.ring[this.next] = entry;
      this.next = (this.next + 1) % this.limit;
    }
  }

  /** Oldest first; a copy, built only when a test asks. */
  entries(): T[] {
    return this.next === 0 ? this.ring.slice() : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
  }
}
