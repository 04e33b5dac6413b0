// Loaded with `mocha --require` before the client tests, to run them on undici 6: the release npm
// installs for Node.js 18 and for Node 20 before 20.18.1 (package.json accepts 6, 7 and 8; npm
// picks by each release's engines). Every `require('undici…')` then resolves to the devDependency
// `undici-6` (an npm alias of undici@6).
import assert from 'node:assert/strict';
import Module from 'node:module';

type Resolve = (request: string, ...rest: unknown[]) => string;
const modules = Module as unknown as { _resolveFilename: Resolve };
const resolve = modules._resolveFilename;
modules._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  const aliased = request === 'undici' || request.startsWith('undici/') ? `undici-6${request.slice('undici'.length)}` : request;
  return resolve.call(this, aliased, ...rest);
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('undici/package.json') as { version: string };
assert.match(version, /^6\./, `undici resolves to ${version}, not to the undici-6 devDependency`);
console.log(`  (the client tests on undici ${version})`);
