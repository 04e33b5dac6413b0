import { ClientCredentialsGrant } from './client-credentials';
import { Grant, OAuthCredentials } from './grant';
import { StoredSignInGrant } from './stored-sign-in';
import { UserCredentialsGrant } from './user-credentials';

export type { Grant, GrantContext, GrantType, OAuthCredentials } from './grant';

/** The grant the credentials name. */
export function grantFor(credentials: OAuthCredentials, onRefreshToken?: (refreshToken: string | undefined) => void): Grant {
  switch (credentials.grantType) {
    case 'authorization_code':
      return new StoredSignInGrant(onRefreshToken);
    case 'user_credentials':
      return new UserCredentialsGrant(credentials.userEmail, credentials.password, credentials.scope);
    default:
      return new ClientCredentialsGrant(credentials.scope);
  }
}
