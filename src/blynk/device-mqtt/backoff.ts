// Delays between connection attempts.
import { backoffCeilingMs } from '../retry';

export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  initialMs: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, random: Math.random };

/**
 * Exponential backoff with "equal jitter": between half and all of the ceiling, so that devices
 * reconnecting after a broker restart spread out, yet none retries at once in a loop.
 */
export function reconnectDelayMs(options: BackoffOptions, attempt: number): number {
  const ceiling = backoffCeilingMs(options.initialMs, options.maxMs, attempt);
  return Math.floor(ceiling / 2 + options.random() * (ceiling / 2));
}
