#!/usr/bin/env node
// Builds the tree Node-RED loads: each node's .js (compiled from src/) beside its .html, with
// icons/ and locales/ in dist/nodes/ where the loader looks for them.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'nodes');

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
// Node-RED loads dist/nodes/<type>.js (its catalogue from dist/nodes/locales/): one line that
// loads the runtime compiled from src/nodes/<type>/.
for (const entry of fs.readdirSync(path.join(root, 'src', 'nodes'), { withFileTypes: true })) {
  if (!entry.isDirectory() || !fs.existsSync(path.join(root, 'src', 'nodes', entry.name, 'runtime.ts'))) continue;
  fs.writeFileSync(path.join(out, `${entry.name}.js`), `'use strict';\nmodule.exports = require('./${entry.name}/runtime.js');\n`);
}
for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
  if (file.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', file), path.join(out, file));
}
fs.cpSync(path.join(root, 'icons'), path.join(out, 'icons'), { recursive: true });
fs.cpSync(path.join(root, 'locales'), path.join(out, 'locales'), { recursive: true });
console.log('built dist/');
