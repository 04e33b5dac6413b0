// Rate limits as switches: fixed windows, O(1) per request.
import type { Limits } from './types';

class Window {
  private start = 0;
  private count = 0;
  constructor(private readonly ms: number) {}

  /** Count a request; false when it is over the limit. */
  hit(limit: number, now: number): boolean {
    if (now - this.start >= this.ms || now < this.start) {
      this.start = now;
      this.count = 0;
    }
    return ++this.count <= limit;
  }
}

export class RateLimiter {
  private limits: Limits = {};
  /** Requests answered 429 since the limits were last set: what a paced client must keep at 0. */
  refused = 0;
  private readonly orgs = new Map<number, Window>();
  private readonly devices = new Map<string, Window>();

  constructor(limits: Limits = {}) {
    this.set(limits);
  }

  /** Replace the limits and forget all counts. */
  set(limits: Limits): void {
    this.limits = { ...limits };
    this.refused = 0;
    this.orgs.clear();
    this.devices.clear();
  }

  /** Platform API, per organisation per minute. */
  allowOrg(orgId: number): boolean {
    const limit = this.limits.orgRequestsPerMinute;
    return limit === undefined || this.count(hit(this.orgs, orgId, 60_000, limit));
  }

  /** Device API, per device token per second (keyed only by valid tokens, so the map stays small). */
  allowDevice(token: string): boolean {
    const limit = this.limits.deviceRequestsPerSecond;
    return limit === undefined || this.count(hit(this.devices, token, 1000, limit));
  }

  private count(allowed: boolean): boolean {
    if (!allowed) this.refused++;
    return allowed;
  }
}

function hit<K>(windows: Map<K, Window>, key: K, ms: number, limit: number): boolean {
  let w = windows.get(key);
  if (!w) windows.set(key, (w = new Window(ms)));
  return w.hit(limit, Date.now());
}
