import { BlynkError } from '../errors';
import { isUnprocessed, spendRefreshToken } from '../refresh-token';
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
    let token: Token | undefined;
    try {
      token = await spendRefreshToken(endpoint, slot, true);
    } catch (err) {
      if (isUnprocessed(err)) throw err;
      this.onRefreshToken?.(undefined);
      if (err instanceof BlynkError && err.code === 'TOKEN_REJECTED' && err.status !== undefined && err.status >= 400 && err.status < 500) {
        throw signinRequired(err);
      }
      // An outage or a lost answer: the token may have been spent, but only a new sign-in can tell.
      throw err;
    }
    if (!token) throw signinRequired();
    return token;
  }

  refreshTokenChanged(refreshToken: string | undefined): void {
    this.onRefreshToken?.(refreshToken);
  }
}
