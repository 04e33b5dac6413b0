import { serverMessageOf, BlynkError } from './errors';
import { isLimited, networkRetryMs, parseRetryAfter, retryWaitMs, RetryPolicy, sleep } from './retry';
import { TokenHolds } from './token-holds';
import { basicAuth, oauthErrorOf, parseToken, Token } from './token-response';
import { QueryEntries, Transport, TransportResponse } from './transport';

export interface TokenEndpointOptions {
  transport: Transport;
  path: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  policy: RetryPolicy;
  now: () => number;
  signal: AbortSignal;
  holds: TokenHolds;
}

/** The OAuth2 token endpoint: one token request with its bounded retries, and its failures. */
export class TokenEndpoint {
  constructor(private readonly options: TokenEndpointOptions) {}

  /**
   * Asks for a token. A Retry-After up to the cap is waited out; 5xx and network failures are
   * retried with jitter only when `repeatable` (a refresh token must not be sent twice); a timeout
   * is not retried, so callers hear about it within the timeout.
   */
  async request(query: QueryEntries, body: unknown, repeatable: boolean): Promise<Token> {
    const { transport, path, clientId, clientSecret, timeoutMs, policy, now, signal } = this.options;
    for (let attempt = 1; ; attempt++) {
      const sentAt = now();
      let res: TransportResponse;
      try {
        res = await transport.request({
          method: 'POST',
          path,
          query,
          body,
          headers: { Authorization: basicAuth(clientId, clientSecret) },
          timeoutMs,
          signal,
          issuesTokens: true,
        });
      } catch (err) {
        const backoff = networkRetryMs(policy, err, attempt, repeatable);
        if (backoff === undefined) throw err;
        await sleep(backoff, signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return parseToken(res.data, sentAt);
      const wait = this.waitBeforeRetry(res, attempt, repeatable);
      if (wait === undefined) throw this.failure(res, repeatable);
      await sleep(wait, signal);
    }
  }

  /**
   * How long to wait before retrying a failed token answer, or undefined to give up. Only a 429
   * proves a refresh token unspent; any other failure of a refresh is final. A Retry-After over the
   * cap blocks every token request until it ends and fails with RATE_LIMITED at once.
   */
  private waitBeforeRetry(res: TransportResponse, attempt: number, repeatable: boolean): number | undefined {
    return retryWaitMs(this.options.policy, res.status, res.retryAfter, attempt, repeatable, (retryAfter) => {
      this.options.holds.block(retryAfter);
      throw new BlynkError('RATE_LIMITED', { status: res.status, retryAfter });
    });
  }

  private failure(res: TransportResponse, repeatable: boolean): BlynkError {
    const error = oauthErrorOf(res.data);
    // An RFC 6749 error explains itself; any other body (a proxy's page, `{message}`, nothing) is
    // shown after its HTTP status, which the user's message would otherwise not carry.
    const body = serverMessageOf(res.data);
    const details = {
      status: res.status,
      ...(error ? { oauthError: error } : {}),
      detail: error ? body || `HTTP ${res.status}` : body ? `HTTP ${res.status}: ${body}` : `HTTP ${res.status}`,
    };
    // Same test as waitBeforeRetry: a 503 on a refresh is a plain failure (the refresh token counts as spent).
    if (isLimited(res.status, repeatable)) {
      const retryAfter = parseRetryAfter(res.retryAfter);
      return new BlynkError('RATE_LIMITED', { ...details, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    }
    if (res.status >= 500 || !repeatable || res.status < 400) return new BlynkError('TOKEN_REJECTED', details);
    // A 4xx on the grant's own credentials will not mend itself: hold off for the cool-down.
    const code =
      error === 'invalid_grant'
        ? 'TOKEN_INVALID_GRANT'
        : error === 'invalid_client' || error === 'unauthorized_client' || res.status === 401
          ? 'TOKEN_INVALID_CLIENT'
          : 'TOKEN_REJECTED';
    return this.options.holds.holdFatal(code, details);
  }
}
