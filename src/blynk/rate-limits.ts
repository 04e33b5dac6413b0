import type { ApiCall } from './endpoints';
import { Pacer } from './pacer';
import { isBlynkHost, parseServer } from './server-url';

/** The limits Blynk documents for its cloud. */
export const BLYNK_LIMITS = {
  /** Platform API: 10,000 requests per minute per organisation. */
  platformPerMinute: 10_000,
  /** Device HTTPS API: 50 requests per second per device. */
  devicePerSecond: 50,
} as const;

/** Calls that may wait for their turn, per queue (the organisation's, or one device's). */
export const DEFAULT_QUEUE_LIMIT = 1000;

export type RateLimitMode = 'auto' | 'on' | 'off';

export interface RateLimits {
  platformPerMinute: number;
  devicePerSecond: number;
  maxQueue: number;
}

export interface RateLimitSettings {
  mode?: unknown;
  platformPerMinute?: unknown;
  devicePerSecond?: unknown;
  maxQueue?: unknown;
}

/** A positive finite number (or numeric text), else `fallback`. */
export function positiveOr(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The limits as configured: unset or unreadable numbers fall back to Blynk's documented values. */
export function rateLimitsOf(settings: RateLimitSettings): RateLimits {
  return {
    platformPerMinute: positiveOr(settings.platformPerMinute, BLYNK_LIMITS.platformPerMinute),
    devicePerSecond: positiveOr(settings.devicePerSecond, BLYNK_LIMITS.devicePerSecond),
    maxQueue: Math.floor(positiveOr(settings.maxQueue, DEFAULT_QUEUE_LIMIT)),
  };
}

/**
 * Whether calls to `server` are paced: `on` and `off` say so; `auto` (and a flow saved before the
 * setting existed) paces Blynk's own hosts, `blynk.cloud` and `*.blynk.cloud`, and nothing else
 * (a dedicated server or the simulator has limits of its own, or none).
 */
export function pacingEnabled(mode: unknown, server: string | undefined): boolean {
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  try {
    return isBlynkHost(parseServer(server).hostname);
  } catch {
    return false;
  }
}

/** Device pacers kept at most; idle ones are dropped first when a new device comes. */
const MAX_DEVICE_PACERS = 1000;

/**
 * The pacing of one config node: one queue for the organisation's Platform calls, and one per
 * device token for Device API calls.
 */
export class RateGate {
  private readonly platform: Pacer;
  private readonly devices = new Map<string, Pacer>();
  private closed = false;

  constructor(
    readonly limits: RateLimits,
    private readonly now?: () => number,
  ) {
    this.platform = new Pacer({ limit: limits.platformPerMinute, periodMs: 60_000, maxQueue: limits.maxQueue, now });
  }

  /** `undefined` when the call may go now, else a promise of its turn (see Pacer.acquire). */
  acquire(call: ApiCall, signal?: AbortSignal): Promise<void> | undefined {
    if (call.api === 'platform') return this.platform.acquire(signal);
    return this.devicePacer(deviceTokenIn(call)).acquire(signal);
  }

  close(): void {
    this.closed = true;
    this.platform.close();
    for (const pacer of this.devices.values()) pacer.close();
    this.devices.clear();
  }

  /** How many device queues are kept (for tests: the map stays bounded). */
  get deviceQueues(): number {
    return this.devices.size;
  }

  private devicePacer(token: string): Pacer {
    let pacer = this.devices.get(token);
    if (pacer) return pacer;
    if (this.devices.size >= MAX_DEVICE_PACERS) {
      for (const [key, other] of this.devices) {
        if (other.idle) this.devices.delete(key);
      }
    }
    pacer = new Pacer({ limit: this.limits.devicePerSecond, periodMs: 1000, maxQueue: this.limits.maxQueue, now: this.now });
    if (this.closed) pacer.close();
    else this.devices.set(token, pacer);
    return pacer;
  }
}

function deviceTokenIn(call: ApiCall): string {
  for (const entry of call.query ?? []) if (entry[0] === 'token') return entry[1] ?? '';
  return '';
}
