// Contract checks: every exchange the simulator reports (src/simulator/exchanges.ts) is validated
// with ajv against Blynk's documented API, transcribed as OpenAPI 3.0.3 in contract/*.json.
// Requests are checked (query parameters, JSON body) unless they carry the RAW_HEADER marker that
// tests set on requests they build by hand (often wrong on purpose); answers are always checked,
// except those made up by fault injection. Deviations listed in contract/known-deviations.json
// are reported but do not fail the run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Exchange } from '../../dist/simulator';

/** Set by tests on hand-made requests: their requests are not the package's, only answers are checked. */
export const RAW_HEADER = 'x-contract-raw';

const CONTRACT_DIR = join(__dirname, '..', '..', 'contract');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Operation {
  route: string;
  file: string;
  doc: Json;
  op: Json;
  pointer: string; // JSON pointer of the operation in its file
}

export interface Deviation {
  route: string;
  direction: 'request' | 'answer';
  field: string; // JSON pointer into {query, body} of the request or the answer body
  message: string;
  source: string;
  known?: boolean;
}

interface KnownDeviation {
  route: string;
  direction: 'request' | 'answer';
  field: string;
  docs: string;
  sent: string;
}

export interface RouteCounts {
  requests: number;
  answers: number;
  deviations: number;
  known: number;
}

export interface ContractResults {
  counts: Record<string, RouteCounts>;
  deviations: Deviation[];
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('double', { type: 'number', validate: () => true });

function loadContract(): Operation[] {
  const ops: Operation[] = [];
  for (const file of readdirSync(CONTRACT_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'known-deviations.json')
    .sort()) {
    const doc = JSON.parse(readFileSync(join(CONTRACT_DIR, file), 'utf8')) as Json;
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        const pointer = `/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;
        ops.push({ route: `${method.toUpperCase()} ${path}`, file, doc, op: op as Json, pointer });
      }
    }
  }
  return ops;
}

export const OPERATIONS = loadContract();
const BY_ROUTE = new Map(OPERATIONS.map((o) => [o.route, o]));
const KNOWN: KnownDeviation[] = JSON.parse(readFileSync(join(CONTRACT_DIR, 'known-deviations.json'), 'utf8')).deviations;

const validators = new Map<string, ValidateFunction>();
/** A validator for `schema` inside `doc`, so that its `#/components/...` references resolve. */
function validatorFor(o: Operation, key: string, schema: Json): ValidateFunction {
  const id = `${o.file}#${o.pointer}/${key}`;
  let v = validators.get(id);
  if (!v) {
    v = ajv.compile({ allOf: [schema], components: o.doc.components });
    validators.set(id, v);
  }
  return v;
}

const sourceOf = (o: Operation): string => [o.op['x-source'], o.op['x-source-detail'] ?? o.op['x-source-repo']].filter(Boolean).join(' ; ');

function schemaErrors(v: ValidateFunction, value: unknown, prefix: string): Array<{ field: string; message: string }> {
  if (v(value)) return [];
  return (v.errors ?? []).map((e) => ({
    field: prefix + e.instancePath,
    message: `${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`,
  }));
}

/** A query value as the parameter's schema types it (query strings carry text only). */
function coerce(schema: Json, raw: string | string[]): unknown {
  const values = Array.isArray(raw) ? raw : [raw];
  const one = (s: Json, t: string): unknown => {
    if ((s.type === 'integer' || s.type === 'number') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return Number(t);
    if (s.type === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
    return t;
  };
  if (schema.type === 'array')
    return values
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '')
      .map((v) => one(schema.items ?? {}, v));
  if (values.length > 1 && schema.type !== undefined) return values.map((v) => one(schema, v)); // repeated: fails a scalar schema
  return one(schema, values[0]);
}

function checkRequest(o: Operation, ex: Exchange): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const p of (o.op.parameters ?? []) as Json[]) {
    if (p.in !== 'query') continue;
    const raw = ex.query[p.name];
    if (raw === undefined) {
      if (p.required) out.push({ field: `/query/${p.name}`, message: 'required query parameter is missing' });
      continue;
    }
    out.push(...schemaErrors(validatorFor(o, `parameters/${p.name}`, p.schema ?? {}), coerce(p.schema ?? {}, raw), `/query/${p.name}`));
  }
  const rb = o.op.requestBody as Json | undefined;
  if (ex.requestBody === '') {
    if (rb?.required) out.push({ field: '/body', message: 'request body is required' });
  } else if (!rb) {
    out.push({ field: '/body', message: 'the operation documents no request body' });
  } else if (!rb['x-undocumented']) {
    const type = (ex.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const media = rb.content?.[type] as Json | undefined;
    if (!media)
      out.push({
        field: '/body',
        message: `content type ${type || '(none)'} is not documented (${Object.keys(rb.content ?? {}).join(', ')})`,
      });
    else if (type === 'application/json') {
      let body: unknown;
      try {
        body = JSON.parse(ex.requestBody);
      } catch {
        out.push({ field: '/body', message: 'body is not valid JSON' });
        return out;
      }
      out.push(...schemaErrors(validatorFor(o, `requestBody/${type}`, media.schema ?? {}), body, '/body'));
    }
  }
  return out;
}

function responseFor(o: Operation, status: number): [string, Json] | undefined {
  const rs = (o.op.responses ?? {}) as Json;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => rs[k] !== undefined);
  return key === undefined ? undefined : [key, rs[key] as Json];
}

function checkAnswer(o: Operation, ex: Exchange): Array<{ field: string; message: string }> {
  const found = responseFor(o, ex.status);
  if (!found)
    return [{ field: '', message: `status ${ex.status} is not documented (documented: ${Object.keys(o.op.responses ?? {}).join(', ')})` }];
  const [key, r] = found;
  const content = r.content as Json | undefined;
  const body = ex.answerBody ?? '';
  if (!content)
    return body === '' ? [] : [{ field: '', message: `status ${key} documents no body, got ${JSON.stringify(body.slice(0, 80))}` }];
  if (body === '') return [];
  const type = (ex.contentType ?? '').split(';')[0].trim().toLowerCase();
  const mediaKey = content[type] ? type : content['*/*'] ? '*/*' : undefined;
  if (!mediaKey) return [{ field: '', message: `content type ${type} is not documented for ${key} (${Object.keys(content).join(', ')})` }];
  let value: unknown = body;
  if (type === 'application/json') {
    try {
      value = JSON.parse(body);
    } catch {
      return [{ field: '', message: 'answer is not valid JSON' }];
    }
  }
  return schemaErrors(validatorFor(o, `responses/${key}/${mediaKey}`, (content[mediaKey] as Json).schema ?? {}), value, '');
}

/** Blynk's API paths: a request there must be an operation of the contract. */
const BLYNK_PREFIXES = /^\/(api\/|external\/api\/|oauth2\/)/;
/** The row counting requests to paths outside Blynk's APIs (not validated). */
const OUTSIDE = '(outside Blynk API paths, not validated)';

const results: ContractResults = { counts: {}, deviations: [] };
const count = (route: string): RouteCounts => (results.counts[route] ??= { requests: 0, answers: 0, deviations: 0, known: 0 });

function record(
  route: string,
  direction: Deviation['direction'],
  o: Operation | undefined,
  errors: Array<{ field: string; message: string }>,
): void {
  for (const e of errors) {
    const known = KNOWN.some((k) => k.route === route && k.direction === direction && k.field === e.field);
    const c = count(route);
    if (known) c.known++;
    else c.deviations++;
    // Keep the first few of each kind: a systematic deviation would otherwise repeat thousands of times.
    const same = results.deviations.filter(
      (d) => d.route === route && d.direction === direction && d.field === e.field && d.message === e.message,
    );
    if (same.length === 0)
      results.deviations.push({
        route,
        direction,
        field: e.field,
        message: e.message,
        source: o ? sourceOf(o) : '(no operation in contract/)',
        ...(known ? { known } : {}),
      });
  }
}

/** Checks one exchange and records the outcome. */
export function checkExchange(ex: Exchange): void {
  const route = `${ex.method} ${ex.path}`;
  const raw = ex.headers[RAW_HEADER] !== undefined;
  const o = BY_ROUTE.get(route);
  if (!o) {
    // Hand-made requests to unknown routes are deliberate, and so are paths outside Blynk's APIs that
    // a test configures on purpose (a custom token path, an off-server path); a request of the
    // package to an undocumented route of Blynk's own API prefixes is a deviation.
    if (!raw && BLYNK_PREFIXES.test(ex.path)) record(route, 'request', undefined, [{ field: '', message: 'route is not in the contract' }]);
    else count(OUTSIDE).requests++;
    return;
  }
  if (!raw) {
    count(route).requests++;
    record(route, 'request', o, checkRequest(o, ex));
  }
  if (ex.status === 0 || ex.fault || o.op['x-undocumented']) return;
  count(route).answers++;
  record(route, 'answer', o, checkAnswer(o, ex));
}

/**
 * The contract's verdict on one answer of `route` ("GET /api/v1/organization/device"), without
 * recording it in the run's results: for answers that did not come from the simulator (fixtures).
 */
export function answerErrors(
  route: string,
  status: number,
  contentType: string | undefined,
  body: string,
): Array<{ field: string; message: string }> {
  const o = BY_ROUTE.get(route);
  if (!o) return [{ field: '', message: `route ${route} is not in the contract` }];
  return checkAnswer(o, {
    method: o.route.split(' ')[0],
    path: route.split(' ')[1],
    query: {},
    headers: {},
    requestBody: '',
    status,
    contentType,
    answerBody: body,
  });
}

export function contractResults(): ContractResults {
  return results;
}

/** Adds results computed elsewhere (a simulator in a worker thread). */
export function mergeContractResults(other: ContractResults): void {
  for (const [route, c] of Object.entries(other.counts)) {
    const mine = count(route);
    mine.requests += c.requests;
    mine.answers += c.answers;
    mine.deviations += c.deviations;
    mine.known += c.known;
  }
  for (const d of other.deviations) {
    if (
      !results.deviations.some((x) => x.route === d.route && x.direction === d.direction && x.field === d.field && x.message === d.message)
    )
      results.deviations.push(d);
  }
}

/** The table printed at the end of the run. */
export function contractTable(r: ContractResults = results): string {
  const routes = Object.keys(r.counts).sort();
  const w = Math.max(5, ...routes.map((x) => x.length));
  const lines = [`${'route'.padEnd(w)}  requests   answers  deviations  known`];
  let tr = 0;
  let ta = 0;
  for (const route of routes) {
    const c = r.counts[route];
    if (route !== OUTSIDE) {
      tr += c.requests;
      ta += c.answers;
    }
    lines.push(
      `${route.padEnd(w)}  ${String(c.requests).padStart(8)}  ${String(c.answers).padStart(8)}  ${String(c.deviations).padStart(10)}  ${String(c.known).padStart(5)}`,
    );
  }
  lines.push(`${'total'.padEnd(w)}  ${String(tr).padStart(8)}  ${String(ta).padStart(8)}`);
  return lines.join('\n');
}

export function describeDeviation(d: Deviation): string {
  return `${d.known ? '[known] ' : ''}${d.route} ${d.direction} ${d.field || '(whole)'}: ${d.message} — see ${d.source}`;
}
