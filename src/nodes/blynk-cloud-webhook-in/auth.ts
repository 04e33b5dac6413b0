import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a webhook must present: Basic credentials, a secret header, both, a Bearer token this node issued, or nothing. */
export interface WebhookAuth {
  basic?: { user: string; password: string };
  header?: { name: string; value: string };
  /** OAuth 2.0 (Blynk.Console: client id, client secret, token URL): the node's token URL issues the tokens. */
  oauth2?: { clientId: string; clientSecret: string };
}

/** Why a request was refused; the reason is logged, never the credential. */
export type AuthFailure = 'basic-missing' | 'basic-wrong' | 'header-missing' | 'header-wrong' | 'bearer-missing' | 'bearer-wrong';

/** Lifetime of an issued access token: short, so a leaked one is soon worthless. */
export const TOKEN_LIFETIME_SEC = 300;
/** At most this many live tokens per node: the oldest go first (a client asking in a loop cannot fill memory). */
const MAX_TOKENS = 100;

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/**
 * Short-lived access tokens of the client credentials grant (RFC 6749 §4.4), kept as hashes with
 * their expiry; no timer: expired ones are dropped when the next one is issued.
 */
export class TokenIssuer {
  private readonly live = new Map<string, number>();

  constructor(
    private readonly now: () => number = () => Date.now(),
    readonly lifetimeSec = TOKEN_LIFETIME_SEC,
  ) {}

  issue(): string {
    const now = this.now();
    for (const [hash, expires] of this.live) if (expires <= now) this.live.delete(hash);
    while (this.live.size >= MAX_TOKENS) this.live.delete(this.live.keys().next().value as string);
    const token = randomBytes(32).toString('base64url');
    this.live.set(hashOf(token), now + this.lifetimeSec * 1000);
    return token;
  }

  valid(token: string): boolean {
    const expires = this.live.get(hashOf(token));
    return expires !== undefined && expires > this.now();
  }

  clear(): void {
    this.live.clear();
  }
}

/**
 * The client of a token request: HTTP Basic (form-encoded id and secret, RFC 6749 §2.3.1) or
 * `client_id`/`client_secret` in the body (which one Blynk sends is undocumented: both are taken).
 */
export function tokenClientOf(headers: IncomingHttpHeaders, form: URLSearchParams): { id: string; secret: string } | undefined {
  const basic = basicOf(headers);
  if (basic) {
    const decode = (v: string): string => {
      try {
        return decodeURIComponent(v.replace(/\+/g, ' '));
      } catch {
        return v;
      }
    };
    return { id: decode(basic.user), secret: decode(basic.password) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id !== null && secret !== null ? { id, secret } : undefined;
}

/** Whether `client` is the configured one; both compared in constant time. */
export function isTokenClient(auth: WebhookAuth, client: { id: string; secret: string } | undefined): boolean {
  if (!auth.oauth2 || !client) return false;
  return Boolean(Number(sameSecret(client.id, auth.oauth2.clientId)) & Number(sameSecret(client.secret, auth.oauth2.clientSecret)));
}

/** Equal in time independent of where they differ: the hashes have the same length. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function basicOf(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** undefined when the request may pass; both checks run, so timing does not tell which failed. */
export function authFailure(auth: WebhookAuth, headers: IncomingHttpHeaders, tokens?: TokenIssuer): AuthFailure | undefined {
  let failure: AuthFailure | undefined;
  if (auth.oauth2) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!m) failure = 'bearer-missing';
    else if (!tokens?.valid(m[1])) failure = 'bearer-wrong';
  }
  if (auth.basic) {
    const given = basicOf(headers);
    // `&` not `&&`: the password is compared even when the user differs.
    const ok =
      given !== undefined && Number(sameSecret(given.user, auth.basic.user)) & Number(sameSecret(given.password, auth.basic.password));
    if (!ok) failure = given ? 'basic-wrong' : 'basic-missing';
  }
  if (auth.header) {
    const raw = headers[auth.header.name.toLowerCase()];
    const given = Array.isArray(raw) ? raw.join(', ') : raw;
    if (given === undefined) failure ??= 'header-missing';
    else if (!sameSecret(given, auth.header.value)) failure ??= 'header-wrong';
  }
  return failure;
}
