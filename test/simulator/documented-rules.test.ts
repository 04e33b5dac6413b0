// The simulator's rules and values where Blynk's documentation (blynkkk/docs) states them and the
// contract's schemas cannot see them: each test names its source.
import { strict as assert } from 'node:assert';
import type { Simulator } from '../../dist/simulator';
import { call, useAuthedSimulator } from './helpers';

const DAY_MS = 24 * 3600 * 1000;

describe('simulator: documented rules', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  useAuthedSimulator((s, a) => {
    sim = s;
    auth = a;
  });

  const post = (path: string, body: unknown) => call(sim, 'POST', path, { headers: auth, body });
  const importBatch = (values: Array<{ value: unknown; ts: number }>, deviceId = 101) =>
    post('/api/v1/organization/device/import/batch', { deviceId, dataStreamId: 6, values });

  describe('datastream import (POST /api/v1/organization/device/import/batch)', () => {
    // changelog.md, Apr 20, 2026: "Extended the minimum timestamp in the import handler from 1 to 3 months".
    it('accepts points up to 3 months old (60 and 85 days) and refuses older ones (100 days)', async () => {
      const now = Date.now();
      assert.equal((await importBatch([{ value: 1, ts: now - 60 * DAY_MS }])).status, 204);
      assert.equal((await importBatch([{ value: 2, ts: now - 85 * DAY_MS }])).status, 204);
      assert.equal((await importBatch([{ value: 3, ts: now - 100 * DAY_MS }])).status, 400);
    });

    // changelog.md, May 20, 2026: "Increased datapoints import per device per day from 10k to 100k";
    // the import page counts every set sent that day, in one batch or several.
    it('accepts 100,000 points a day per device, in several batches, and refuses the 100,001st; another device has its own count', async function () {
      this.timeout(60_000);
      const now = Date.now();
      const batch = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ value: i % 100, ts: now - DAY_MS + base + i }));
      for (let k = 0; k < 4; k++) {
        const r = await importBatch(batch(25_000, k * 25_000));
        assert.equal(r.status, 204, `batch ${k}: ${r.text}`);
      }
      assert.equal((await importBatch(batch(1, 100_000))).status, 400);
      assert.equal((await importBatch(batch(1, 0), 102)).status, 204);
    });

    // blynkkk/docs@89f30f5b blynk.cloud/platform-https-api/devices-api/import-datastream-values.md:
    // "204: No Content Device datastream value updated".
    it('answers an accepted import 204 without a body', async () => {
      const r = await importBatch([{ value: 5, ts: Date.now() - 1000 }]);
      assert.deepEqual([r.status, r.text], [204, '']);
    });
  });

  // https://docs.blynk.io/en/blynk.cloud/platform-https-api/devices, schema Device (the list's items);
  // the example item of blynkkk/docs@89f30f5b devices-api/get-all-devices.md has the same fields.
  it('device list and search items have the list Device fields only (no lifecycleStatus, connect times, ip)', async () => {
    const fields = ['activatedAt', 'hardwareInfo', 'id', 'name', 'orgId', 'originalTemplateId', 'ownerUserId', 'templateId', 'token'];
    for (const path of ['/api/v1/organization/devices', '/api/v1/organization/search/devices?query=Garage']) {
      const page = (await call(sim, 'GET', path, { headers: auth })).json as { content: Array<Record<string, unknown>> };
      assert.ok(page.content.length > 0, path);
      for (const item of page.content) assert.deepEqual(Object.keys(item).sort(), fields, path);
    }
  });
});
