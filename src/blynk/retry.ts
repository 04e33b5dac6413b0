import { errorRule } from './error-table';
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

/** The exponential ceiling before retry number `retry` (1 = first): base, doubled each time, at most `capMs`. */
export function backoffCeilingMs(baseMs: number, capMs: number, retry: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
}

/** Full-jitter backoff before retry number `retry` (1 = first retry). */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  return Math.floor(policy.random() * backoffCeilingMs(policy.backoffBaseMs, policy.backoffCapMs, retry));
}

/**
 * Whether an answer asks to come back later: a 429 always (never processed), a 503 only when
 * `repeatable` (it may have been processed behind a proxy).
 */
export function isLimited(status: number, repeatable: boolean): boolean {
  return status === 429 || (repeatable && status === 503);
}

/**
 * How long to wait before attempt `attempt + 1` after a network failure, or undefined to give up:
 * only a repeatable request, only an error whose rule is `backoff` (a network failure), only while
 * attempts remain.
 */
export function networkRetryMs(policy: RetryPolicy, err: unknown, attempt: number, repeatable: boolean): number | undefined {
  const retryable = repeatable && err instanceof BlynkError && errorRule(err.code).retry === 'backoff';
  if (!retryable || attempt >= policy.attempts) return undefined;
  return backoffMs(policy, attempt);
}

/**
 * How long to wait before attempt `attempt + 1` after a failed answer, or undefined to give up. A
 * limited answer (isLimited) waits out its Retry-After up to the cap, else backs off; a Retry-After
 * over the cap calls `onOverCap` (which may throw) and gives up. Any other 5xx backs off only when
 * `repeatable`.
 */
export function retryWaitMs(
  policy: RetryPolicy,
  status: number,
  retryAfterHeader: string | undefined,
  attempt: number,
  repeatable: boolean,
  onOverCap?: (retryAfterSec: number) => void,
): number | undefined {
  if (!isLimited(status, repeatable)) {
    return repeatable && status >= 500 && attempt < policy.attempts ? backoffMs(policy, attempt) : undefined;
  }
  const retryAfter = parseRetryAfter(retryAfterHeader);
  if (retryAfter !== undefined && retryAfter > policy.retryAfterCapSec) {
    onOverCap?.(retryAfter);
    return undefined;
  }
  if (attempt >= policy.attempts) return undefined;
  return retryAfter !== undefined ? retryAfter * 1000 : backoffMs(policy, attempt);
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
