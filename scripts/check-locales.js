#!/usr/bin/env node
// Checks every translation under locales/<lang>/ against locales/en-US/:
//   node scripts/check-locales.js [localesDir]
// - the same files;
// - catalogues (<type>.json): the same keys and nesting, and the same __placeholders__ in each string;
// - help (<type>.html): the same data-help-name scripts, <h3>/<h4> sections and message properties
//   (<dt> names of <dl class="message-properties">, with their "optional" flag).
// Node-RED core keeps its own translations with no more than that (a missing key falls back to
// English at run time); wording, length and markup are for the reviewer. Exits 1 on any problem.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const BASE = 'en-US';
const localesDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'locales'));
const problems = [];
const problem = (file, message) => problems.push(`${path.relative(process.cwd(), file)}: ${message}`);

const placeholders = (text) => [...new Set(text.match(/__[A-Za-z0-9][\w.-]*?__/g) || [])].sort().join(' ');
const isObject = (value) => value !== null && typeof value === 'object';

function compareCatalogue(file, en, tr, where = '') {
  for (const key of new Set([...Object.keys(en), ...Object.keys(tr)])) {
    const at = where ? `${where}.${key}` : key;
    if (!(key in tr)) problem(file, `${at}: missing`);
    else if (!(key in en)) problem(file, `${at}: not in ${BASE}`);
    else if (isObject(en[key]) !== isObject(tr[key]) || typeof en[key] !== typeof tr[key])
      problem(file, `${at}: not the same kind of value as in ${BASE}`);
    else if (isObject(en[key])) compareCatalogue(file, en[key], tr[key], at);
    else if (typeof en[key] === 'string' && placeholders(en[key]) !== placeholders(tr[key])) {
      problem(file, `${at}: placeholders [${placeholders(tr[key])}], ${BASE} has [${placeholders(en[key])}]`);
    }
  }
}

/** What a help file's translation must keep, one line each. */
function helpSections(html) {
  const all = (re) => [...html.matchAll(re)];
  const properties = all(/<dl\b[^>]*class="[^"]*\bmessage-properties\b[^"]*"[^>]*>([\s\S]*?)<\/dl>/g).flatMap((dl) =>
    [...dl[1].matchAll(/<dt\b([^>]*)>([\s\S]*?)<\/dt>/g)].map((dt) => {
      const name = dt[2]
        .replace(/<span\b[^>]*property-type[\s\S]*?<\/span>/g, '')
        .replace(/<[^>]*>/g, '')
        .trim();
      return /\boptional\b/.test(dt[1]) ? `${name} (optional)` : name;
    }),
  );
  return {
    'data-help-name': all(/<script\b[^>]*\bdata-help-name="([^"]*)"/g)
      .map((m) => m[1])
      .join(', '),
    '<h3> sections': String(all(/<h3\b/g).length),
    '<h4> sections': String(all(/<h4\b/g).length),
    'message properties': properties.join(', '),
  };
}

const read = (file) => fs.readFileSync(file, 'utf8');
const filesOf = (dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => /\.(json|html)$/.test(f))
    .sort();
const baseDir = path.join(localesDir, BASE);
const baseFiles = filesOf(baseDir);
const langs = fs
  .readdirSync(localesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== BASE)
  .map((d) => d.name)
  .sort();

for (const lang of langs) {
  const dir = path.join(localesDir, lang);
  const files = filesOf(dir);
  for (const name of baseFiles.filter((f) => !files.includes(f))) problem(path.join(dir, name), 'missing');
  for (const name of files) {
    const file = path.join(dir, name);
    if (!baseFiles.includes(name)) problem(file, `not in ${BASE}`);
    else if (name.endsWith('.json')) {
      const [en, tr] = [path.join(baseDir, name), file].map((f) => JSON.parse(read(f)));
      compareCatalogue(file, en, tr);
    } else {
      const en = helpSections(read(path.join(baseDir, name)));
      const tr = helpSections(read(file));
      for (const what of Object.keys(en)) if (en[what] !== tr[what]) problem(file, `${what} [${tr[what]}], ${BASE} has [${en[what]}]`);
    }
  }
}

if (problems.length) {
  console.error(`check-locales: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-locales: OK, [${langs.join(', ')}] match ${BASE} (${baseFiles.length} files each)`);
