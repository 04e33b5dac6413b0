// The flow-library scorecard: `node-red-dev validate` (the devDependency, 0.1.6, the version
// flows.nodered.org pins) on the unpacked package, as the flow library runs it, with the JSON card
// (-o) read check by check (test/install/scorecard.install.ts). Checks that need catalogue.nodered.org or npm
// registry data that cannot be reached are reported as not verified; every other failure fails.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { childEnv, run, tail, indent } = require('./proc');

const root = path.resolve(__dirname, '..', '..');

const CHECKS = {
  P01: 'licence declared',
  P03: 'repository or bugs URL',
  P04: 'package name (scoped, or node-red-contrib-)',
  P05: '"node-red" keyword',
  P06: 'node-red.version covers the current Node-RED releases',
  P07: 'engines.node covers the Node.js that current Node-RED needs',
  P08: 'no similarly named package in the catalogue',
  N01: 'node types unique in the catalogue',
  N02: 'examples use every (non-config) node type',
  D01: 'at most 6 dependencies',
  D02: 'no known-bad package in the dependency tree',
  D03: 'dependencies on their latest major',
};
const NEEDS_CATALOGUE = ['P08', 'N01'];

function nodeRedDevDir() {
  return path.dirname(require.resolve('node-red-dev/package.json', { paths: [root] }));
}

/** Unpacks an npm tarball (package/…) into `dest` with the tar module node-red-dev itself uses. */
function unpack(tarball, dest) {
  const tar = require(require.resolve('tar', { paths: [nodeRedDevDir()] }));
  fs.mkdirSync(dest, { recursive: true });
  tar.x({ file: tarball, cwd: dest, strip: 1, sync: true });
  return dest;
}

/** Node types and config-ness as node-red-dev reads them: registerType('<literal>', { category }). */
function typesFromHtml(pkgDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const types = [];
  for (const js of Object.values(pkg['node-red'].nodes)) {
    const html = fs.readFileSync(path.join(pkgDir, js.replace(/\.js$/, '.html')), 'utf8');
    // Each registerType call up to the next one (or the end): enough to see its category literal.
    const parts = html.split(/(?=registerType\(\s*['"])/).slice(1);
    for (const part of parts) {
      const m = /^registerType\(\s*['"]([^'"]+)['"]/.exec(part);
      types.push({ type: m[1], config: /\bcategory\s*:\s*['"]config['"]/.test(part) });
    }
  }
  return { pkg, types };
}

/**
 * Runs `node-red-dev validate` on the unpacked tarball `pkgDir` (work files in `workDir`) and
 * resolves with what it said: the card (undefined if none was written), its output, and which
 * servers it could not reach.
 */
async function validate({ pkgDir, workDir }) {
  fs.mkdirSync(workDir, { recursive: true });
  const card = path.join(workDir, 'card.json');
  const netLog = path.join(workDir, 'scorecard-network.log');
  fs.rmSync(card, { force: true });
  fs.rmSync(netLog, { force: true });
  const bin = path.join(nodeRedDevDir(), 'bin', 'run');
  const version = JSON.parse(fs.readFileSync(path.join(nodeRedDevDir(), 'package.json'), 'utf8')).version;
  const out = await run(process.execPath, ['-r', path.join(__dirname, 'scorecard-preload.js'), bin, 'validate', '-p', pkgDir, '-o', card], {
    cwd: workDir,
    env: { ...childEnv({ cacheDir: path.join(workDir, 'npm-cache') }), SCORECARD_NETWORK_LOG: netLog },
    allowFailure: true,
    timeoutMs: 5 * 60_000,
  });
  const output = out.stdout + out.stderr;
  const unreachable = fs.existsSync(netLog)
    ? fs
        .readFileSync(netLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  const catalogueDown = unreachable.find((u) => u.url.includes('catalogue.nodered.org'));
  // npm-remote-ls (D02) does not fail on a network error: it logs "could not load <pkg>" and passes
  const registryDown =
    unreachable.find((u) => u.url.includes('registry.npmjs.org')) ||
    (/could not load /.test(output) ? { code: 'npm-remote-ls: could not load' } : undefined);
  const written = fs.existsSync(card) ? JSON.parse(fs.readFileSync(card, 'utf8')) : undefined;
  return { version, code: out.code, output, card: written, unreachable, catalogueDown, registryDown, ...typesFromHtml(pkgDir) };
}

/** Why the card could not be written, for the failure message. */
function noCard(result) {
  const { code, unreachable, output } = result;
  return (
    `no scorecard written (exit ${code})` +
    (unreachable.length ? `; unreachable: ${unreachable.map((u) => `${u.url} (${u.code})`).join(', ')}` : '') +
    `\n${indent(tail(output, 40))}`
  );
}

/**
 * The verdict on check `id` of a validate() result: { text } when it passed, { skipped } when this
 * machine cannot verify it (the catalogue or the registry out of reach); throws when it failed.
 */
function verdict(id, result) {
  const { card, catalogueDown, registryDown, output, pkg, types } = result;
  const entry = card[id];
  if (NEEDS_CATALOGUE.includes(id) && catalogueDown) {
    return { skipped: `catalogue.nodered.org unreachable (${catalogueDown.code}); node-red-dev saw an empty catalogue` };
  }
  if (id === 'D02' && registryDown) return { skipped: `npm registry unreachable for the dependency tree (${registryDown.code})` };
  if (!entry) {
    if (registryDown && ['P06', 'P07', 'D03'].includes(id)) return { skipped: `npm registry unreachable (${registryDown.code})` };
    throw new Error(`not in the card; node-red-dev output:\n${indent(tail(output, 30))}`);
  }
  if (entry.test !== true) throw new Error(`${JSON.stringify(entry)}\n${hint(id, pkg)}`);
  return { text: id in CHECKS ? detail(id, entry, pkg, types, output) : 'pass' };
}

/** Our own confirmation beside node-red-dev's verdict, where its code is known to be lenient. */
function detail(id, entry, pkg, types, output) {
  switch (id) {
    case 'P01':
      return `${entry.license}`;
    case 'P04':
      return `${pkg.name} (unscoped node-red-contrib- name: accepted; node-red-dev also prints its generic "should use a scoped name" warning)`;
    case 'P05':
      // node-red-dev 0.1.6 sets P05 to true even when the keyword is missing, so check it here.
      if (!(pkg.keywords || []).includes('node-red'))
        throw new Error(`keywords ${JSON.stringify(pkg.keywords)} lack "node-red"\n${hint(id, pkg)}`);
      return `keywords ${JSON.stringify(pkg.keywords)}`;
    case 'P06':
      return `node-red.version ${pkg['node-red'].version} covers ${entry.versions.join(', ')}`;
    case 'P07':
      return `engines.node ${entry.version}`;
    case 'N02': {
      // A type whose html node-red-dev cannot parse silently drops out of N02; insist on all of them.
      const unparsed = output.split('\n').filter((l) => /Unable to parse/.test(l));
      if (unparsed.length) throw new Error(`node-red-dev could not parse an html file:\n${indent(unparsed.join('\n'))}\n${hint(id, pkg)}`);
      const flowTypes = types
        .filter((t) => !t.config)
        .map((t) => t.type)
        .sort();
      const covered = [...(entry.nodes || [])].sort();
      if (JSON.stringify(flowTypes) !== JSON.stringify(covered)) {
        throw new Error(`html declares ${flowTypes.join(', ')}; card covers ${covered.join(', ')}\n${hint(id, pkg)}`);
      }
      return `${covered.length} flow node types found in the html and used by the examples: ${covered.join(', ')}`;
    }
    case 'D01':
      return `${entry.total} (${Object.keys(pkg.dependencies || {}).join(', ')})`;
    case 'N01':
    case 'P08':
      return 'checked against catalogue.nodered.org';
    default:
      return 'pass';
  }
}

function hint(id, pkg) {
  const hints = {
    P01: 'package.json: add "license": "MIT" (and ship LICENSE).',
    P03: 'package.json: add "repository" and "bugs".',
    P04: 'package.json: the name must be scoped (@scope/node-red-…) or start with node-red-contrib-.',
    P05: 'package.json: add "node-red" to "keywords".',
    P06:
      `package.json: "node-red": { "version" } (now ${JSON.stringify(pkg['node-red'] && pkg['node-red'].version)}) ` +
      'must include the current latest Node-RED, e.g. ">=3.0.0".',
    P07:
      `package.json: "engines": { "node" } (now ${JSON.stringify(pkg.engines && pkg.engines.node)}) ` +
      'must include the minimum Node.js of the latest Node-RED (22.9), e.g. ">=18".',
    N01: 'rename node types that another catalogue module already uses (src/nodes/<type>/: runtime.ts and editor.ts registerType).',
    N02:
      'examples/*.json must use every non-config node type, and every src/nodes/<type>/editor.ts must call ' +
      "RED.nodes.registerType('<literal>', { category: '…', … }) (the build bundles it into dist/nodes/<type>.html).",
    D01: 'package.json: at most 6 runtime "dependencies".',
    D02: 'a dependency pulls agent-base < 6.0.0; update or replace it.',
    D03: 'package.json: move the listed dependencies to a range that includes their latest version.',
  };
  return `  → ${hints[id] || 'see /work/shared/node-red-conventions.md Part B §3'}`;
}

module.exports = { CHECKS, validate, noCard, verdict, unpack };
