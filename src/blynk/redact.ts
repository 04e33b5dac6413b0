// Server text that leaves the client (errors, warnings, msg.payload) never carries a secret the
// connection knows, even from a server that echoes the request it was sent.
import { isRecord } from './validate';

export const REDACTED = '[redacted]';

/** Tokens remembered besides the fixed credentials: enough for a few renewals in flight. */
const MAX_RECENT = 16;
/** Request-specific patterns kept (one per device token in use). */
const MAX_PATTERNS = 256;

/** Each form a secret can come back in: as sent, percent-encoded, form-encoded, JSON-escaped. */
function formsOf(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams([['', secret]]).toString().slice(1),
    JSON.stringify(secret).slice(1, -1),
  ]);
  return [...forms];
}

/**
 * The credential inside an Authorization header, in every form: a Bearer token; a Basic pair as
 * sent (base64), decoded (`id:secret`) and its secret alone, form-decoded too (RFC 6749 §2.3.1).
 */
export function authorizationSecrets(header: string | undefined): string[] {
  if (!header) return [];
  const [scheme, credential = ''] = header.split(' ', 2);
  if (!credential) return [header];
  // The whole value first: an echo of `Bearer …` leaves no scheme word behind either.
  if (scheme.toLowerCase() !== 'basic') return [header, credential];
  const pair = Buffer.from(credential, 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  const secret = colon < 0 ? '' : pair.slice(colon + 1);
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret.replace(/\+/g, ' '));
  } catch {
    // not form-encoded: the secret as it is
  }
  return [header, credential, pair, secret, decoded].filter((s) => s !== '');
}

/**
 * The secrets of one connection: its credentials for as long as it lives, and the latest tokens it
 * was issued. Longest forms are replaced first, so that a secret inside a longer one (the secret
 * inside `id:secret`) leaves no part of the longer one behind.
 */
export class SecretSet {
  private readonly fixed = new Set<string>();
  private readonly recent: string[] = [];
  private pattern?: RegExp | null;
  /** Patterns with a request's own secrets added, by those secrets: built once per device token. */
  private readonly withExtra = new Map<string, RegExp | null>();

  /** Credentials, kept until the connection closes. */
  add(...secrets: Array<string | undefined>): void {
    for (const s of secrets) if (s) this.fixed.add(s);
    this.pattern = undefined;
  }

  /** A token, kept among the latest few. */
  remember(secret: string | undefined): void {
    if (!secret || this.recent.includes(secret)) return;
    this.recent.push(secret);
    if (this.recent.length > MAX_RECENT) this.recent.shift();
    this.pattern = undefined;
  }

  clear(): void {
    this.fixed.clear();
    this.recent.length = 0;
    this.pattern = undefined;
  }

  /**
   * Whether any known secret, or one of `extra`, stands in `text` (a body as it came: its JSON
   * escapes are among the forms looked for). Anything that is not text is assumed to hold one.
   */
  appearsIn(text: unknown, extra: readonly string[] = []): boolean {
    const pattern = this.patternWith(extra);
    if (!pattern) return false;
    // `\u` and `\/` escapes could spell a secret no form of it matches: then the parsed value is walked.
    if (typeof text !== 'string' || /\\[u/]/.test(text)) return true;
    pattern.lastIndex = 0;
    const found = pattern.test(text);
    pattern.lastIndex = 0;
    return found;
  }

  /** `text` with every known secret, and each of `extra`, replaced by `[redacted]`. */
  redact(text: string, extra: readonly string[] = []): string {
    const pattern = this.patternWith(extra);
    return pattern ? text.replace(pattern, REDACTED) : text;
  }

  /** Every string in `data` (object values, array items, deep) redacted; `keep` names top-level fields left as they are. */
  redactData(data: unknown, extra: readonly string[] = [], keep?: ReadonlySet<string>): unknown {
    const pattern = this.patternWith(extra);
    if (!pattern) return data;
    const walk = (value: unknown): unknown => {
      if (typeof value === 'string') return value.replace(pattern, REDACTED);
      if (Array.isArray(value)) return value.map(walk);
      if (!isRecord(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[key.replace(pattern, REDACTED)] = walk(v);
      return out;
    };
    if (keep && isRecord(data)) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(data)) out[key] = keep.has(key) ? v : walk(v);
      return out;
    }
    return walk(data);
  }

  private patternWith(extra: readonly string[]): RegExp | null {
    if (this.pattern === undefined) {
      this.pattern = patternOf([...this.fixed, ...this.recent]);
      this.withExtra.clear();
    }
    const unknown = extra.filter((s) => s && !this.fixed.has(s) && !this.recent.includes(s));
    if (unknown.length === 0) return this.pattern;
    const key = unknown.join('\n');
    let pattern = this.withExtra.get(key);
    if (pattern === undefined) {
      if (this.withExtra.size >= MAX_PATTERNS) this.withExtra.clear();
      pattern = patternOf([...this.fixed, ...this.recent, ...unknown]);
      this.withExtra.set(key, pattern);
    }
    return pattern;
  }
}

function patternOf(secrets: readonly string[]): RegExp | null {
  const forms = new Set<string>();
  for (const s of secrets) if (s) for (const form of formsOf(s)) forms.add(form);
  if (forms.size === 0) return null;
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
