import { BlynkError } from '../errors';
import { errorRule } from '../error-table';
import { Token } from '../token-response';
import { Grant, GrantContext } from './grant';

/**
 * `authorization_code`: the user signed in once in the browser, and the refresh token stored then
 * is the only way back in without them. Each token's rotated refresh token is handed on to be
 * stored in its place; one spent or refused is handed on as undefined.
 */
export class StoredSignInGrant implements Grant {
  readonly signsIn = true;

  constructor(private readonly onRefreshToken?: (refreshToken: string | undefined) => void) {}

  /**
   * Spends the stored refresh token. Without one, or when Blynk refuses it, only the user can
   * help: "sign in again", with no request at all until they do (no loop). A 429 proves it unspent,
   * so it is kept; any other failure counts it as spent.
   */
  async obtain({ endpoint, refreshToken: slot, signinRequired }: GrantContext): Promise<Token> {
    const refreshToken = slot.take(true);
    if (!refreshToken) throw signinRequired();
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
      if (err instanceof BlynkError && errorRule(err.code).retry === 'retry-after') {
        slot.hold(refreshToken, true);
        throw err;
      }
      this.onRefreshToken?.(undefined);
      if (err instanceof BlynkError && err.code === 'TOKEN_REJECTED' && err.status !== undefined && err.status >= 400 && err.status < 500) {
        throw signinRequired(err);
      }
      // An outage or a lost answer: the token may have been spent, but only a new sign-in can tell.
      throw err;
    }
  }

  refreshTokenChanged(refreshToken: string | undefined): void {
    this.onRefreshToken?.(refreshToken);
  }
}
