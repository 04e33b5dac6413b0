// The routes added for the platform api node's presets: shapes and documented errors.
import { strict as assert } from 'node:assert';
import type { Simulator } from '../../dist/simulator';
import { call, useAuthedSimulator } from './helpers';

describe('simulator: Platform API routes of the presets', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  useAuthedSimulator((s, a) => {
    sim = s;
    auth = a;
  });

  const get = (path: string) => call(sim, 'GET', path, { headers: auth });
  const post = (path: string, body: unknown) => call(sim, 'POST', path, { headers: auth, body });
  const message = (json: unknown): string => (json as { error: { message: string } }).error.message;

  it('organization by id: the own organisation, 404 for another, 400 for a bad id', async () => {
    assert.equal(((await get('/api/v1/organization?orgId=1001')).json as { id: number }).id, 1001);
    assert.equal(((await get('/api/v1/organization')).json as { id: number }).id, 1001);
    assert.equal((await get('/api/v1/organization?orgId=5')).status, 404);
    assert.equal((await get('/api/v1/organization?orgId=x')).status, 400);
  });

  it('devices list and search: pages of {content, totalElements}; search needs a query', async () => {
    const page = (await get('/api/v1/organization/devices?page=1&size=2')).json as {
      content: Array<{ id: number }>;
      totalElements: number;
    };
    assert.deepEqual([page.content.map((d) => d.id), page.totalElements], [[103], 3]);
    const found = (await get('/api/v1/organization/search/devices?query=101')).json as {
      content: Array<{ id: number }>;
      totalElements: number;
    };
    assert.deepEqual([found.content.map((d) => d.id), found.totalElements], [[101], 1]);
    const sorted = (await get('/api/v1/organization/search/devices?query=a&sortBy=Name')).json as { content: Array<{ name: string }> };
    assert.deepEqual(
      sorted.content.map((d) => d.name),
      ['Attic (offline)', 'Garage'],
    );
    assert.equal((await get('/api/v1/organization/search/devices')).status, 400);
    assert.equal((await get(`/api/v1/organization/search/devices?query=${'x'.repeat(256)}`)).status, 400);
    assert.equal((await get('/api/v1/organization/search/devices?query=a&sortOrder=UP')).status, 400);
  });

  it('history: raw values of a stream by id or pin in a time window, newest first; 404 for an unknown stream', async () => {
    // The seeded point was stored when the simulator was reset, possibly in this very millisecond.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const t0 = Date.now();
    await post('/api/v1/organization/device/datastream', { deviceId: 101, dataStreamId: 2, value: 30 });
    const byPin = (await get('/api/v1/organization/device/datastream/history?deviceId=101&pin=v1')).json as {
      content: Array<{ value: unknown; createdAt: number }>;
      totalElements: number;
    };
    assert.deepEqual(
      byPin.content.map((p) => p.value),
      [30, 21.5],
    );
    const since = (await get(`/api/v1/organization/device/datastream/history?deviceId=101&dataStreamId=2&from=${t0}`)).json as {
      content: Array<{ value: unknown }>;
    };
    assert.deepEqual(
      since.content.map((p) => p.value),
      [30],
    );
    const unknown = await get('/api/v1/organization/device/datastream/history?deviceId=101&dataStreamId=99');
    assert.deepEqual([unknown.status, message(unknown.json)], [404, 'Data stream with identifier 99 is not found!']);
    assert.equal((await get('/api/v1/organization/device/datastream/history?deviceId=101')).status, 400);
    assert.equal((await get('/api/v1/organization/device/datastream/history?deviceId=999&dataStreamId=2')).status, 404);
  });

  it('import: accepted with 204 and no body; refuses points over 3 months old, bad values and empty lists', async () => {
    const now = Date.now();
    const ok = await post('/api/v1/organization/device/import/batch', {
      deviceId: 101,
      dataStreamId: 6,
      values: [{ value: 70, ts: now + 10 }],
    });
    assert.deepEqual([ok.status, ok.text], [204, '']);
    assert.equal(sim.state.value(101, 6), 70);
    const old = await post('/api/v1/organization/device/import/batch', {
      deviceId: 101,
      dataStreamId: 6,
      values: [{ value: 1, ts: now - 100 * 24 * 3600 * 1000 }],
    });
    assert.equal(old.status, 400);
    assert.equal(
      (await post('/api/v1/organization/device/import/batch', { deviceId: 101, dataStreamId: 6, values: [{ value: 'x', ts: now }] }))
        .status,
      400,
    );
    assert.equal((await post('/api/v1/organization/device/import/batch', { deviceId: 101, dataStreamId: 6, values: [] })).status, 400);
    assert.equal(
      (await post('/api/v1/organization/device/import/batch', { deviceId: 101, dataStreamId: 99, values: [{ value: 1, ts: now }] })).status,
      404,
    );
  });

  it('timeline: logged events newest first, as a page, filtered by eventType', async () => {
    await post('/api/v1/organization/device/trigger-event', { deviceId: 101, eventCode: 'high_temp', eventDescription: 'hot' });
    await call(sim, 'GET', `/external/api/logEvent?token=${sim.demo.devices[0].token}&code=door_open`);
    const all = (await get('/api/v1/organization/device/timeline?deviceId=101')).json as {
      content: Array<Record<string, unknown>>;
      totalElements: number;
    };
    assert.equal(all.totalElements, 2);
    assert.deepEqual(
      all.content.map((e) => [e.eventType, e.description, e.orgId, e.isResolved]),
      [
        ['INFORMATION', '', 1001, false],
        ['WARNING', 'hot', 1001, false],
      ],
    );
    assert.deepEqual(Object.keys(all.content[0]).sort(), [
      'description',
      'eventId',
      'eventType',
      'id',
      'isResolved',
      'orgId',
      'resolvedAt',
      'resolvedComment',
      'ts',
    ]);
    const warnings = (await get('/api/v1/organization/device/timeline?deviceId=101&eventType=WARNING')).json as { totalElements: number };
    assert.equal(warnings.totalElements, 1);
    assert.equal((await get('/api/v1/organization/device/timeline?deviceId=999')).status, 404);
  });

  it('metafield update: 204, then read back; the documented 400 and 404 messages', async () => {
    assert.equal((await post('/api/v1/organization/device/metafield', { deviceId: 101, metaFieldId: 1, newValue: 'Renamed' })).status, 204);
    const fields = (await get('/api/v1/organization/device/metafield?deviceId=101')).json as Array<{ id: number; value: string }>;
    assert.equal(fields.find((f) => f.id === 1)?.value, 'Renamed');
    assert.equal((await post('/api/v1/organization/device/metafield', { deviceId: 101, metaFieldId: 1, newValue: 5 })).status, 204);
    const bad = await post('/api/v1/organization/device/metafield', { deviceId: 101, metaFieldId: 1, newValue: { x: 1 } });
    assert.deepEqual([bad.status, message(bad.json)], [400, 'The provided value for metafield is invalid.']);
    const missing = await post('/api/v1/organization/device/metafield', { deviceId: 101, metaFieldId: 9, newValue: 'x' });
    assert.deepEqual([missing.status, message(missing.json)], [404, 'Meta field is not found.']);
  });
});
