import { Request, Response } from 'express';
import { NodeAPI } from 'node-red';
import { BlynkClient, BlynkError, DEFAULT_TOKEN_PATH, endpointPathOf, GrantType, organizationProfile, parseServer } from '../../blynk';
import { editorPost } from './admin-routes';
import { ConfigCredentials, credentialsOf, deployedConfig, grantTypeOf } from './config-node';
import { saidError, unexpected } from './i18n';

/** What the config dialog sends: its current fields, typed but perhaps not deployed. */
interface TestRequest {
  id?: unknown;
  server?: unknown;
  grantType?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  userEmail?: unknown;
  password?: unknown;
  scope?: unknown;
  tokenPath?: unknown;
}

/** Node-RED's placeholder for a password credential that is stored but not shown. */
const STORED = '__PWRD__';

/** A request field as a string: anything else (absent, a number, an object) is empty. */
export function stringOrEmpty(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * A deployed node's stored credentials, but only when the dialog still points at the server they
 * were deployed for: the test must not become a way to send a stored secret elsewhere. A secret
 * the dialog did not retype for another server is refused with that reason, not as "missing".
 */
function storedCredentials(RED: NodeAPI, body: TestRequest): ConfigCredentials {
  const id = stringOrEmpty(body.id);
  const deployed = deployedConfig(RED, id);
  if (!deployed) return {};
  const stored = (RED.nodes.getCredentials(id) as ConfigCredentials | undefined) ?? {};
  if (sameServer(deployed.server, stringOrEmpty(body.server))) return stored;
  const wanted = (typed: unknown, kept: string | undefined): boolean => Boolean(kept) && notRetyped(typed);
  if (wanted(body.clientSecret, stored.clientSecret) || wanted(body.password, stored.password)) {
    throw new BlynkError('STORED_SECRET_ELSEWHERE', { server: parseServer(deployed.server).origin });
  }
  return {};
}

/** A secret field the user left as it was: the placeholder of a stored secret, or empty. */
function notRetyped(typed: unknown): boolean {
  const value = stringOrEmpty(typed);
  return value === STORED || value === '';
}

function sameServer(a: string | undefined, b: string): boolean {
  try {
    return parseServer(a).origin === parseServer(b).origin;
  } catch {
    return false;
  }
}

/**
 * Merges the dialog's fields with the stored credentials of the deployed node: a secret field the
 * user did not retype arrives as the placeholder (or empty) and is taken from storage.
 */
export function credentialsFrom(RED: NodeAPI, body: TestRequest): ConfigCredentials {
  const stored = storedCredentials(RED, body);
  const secret = (typed: unknown, kept: string | undefined): string => (notRetyped(typed) ? (kept ?? '') : stringOrEmpty(typed));
  return {
    clientId: stringOrEmpty(body.clientId) || stored.clientId,
    clientSecret: secret(body.clientSecret, stored.clientSecret),
    userEmail: stringOrEmpty(body.userEmail) || stored.userEmail,
    password: secret(body.password, stored.password),
  };
}

/**
 * `authorization_code`: the stored refresh token is single use, so a second client spending it
 * would sign the deployed node out. The test runs through the deployed node's own client instead.
 */
async function viaDeployedNode(RED: NodeAPI, body: TestRequest): Promise<Organization> {
  const deployed = deployedConfig(RED, stringOrEmpty(body.id));
  if (!deployed || deployed.grantType !== 'authorization_code' || !sameServer(deployed.server, stringOrEmpty(body.server))) {
    throw new BlynkError('SIGNIN_REQUIRED');
  }
  return organizationOf(deployed.clientFor('platform'));
}

/** What a successful test shows: the organisation, and the scope the token was granted. */
interface Organization {
  id: unknown;
  name: unknown;
  scope?: string;
}

/** Reads the organisation profile with `client`, then its token's scope. */
async function organizationOf(client: BlynkClient): Promise<Organization> {
  const { data } = await client.call(organizationProfile());
  const org = (data ?? {}) as { id?: unknown; name?: unknown };
  const scope = client.tokens?.scope;
  return { id: org.id, name: org.name, ...(scope ? { scope } : {}) };
}

/**
 * `POST /blynk-cloud/test-connection`: gets a token with the dialog's settings and reads the
 * organisation profile. The answer holds the organisation's name or the reason it failed,
 * never a secret or a token.
 */
export function registerTestConnection(RED: NodeAPI): void {
  RED.httpAdmin.post('/blynk-cloud/test-connection', ...editorPost(RED), (req: Request, res: Response) => {
    const body = (req.body ?? {}) as TestRequest;
    const grantType: GrantType = grantTypeOf(body.grantType);
    let client: BlynkClient | undefined;
    const run = async (): Promise<Organization> => {
      // Checked before any secret is looked up: the path decides where the secret goes.
      const tokenPath = endpointPathOf(body.tokenPath, DEFAULT_TOKEN_PATH);
      if (grantType === 'authorization_code') return viaDeployedNode(RED, body);
      client = new BlynkClient({
        server: stringOrEmpty(body.server),
        credentials: credentialsOf(grantType, credentialsFrom(RED, body), stringOrEmpty(body.scope)),
        retry: { attempts: 1 },
        tokenPath,
      });
      if (!client.tokens) throw new BlynkError('NO_OAUTH_CLIENT');
      return organizationOf(client);
    };
    run()
      .then(
        (organization) => res.json({ ok: true, organization }),
        (err: unknown) => {
          const error = unexpected(err);
          res.json({ ok: false, code: error.code, ...saidError(RED, error) });
        },
      )
      .finally(() => client?.close());
  });
}
