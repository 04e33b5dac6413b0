import { tokenStateOf, TokenState } from './error-table';
import { BlynkError, BlynkErrorCode, BlynkErrorDetails, serverMessageOf } from './errors';
import { DEFAULT_RETRY_POLICY, isLimited, networkRetryMs, parseRetryAfter, retryWaitMs, RetryPolicy, sleep } from './retry';
import { basicAuth, oauthErrorOf, parseToken, Token } from './token-response';
import { endpointPathOf } from './server-url';
import { QueryEntries, Transport, TransportResponse } from './transport';

export type GrantType = 'client_credentials' | 'user_credentials' | 'authorization_code';

export interface OAuthCredentials {
  grantType: GrantType;
  clientId: string;
  clientSecret: string;
  userEmail?: string;
  password?: string;
  /** `authorization_code`: the refresh token stored after the user signed in (used once). */
  refreshToken?: string;
  /** Sent with the grants that accept it (client and user credentials). */
  scope?: string;
}

/** Blynk's documented token path. */
export const DEFAULT_TOKEN_PATH = '/oauth2/token';

export type { TokenState };

export interface TokenManagerOptions {
  transport: Transport;
  credentials: OAuthCredentials;
  /** Token request timeout; reliability rule 7 suggests 10 s. */
  timeoutMs?: number;
  /** How long a rejected client or password blocks further attempts (rule 10). */
  fatalCooldownMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Monotonic milliseconds; `performance.now` unless a test injects another clock. */
  now?: () => number;
  onStateChange?: (state: TokenState, error?: BlynkError) => void;
  /** Token endpoint path (default `/oauth2/token`). */
  tokenPath?: string;
  /**
   * `authorization_code`: called with each rotated refresh token, and with undefined once the
   * stored one is spent or refused, so that the config node can keep its credential current.
   */
  onRefreshToken?: (refreshToken: string | undefined) => void;
}

/** Below this much remaining life a token is not sent at all. */
const MIN_REMAINING_MS = 5_000;
/** Pause between background renewal attempts that failed while the token still worked. */
const RENEWAL_RETRY_MS = 5_000;
/**
 * Owns the OAuth2 token of one config node: exactly one token request in flight however many
 * callers wait, renewal ahead of expiry, single-use refresh tokens, a fresh primary grant when a
 * refresh fails, bounded retries and a cool-down after rejected credentials. Tokens live only here.
 */
export class TokenManager {
  private token?: Token;
  private refreshToken?: string;
  private inflight?: Promise<Token>;
  private fatal?: { error: BlynkError; until: number };
  private blockedUntil = 0;
  private retryRenewalAt = 0;
  private current: TokenState = 'idle';
  /** `state:code` of the failure last reported with its error (see setState). */
  private lastFailure?: string;
  private readonly abort = new AbortController();
  private readonly transport: Transport;
  private readonly credentials: OAuthCredentials;
  private readonly timeoutMs: number;
  private readonly fatalCooldownMs: number;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly onStateChange?: (state: TokenState, error?: BlynkError) => void;
  private readonly tokenPath: string;
  private readonly onRefreshToken?: (refreshToken: string | undefined) => void;
  /**
   * `authorization_code`: the refresh token that stands in for the primary grant (there is no
   * other way back in without the user). Single use like any refresh token.
   */
  private grantRefresh?: string;

  constructor(options: TokenManagerOptions) {
    this.transport = options.transport;
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fatalCooldownMs = options.fatalCooldownMs ?? 300_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? (() => performance.now());
    this.onStateChange = options.onStateChange;
    this.tokenPath = endpointPathOf(options.tokenPath, DEFAULT_TOKEN_PATH);
    this.onRefreshToken = options.onRefreshToken;
    if (this.credentials.grantType === 'authorization_code') this.grantRefresh = this.credentials.refreshToken || undefined;
    const { clientId, clientSecret, password, refreshToken } = this.credentials;
    this.transport.secrets.add(clientSecret, clientSecret && `${clientId}:${clientSecret}`, password, refreshToken);
  }

  /**
   * `authorization_code`: a new sign-in by the user. Replaces the stored refresh token, ends the
   * "sign in again" state and its cool-down; the next call spends it.
   */
  signIn(refreshToken: string): void {
    if (this.credentials.grantType !== 'authorization_code' || this.abort.signal.aborted) return;
    this.grantRefresh = refreshToken;
    this.transport.secrets.remember(refreshToken);
    this.token = undefined;
    this.refreshToken = undefined;
    this.fatal = undefined;
    this.setState('idle');
  }

  get state(): TokenState {
    return this.current;
  }

  /** The scope granted with the current token, when the server said. */
  get scope(): string | undefined {
    return this.token?.scope;
  }

  /** A usable access token: the cached one, or one fetched through the single flight. */
  getToken(): Promise<string> {
    const now = this.now();
    const token = this.token;
    if (token && now < token.renewAt) return Promise.resolve(token.accessToken);
    if (token && now < token.expiresAt - MIN_REMAINING_MS) {
      // Renew in the background while the current token still has life in it.
      if (now >= this.retryRenewalAt) this.renew().catch(() => undefined);
      return Promise.resolve(token.accessToken);
    }
    return this.renew().then((t) => t.accessToken);
  }

  /**
   * Drops `accessToken` if it is still the cached one (compare-and-invalidate), so that many
   * callers rejected with the same stale token cause one renewal, not one each.
   */
  invalidate(accessToken: string): void {
    if (this.token?.accessToken === accessToken) {
      // `??=`: a refresh token handed back by a 429 (see tryRefresh) is still unspent; keep it.
      this.refreshToken ??= this.token.refreshToken;
      this.token = undefined;
    }
  }

  /** Whether `accessToken` is the token currently cached (so a 401 on it would need a renewal). */
  isCurrent(accessToken: string): boolean {
    return this.token?.accessToken === accessToken;
  }

  /** Aborts the token request in flight and forgets every token. */
  close(): void {
    this.abort.abort();
    this.token = undefined;
    this.refreshToken = undefined;
  }

  private renew(): Promise<Token> {
    if (this.abort.signal.aborted) return Promise.reject(new BlynkError('CLOSED'));
    const blocked = this.blocked();
    if (blocked) return Promise.reject(blocked);
    if (!this.inflight) {
      const flight = this.obtain().finally(() => {
        if (this.inflight === flight) this.inflight = undefined;
      });
      this.inflight = flight;
    }
    return this.inflight;
  }

  /** The error to fail with at once while a cool-down or a long Retry-After is running. */
  private blocked(): BlynkError | undefined {
    const now = this.now();
    // Nothing left to try without the user: fail at once, with no request, until they sign in.
    if (this.fatal?.error.code === 'SIGNIN_REQUIRED' && !this.grantRefresh) return this.fatal.error;
    if (this.fatal && now < this.fatal.until) {
      const retryAfter = Math.ceil((this.fatal.until - now) / 1000);
      return new BlynkError('AUTH_COOLDOWN', { ...this.fatal.error.details, retryAfter });
    }
    if (now < this.blockedUntil) {
      return new BlynkError('RATE_LIMITED', { retryAfter: Math.ceil((this.blockedUntil - now) / 1000) });
    }
    return undefined;
  }

  private async obtain(): Promise<Token> {
    if (!this.token) this.setState('connecting');
    try {
      const token = (await this.tryRefresh()) ?? (await this.primaryGrant());
      // An answer that arrives as the node closes must not be kept in memory.
      if (this.abort.signal.aborted) throw new BlynkError('CLOSED');
      this.transport.secrets.remember(token.accessToken);
      this.transport.secrets.remember(token.refreshToken);
      this.token = token;
      this.refreshToken = undefined;
      this.fatal = undefined;
      if (this.credentials.grantType === 'authorization_code') {
        // The rotated refresh token is the new way back in after a restart: hand it on to be stored.
        this.grantRefresh = token.refreshToken;
        this.onRefreshToken?.(token.refreshToken);
      }
      this.setState('ok');
      return token;
    } catch (err) {
      const error = err instanceof BlynkError ? err : new BlynkError('TOKEN_BAD_RESPONSE');
      const state = tokenStateOf(error.code, error.status);
      if (this.usable()) {
        // A background renewal failed while the token still works: try again a little later
        // rather than on every message.
        this.retryRenewalAt = this.now() + RENEWAL_RETRY_MS;
        // "sign in again" too: once the current token runs out nothing else can get a new one.
        if (state === 'auth-failed' || state === 'signin-required') this.setState(state, error);
      } else if (error.code !== 'CLOSED') {
        this.setState(state, error);
      }
      throw error;
    }
  }

  /**
   * Spends the refresh token, if there is one. It is forgotten before it is sent: Blynk accepts
   * each one once, and a replay (after a lost answer, say) would revoke the whole family.
   * Only a 429 proves it unused, and then it is kept for the next try; a 503 may have been
   * processed behind a proxy, so it counts as spent like any other failure.
   */
  private async tryRefresh(): Promise<Token | undefined> {
    const refreshToken = this.refreshToken ?? this.token?.refreshToken;
    if (!refreshToken) return undefined;
    this.refreshToken = undefined;
    if (this.token) this.token.refreshToken = undefined;
    // The stored copy is the same token: spent with it, so the fallback below cannot replay it.
    if (this.grantRefresh === refreshToken) this.grantRefresh = undefined;
    try {
      return await this.tokenRequest(
        [['grant_type', 'refresh_token'], ['refresh_token', refreshToken]],
        undefined,
        false,
      );
    } catch (err) {
      if (err instanceof BlynkError && (err.code === 'CLOSED' || err.code === 'RATE_LIMITED')) {
        // RATE_LIMITED from a refresh means a 429 (tokenError, waitBeforeRetry): not processed.
        if (err.code === 'RATE_LIMITED') this.refreshToken = refreshToken;
        throw err;
      }
      if (this.credentials.grantType === 'authorization_code') this.onRefreshToken?.(undefined);
      return undefined; // spent or refused: fall back to the primary grant, once
    }
  }

  private primaryGrant(): Promise<Token> {
    const { grantType, clientId, clientSecret, userEmail, password } = this.credentials;
    if (!clientId || !clientSecret) return Promise.reject(new BlynkError('NO_OAUTH_CLIENT'));
    if (grantType === 'authorization_code') return this.storedRefresh();
    const scope = this.credentials.scope?.trim();
    const scoped: QueryEntries = scope ? [['scope', scope]] : [];
    if (grantType === 'user_credentials') {
      if (!userEmail || !password) return Promise.reject(new BlynkError('NO_USER_CREDENTIALS'));
      return this.tokenRequest([['grant_type', grantType], ...scoped], { userEmail, password }, true);
    }
    return this.tokenRequest([['grant_type', 'client_credentials'], ...scoped], undefined, true);
  }

  /**
   * `authorization_code`: spends the stored refresh token. Without one, or when Blynk refuses it,
   * only the user can help: "sign in again", with no request at all until they do (no loop).
   * A 429 proves it unspent, so it is kept; any other failure counts it as spent.
   */
  private async storedRefresh(): Promise<Token> {
    const refreshToken = this.grantRefresh;
    if (!refreshToken) throw this.signinRequired();
    this.grantRefresh = undefined;
    try {
      return await this.tokenRequest([['grant_type', 'refresh_token'], ['refresh_token', refreshToken]], undefined, false);
    } catch (err) {
      if (err instanceof BlynkError && err.code === 'RATE_LIMITED') {
        this.grantRefresh = refreshToken;
        throw err;
      }
      if (err instanceof BlynkError && err.code === 'TOKEN_REJECTED' && err.status !== undefined && err.status >= 400 && err.status < 500) {
        this.onRefreshToken?.(undefined);
        throw this.signinRequired(err);
      }
      // An outage or a lost answer: the token may have been spent, but only a new sign-in can tell.
      this.onRefreshToken?.(undefined);
      throw err;
    }
  }

  /** The "sign in again" error, held for the cool-down like any rejected credential (rule 10). */
  private signinRequired(cause?: BlynkError): BlynkError {
    return this.holdFatal('SIGNIN_REQUIRED', cause?.details ?? {});
  }

  /** A credential error with the cool-down as its retryAfter, held as `fatal` until it ends (rule 10). */
  private holdFatal(code: BlynkErrorCode, details: BlynkErrorDetails): BlynkError {
    const retryAfter = Math.ceil(this.fatalCooldownMs / 1000);
    const error = new BlynkError(code, { ...details, retryAfter });
    this.fatal = { error, until: this.now() + this.fatalCooldownMs };
    return error;
  }

  /**
   * One token request with its bounded retries: a Retry-After up to the cap is waited out; 5xx and
   * network failures are retried with jitter only for the primary grant (a refresh token must not
   * be sent twice); a timeout is not retried, so callers hear about it within the timeout.
   */
  private async tokenRequest(query: QueryEntries, body: unknown, primary: boolean): Promise<Token> {
    for (let attempt = 1; ; attempt++) {
      const sentAt = this.now();
      let res: TransportResponse;
      try {
        res = await this.transport.request({
          method: 'POST',
          path: this.tokenPath,
          query,
          body,
          headers: { Authorization: basicAuth(this.credentials.clientId, this.credentials.clientSecret) },
          timeoutMs: this.timeoutMs,
          signal: this.abort.signal,
          issuesTokens: true,
        });
      } catch (err) {
        const backoff = networkRetryMs(this.policy, err, attempt, primary);
        if (backoff === undefined) throw err;
        await sleep(backoff, this.abort.signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return parseToken(res.data, sentAt);
      const wait = this.waitBeforeRetry(res, attempt, primary);
      if (wait === undefined) throw this.tokenError(res, primary);
      await sleep(wait, this.abort.signal);
    }
  }

  /**
   * How long to wait before retrying a failed token answer, or undefined to give up. Only a 429
   * proves a refresh token unspent; any other failure of a refresh is final. A Retry-After over the
   * cap blocks every token request until it ends and fails with RATE_LIMITED at once.
   */
  private waitBeforeRetry(res: TransportResponse, attempt: number, primary: boolean): number | undefined {
    return retryWaitMs(this.policy, res.status, res.retryAfter, attempt, primary, (retryAfter) => {
      this.blockedUntil = this.now() + retryAfter * 1000;
      throw new BlynkError('RATE_LIMITED', { status: res.status, retryAfter });
    });
  }

  private tokenError(res: TransportResponse, primary: boolean): BlynkError {
    const error = oauthErrorOf(res.data);
    // An RFC 6749 error explains itself; any other body (a proxy's page, `{message}`, nothing) is
    // shown after its HTTP status, which the user's message would otherwise not carry (B5).
    const body = serverMessageOf(res.data);
    const details = {
      status: res.status,
      ...(error ? { oauthError: error } : {}),
      detail: error ? body || `HTTP ${res.status}` : body ? `HTTP ${res.status}: ${body}` : `HTTP ${res.status}`,
    };
    // Same test as waitBeforeRetry: a 503 on a refresh is a plain failure (the RT counts as spent).
    if (isLimited(res.status, primary)) {
      const retryAfter = parseRetryAfter(res.retryAfter);
      return new BlynkError('RATE_LIMITED', { ...details, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    }
    if (res.status >= 500 || !primary || res.status < 400) return new BlynkError('TOKEN_REJECTED', details);
    // A 4xx on the primary grant will not mend itself: hold off for the cool-down (rule 10).
    const code = error === 'invalid_grant' ? 'TOKEN_INVALID_GRANT' : error === 'invalid_client' || error === 'unauthorized_client' || res.status === 401 ? 'TOKEN_INVALID_CLIENT' : 'TOKEN_REJECTED';
    return this.holdFatal(code, details);
  }

  private usable(): boolean {
    return this.token !== undefined && this.now() < this.token.expiresAt - MIN_REMAINING_MS;
  }

  private setState(state: TokenState, error?: BlynkError): void {
    if (state === this.current && !error) return;
    this.current = state;
    // The same failure again (each message retries it, between 'connecting's) is not news: the
    // error goes out once per state and code until a token is had again, so a failing stream of
    // messages makes one warning, not one each (F8). The state itself is always passed on.
    if (state === 'ok') this.lastFailure = undefined;
    const failure = error ? `${state}:${error.code}` : undefined;
    const news = failure !== undefined && failure !== this.lastFailure;
    if (news) this.lastFailure = failure;
    this.onStateChange?.(state, news ? error : undefined);
  }
}
