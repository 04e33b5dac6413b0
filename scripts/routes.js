#!/usr/bin/env node
// The Platform API route catalogue, generated from contract/*.json (the one source of the routes;
// the contract itself is not shipped):
//   src/blynk/generated/routes.ts      every /api/ operation as a preset (imported by the runtime
//                                      through tsc and by the api node's dialog through esbuild)
//   dist/blynk/generated/validators.js the request schemas (query + JSON body) compiled by ajv to
//                                      standalone code and bundled by esbuild, so that the package
//                                      checks input without depending on ajv at run time
// `generateRoutes()` writes the first before tsc runs, `bundleValidators()` the second after it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const CONTRACT = path.join(root, 'contract');
const GENERATED_SRC = path.join(root, 'src', 'blynk', 'generated');
const ROUTES_TS = path.join(GENERATED_SRC, 'routes.ts');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Platform API routes: what the api node may call (its path check allows /api/ only). */
const PLATFORM = /^\/api\//;

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Contract files in the order contract/README.md's table lists them (the docs' groups), then any others. */
function contractFiles() {
  const files = fs
    .readdirSync(CONTRACT)
    .filter((f) => f.endsWith('.json') && f !== 'known-deviations.json')
    .sort();
  const readme = fs.existsSync(path.join(CONTRACT, 'README.md')) ? fs.readFileSync(path.join(CONTRACT, 'README.md'), 'utf8') : '';
  const listed = [...readme.matchAll(/^\|\s*`([\w.-]+\.json)`/gm)].map((m) => m[1]).filter((f) => files.includes(f));
  return [...new Set([...listed, ...files])];
}

/** `#/components/schemas/X` inside `doc`, followed until it is not a reference. */
function deref(doc, schema, seen = new Set()) {
  let s = schema;
  while (s && typeof s.$ref === 'string' && s.$ref.startsWith('#/')) {
    if (seen.has(s.$ref)) return {};
    seen.add(s.$ref);
    s = s.$ref
      .slice(2)
      .split('/')
      .reduce((o, k) => (o ? o[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  }
  return s || {};
}

/** One schema of `allOf` merged into one object schema (properties and required lists). */
function flat(doc, schema, depth = 0) {
  const s = deref(doc, schema);
  if (!Array.isArray(s.allOf) || depth > 5) return s;
  const out = { ...s, allOf: undefined, properties: { ...(s.properties || {}) }, required: [...(s.required || [])] };
  for (const part of s.allOf) {
    const p = flat(doc, part, depth + 1);
    if (p.type && !out.type) out.type = p.type;
    Object.assign(out.properties, p.properties || {});
    out.required.push(...(p.required || []));
  }
  delete out.allOf;
  return out;
}

/** The first alternative of oneOf/anyOf, for a shape to show or fill in. */
function chosen(doc, schema) {
  const s = flat(doc, schema);
  const alt = s.oneOf || s.anyOf;
  return Array.isArray(alt) && alt.length ? flat(doc, alt[0]) : s;
}

/** A short type text: `integer`, `string[]`, `integer | string`. */
function typeText(doc, schema) {
  const s = flat(doc, schema);
  const alt = s.oneOf || s.anyOf;
  if (Array.isArray(alt) && alt.length) return [...new Set(alt.map((a) => typeText(doc, a)))].join(' | ');
  if (s.type === 'array') return `${typeText(doc, s.items || {})}[]`;
  if (s.type) return s.format ? `${s.type} (${s.format})` : s.type;
  if (s.properties) return 'object';
  return 'any';
}

const DAY0 = '1970-01-01T00:00:00Z';
const FORMAT_SAMPLES = {
  'date-time': DAY0,
  date: '1970-01-01',
  time: '00:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-0000-0000-000000000000',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
};

/**
 * A value the schema accepts: its example, then its default, then the smallest value of its type
 * (objects with their required properties, and any that carry an example when `withExamples`).
 */
function sample(doc, schema, withExamples, depth = 0) {
  const raw = deref(doc, schema);
  if (raw.example !== undefined) return raw.example;
  if (raw.default !== undefined) return raw.default;
  const s = chosen(doc, raw);
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (depth > 6) return null;
  const type = s.type || (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const out = {};
      const required = new Set(s.required || []);
      for (const [name, p] of Object.entries(s.properties || {})) {
        const d = deref(doc, p);
        if (required.has(name) || (withExamples && (d.example !== undefined || d.default !== undefined)))
          out[name] = sample(doc, p, withExamples, depth + 1);
      }
      return out;
    }
    case 'array': {
      const item = sample(doc, s.items || {}, withExamples, depth + 1);
      return Array.from({ length: Math.max(1, s.minItems || 0) }, () => item);
    }
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 0;
    case 'boolean':
      return false;
    case 'string':
      return FORMAT_SAMPLES[s.format] ?? 'x'.repeat(Math.max(1, s.minLength || 0));
    default:
      return null;
  }
}

/** The body's fields to show: top-level properties, and those of objects and object arrays one level down. */
function fieldsOf(doc, schema, prefix = '', depth = 0) {
  const s = chosen(doc, schema);
  const required = new Set(s.required || []);
  const out = [];
  for (const [name, p] of Object.entries(s.properties || {})) {
    const d = deref(doc, p);
    const field = { name: prefix + name, type: typeText(doc, p), required: required.has(name) };
    if (d.description) field.description = d.description;
    if (d.example !== undefined) field.example = d.example;
    if (d.default !== undefined) field.default = d.default;
    if (Array.isArray(d.enum)) field.enum = d.enum;
    out.push(field);
    if (depth < 1) {
      const inner = chosen(doc, p);
      if (inner.type === 'array' && chosen(doc, inner.items || {}).properties)
        out.push(...fieldsOf(doc, inner.items, `${prefix}${name}[].`, depth + 1));
      else if (inner.properties) out.push(...fieldsOf(doc, p, `${prefix}${name}.`, depth + 1));
    }
  }
  return out;
}

/** How a query value is typed from its text (what the runtime and the simulator coerce it to). */
function kindOf(doc, schema) {
  const s = chosen(doc, schema || {});
  if (s.type === 'array') return { kind: 'array', items: kindOf(doc, s.items || {}).kind };
  return { kind: ['integer', 'number', 'boolean'].includes(s.type) ? s.type : 'string' };
}

function isPage(doc, op) {
  const ok = Object.entries(op.responses || {}).find(([k]) => /^2/.test(k));
  const schema = ok && ok[1].content && ok[1].content['application/json'] && ok[1].content['application/json'].schema;
  if (!schema) return false;
  const s = flat(doc, schema);
  return !!(s.properties && s.properties.content && s.properties.totalElements);
}

const camel = (method, p) =>
  method +
  p
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

/** Every operation of the contract, Platform or not, with what the catalogue and the validators need. */
function loadOperations() {
  const ops = [];
  for (const file of contractFiles()) {
    const doc = readJson(path.join(CONTRACT, file));
    const slug = file.replace(/\.json$/, '');
    for (const [p, item] of Object.entries(doc.paths || {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        ops.push({
          file,
          slug,
          doc,
          path: p,
          method: method.toUpperCase(),
          op,
          params: [...(item.parameters || []), ...(op.parameters || [])],
        });
      }
    }
  }
  return ops;
}

/** The catalogue entry of one Platform operation, and the request schema its validator is compiled from. */
function routeOf(o) {
  const { doc, op, method } = o;
  const group = (op.tags && op.tags[0]) || (doc.tags && doc.tags[0] && doc.tags[0].name) || o.slug;
  const query = o.params.filter((p) => p.in === 'query');
  const params = query.map((p) => {
    const d = deref(doc, p.schema || {});
    const out = { name: p.name, type: typeText(doc, p.schema || {}), required: p.required === true, ...kindOf(doc, p.schema) };
    if (p.description || d.description) out.description = p.description || d.description;
    if (p.example !== undefined) out.example = p.example;
    else if (d.example !== undefined) out.example = d.example;
    if (d.default !== undefined) out.default = d.default;
    if (Array.isArray(d.enum)) out.enum = d.enum;
    return out;
  });
  // The query skeleton: required parameters and the paging ones, with the documented example or default.
  const skeleton = {};
  for (const p of query) {
    if (!p.required && p.name !== 'page' && p.name !== 'size') continue;
    const d = deref(doc, p.schema || {});
    skeleton[p.name] = p.example !== undefined ? p.example : sample(doc, d, false);
  }
  const rb = op.requestBody ? deref(doc, op.requestBody) : undefined;
  const types = rb ? Object.keys(rb.content || {}) : [];
  const contentType = types.includes('application/json') ? 'json' : types.find((t) => t.startsWith('multipart/')) ? 'multipart' : types[0];
  const media = rb && rb.content ? rb.content['application/json'] || rb.content[types[0]] : undefined;
  const bodySchema = media && media.schema && !rb['x-undocumented'] ? media.schema : undefined;
  const route = {
    id: op.operationId || camel(method.toLowerCase(), o.path),
    group,
    method,
    path: o.path,
    summary: op.summary || op.operationId || `${method} ${o.path}`,
  };
  if (op.description) route.description = op.description;
  route.parameters = params;
  if (Object.keys(skeleton).length) route.params = skeleton;
  if (bodySchema) {
    route.fields = fieldsOf(doc, bodySchema);
    const body = media.example !== undefined ? media.example : sample(doc, bodySchema, true);
    // A body the docs leave without a shape starts as an empty object to fill in.
    route.body = body === null || body === undefined ? {} : body;
  }
  if (rb && rb.required) route.bodyRequired = true;
  if (contentType) route.contentType = contentType;
  if (op['x-permissions']) route.permission = op['x-permissions'];
  route.paged = query.some((p) => p.name === 'page') && query.some((p) => p.name === 'size') && isPage(doc, op);
  route.idempotent = typeof op['x-idempotent'] === 'boolean' ? op['x-idempotent'] : method === 'GET';
  if (op['x-source']) route.link = op['x-source'];
  // What the dialog says of a route whose page section could not be read, and where the route came from.
  route.unread = op['x-unread'] === true;
  if (typeof op['x-route-source'] === 'string') route.routeSource = op['x-route-source'];
  // The schema the request is checked against: typed query parameters, and a JSON body.
  const properties = {};
  for (const p of query) if (p.schema) properties[p.name] = p.schema;
  const requestSchema = {
    type: 'object',
    properties: {
      query: { type: 'object', properties, required: query.filter((p) => p.required).map((p) => p.name) },
      ...(bodySchema && contentType === 'json' ? { body: bodySchema } : {}),
    },
    required: ['query', ...(bodySchema && contentType === 'json' && rb.required ? ['body'] : [])],
    components: doc.components || {},
  };
  return { route, requestSchema, file: o.file };
}

/** The Platform routes of the contract, in the docs' group order, each with its request schema. */
function platformRoutes() {
  const out = loadOperations()
    .filter((o) => PLATFORM.test(o.path))
    .map(routeOf);
  const ids = new Set();
  for (const r of out) {
    if (ids.has(r.route.id)) throw new Error(`contract: operationId ${r.route.id} is used twice`);
    ids.add(r.route.id);
  }
  // Group by group name, groups in the order they first appear (file order), operations in file order.
  const order = [...new Set(out.map((r) => r.route.group))];
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => order.indexOf(a.r.group) - order.indexOf(b.r.group) || a.i - b.i)
    .map((x) => x.r);
}

/** Writes src/blynk/generated/routes.ts. */
function generateRoutes() {
  const routes = platformRoutes();
  const all = loadOperations();
  fs.mkdirSync(GENERATED_SRC, { recursive: true });
  const text =
    `// Generated by scripts/routes.js from contract/*.json at build time: do not edit.\n` +
    `import type { Route } from '../route-types';\n\n` +
    `/** Operations documented in contract/ (every API, Platform or not). */\n` +
    `export const DOCUMENTED_OPERATIONS = ${all.length};\n\n` +
    `/** Every Platform API operation of contract/, grouped as Blynk's docs group them. */\n` +
    `export const ROUTES: readonly Route[] = ${JSON.stringify(
      routes.map((r) => r.route),
      null,
      1,
    )};\n`;
  if (!fs.existsSync(ROUTES_TS) || fs.readFileSync(ROUTES_TS, 'utf8') !== text) fs.writeFileSync(ROUTES_TS, text);
  return routes;
}

/**
 * Compiles each Platform route's request schema with ajv into standalone code and bundles it (with
 * the bits of ajv and ajv-formats that code requires) into dist/blynk/generated/validators.js:
 * `module.exports = { "<METHOD> <path>": validate, … }`.
 */
function bundleValidators(routes = platformRoutes()) {
  const Ajv = require('ajv').default;
  const standaloneCode = require('ajv/dist/standalone').default;
  const { _ } = require('ajv');
  const esbuild = require('esbuild');
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  require('ajv-formats')(ajv);
  const names = {};
  routes.forEach((r, i) => {
    const key = `v${i}`;
    ajv.addSchema(r.requestSchema, key);
    names[key] = key;
    // A preset's own skeleton must pass its check, or choosing it would give a request the package refuses.
    const validate = ajv.getSchema(key);
    const request = {
      query: coerceQuery(r.route, r.route.params || {}),
      ...(r.route.body !== undefined && r.requestSchema.properties.body ? { body: r.route.body } : {}),
    };
    if (!validate(request))
      process.stderr.write(
        `routes: the skeleton of ${r.route.method} ${r.route.path} does not pass its schema: ${ajv.errorsText(validate.errors)}\n`,
      );
  });
  const code = standaloneCode(ajv, names);
  const work = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'blynk-validators-'));
  try {
    fs.writeFileSync(path.join(work, 'standalone.js'), code);
    const map = routes.map((r, i) => `  ${JSON.stringify(`${r.route.method} ${r.route.path}`)}: v.v${i},`).join('\n');
    fs.writeFileSync(path.join(work, 'entry.js'), `'use strict';\nconst v = require('./standalone.js');\nmodule.exports = {\n${map}\n};\n`);
    esbuild.buildSync({
      entryPoints: [path.join(work, 'entry.js')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      outfile: path.join(root, 'dist', 'blynk', 'generated', 'validators.js'),
      nodePaths: [path.join(root, 'node_modules')],
      legalComments: 'none',
      logLevel: 'silent',
      banner: { js: '// Generated by scripts/routes.js from contract/*.json (ajv standalone code, bundled): do not edit.' },
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Query skeleton values typed as the runtime types query text (see src/blynk/route-check.ts). */
function coerceQuery(route, query) {
  const out = {};
  for (const [k, v] of Object.entries(query)) {
    const p = route.parameters.find((x) => x.name === k);
    out[k] = p && p.kind === 'array' && !Array.isArray(v) ? [v] : v;
  }
  return out;
}

module.exports = { generateRoutes, bundleValidators, platformRoutes, loadOperations };

if (require.main === module) {
  const routes = generateRoutes();
  console.log(`routes: ${routes.length} Platform operations`);
}
