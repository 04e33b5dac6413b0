import { BlynkError } from './errors';
import type { Route, RouteParam } from './route-types';

/** An error of an ajv standalone validator. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

type Validate = ((value: unknown) => boolean) & { errors?: SchemaError[] | null };

/** The validators scripts/routes.js compiled from the contract's request schemas, by "<METHOD> <path>". */
let validators: Record<string, Validate> | undefined;

/** Loaded on the first documented call, not at start-up: the compiled schemas are large. */
function validatorFor(route: Route): Validate | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated at build time next to this file, loaded lazily
  validators ??= require('./generated/validators.js') as Record<string, Validate>;
  return validators[`${route.method} ${route.path}`];
}

type Kind = RouteParam['kind'];

function typed(kind: Kind | undefined, text: string): unknown {
  if ((kind === 'integer' || kind === 'number') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim())) return Number(text);
  if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/**
 * The query as the route's schema types it: numbers and booleans from their text, an array from
 * repeated keys or a comma list (Blynk leaves array encoding undocumented; both are sent). A
 * repeated key of a scalar parameter stays a list, which its schema then refuses.
 */
export function typedQuery(route: Route, query: ReadonlyArray<readonly [string, string]>): Record<string, unknown> {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of query) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  const out: Record<string, unknown> = {};
  for (const [name, values] of grouped) {
    const p = route.parameters.find((x) => x.name === name);
    if (!p) continue; // not documented: passed on unchecked
    if (p.kind === 'array')
      out[name] = values
        .flatMap((v) => v.split(','))
        .filter((v) => v !== '')
        .map((v) => typed(p.items, v));
    else out[name] = values.length === 1 ? typed(p.kind, values[0]) : values.map((v) => typed(p.kind, v));
  }
  return out;
}

/** `body.values[0].ts`, `query.deviceId` from ajv's `/body/values/0/ts`, `/query/deviceId`. */
function fieldName(pointer: string, missing?: unknown): string {
  const parts = pointer.split('/').slice(1);
  if (typeof missing === 'string') parts.push(missing);
  return parts.reduce((acc, p, i) => (i === 0 ? p : /^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), '');
}

/** What is wrong with a request of a documented route, one entry per field; empty when it is as documented. */
export function requestProblems(route: Route, query: ReadonlyArray<readonly [string, string]>, body: unknown): string[] {
  const validate = validatorFor(route);
  if (!validate) return [];
  const request: Record<string, unknown> = { query: typedQuery(route, query) };
  if (route.contentType === 'json' && body !== undefined) request.body = body;
  if (validate(request)) return [];
  const errors = validate.errors ?? [];
  const out = new Map<string, string>();
  for (const e of errors) {
    const field = fieldName(e.instancePath, e.keyword === 'required' ? e.params.missingProperty : undefined) || 'body';
    if (out.has(field)) continue;
    if (e.keyword === 'required') out.set(field, `${field} is required`);
    else if (
      e.keyword === 'oneOf' ||
      e.keyword === 'anyOf' ||
      errors.some((x) => x.instancePath === e.instancePath && (x.keyword === 'oneOf' || x.keyword === 'anyOf'))
    ) {
      // A value of none of the documented alternatives: name them all, not the first one's complaint.
      const types = [
        ...new Set(errors.filter((x) => x.instancePath === e.instancePath && x.keyword === 'type').map((x) => String(x.params.type))),
      ];
      out.set(field, types.length ? `${field} must be ${types.join(' or ')}` : `${field} ${e.message ?? 'is not valid'}`);
    } else out.set(field, `${field} ${e.message ?? 'is not valid'}`);
  }
  return [...out.values()];
}

/**
 * Refuses, before any request, a call of a documented route whose query or JSON body does not
 * match Blynk's documented schema: a missing required field or a wrong type, naming the field.
 */
export function checkRequest(route: Route, query: ReadonlyArray<readonly [string, string]>, body: unknown): void {
  const problems = requestProblems(route, query, body);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (+${problems.length - 3})` : '');
  throw new BlynkError('NOT_AS_DOCUMENTED', { value: `${route.method} ${route.path}`, detail: shown });
}
