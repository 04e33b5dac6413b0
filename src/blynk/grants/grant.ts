import type { BlynkError } from '../errors';
import type { RefreshTokenSlot } from '../refresh-token';
import type { TokenEndpoint } from '../token-endpoint';
import type { Token } from '../token-response';

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

/** What a grant works with: the token endpoint, the refresh token, the "sign in again" error. */
export interface GrantContext {
  endpoint: TokenEndpoint;
  refreshToken: RefreshTokenSlot;
  /** The "sign in again" error, held for the cool-down like any rejected credential. */
  signinRequired(cause?: BlynkError): BlynkError;
}

/** How one OAuth2 grant gets a token when the session has no refresh token left to spend. */
export interface Grant {
  /** Whether the user's sign-in in the browser supplies this grant's refresh token. */
  readonly signsIn: boolean;
  /** Gets a token with the grant's own credentials (the OAuth client is known to be set). */
  obtain(context: GrantContext): Promise<Token>;
  /**
   * Told when a token came with a refresh token (or without one), and with undefined once a
   * refresh token was spent or refused: a grant that keeps it beyond a restart hands it on.
   */
  refreshTokenChanged?(refreshToken: string | undefined): void;
}
