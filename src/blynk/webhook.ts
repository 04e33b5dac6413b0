// Blynk webhooks (docs/blynk-webhooks.md): what the node, its dialog and the simulator share.
// Pure: bundled into the dialog too, so it imports nothing.

/** Methods Blynk can call a webhook with (Platform API Webhook schema: `method`). */
export const WEBHOOK_METHODS = ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

/** Blynk's documented maximum webhook body ("Max body size: 5 KB"). */
export const WEBHOOK_MAX_BODY = 5 * 1024;

/** Blynk.Console: header values use "only letters, digits, spaces, /, _, :, ;, . and -". */
export const HEADER_VALUE = /^[A-Za-z0-9 /_:;.-]+$/;

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The Custom JSON body the dialog recommends: every placeholder Blynk documents for datastream
 * triggers ("Objects that can be used for dynamic data"), each quoted, so that the body stays JSON
 * whatever the value; the node turns numbers back into numbers.
 */
export const RECOMMENDED_TEMPLATE = `{
  "deviceId": "{device_id}",
  "deviceName": "{device_name}",
  "pin": "{device_pin}",
  "dataStreamId": "{device_dataStreamId}",
  "value": "{device_pinValue}",
  "templateName": "{device_productName}",
  "orgName": "{device_orgName}",
  "tags": "{device_tags}",
  "timestamp": "{timestamp_unix}",
  "time": "{timestamp_iso8601}"
}`;

/** A secret header value Blynk accepts: `length` letters and digits. */
export function generateHeaderSecret(random: (bytes: Uint8Array) => Uint8Array, length = 40): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // 248 = 62 * 4: bytes above it are skipped, so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of random(new Uint8Array(length))) if (b < 248 && out.length < length) out += alphabet[b % 62];
  }
  return out;
}

/** Fills `{name}` placeholders from `values`; unknown ones are left as they are. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (name in values ? values[name] : whole));
}

/**
 * The triggers a webhook in node can be created for from its dialog: the Platform API's names
 * (Webhook schema `trigger`) of what Blynk.Console calls Device Datastream Update, Template
 * Datastream Update, and a device's logged event.
 */
export const SETUP_TRIGGERS = ['DEVICE_DATASTREAM_UPDATE', 'PRODUCT_DATASTREAM_UPDATE', 'DEVICE_LOG_EVENT'] as const;
export type SetupTrigger = (typeof SETUP_TRIGGERS)[number];

/** Webhook schema: `url` at most 512 characters. */
export const WEBHOOK_URL_MAX = 512;

/** Blynk.Console: a webhook name uses "only letters, digits, -, ' and spaces up to 80 characters". */
export const WEBHOOK_NAME = /^[\p{L}\p{N}\-' ]{1,80}$/u;

function loopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The URL Blynk calls: the public base URL of this Node-RED (https; plain http only on a loopback
 * host, for the simulator), Node-RED's `httpNodeRoot`, and the node's path. A reason instead when
 * the base is not such a URL or the result is over the schema's 512 characters.
 */
export function webhookUrlOf(base: string, nodeRoot: string, path: string): { url: string } | { reason: 'base' | 'too-long' } {
  let parsed: URL;
  try {
    parsed = new URL(base.trim());
  } catch {
    return { reason: 'base' };
  }
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopbackHost(parsed.hostname));
  if (!secure || parsed.username || parsed.password || parsed.search || parsed.hash) return { reason: 'base' };
  const join = (a: string, b: string): string => a.replace(/\/+$/, '') + (b.startsWith('/') ? b : `/${b}`);
  const root = nodeRoot.replace(/\/+$/, '');
  const url = join(`${parsed.origin}${parsed.pathname}${root}`, path);
  return url.length > WEBHOOK_URL_MAX ? { reason: 'too-long' } : { url };
}
