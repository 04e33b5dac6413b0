// The token endpoint's wire format: HTTP Basic client authentication and the checks on its answer.
import { BlynkError, sanitizeDetail } from './errors';

/** A usable token answer, with its renewal and expiry times. */
export interface Token {
  accessToken: string;
  refreshToken?: string;
  scope?: string;
  /** Monotonic times (ms) counted from when the request was sent. */
  renewAt: number;
  expiresAt: number;
}

/** Bounds for `expires_in` (seconds); Blynk has used 300 s and 24 h. */
const MIN_LIFETIME_S = 30;
const MAX_LIFETIME_S = 86_400;
/** Used when `expires_in` is absent or unreadable: Blynk's shortest known lifetime. */
const FALLBACK_LIFETIME_S = 300;

/** Visible ASCII without space, comma or semicolon (RFC 6750's b64token is narrower still). */
const HEADER_SAFE = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/** RFC 6749 §2.3.1: each part is form-urlencoded before the pair is base64-encoded. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

function formEncode(text: string): string {
  return new URLSearchParams([['', text]]).toString().slice(1);
}

/** The RFC 6749 `error` code of a token endpoint answer (`invalid_client`, …), if it has one. */
export function oauthErrorOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const error = (data as Record<string, unknown>).error;
  return typeof error === 'string' ? sanitizeDetail(error) : undefined;
}

/** Validates a token answer; an unusable one is an error, never `Bearer undefined`. */
export function parseToken(data: unknown, sentAt: number): Token {
  if (data === '') throw new BlynkError('TOKEN_BAD_RESPONSE', { detail: 'empty body' });
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new BlynkError('TOKEN_BAD_RESPONSE', { detail: `not JSON: ${sanitizeDetail(data)}` });
  }
  const record = data as Record<string, unknown>;
  const accessToken = record.access_token;
  if (typeof accessToken !== 'string' || !accessToken.trim()) {
    throw new BlynkError('TOKEN_BAD_RESPONSE', { detail: 'access_token missing' });
  }
  // It goes into an Authorization header: a CR/LF, space or comma in it could add a header or a value.
  if (!HEADER_SAFE.test(accessToken))
    throw new BlynkError('TOKEN_BAD_RESPONSE', { detail: 'access_token has characters a header cannot carry' });
  if (typeof record.token_type !== 'string' || record.token_type.toLowerCase() !== 'bearer') {
    const shown = record.token_type === undefined ? 'missing' : sanitizeDetail(record.token_type);
    throw new BlynkError('TOKEN_BAD_RESPONSE', { detail: `token_type ${shown}` });
  }
  const lifetimeMs = lifetimeOf(record.expires_in) * 1000;
  // Renew when less than min(60 s, 20 % of the lifetime) remains: early enough that a renewal that
  // fails once still has time to succeed, late enough that a short-lived token is not renewed at once.
  const margin = Math.min(60_000, lifetimeMs * 0.2);
  const refreshToken = typeof record.refresh_token === 'string' && record.refresh_token ? record.refresh_token : undefined;
  const scope = typeof record.scope === 'string' ? record.scope : undefined;
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(scope !== undefined ? { scope } : {}),
    renewAt: sentAt + lifetimeMs - margin,
    expiresAt: sentAt + lifetimeMs,
  };
}

function lifetimeOf(expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && expiresIn.trim() ? Number(expiresIn) : NaN;
  if (Number.isNaN(seconds)) return FALLBACK_LIFETIME_S;
  return Math.min(MAX_LIFETIME_S, Math.max(MIN_LIFETIME_S, seconds));
}
