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
  if (typeof data !== 'object' || data === null) return data;
  // Copied only where something is taken out: most answers hold no credential and pass as they are.
  if (Array.isArray(data)) {
    let items: unknown[] | undefined;
    for (let i = 0; i < data.length; i++) {
      const kept = withoutCredentials(data[i]);
      if (!items && kept !== data[i]) items = data.slice(0, i);
      items?.push(kept);
    }
    return items ?? data;
  }
  const record = data as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = record[key];
    const dropped = CREDENTIAL_FIELDS.has(key);
    const kept = dropped ? undefined : withoutCredentials(value);
    if (!out && (dropped || kept !== value)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = record[keys[j]];
    }
    if (out && !dropped) out[key] = kept;
  }
  return out ?? data;
}
