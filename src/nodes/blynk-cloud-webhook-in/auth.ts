import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a webhook must present: Basic credentials, a secret header, both, or nothing. */
export interface WebhookAuth {
  basic?: { user: string; password: string };
  header?: { name: string; value: string };
}

/** Why a request was refused; the reason is logged, never the credential. */
export type AuthFailure = 'basic-missing' | 'basic-wrong' | 'header-missing' | 'header-wrong';

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
export function authFailure(auth: WebhookAuth, headers: IncomingHttpHeaders): AuthFailure | undefined {
  let failure: AuthFailure | undefined;
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
