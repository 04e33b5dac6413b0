import { setMaxListeners } from 'node:events';
import { ApiCall } from './endpoints';
import { BlynkError, serverMessageOf } from './errors';
import { codeForStatus } from './error-table';
import { DEFAULT_RETRY_POLICY, networkRetryMs, parseRetryAfter, retryWaitMs, RetryPolicy, sleep } from './retry';
import { RateGate, RateLimits } from './rate-limits';
import { OAuthCredentials, TokenManager, TokenState } from './token-manager';
import { Transport, TransportResponse } from './transport';

export interface BlynkClientOptions {
  server?: string;
  /** OAuth client; without it only Device API calls work. */
  credentials?: OAuthCredentials;
  tokenTimeoutMs?: number;
  apiTimeoutMs?: number;
  fatalCooldownMs?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  onStateChange?: (state: TokenState, error?: BlynkError) => void;
  onRegionMoved?: (server: string) => void;
  /** Paces every request attempt (Platform per organisation, Device API per token); none when absent. */
  rateLimits?: RateLimits;
  /** Token endpoint path (default `/oauth2/token`). */
  tokenPath?: string;
  /** `authorization_code`: each rotated refresh token, to be stored (see TokenManagerOptions). */
  onRefreshToken?: (refreshToken: string | undefined) => void;
}

export interface ApiResult {
  status: number;
  data: unknown;
}

/** Anything that makes API calls as BlynkClient does (a test may pass a fake). */
export interface Caller {
  call(call: ApiCall, signal?: AbortSignal): Promise<ApiResult>;
}

/**
 * After a renewed token is refused too, 401 answers go straight to the caller this long; and a 401
 * renews the token at most once in this long.
 */
const AUTH_RETRY_COOLDOWN_MS = 60_000;

/**
 * The Blynk client of one config node: one connection pool, one token manager, and the retry
 * rules for API calls (bounded retries, and Retry-After honoured up to a cap).
 */
export class BlynkClient {
  readonly transport: Transport;
  readonly tokens?: TokenManager;
  private readonly apiTimeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private authRetryBlockedUntil = 0;
  private lastAuthRenewalAt = -Infinity;
  /** Aborted by close(): ends calls in flight and their retries, and refuses new ones. */
  private readonly closed = new AbortController();
  /** Per caller signal (a flow node's), the signal its calls run with: see signalFor. */
  private readonly callSignals = new WeakMap<AbortSignal, AbortSignal>();
  /** Request pacing, when the config node has it on. */
  readonly gate?: RateGate;

  constructor(options: BlynkClientOptions) {
    this.transport = new Transport(options.server, {
      onRegionMoved: options.onRegionMoved,
      // A connect that takes longer than the shorter request timeout is given up.
      connectTimeoutMs: Math.min(options.tokenTimeoutMs ?? 10_000, options.apiTimeoutMs ?? 15_000),
    });
    if (options.rateLimits) this.gate = new RateGate(options.rateLimits, options.now);
    this.apiTimeoutMs = options.apiTimeoutMs ?? 15_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? (() => performance.now());
    setMaxListeners(0, this.closed.signal);
    const credentials = options.credentials;
    if (credentials && credentials.clientId && credentials.clientSecret) {
      this.tokens = this.withTransport(
        () =>
          new TokenManager({
            transport: this.transport,
            credentials,
            timeoutMs: options.tokenTimeoutMs,
            fatalCooldownMs: options.fatalCooldownMs,
            retry: this.policy,
            now: this.now,
            onStateChange: options.onStateChange,
            tokenPath: options.tokenPath,
            onRefreshToken: options.onRefreshToken,
          }),
      );
    }
  }

  /** Runs a part of the set-up; when it throws (a bad token path), the pool is closed first. */
  private withTransport<T>(make: () => T): T {
    try {
      return make();
    } catch (err) {
      this.transport.close();
      throw err;
    }
  }

  async call(call: ApiCall, callerSignal?: AbortSignal): Promise<ApiResult> {
    if (this.closed.signal.aborted) throw new BlynkError('CLOSED');
    const signal = this.signalFor(callerSignal);
    const res = call.api === 'platform' ? await this.platformCall(call, signal) : await this.send(call, undefined, signal);
    if (res.status >= 200 && res.status < 300) return { status: res.status, data: res.data };
    const error = errorFor(res);
    // The Device API's answer to an unknown token (or a token of another region's server).
    if (call.api === 'device' && error.code === 'BAD_REQUEST' && /^invalid token\.?$/i.test(error.details.detail ?? '')) {
      throw new BlynkError('DEVICE_TOKEN_REJECTED', error.details);
    }
    throw error;
  }

  /**
   * The signal for calls made with `callerSignal`: aborted by the caller or by close(). Made once
   * per caller (a flow node), not per call: each AbortSignal.any() leaves a WeakRef on both source
   * signals, and Node 20 does not prune them while the sources live, so one per call grows the
   * heap by ~70 bytes a message for as long as the flow runs. Every request in flight adds an abort
   * listener to it, so any number of them is allowed (no MaxListenersExceededWarning).
   */
  private signalFor(callerSignal: AbortSignal | undefined): AbortSignal {
    if (!callerSignal) return this.closed.signal;
    let signal = this.callSignals.get(callerSignal);
    if (!signal) {
      signal = eitherSignal(callerSignal, this.closed.signal);
      setMaxListeners(0, signal);
      this.callSignals.set(callerSignal, signal);
    }
    return signal;
  }

  close(): void {
    this.closed.abort();
    this.tokens?.close();
    this.gate?.close();
    this.transport.close();
  }

  /**
   * A Bearer call; a 401 on the token still cached renews it once and retries once. A 401 on a
   * token that is no longer cached just retries with the cached one (no renewal). A 403 is Blynk
   * refusing a permission (the OAuth client's Platform API scope, the user's role, the plan): a new
   * token would be refused too, so it goes straight to the caller.
   */
  private async platformCall(call: ApiCall, signal: AbortSignal): Promise<TransportResponse> {
    const tokens = this.tokens;
    if (!tokens) throw new BlynkError('NO_OAUTH_CLIENT');
    const token = await tokens.getToken();
    const res = await this.send(call, token, signal);
    if (res.status !== 401 || this.now() < this.authRetryBlockedUntil) return res;
    if (tokens.isCurrent(token)) {
      // A second renewal so soon means each new token gets refused in turn (e.g. two config nodes
      // on one OAuth client with a server that keeps only the latest token): stop renewing, or
      // the two would take turns invalidating each other's token without end.
      if (this.now() - this.lastAuthRenewalAt < AUTH_RETRY_COOLDOWN_MS) {
        this.authRetryBlockedUntil = this.now() + AUTH_RETRY_COOLDOWN_MS;
        return res;
      }
      this.lastAuthRenewalAt = this.now();
      tokens.invalidate(token);
    }
    const retried = await this.send(call, await tokens.getToken(), signal);
    if (retried.status === 401) {
      this.authRetryBlockedUntil = this.now() + AUTH_RETRY_COOLDOWN_MS;
    }
    return retried;
  }

  /**
   * Sends with bounded retries: a 429 (never processed) is retried after its Retry-After up to the
   * cap; 5xx and network failures only when the call is idempotent.
   */
  private async send(call: ApiCall, token: string | undefined, signal: AbortSignal): Promise<TransportResponse> {
    const headers = token === undefined ? undefined : { Authorization: `Bearer ${token}` };
    for (let attempt = 1; ; attempt++) {
      // Each attempt waits its turn; with pacing off, or a turn free, there is nothing to await.
      const turn = this.gate?.acquire(call, signal);
      if (turn) await turn;
      let res: TransportResponse;
      try {
        res = await this.transport.request({
          method: call.method,
          path: call.path,
          query: call.query,
          body: call.body,
          ...(call.multipart ? { multipart: call.multipart } : {}),
          headers,
          timeoutMs: this.apiTimeoutMs,
          signal,
          secrets: [...(call.api === 'device' ? deviceTokensIn(call) : []), ...(call.secrets ?? [])],
        });
      } catch (err) {
        const backoff = networkRetryMs(this.policy, err, attempt, call.idempotent);
        if (backoff === undefined) throw err;
        await sleep(backoff, signal);
        continue;
      }
      // A Retry-After over the cap is not waited out: the answer goes to the caller (RATE_LIMITED).
      const wait = retryWaitMs(this.policy, res.status, res.retryAfter, attempt, call.idempotent);
      if (wait === undefined) return res;
      await sleep(wait, signal);
    }
  }
}

/** The Device API carries the device's auth token in the query (`token=…`), as Blynk documents. */
function deviceTokensIn(call: ApiCall): string[] {
  return (call.query ?? []).flatMap((entry) => (entry[0] === 'token' && entry[1] ? [entry[1]] : []));
}

/** Aborted when either is; `AbortSignal.any` where the runtime has it (Node 18.17+, 20.3+). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const both = new AbortController();
  const abort = (): void => both.abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return both.signal;
}

/** Maps a non-2xx answer to the package's error, with Blynk's own message as the detail. */
export function errorFor(res: TransportResponse): BlynkError {
  const status = res.status;
  const detail = serverMessageOf(res.data) || `HTTP ${status}`;
  const retryAfter = parseRetryAfter(res.retryAfter);
  // A 503 with Retry-After is the server asking to come back later, as a 429 does.
  if (status === 429 || (status === 503 && retryAfter !== undefined)) {
    return new BlynkError('RATE_LIMITED', { status, detail, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }
  return new BlynkError(codeForStatus(status), { status, detail });
}
