export interface SharedCacheOptions {
  /** How long a value is trusted (default 5 minutes). */
  ttlMs?: number;
  /** Keys kept at most; the oldest goes first. */
  maxKeys?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/**
 * Values looked up from Blynk, each trusted for a bounded time, with a bounded number of keys.
 * Concurrent lookups of one key share one request; a failed lookup is not kept (the thing looked
 * for may appear a moment later).
 */
export class SharedCache<K, V> {
  readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly values = new Map<K, { value: V; at: number }>();
  private readonly inflight = new Map<K, Promise<V>>();

  constructor(options: SharedCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxKeys = options.maxKeys ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Keys cached (for tests: the map stays bounded). */
  get size(): number {
    return this.values.size;
  }

  /** The value of `key`, from the cache unless `fresh` or expired; `fetched` when `load` ran for it. */
  async get(key: K, load: () => Promise<V>, fresh = false): Promise<{ value: V; fetched: boolean }> {
    const hit = this.values.get(key);
    if (!fresh && hit !== undefined && this.now() - hit.at < this.ttlMs) return { value: hit.value, fetched: false };
    let running = this.inflight.get(key);
    if (!running) {
      running = load()
        .then((value) => {
          this.values.delete(key);
          this.values.set(key, { value, at: this.now() });
          // Newest last; the oldest goes when the map is full.
          while (this.values.size > this.maxKeys) this.values.delete(this.values.keys().next().value as K);
          return value;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    return { value: await running, fetched: true };
  }

  forget(key: K): void {
    this.values.delete(key);
  }
}
