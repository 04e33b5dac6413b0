import { errorRule } from './error-table';
import { BlynkError } from './errors';
import type { TokenEndpoint } from './token-endpoint';
import type { Token } from './token-response';
/**
 * The one unspent refresh token of a config node. It came either with the current token (the
 * session's own) or from the user's sign-in (the stored credential of `authorization_code`, not
 * yet used since): a failed refresh means something different for each.
 */
export class RefreshTokenSlot {
  private value?: string;
  private fromSignIn = false;

  /** Holds `value` (or nothing), in place of whatever was held. */
  hold(value: string | undefined, fromSignIn: boolean): void {
    this.value = value || undefined;
    this.fromSignIn = this.value !== undefined && fromSignIn;
  }

  /**
   * Takes the token out if it came from where asked. It is forgotten before it is sent: Blynk
   * accepts each refresh token once, and a replay would revoke the whole family.
   */
  take(fromSignIn: boolean): string | undefined {
    if (this.value === undefined || this.fromSignIn !== fromSignIn) return undefined;
    const value = this.value;
    this.clear();
    return value;
  }

  get held(): boolean {
    return this.value !== undefined;
  }

  clear(): void {
    this.value = undefined;
    this.fromSignIn = false;
  }
}

/**
 * Spends the refresh token held in `slot` (as one from the user's sign-in, or not): its token
 * answer, or undefined when none is held. Only a 429 proves it unspent, so then it goes back into
 * the slot before the error is thrown; after any other failure it counts as spent.
 */
export async function spendRefreshToken(endpoint: TokenEndpoint, slot: RefreshTokenSlot, fromSignIn: boolean): Promise<Token | undefined> {
  const refreshToken = slot.take(fromSignIn);
  if (!refreshToken) return undefined;
  try {
    return await endpoint.request(
      [
        ['grant_type', 'refresh_token'],
        ['refresh_token', refreshToken],
      ],
      undefined,
      false,
    );
  } catch (err) {
    if (isUnprocessed(err)) slot.hold(refreshToken, fromSignIn);
    throw err;
  }
}

/** A 429: the server did not process the request, so a refresh token sent with it is unspent. */
export function isUnprocessed(err: unknown): boolean {
  return err instanceof BlynkError && errorRule(err.code).retry === 'retry-after';
}
