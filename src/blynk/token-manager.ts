import { BlynkError } from './errors';
import { tokenStateOf, TokenState } from './error-table';
import { Grant, GrantContext, grantFor, OAuthCredentials } from './grants';
import { isUnprocessed, RefreshTokenSlot, spendRefreshToken } from './refresh-token';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './retry';
import { endpointPathOf } from './server-url';
import { TokenEndpoint } from './token-endpoint';
import { TokenHolds } from './token-holds';
import { Token } from './token-response';
import { Transport } from './transport';

export type { GrantType, OAuthCredentials } from './grants';
export type { TokenState };

/** Blynk's documented token path. */
export const DEFAULT_TOKEN_PATH = '/oauth2/token';

export interface TokenManagerOptions {
  transport: Transport;
  credentials: OAuthCredentials;
  /** Token request timeout (default 10 s): a caller waits at most this long for a token. */
  timeoutMs?: number;
  /** How long rejected credentials block further attempts (default 5 min). */
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
 * callers wait, renewal ahead of expiry, single-use refresh tokens, the grant's own credentials
 * when a refresh fails, bounded retries and a cool-down after rejected credentials. Tokens live
 * only here.
 */
export class TokenManager {
  private token?: Token;
  /** The one unspent refresh token: the current token's, or the one stored after a sign-in. */
  private readonly refreshToken = new RefreshTokenSlot();
  private inflight?: Promise<Token>;
  private retryRenewalAt = 0;
  private current: TokenState = 'idle';
  /** `state:code` of the failure last reported with its error (see setState). */
  private lastFailure?: string;
  private readonly abort = new AbortController();
  private readonly transport: Transport;
  private readonly credentials: OAuthCredentials;
  private readonly grant: Grant;
  private readonly holds: TokenHolds;
  private readonly context: GrantContext;
  private readonly now: () => number;
  private readonly onStateChange?: (state: TokenState, error?: BlynkError) => void;

  constructor(options: TokenManagerOptions) {
    this.transport = options.transport;
    this.credentials = options.credentials;
    this.now = options.now ?? (() => performance.now());
    this.onStateChange = options.onStateChange;
    this.grant = grantFor(this.credentials, options.onRefreshToken);
    this.holds = new TokenHolds(options.fatalCooldownMs ?? 300_000, this.now);
    const { clientId, clientSecret, password, refreshToken } = this.credentials;
    const endpoint = new TokenEndpoint({
      transport: this.transport,
      path: endpointPathOf(options.tokenPath, DEFAULT_TOKEN_PATH),
      clientId,
      clientSecret,
      timeoutMs: options.timeoutMs ?? 10_000,
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      now: this.now,
      signal: this.abort.signal,
      holds: this.holds,
    });
    this.context = {
      endpoint,
      refreshToken: this.refreshToken,
      signinRequired: (cause) => this.holds.holdFatal('SIGNIN_REQUIRED', cause?.details ?? {}),
    };
    if (this.grant.signsIn) this.refreshToken.hold(refreshToken, true);
    this.transport.secrets.add(clientSecret, clientSecret && `${clientId}:${clientSecret}`, password, refreshToken);
  }

  /**
   * `authorization_code`: a new sign-in by the user. Replaces the stored refresh token, ends the
   * "sign in again" state and its cool-down; the next call spends it.
   */
  signIn(refreshToken: string): void {
    if (!this.grant.signsIn || this.abort.signal.aborted) return;
    this.transport.secrets.remember(refreshToken);
    this.refreshToken.hold(refreshToken, true);
    this.token = undefined;
    this.holds.clearFatal();
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
   * callers rejected with the same stale token cause one renewal, not one each. Its refresh token
   * is held apart from it, so it stays to be spent by that renewal.
   */
  invalidate(accessToken: string): void {
    if (this.token?.accessToken === accessToken) this.token = undefined;
  }

  /** Whether `accessToken` is the token currently cached (so a 401 on it would need a renewal). */
  isCurrent(accessToken: string): boolean {
    return this.token?.accessToken === accessToken;
  }

  /** Aborts the token request in flight and forgets every token. */
  close(): void {
    this.abort.abort();
    this.token = undefined;
    this.refreshToken.clear();
  }

  private renew(): Promise<Token> {
    if (this.abort.signal.aborted) return Promise.reject(new BlynkError('CLOSED'));
    const blocked = this.holds.blocked(this.refreshToken.held);
    if (blocked) return Promise.reject(blocked);
    if (!this.inflight) {
      const flight = this.obtain().finally(() => {
        if (this.inflight === flight) this.inflight = undefined;
      });
      this.inflight = flight;
    }
    return this.inflight;
  }

  private async obtain(): Promise<Token> {
    if (!this.token) this.setState('connecting');
    try {
      const token = (await this.refresh()) ?? (await this.primaryGrant());
      // An answer that arrives as the node closes must not be kept in memory.
      if (this.abort.signal.aborted) throw new BlynkError('CLOSED');
      this.transport.secrets.remember(token.accessToken);
      this.transport.secrets.remember(token.refreshToken);
      // The refresh token moves out of the token: it has one place, the slot.
      const rotated = token.refreshToken;
      this.refreshToken.hold(rotated, false);
      token.refreshToken = undefined;
      this.token = token;
      this.holds.clearFatal();
      // The rotated refresh token is the new way back in after a restart: hand it on to be stored.
      this.grant.refreshTokenChanged?.(rotated);
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
   * Spends the refresh token that came with the last token, if there is one. Only a 429 proves it
   * unused, and then it is kept for the next try; a 503 may have been processed behind a proxy, so
   * it counts as spent like any other failure, and the grant's own credentials are tried once.
   */
  private async refresh(): Promise<Token | undefined> {
    try {
      return await spendRefreshToken(this.context.endpoint, this.refreshToken, false);
    } catch (err) {
      if ((err instanceof BlynkError && err.code === 'CLOSED') || isUnprocessed(err)) throw err;
      this.grant.refreshTokenChanged?.(undefined);
      return undefined;
    }
  }

  private primaryGrant(): Promise<Token> {
    const { clientId, clientSecret } = this.credentials;
    if (!clientId || !clientSecret) return Promise.reject(new BlynkError('NO_OAUTH_CLIENT'));
    return this.grant.obtain(this.context);
  }

  private usable(): boolean {
    return this.token !== undefined && this.now() < this.token.expiresAt - MIN_REMAINING_MS;
  }

  private setState(state: TokenState, error?: BlynkError): void {
    if (state === this.current && !error) return;
    this.current = state;
    // The same failure again (each message retries it, between 'connecting's) is not news: the
    // error goes out once per state and code until a token is had again, so a failing stream of
    // messages makes one warning, not one each. The state itself is always passed on.
    if (state === 'ok') this.lastFailure = undefined;
    const failure = error ? `${state}:${error.code}` : undefined;
    const news = failure !== undefined && failure !== this.lastFailure;
    if (news) this.lastFailure = failure;
    this.onStateChange?.(state, news ? error : undefined);
  }
}
