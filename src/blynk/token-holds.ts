import { BlynkError, BlynkErrorCode, BlynkErrorDetails } from './errors';

/**
 * The waits the token endpoint imposes: a cool-down after rejected credentials (retrying them at
 * once would only be refused again and may lock the account) and a Retry-After too long to wait
 * out. While one runs, token requests fail at once without a request.
 */
export class TokenHolds {
  private fatal?: { error: BlynkError; until: number };
  private blockedUntil = 0;

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  /** The error to fail with at once, or undefined when a token request may go out. */
  blocked(refreshTokenHeld: boolean): BlynkError | undefined {
    const now = this.now();
    // Nothing left to try without the user: fail at once, with no request, until they sign in.
    if (this.fatal?.error.code === 'SIGNIN_REQUIRED' && !refreshTokenHeld) return this.fatal.error;
    if (this.fatal && now < this.fatal.until) {
      const retryAfter = Math.ceil((this.fatal.until - now) / 1000);
      return new BlynkError('AUTH_COOLDOWN', { ...this.fatal.error.details, retryAfter });
    }
    if (now < this.blockedUntil) {
      return new BlynkError('RATE_LIMITED', { retryAfter: Math.ceil((this.blockedUntil - now) / 1000) });
    }
    return undefined;
  }

  /** A credential error with the cool-down as its retryAfter, held until the cool-down ends. */
  holdFatal(code: BlynkErrorCode, details: BlynkErrorDetails): BlynkError {
    const retryAfter = Math.ceil(this.cooldownMs / 1000);
    const error = new BlynkError(code, { ...details, retryAfter });
    this.fatal = { error, until: this.now() + this.cooldownMs };
    return error;
  }

  /** Blocks every token request for `retryAfterSec` seconds. */
  block(retryAfterSec: number): void {
    this.blockedUntil = this.now() + retryAfterSec * 1000;
  }

  /** Credentials worked (or were replaced): the cool-down is over. */
  clearFatal(): void {
    this.fatal = undefined;
  }
}
