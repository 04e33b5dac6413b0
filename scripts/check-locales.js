#!/usr/bin/env node
// Checks every translation under locales/<lang>/ against locales/en-US/, the reference.
//
//   node scripts/check-locales.js [localesDir]
//
// Catalogues (<type>.json): same files, same keys and nesting (nothing missing, nothing extra), same
// value types, the same set of __placeholders__ in each string, no empty string, status texts short,
// and, for languages other than English, no string left identical to English unless it is language
// neutral (URL, e-mail, placeholders only) or listed in SAME_AS_ENGLISH below.
// Help (<type>.html): same data-help-name scripts, same message properties (<dt> names in
// <dl class="message-properties">, with their "optional" flag), same number of <h3> and <h4>
// sections, same links and the same <code> snippets (code is never translated), balanced tags, and
// no prose paragraph left in English.
//
// Prints every problem found and exits 1 if there is any, 0 otherwise. No dependencies.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const BASE = 'en-US';
const localesDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'locales'));

/**
 * Catalogue keys whose translation may legitimately equal the English text, per language ('*': all).
 * A pattern is a dotted key path as in the file; '*' matches within one segment.
 */
const SAME_AS_ENGLISH = {
  '*': [
    // Node type names stay English in every language, as Node-RED's own (inject, http request, catch).
    '*.paletteLabel',
    // Canvas labels: the palette name followed by an id, pin or event code.
    '*.labelWith*',
  ],
  de: [
    '*.label.name', // Name
    '*.placeholder.name', // Name
    'blynk-cloud-config.label.region', // Region
    'blynk-cloud-config.region.global', // Global (blynk.cloud): Blynk's name for the server
    'blynk-cloud-config.region.fra1', // Frankfurt (fra1.blynk.cloud)
    'blynk-cloud-config.region.lon1', // London (lon1.blynk.cloud)
    'blynk-cloud-config.region.ny3', // New York (ny3.blynk.cloud)
    'blynk-cloud-config.region.blr1', // Bangalore (blr1.blynk.cloud)
    'blynk-cloud-device-update.label.pin', // Pin
    'blynk-cloud-device-property.label.pin', // Pin
    'blynk-cloud-device-read.label.pins', // Pins
    'blynk-cloud-device-read.read.pins', // Pins
    'blynk-cloud-api.label.body', // Body: the HTTP term, as German API docs use it
  ],
};

/** Status texts (keys under a "status" object) shorter than this in English must stay shorter. */
const STATUS_MAX = 20;

const problems = [];
function problem(file, message) {
  problems.push({ file, message });
}

// ---------------------------------------------------------------------------------------------
// Catalogues

const PLACEHOLDER = /__([A-Za-z0-9][\w.-]*?)__/g;

function placeholders(text) {
  return new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[0]));
}

function typeOf(value) {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

function globToRegExp(pattern) {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]*');
  return new RegExp(`^${body}$`);
}

function allowedSame(lang, keyPath) {
  const patterns = [...(SAME_AS_ENGLISH['*'] || []), ...(SAME_AS_ENGLISH[lang] || [])];
  return patterns.some((p) => globToRegExp(p).test(keyPath));
}

/** True if nothing translatable is left once placeholders, URLs, e-mails, host names and numbers go. */
function languageNeutral(text) {
  const rest = text
    .replace(PLACEHOLDER, ' ')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ')
    .replace(/\b[\w-]+(\.[\w-]+)+\b/g, ' ')
    .replace(/\d+/g, ' ');
  return !/\p{L}/u.test(rest);
}

/** Display width: East Asian wide and full-width characters count double. */
function displayWidth(text) {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function compareCatalogue(file, lang, en, tr, keyPath) {
  const where = keyPath || '(root)';
  const enType = typeOf(en);
  const trType = typeOf(tr);
  if (enType !== trType) {
    problem(file, `${where}: is ${trType}, en-US has ${enType}`);
    return;
  }
  if (enType === 'object' || enType === 'array') {
    const enKeys = Object.keys(en);
    const trKeys = Object.keys(tr);
    for (const key of enKeys) {
      const child = keyPath ? `${keyPath}.${key}` : key;
      if (!Object.prototype.hasOwnProperty.call(tr, key)) problem(file, `${child}: missing (en-US: ${JSON.stringify(en[key])})`);
      else compareCatalogue(file, lang, en[key], tr[key], child);
    }
    for (const key of trKeys) {
      if (!Object.prototype.hasOwnProperty.call(en, key)) problem(file, `${keyPath ? `${keyPath}.${key}` : key}: extra key, not in en-US`);
    }
    return;
  }
  if (enType !== 'string') {
    if (en !== tr) problem(file, `${where}: is ${JSON.stringify(tr)}, en-US has ${JSON.stringify(en)}`);
    return;
  }
  if (tr.trim() === '') {
    problem(file, `${where}: empty`);
    return;
  }
  const enPh = placeholders(en);
  const trPh = placeholders(tr);
  const missing = [...enPh].filter((p) => !trPh.has(p));
  const extra = [...trPh].filter((p) => !enPh.has(p));
  if (missing.length) problem(file, `${where}: placeholder(s) missing: ${missing.join(', ')}`);
  if (extra.length) problem(file, `${where}: placeholder(s) not in en-US: ${extra.join(', ')}`);
  if (!lang.startsWith('en') && tr === en && !languageNeutral(en) && !allowedSame(lang, keyPath)) {
    problem(file, `${where}: identical to English ${JSON.stringify(en)} (translate it, or list the key in SAME_AS_ENGLISH)`);
  }
  const segments = keyPath.split('.');
  if (segments.slice(0, -1).includes('status') && displayWidth(en) < STATUS_MAX && displayWidth(tr) >= STATUS_MAX) {
    problem(file, `${where}: status text ${JSON.stringify(tr)} is ${displayWidth(tr)} wide, keep it under ${STATUS_MAX}`);
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    problem(rel(file), `not valid JSON: ${err.message}`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Help

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

function decode(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function stripTags(html) {
  return decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

function helpFacts(html) {
  const facts = {
    helpNames: [...html.matchAll(/<script\b[^>]*\bdata-help-name="([^"]*)"/g)].map((m) => m[1]),
    properties: [],
    h3: (html.match(/<h3\b/g) || []).length,
    h4: (html.match(/<h4\b/g) || []).length,
    links: new Set([...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)].map((m) => m[1])),
    code: new Set([...html.matchAll(/<code\b[^>]*>([\s\S]*?)<\/code>/g)].map((m) => decode(m[1]).replace(/\s+/g, ' ').trim())),
    prose: [],
    tagErrors: [],
  };
  for (const dl of html.matchAll(/<dl\b[^>]*\bclass="[^"]*\bmessage-properties\b[^"]*"[^>]*>([\s\S]*?)<\/dl>/g)) {
    for (const dt of dl[1].matchAll(/<dt\b([^>]*)>([\s\S]*?)<\/dt>/g)) {
      const name = stripTags(dt[2].replace(/<span\b[^>]*class="[^"]*\bproperty-type\b[^"]*"[^>]*>[\s\S]*?<\/span>/g, ''));
      const optional = /\bclass="[^"]*\boptional\b/.test(dt[1]);
      facts.properties.push(optional ? `${name} (optional)` : name);
    }
  }
  // Prose blocks, code and property types removed (Node-RED's de help keeps `string | number`): a
  // translation must not keep any English block of three words or more.
  for (const block of html.matchAll(/<(p|li|dd|dt|h3|h4|a)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
    const text = stripTags(
      block[2].replace(/<code\b[^>]*>[\s\S]*?<\/code>/g, ' ').replace(/<span\b[^>]*class="[^"]*\bproperty-type\b[^"]*"[^>]*>[\s\S]*?<\/span>/g, ' '),
    );
    if ((text.match(/\p{L}{2,}/gu) || []).length >= 3) facts.prose.push(text);
  }
  const stack = [];
  for (const tag of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = tag;
    const name = rawName.toLowerCase();
    if (VOID.has(name) || selfClosing) continue;
    const line = html.slice(0, tag.index).split('\n').length;
    if (!closing) stack.push({ name, line });
    else if (stack.length && stack[stack.length - 1].name === name) stack.pop();
    else {
      const open = stack.length ? `<${stack[stack.length - 1].name}> from line ${stack[stack.length - 1].line}` : 'nothing';
      facts.tagErrors.push(`line ${line}: </${name}> closes ${open}`);
      const at = stack.map((s) => s.name).lastIndexOf(name);
      if (at >= 0) stack.length = at;
    }
  }
  for (const open of stack) facts.tagErrors.push(`line ${open.line}: <${open.name}> is never closed`);
  return facts;
}

function diffList(a, b) {
  const count = (list) => list.reduce((m, x) => m.set(x, (m.get(x) || 0) + 1), new Map());
  const ca = count(a);
  const cb = count(b);
  const missing = [...ca].flatMap(([x, n]) => Array(Math.max(0, n - (cb.get(x) || 0))).fill(x));
  const extra = [...cb].flatMap(([x, n]) => Array(Math.max(0, n - (ca.get(x) || 0))).fill(x));
  return { missing, extra };
}

function compareHelp(file, lang, en, tr) {
  for (const err of tr.tagErrors) problem(file, `unbalanced tags: ${err}`);
  if (en.helpNames.join('\n') !== tr.helpNames.join('\n')) {
    problem(file, `data-help-name is [${tr.helpNames.join(', ')}], en-US has [${en.helpNames.join(', ')}]`);
  }
  const props = diffList(en.properties, tr.properties);
  for (const p of props.missing) problem(file, `message property <dt>${p}</dt> missing`);
  for (const p of props.extra) problem(file, `message property <dt>${p}</dt> not in en-US`);
  if (en.h3 !== tr.h3) problem(file, `${tr.h3} <h3> sections, en-US has ${en.h3}`);
  if (en.h4 !== tr.h4) problem(file, `${tr.h4} <h4> sections, en-US has ${en.h4}`);
  for (const href of en.links) if (!tr.links.has(href)) problem(file, `link ${href} missing`);
  for (const href of tr.links) if (!en.links.has(href)) problem(file, `link ${href} not in en-US`);
  for (const code of en.code) if (!tr.code.has(code)) problem(file, `<code>${code}</code> missing (code stays verbatim)`);
  for (const code of tr.code) if (!en.code.has(code)) problem(file, `<code>${code}</code> not in en-US (code stays verbatim)`);
  if (!lang.startsWith('en')) {
    const english = new Set(en.prose);
    for (const text of new Set(tr.prose)) {
      if (english.has(text)) problem(file, `untranslated: "${text.length > 70 ? `${text.slice(0, 67)}...` : text}"`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

function rel(file) {
  return path.relative(process.cwd(), file) || file;
}

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
}

function main() {
  const baseDir = path.join(localesDir, BASE);
  if (!fs.existsSync(baseDir)) {
    console.error(`check-locales: no ${BASE} folder in ${rel(localesDir)}`);
    process.exit(2);
  }
  const baseFiles = listFiles(baseDir).filter((f) => f.endsWith('.json') || f.endsWith('.html'));
  const base = new Map();
  for (const name of baseFiles) {
    const file = path.join(baseDir, name);
    if (name.endsWith('.json')) base.set(name, readJson(file));
    else {
      const facts = helpFacts(fs.readFileSync(file, 'utf8'));
      for (const err of facts.tagErrors) problem(rel(file), `unbalanced tags: ${err}`);
      base.set(name, facts);
    }
  }

  const langs = fs
    .readdirSync(localesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== BASE)
    .map((d) => d.name)
    .sort();
  let checked = 0;
  for (const lang of langs) {
    const dir = path.join(localesDir, lang);
    const files = listFiles(dir);
    for (const name of baseFiles) {
      if (!files.includes(name)) problem(rel(path.join(dir, name)), `missing (en-US has ${name})`);
    }
    for (const name of files) {
      const file = path.join(dir, name);
      if (!base.has(name)) {
        problem(rel(file), 'not in en-US (extra or misnamed file)');
        continue;
      }
      checked++;
      if (name.endsWith('.json')) {
        const tr = readJson(file);
        if (tr !== undefined && base.get(name) !== undefined) compareCatalogue(rel(file), lang, base.get(name), tr, '');
      } else {
        compareHelp(rel(file), lang, base.get(name), helpFacts(fs.readFileSync(file, 'utf8')));
      }
    }
  }

  if (problems.length) {
    const byFile = new Map();
    for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) || []), p.message]);
    console.error(`check-locales: ${problems.length} problem(s) in ${byFile.size} file(s)`);
    for (const [file, messages] of byFile) {
      console.error(`\n${file}`);
      for (const m of messages) console.error(`  - ${m}`);
    }
    process.exit(1);
  }
  console.log(
    `check-locales: OK, ${langs.length} language(s) [${langs.join(', ')}], ${checked} file(s) match ${BASE} (${baseFiles.length} per language)`,
  );
}

main();
