'use strict';
// Bundles one node's editor script (src/nodes/<type>/editor.ts) with what it imports from src/
// (the editor helpers and the pure modules of src/blynk it shares with the runtime) into one
// script for the node's .html.
const path = require('node:path');
const esbuild = require('esbuild');

/**
 * The bundle as text. Fails when the editor code would pull in a package (axios, …) or a Node.js
 * built-in: only browser-safe modules of src/ may reach the editor.
 */
function bundleEditor(entry, root) {
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'iife',
    platform: 'browser',
    // The browsers Node-RED's editor supports; readable output, so the flow library's scorecard
    // finds the literal RED.nodes.registerType("<type>", …).
    target: 'es2018',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
    // The compiled request schemas (scripts/routes.js) are for the runtime, which checks a request
    // before sending it; the dialog never calls that check, so they stay out of its bundle.
    external: ['./generated/validators.js'],
  });
  const outside = Object.keys(result.metafile.inputs).filter(
    (input) => !path.resolve(root, input).startsWith(path.join(root, 'src') + path.sep),
  );
  if (outside.length) throw new Error(`${path.relative(root, entry)} pulls in code from outside src/: ${outside.join(', ')}`);
  const text = result.outputFiles[0].text;
  // The bundle goes inside <script>…</script>: a closing tag in it would end the script early.
  if (/<\/script/i.test(text)) throw new Error(`${path.relative(root, entry)}: the bundle contains "</script"`);
  return text;
}

module.exports = { bundleEditor };
