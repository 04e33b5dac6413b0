import { BlynkError, sanitizeDetail } from './errors';

export const DEFAULT_SERVER = 'https://blynk.cloud';

/**
 * Checks a server address and returns its origin (`https://host[:port]`, no trailing slash).
 * Plain http is allowed only for loopback hosts, so the local simulator works while no token or
 * secret can travel unencrypted over a network.
 */
export function parseServer(server: string | undefined): URL {
  const text = (server ?? '').trim() || DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BlynkError('INVALID_SERVER', { server: text });
  }
  const secure = url.protocol === 'https:';
  const loopbackHttp = url.protocol === 'http:' && isLoopback(url.hostname);
  if ((!secure && !loopbackHttp) || url.username || url.password) {
    // Shown without the path or any user:password@ part, which must not reach a log.
    throw new BlynkError('INVALID_SERVER', { server: `${url.protocol}//${url.host}` });
  }
  return new URL(url.origin);
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function isBlynkHost(hostname: string): boolean {
  return hostname === 'blynk.cloud' || hostname.endsWith('.blynk.cloud');
}

/**
 * Whether a region redirect (308) may be followed with the credentials attached: only to another
 * Blynk host over https, or between loopback addresses (the simulator's "regions").
 */
export function mayFollowRedirect(from: URL, to: URL): boolean {
  if (to.protocol === 'https:' && isBlynkHost(to.hostname)) return true;
  return isLoopback(from.hostname) && isLoopback(to.hostname) && to.protocol === from.protocol;
}

const ENDPOINT_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

/**
 * A token or authorize path on the connection's server: empty for `fallback`, else a plain
 * absolute path (letters, digits, `. _ ~ - /`, no `..`, no `//`), so that no host, port, userinfo
 * or query can ride in it. The editor's dialog checks the same rule.
 */
export function endpointPathOf(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  // Taken as stored, untrimmed, as the dialog checks it.
  const text = typeof value === 'string' ? value : '';
  if (!ENDPOINT_PATH.test(text) || text.includes('..') || text.includes('//')) {
    throw new BlynkError('INVALID_ENDPOINT_PATH', { value: JSON.stringify(sanitizeDetail(String(value))) });
  }
  return text;
}
