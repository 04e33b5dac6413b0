// Every Platform route of the contract (contract/*.json) that has no handler of its own: Bearer
// auth and the rate limit as the other Platform routes, the request checked against the documented
// schema (400 in Blynk's error shape, naming the field), and an answer built to the documented 2xx
// schema. So every preset of the api node runs offline; dedicated handlers (platform-api.ts and the
// others) are merged after these and win.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, type Route } from '../blynk/presets';
import { requestProblems } from '../blynk/route-check';
import { apiError, json, noContent, type Handler, type Query, type Reply, type SimRequest } from './http';
import type { RateLimiter } from './limits';
import type { TokenStore } from './oauth';
import { bearerAuth } from './platform-api';

type Json = Record<string, unknown>;

const CONTRACT_DIR = join(__dirname, '..', '..', 'contract');

/** The contract's operations by "<METHOD> <path>", each with its file (for `#/components/...`). */
function loadContract(): Map<string, { doc: Json; op: Json }> {
  const out = new Map<string, { doc: Json; op: Json }>();
  for (const file of readdirSync(CONTRACT_DIR).filter((f) => f.endsWith('.json') && f !== 'known-deviations.json')) {
    const doc = JSON.parse(readFileSync(join(CONTRACT_DIR, file), 'utf8')) as Json;
    for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>))
      for (const [method, op] of Object.entries(item)) out.set(`${method.toUpperCase()} ${path}`, { doc, op: op as Json });
  }
  return out;
}

function deref(doc: Json, schema: unknown, seen = new Set<string>()): Json {
  let s = (schema ?? {}) as Json;
  while (typeof s.$ref === 'string' && s.$ref.startsWith('#/')) {
    if (seen.has(s.$ref)) return {};
    seen.add(s.$ref);
    s = (s.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((o, k) => (o as Json | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc) ?? {}) as Json;
  }
  return s;
}

const FORMATS: Record<string, string> = {
  'date-time': '1970-01-01T00:00:00Z',
  date: '1970-01-01',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-0000-0000-000000000000',
};

/**
 * A value of the documented schema: its example, then its default, then the smallest value of its
 * type; objects get their required properties and those the docs give an example for, arrays one
 * item (a page is `{content: [item], totalElements: 1}` by the same rule).
 */
export function sampleOf(doc: Json, schema: unknown, depth = 0): unknown {
  const s = deref(doc, schema);
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.allOf)) {
    const merged: Json = {};
    for (const part of s.allOf) Object.assign(merged, sampleOf(doc, part, depth + 1));
    return merged;
  }
  const alt = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (Array.isArray(alt) && alt.length > 0) return sampleOf(doc, alt[0], depth + 1);
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (depth > 8) return null;
  const type = s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const out: Json = {};
      const properties = (s.properties ?? {}) as Json;
      const required = new Set((s.required ?? []) as string[]);
      // A page always carries its items, whether or not the docs mark `content` required.
      if (properties.content && properties.totalElements) required.add('content').add('totalElements');
      for (const [name, p] of Object.entries(properties)) {
        const d = deref(doc, p);
        if (required.has(name) || d.example !== undefined) out[name] = sampleOf(doc, p, depth + 1);
      }
      if (Array.isArray(out.content) && typeof out.totalElements === 'number') out.totalElements = out.content.length;
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, Number(s.minItems ?? 0)) }, () => sampleOf(doc, s.items, depth + 1));
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    case 'string':
      return FORMATS[String(s.format)] ?? 'x'.repeat(Math.max(1, Number(s.minLength ?? 0)));
    default:
      return {};
  }
}

/** The documented success answer: the first 2xx status, with a body built to its schema. */
function answerOf(doc: Json, op: Json): Reply {
  const responses = (op.responses ?? {}) as Record<string, Json>;
  const key = Object.keys(responses)
    .filter((k) => /^2/.test(k))
    .sort()[0];
  if (key === undefined) return noContent();
  const status = /^\d+$/.test(key) ? Number(key) : 200;
  const content = deref(doc, responses[key]).content as Record<string, Json> | undefined;
  const media = content?.['application/json'];
  if (status === 204 || !media) return status === 204 ? noContent() : { status };
  return json(status, media.example !== undefined ? media.example : sampleOf(doc, media.schema));
}

function pairsOf(query: Query): Array<[string, string]> {
  return Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item): [string, string] => [k, item]));
}

/** The handler of one documented route: check the request as the package does, then answer as documented. */
function handlerOf(route: Route, doc: Json, op: Json): (req: SimRequest) => Reply {
  const answer = answerOf(doc, op);
  return (req) => {
    let body: unknown;
    if (route.contentType === 'json' && req.rawBody !== '') {
      if (req.jsonError) return apiError(400, 'Bad request - Invalid JSON body.');
      body = req.json;
    }
    const problems = requestProblems(route, pairsOf(req.query), body);
    if (problems.length > 0) return apiError(400, `Bad request - ${problems.join('; ')}.`);
    return answer;
  };
}

/** A handler for every Platform route of the contract; the server merges the dedicated ones over these. */
export function contractRoutes(deps: { tokens: TokenStore; limiter: RateLimiter; orgId: number }): Record<string, Handler> {
  const contract = loadContract();
  const authed = bearerAuth(deps.tokens, deps.limiter, deps.orgId);
  const out: Record<string, Handler> = {};
  for (const route of PRESETS) {
    const key = `${route.method} ${route.path}`;
    const found = contract.get(key);
    if (found) out[key] = authed(handlerOf(route, found.doc, found.op));
  }
  return out;
}
