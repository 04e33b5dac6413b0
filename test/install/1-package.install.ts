// The tarball as npm packs it: what a user downloads.
import assert from 'node:assert/strict';
import { run } from './setup';

describe('npm pack', function () {
  it('ships package.json, README, LICENSE, the client API, the built nodes with icons and locales, the examples; no sources, tests or simulator', function () {
    const { files, summary } = run.packed;
    if (!files) this.skip(); // a given tarball: its file list is what it is
    const must = [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/nodes/icons/',
      'dist/nodes/locales/en-US/',
      'examples/',
    ];
    assert.deepEqual(
      must.filter((m) => !files.some((f) => f === m || f.startsWith(m))),
      [],
      `missing from ${summary}`,
    );
    assert.deepEqual(
      files.filter((f) => /^(src|test|bench|scripts|node_modules|dist-test|dist-bench|dist\/simulator)\//.test(f)),
      [],
      'should not ship',
    );
  });
});
