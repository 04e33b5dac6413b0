import { isRecord } from './validate';

/**
 * Fields of Blynk's answers that are credentials. Documented: a device's auth `token` (device
 * get, list, search, create, edit), a provisioning `token`, a static token's claim `token` and its
 * `deviceToken`, a new OAuth client's `secret`. The Platform API does not publish the names under
 * which a webhook's Basic or OAuth2 credentials come back, so the usual names are taken out too.
 */
const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  'token',
  'deviceToken',
  'secret',
  'password',
  'clientSecret',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
]);

/**
 * Blynk's answer without any credential field, at any depth: nothing a node puts on a msg (debug
 * output, context, logs keep it) can write to a device or act as the organisation. Shown where
 * Blynk shows it: Blynk.Console.
 */
export function withoutCredentials(data: unknown): unknown {
  if (Array.isArray(data)) {
    const items = data.map(withoutCredentials);
    return items.some((item, i) => item !== data[i]) ? items : data;
  }
  if (!isRecord(data)) return data;
  // Copied only where something is taken out: most answers hold no credential and pass as they are.
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data)) {
    const kept = CREDENTIAL_FIELDS.has(key) ? undefined : withoutCredentials(value);
    if (!out && (CREDENTIAL_FIELDS.has(key) || kept !== value)) {
      out = {};
      for (const [k, v] of Object.entries(data)) {
        if (k === key) break;
        out[k] = v;
      }
    }
    if (out && !CREDENTIAL_FIELDS.has(key)) out[key] = kept;
  }
  return out ?? data;
}
