import type { RateLimitMode } from '../../../blynk/rate-limits';
import { endpointPathOf, parseServer } from '../../../blynk/server-url';
import type { GrantType } from '../../../blynk/grants';
import type { Validator } from '../../../editor/red';
import { accepts, isEmpty } from '../../../editor/verdict';

/** The connection's catalogue prefix. */
export const CATALOG = 'node-red-contrib-blynk-cloud/blynk-cloud-config:blynk-cloud-config.';

// The runtime's spellings (the compiler checks that each list is complete and exact).
const GRANT_TYPES: Record<GrantType, true> = { client_credentials: true, user_credentials: true, authorization_code: true };
const RATE_LIMIT_MODES: Record<RateLimitMode, true> = { auto: true, on: true, off: true };

function isOneOf(table: Record<string, true>, v: unknown): boolean {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(table, v);
}

/**
 * The server as typed: an origin the runtime accepts (https, or plain http on a loopback address
 * for the local simulator), written without a path, query or user.
 */
function isServer(text: string): boolean {
  return text !== '' && /^[a-z]+:\/\/[^\s/?#@]+\/?$/i.test(text) && accepts((t) => parseServer(String(t)), text);
}

// Validators take (v, opt): only then does Node-RED show a returned message as the error (see
// verdict in src/editor/verdict.ts). Absent or empty means the runtime default, so flows saved
// before a setting existed stay valid.

export const validServer: Validator = function (v, _opt) {
  const text = String(v || '').trim();
  return isServer(text) ? true : RED._(`${CATALOG}errors.invalid-server`, { server: text });
};

// Absent: the runtime signs in with client credentials.
export const validGrantType: Validator = function (v, _opt) {
  return isEmpty(v) || isOneOf(GRANT_TYPES, v) ? true : RED._(`${CATALOG}validation.grantType`);
};

export const validRateLimit: Validator = function (v, _opt) {
  return isEmpty(v) || isOneOf(RATE_LIMIT_MODES, v) ? true : RED._(`${CATALOG}validation.rateLimit`);
};

/** A number as typed, or NaN; empty when absent. */
function numberText(v: unknown): { text: string; n: number } {
  const text = String(isEmpty(v) ? '' : v).trim();
  return { text, n: Number(text) };
}

// A rate: empty, or a positive number (the runtime falls back to Blynk's limit otherwise).
export const validRate: Validator = function (v, _opt) {
  const { text, n } = numberText(v);
  return text === '' || (isFinite(n) && n > 0) ? true : RED._(`${CATALOG}validation.rate`);
};

// The queue: empty, or at least 1 (the runtime rounds down, and a queue of 0 refuses every wait).
export const validQueue: Validator = function (v, _opt) {
  const { text, n } = numberText(v);
  return text === '' || (isFinite(n) && n >= 1) ? true : RED._(`${CATALOG}validation.queue`);
};

// A path on the Blynk server, as the runtime accepts it: empty (Blynk's), or absolute with plain
// characters, no ".." and no "//" — anything else could send the token request to another host.
export const validPath: Validator = function (v, _opt) {
  return accepts((value) => endpointPathOf(value, ''), v) ? true : RED._(`${CATALOG}validation.path`);
};
