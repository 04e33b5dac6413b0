import { BlynkError } from './errors';

/**
 * Retry-After in seconds, from either form RFC 9110 §10.2.3 allows (delta-seconds or an
 * HTTP-date); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // All three HTTP-date forms start with a day name; Date.parse alone would read "1.5" as a date.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Longest Retry-After honoured by waiting; a longer one fails at once with RATE_LIMITED. */
  retryAfterCapSec: number;
  /** Base and cap of the exponential backoff with full jitter, in ms. */
  backoffBaseMs: number;
  backoffCapMs: number;
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  retryAfterCapSec: 60,
  backoffBaseMs: 250,
  backoffCapMs: 4000,
  random: Math.random,
};

/** Full-jitter backoff before retry number `retry` (1 = first retry). */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/** A wait that never keeps the process alive and ends at once, with CLOSED, on abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new BlynkError('CLOSED'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BlynkError('CLOSED'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
