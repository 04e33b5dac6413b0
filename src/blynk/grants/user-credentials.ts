import { BlynkError } from '../errors';
import { Token } from '../token-response';
import { Grant, GrantContext } from './grant';
import { scopeQuery } from './scope';

/** `user_credentials`: the OAuth client with a user's e-mail and password in the body. */
export class UserCredentialsGrant implements Grant {
  readonly signsIn = false;

  constructor(
    private readonly userEmail: string | undefined,
    private readonly password: string | undefined,
    private readonly scope: string | undefined,
  ) {}

  obtain({ endpoint }: GrantContext): Promise<Token> {
    const { userEmail, password } = this;
    if (!userEmail || !password) return Promise.reject(new BlynkError('NO_USER_CREDENTIALS'));
    return endpoint.request([['grant_type', 'user_credentials'], ...scopeQuery(this.scope)], { userEmail, password }, true);
  }
}
