// POST /oauth2/token and the token bookkeeping behind it (blynk-api.md §2, RFC 6749, RFC 9700 §4.14.2).
import { randomBytes } from 'node:crypto';
import { first, json, type Query, type Reply, type SimRequest } from './http';
import type { TokenStats } from './types';

const GRANTS = new Set(['client_credentials', 'user_credentials', 'refresh_token']);

interface Family {
  revoked: boolean; // set when a used refresh token of this grant is replayed
}
interface AccessInfo {
  expiresAt: number;
  revoked: boolean;
  userEmail?: string;
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
  private readonly clients = new Map<string, string>();
  private readonly users = new Map<string, string>();

  constructor(public lifetimeSec: number) {}

  addClient(id: string, secret: string): void {
    this.clients.set(id, secret);
  }

  addUser(email: string, password: string): void {
    this.users.set(email.toLowerCase(), password);
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
    this.access = new Map();
    this.refresh = new Map();
  }

  checkAccess(token: string): AccessCheck {
    const info = this.access.get(token);
    if (!info || info.revoked) return 'invalid';
    return Date.now() < info.expiresAt ? 'ok' : 'expired';
  }

  /** Counted when the request arrives, before faults: tests count what the client sent. */
  count(query: Query): void {
    const grant = first(query, 'grant_type') ?? '(none)';
    this.requests++;
    this.byGrant[grant] = (this.byGrant[grant] ?? 0) + 1;
  }

  handle(req: SimRequest): Reply {
    // [U] Blynk documents query parameters only; a form-encoded body (RFC 6749 style) is accepted too.
    const params = isForm(req) ? { ...Object.fromEntries(new URLSearchParams(req.rawBody)), ...req.query } : req.query;
    const grant = first(params, 'grant_type');
    if (!grant) return oauthError('invalid_request', 'Missing grant_type parameter.');
    if (!GRANTS.has(grant)) return oauthError('unsupported_grant_type', `Grant type ${grant} is not supported.`);

    const clientId = this.authenticateClient(req.headers.authorization, params);
    if (clientId === undefined) return oauthError('invalid_client', 'Client ID is not found or password is wrong.');

    switch (grant) {
      case 'client_credentials':
        return this.issue(clientId, { revoked: false });
      case 'user_credentials': {
        const body = req.json as { userEmail?: unknown; password?: unknown } | undefined;
        if (req.jsonError || typeof body?.userEmail !== 'string' || typeof body.password !== 'string') {
          return oauthError('invalid_request', 'userEmail and password are required.');
        }
        // [U] e-mail case: compared case-insensitively (tolerant).
        if (this.users.get(body.userEmail.toLowerCase()) !== body.password) {
          return oauthError('invalid_grant', 'User email or password is wrong.');
        }
        return this.issue(clientId, { revoked: false }, body.userEmail);
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

  private issue(clientId: string, family: Family, userEmail?: string): Reply {
    const expiresAt = Date.now() + this.lifetimeSec * 1000;
    const accessToken = newToken();
    const refreshToken = newToken();
    this.access.set(accessToken, { expiresAt, revoked: false, userEmail });
    // Refresh tokens share the access token lifetime (blynk-api.md §2).
    this.refresh.set(refreshToken, { expiresAt, used: false, family, clientId, userEmail });
    this.issuedAccess.push(accessToken);
    this.issuedRefresh.push(refreshToken);
    return {
      ...json(200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: this.lifetimeSec,
        refresh_token: refreshToken,
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

export function parseBasic(header: string | undefined): [string, string] | undefined {
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
