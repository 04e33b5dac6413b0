// POST /oauth2/token and the token bookkeeping behind it (Blynk's OAuth2 documentation, RFC 6749, RFC 9700 §4.14.2).
import { createHash, randomBytes } from 'node:crypto';
import { first, formOf, json, type Query, type Reply, type SimRequest } from './http';
import type { TokenStats } from './types';

const GRANTS = new Set(['client_credentials', 'user_credentials', 'refresh_token', 'authorization_code']);

/** How long an authorization code may be exchanged (RFC 6749 §4.1.2 recommends at most 10 min). */
const CODE_LIFETIME_MS = 60_000;

interface Family {
  revoked: boolean; // set when a used refresh token of this grant is replayed
  scope?: string; // granted scope, echoed in every answer of the family
}

/** An authorization code: single use, bound to its client, redirect URI and PKCE challenge. */
interface AuthCode {
  clientId: string;
  redirectUri: string;
  challenge?: string;
  scope?: string;
  userEmail: string;
  expiresAt: number;
  used: boolean;
  /** Tokens issued for it, revoked if the code is replayed (RFC 6749 §4.1.2). */
  family?: Family;
}
interface AccessInfo {
  expiresAt: number;
  revoked: boolean;
  userEmail?: string;
  family?: Family;
}
interface RefreshInfo {
  expiresAt: number;
  used: boolean;
  family: Family;
  clientId: string;
  userEmail?: string;
}

export type AccessCheck = 'ok' | 'expired' | 'invalid';

const newToken = (): string => randomBytes(24).toString('base64url');

const oauthError = (error: string, description: string): Reply => ({
  ...json(400, { error, error_description: description }),
  headers: { 'Cache-Control': 'no-store' },
});

export class TokenStore implements TokenStats {
  requests = 0;
  byGrant: Record<string, number> = {};
  issuedAccess: string[] = [];
  issuedRefresh: string[] = [];
  refreshReuse = 0;

  private access = new Map<string, AccessInfo>();
  private refresh = new Map<string, RefreshInfo>();
  private codes = new Map<string, AuthCode>();
  private readonly clients = new Map<string, string>();
  /** Registered redirect URLs of clients created through the API; other clients accept loopback ones. */
  private readonly redirects = new Map<string, string[]>();
  private readonly users = new Map<string, string>();
  /** Users without developer mode (they may not create OAuth clients). */
  private readonly nonDevelopers = new Set<string>();
  /** Replays of an authorization code. */
  codeReuse = 0;

  constructor(public lifetimeSec: number) {}

  addClient(id: string, secret: string): void {
    this.clients.set(id, secret);
  }

  addUser(email: string, password: string, developerMode = true): void {
    this.users.set(email.toLowerCase(), password);
    if (developerMode) this.nonDevelopers.delete(email.toLowerCase());
    else this.nonDevelopers.add(email.toLowerCase());
  }

  /** A client created through `POST /api/v1/organization/oauth/clients/create`. */
  addClientWithRedirects(id: string, secret: string, redirectUrls: string[]): void {
    this.clients.set(id, secret);
    this.redirects.set(id, redirectUrls);
  }

  hasClient(id: string): boolean {
    return this.clients.has(id);
  }

  /**
   * Whether `uri` may receive codes for `clientId`: one of its registered URLs exactly, or, for a
   * client registered without any (the demo client; Blynk does not document this case), any http(s) URL on a loopback host.
   */
  redirectAllowed(clientId: string, uri: string): boolean {
    const registered = this.redirects.get(clientId);
    if (registered && registered.length > 0) return registered.includes(uri);
    try {
      const url = new URL(uri);
      return (url.protocol === 'http:' || url.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    } catch {
      return false;
    }
  }

  /** The user an access token was issued to (undefined for client-scoped tokens). */
  userOf(token: string): string | undefined {
    return this.access.get(token)?.userEmail;
  }

  isDeveloper(email: string): boolean {
    return !this.nonDevelopers.has(email.toLowerCase());
  }

  /** Issues a code after the user's consent (see authorize.ts). */
  createCode(code: Omit<AuthCode, 'used' | 'expiresAt'>): string {
    const value = newToken();
    this.codes.set(value, { ...code, used: false, expiresAt: Date.now() + CODE_LIFETIME_MS });
    return value;
  }

  revokeAccessToken(token: string): void {
    const info = this.access.get(token);
    if (info) info.revoked = true;
  }

  revokeAll(): void {
    for (const info of this.access.values()) info.revoked = true;
    for (const info of this.refresh.values()) info.family.revoked = true;
  }

  /** Forget issued tokens and statistics (clients and users stay). */
  reset(lifetimeSec: number): void {
    this.lifetimeSec = lifetimeSec;
    this.requests = 0;
    this.byGrant = {};
    this.issuedAccess = [];
    this.issuedRefresh = [];
    this.refreshReuse = 0;
    this.codeReuse = 0;
    this.access = new Map();
    this.refresh = new Map();
    this.codes = new Map();
  }

  checkAccess(token: string): AccessCheck {
    const info = this.access.get(token);
    if (!info || info.revoked) return 'invalid';
    return Date.now() < info.expiresAt ? 'ok' : 'expired';
  }

  /** Counted when the request arrives, before faults: tests count what the client sent. */
  count(req: SimRequest): void {
    const grant = first(tokenParams(req), 'grant_type') ?? '(none)';
    this.requests++;
    this.byGrant[grant] = (this.byGrant[grant] ?? 0) + 1;
  }

  handle(req: SimRequest): Reply {
    const params = tokenParams(req);
    const grant = first(params, 'grant_type');
    if (!grant) return oauthError('invalid_request', 'Missing grant_type parameter.');
    if (!GRANTS.has(grant)) return oauthError('unsupported_grant_type', `Grant type ${grant} is not supported.`);

    const clientId = this.authenticateClient(req.headers.authorization, params);
    if (clientId === undefined) return oauthError('invalid_client', 'Client ID is not found or password is wrong.');

    // The requested scope is granted as asked (Blynk does not document its scope names).
    const scope = first(params, 'scope') || undefined;
    switch (grant) {
      case 'client_credentials':
        return this.issue(clientId, { revoked: false, scope });
      case 'authorization_code':
        return this.codeGrant(clientId, params);
      case 'user_credentials': {
        const body = req.json as { userEmail?: unknown; password?: unknown } | undefined;
        if (req.jsonError || typeof body?.userEmail !== 'string' || typeof body.password !== 'string') {
          return oauthError('invalid_request', 'userEmail and password are required.');
        }
        // E-mail case is not documented: compared case-insensitively (tolerant).
        if (this.users.get(body.userEmail.toLowerCase()) !== body.password) {
          return oauthError('invalid_grant', 'User email or password is wrong.');
        }
        return this.issue(clientId, { revoked: false, scope }, body.userEmail);
      }
      default:
        return this.refreshGrant(clientId, first(params, 'refresh_token'));
    }
  }

  private refreshGrant(clientId: string, token: string | undefined): Reply {
    if (!token) return oauthError('invalid_request', 'Missing refresh_token parameter.');
    const info = this.refresh.get(token);
    if (!info || info.clientId !== clientId) return oauthError('invalid_grant', 'Refresh token is invalid.');
    if (info.used) {
      // Replay of a single-use token: revoke the whole family (RFC 9700 §4.14.2).
      this.refreshReuse++;
      info.family.revoked = true;
      return oauthError('invalid_grant', 'Refresh token was already used.');
    }
    if (info.family.revoked) return oauthError('invalid_grant', 'Refresh token is revoked.');
    if (Date.now() >= info.expiresAt) return oauthError('invalid_grant', 'Refresh token is expired.');
    info.used = true;
    return this.issue(clientId, info.family, info.userEmail);
  }

  /** RFC 6749 §4.1.3 with RFC 7636 §4.6: single-use code, same client and redirect URI, PKCE. */
  private codeGrant(clientId: string, params: Query): Reply {
    const value = first(params, 'code');
    if (!value) return oauthError('invalid_request', 'Missing code parameter.');
    const code = this.codes.get(value);
    if (!code || code.clientId !== clientId) return oauthError('invalid_grant', 'Authorization code is invalid.');
    if (code.used) {
      // A replayed code revokes what was issued for it (RFC 6749 §4.1.2).
      this.codeReuse++;
      if (code.family) code.family.revoked = true;
      for (const info of this.access.values()) if (info.family === code.family) info.revoked = true;
      return oauthError('invalid_grant', 'Authorization code was already used.');
    }
    code.used = true;
    if (Date.now() >= code.expiresAt) return oauthError('invalid_grant', 'Authorization code is expired.');
    if (first(params, 'redirect_uri') !== code.redirectUri)
      return oauthError('invalid_grant', 'redirect_uri does not match the authorization request.');
    if (code.challenge !== undefined) {
      const verifier = first(params, 'code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return oauthError('invalid_grant', 'PKCE verification failed.');
      }
    }
    code.family = { revoked: false, scope: code.scope };
    return this.issue(clientId, code.family, code.userEmail);
  }

  private issue(clientId: string, family: Family, userEmail?: string): Reply {
    const expiresAt = Date.now() + this.lifetimeSec * 1000;
    const accessToken = newToken();
    const refreshToken = newToken();
    this.access.set(accessToken, { expiresAt, revoked: false, userEmail, family });
    // Refresh tokens share the access token lifetime, as Blynk documents.
    this.refresh.set(refreshToken, { expiresAt, used: false, family, clientId, userEmail });
    this.issuedAccess.push(accessToken);
    this.issuedRefresh.push(refreshToken);
    return {
      ...json(200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: this.lifetimeSec,
        refresh_token: refreshToken,
        ...(family.scope !== undefined ? { scope: family.scope } : {}),
      }),
      headers: { 'Cache-Control': 'no-store' },
    };
  }

  /** Basic header (RFC 6749 §2.3.1) first, else client_id/client_secret in the query. */
  private authenticateClient(authorization: string | undefined, params: Query): string | undefined {
    const creds = parseBasic(authorization) ?? queryCredentials(params);
    if (!creds) return undefined;
    const [id, secret] = creds;
    return this.clients.get(id) === secret ? id : undefined;
  }
}

function isForm(req: SimRequest): boolean {
  return req.rawBody !== '' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** Blynk documents query parameters only; a form-encoded body (RFC 6749 style) is accepted too, the query winning. */
function tokenParams(req: SimRequest): Query {
  return isForm(req) ? { ...formOf(req.rawBody), ...req.query } : req.query;
}

function parseBasic(header: string | undefined): [string, string] | undefined {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
}

/** application/x-www-form-urlencoded decoding: '+' is a space. */
function formDecode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // a stray '%' that is not an escape: keep it as is
  }
}

function queryCredentials(params: Query): [string, string] | undefined {
  const id = first(params, 'client_id');
  const secret = first(params, 'client_secret');
  return id !== undefined && secret !== undefined ? [id, secret] : undefined;
}
