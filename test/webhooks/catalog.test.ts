import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** The runtime strings of the webhook node (config catalogue, section `webhook`) in every language. */
const LOCALES = path.resolve(__dirname, '../../locales');
const KEYS = [
  'no-url',
  'no-http-node',
  'no-auth',
  'incomplete-auth',
  'accepted-again',
  'failed',
  'refused.basic-missing',
  'refused.basic-wrong',
  'refused.header-missing',
  'refused.header-wrong',
];

describe('webhook in: runtime catalogue', function () {
  for (const lang of ['en-US', 'de', 'ja']) {
    it(`${lang} has every webhook message and the status text`, () => {
      const section = (
        JSON.parse(fs.readFileSync(path.join(LOCALES, lang, 'blynk-cloud-config.json'), 'utf8')) as Record<
          string,
          Record<string, Record<string, unknown>>
        >
      )['blynk-cloud-config'];
      for (const key of KEYS) {
        const value = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], section.webhook);
        assert.equal(typeof value, 'string', `${lang}: webhook.${key}`);
      }
      assert.match(String(section.status['webhook-delivered']), /__count__.*__time__|__time__.*__count__/s);
    });
  }
});
