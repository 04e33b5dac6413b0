import { Token } from '../token-response';
import { Grant, GrantContext } from './grant';
import { scopeQuery } from './scope';

/** `client_credentials`: the OAuth client alone gets a token, whenever asked. */
export class ClientCredentialsGrant implements Grant {
  readonly signsIn = false;

  constructor(private readonly scope: string | undefined) {}

  obtain({ endpoint }: GrantContext): Promise<Token> {
    return endpoint.request([['grant_type', 'client_credentials'], ...scopeQuery(this.scope)], undefined, true);
  }
}
