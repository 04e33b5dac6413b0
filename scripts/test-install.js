#!/usr/bin/env node
// `npm run test:install`: the package as a user gets it. Builds, compiles the tests, then runs the
// mocha specs of test/install/: `npm pack`, the flow-library scorecard (node-red-dev validate) on
// the unpacked tarball, and the tarball installed into a brand-new Node-RED user directory, checked
// through the admin API and the comms websocket of a separately started Node-RED:
//   - Node-RED 4 on this machine's Node.js: `npm install node-red@4` into the temp dir (the latest
//     4.x, as a user gets it; --node-red-4=dev uses the devDependency instead, no download),
//   - Node-RED 5 on Node.js 22, both from the npm registry (`npm install node@22`, `node-red@5`),
//   - Node-RED 4 on Node.js 18 with npm 10, all from the registry (the oldest Node.js supported).
// Everything (npm cache included) lives in one temp dir, removed at the end, also on failure.
//
// Options: --only=scorecard|4|5|node18 (comma list)  --node-red-4=registry|dev  --keep (leave the temp dir)
//          --verbose (print Node-RED's and node-red-dev's output)  --skip-build
//          --tarball=<file.tgz> (test that tarball: no build, no pack)
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = { ...process.env };
let build = true;
for (const arg of process.argv.slice(2)) {
  const [key, value = ''] = arg.replace(/^--/, '').split('=');
  if (key === 'only' && /^(scorecard|4|5|node18)(,(scorecard|4|5|node18))*$/.test(value)) env.BLYNK_INSTALL_ONLY = value;
  else if (key === 'node-red-4' && ['dev', 'registry'].includes(value)) env.BLYNK_INSTALL_NODE_RED_4 = value;
  else if (key === 'keep') env.BLYNK_INSTALL_KEEP = '1';
  else if (key === 'verbose') env.BLYNK_INSTALL_VERBOSE = '1';
  else if (key === 'skip-build') build = false;
  else if (key === 'tarball' && value) {
    env.BLYNK_INSTALL_TARBALL = path.resolve(value);
    build = false;
  } else {
    console.log(
      fs
        .readFileSync(__filename, 'utf8')
        .split('\n')
        .slice(1, 14)
        .join('\n')
        .replace(/^\/\/ ?/gm, ''),
    );
    process.exit(key === 'help' || key === 'h' ? 0 : 2);
  }
}

const node = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (build) node([path.join(root, 'scripts', 'build.js')]);
node([require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'test', 'tsconfig.json')]);
const mocha = spawn(
  process.execPath,
  [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', '300000', path.join(root, 'dist-test', 'install', '*.install.js')],
  { cwd: root, env, stdio: 'inherit' },
);
// Ctrl-C reaches mocha too (same process group); it cleans up and exits, and so does this.
process.on('SIGINT', () => {});
mocha.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
