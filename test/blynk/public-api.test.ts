import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('public API (package.json main)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(path.join(ROOT, 'package.json')) as { main: string; types: string };

  it('exports the client, the call builders and the error type, and no internal class', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require(path.join(ROOT, pkg.main)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(api).sort(), [
      'BlynkClient',
      'BlynkError',
      'ERROR_CODES',
      'callAllPages',
      'deviceLogEvent',
      'deviceProperty',
      'deviceRead',
      'deviceUpdate',
      'getDevice',
      'organizationProfile',
      'platformCall',
      'triggerEvent',
      'writeDatastream',
    ]);
  });

  it('ships declarations beside it', () => {
    assert.equal(pkg.types, pkg.main.replace(/\.js$/, '.d.ts'));
    assert.ok(fs.existsSync(path.join(ROOT, pkg.types)));
  });
});
