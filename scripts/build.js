#!/usr/bin/env node
// Builds the tree Node-RED loads from one folder per node (src/nodes/<type>/: runtime.ts,
// editor.ts, template.html):
//   dist/nodes/<type>.js    loads the runtime compiled by tsc (dist/nodes/<type>/runtime.js)
//   dist/nodes/<type>.html  the editor script bundled by esbuild, then the dialog template
// with icons/ and locales/ in dist/nodes/ where the loader looks for them.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { bundleEditor } = require('./lib/editor-bundle');
const { bundleValidators, generateRoutes } = require('./routes');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'nodes');
const sources = path.join(root, 'src', 'nodes');
const tsc = require.resolve('typescript/bin/tsc');

fs.rmSync(dist, { recursive: true, force: true });
// The route catalogue from contract/ (src/blynk/generated/), which tsc and the dialogs' bundles import.
const routes = generateRoutes();
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
bundleValidators(routes);
// esbuild strips types without checking them: the editor code is checked here.
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'src', 'editor', 'tsconfig.json')], { stdio: 'inherit' });

const types = fs
  .readdirSync(sources, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(sources, entry.name, 'runtime.ts')))
  .map((entry) => entry.name);
// Node-RED loads only what package.json declares: a folder missing there would be built but never loaded.
const declared = Object.keys(require(path.join(root, 'package.json'))['node-red'].nodes);
const undeclared = types.filter((type) => !declared.includes(type));
const missing = declared.filter((type) => !types.includes(type));
if (undeclared.length || missing.length) {
  throw new Error(
    `package.json node-red.nodes and src/nodes/<type>/ differ: not declared ${undeclared.join(', ') || '-'}; no folder ${missing.join(', ') || '-'}`,
  );
}
for (const type of types) {
  const folder = path.join(sources, type);
  // Node-RED loads dist/nodes/<type>.js, and its catalogue from dist/nodes/locales/.
  fs.writeFileSync(path.join(out, `${type}.js`), `'use strict';\nmodule.exports = require('./${type}/runtime.js');\n`);
  const script = bundleEditor(path.join(folder, 'editor.ts'), root);
  const template = fs.readFileSync(path.join(folder, 'template.html'), 'utf8');
  fs.writeFileSync(path.join(out, `${type}.html`), `<script type="text/javascript">\n${script}</script>\n\n${template}`);
}
fs.cpSync(path.join(root, 'icons'), path.join(out, 'icons'), { recursive: true });
fs.cpSync(path.join(root, 'locales'), path.join(out, 'locales'), { recursive: true });
console.log(`built dist/ (${types.length} nodes, ${routes.length} Platform API routes)`);
