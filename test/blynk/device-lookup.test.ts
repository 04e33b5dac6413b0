import assert from 'node:assert/strict';
import { ApiCall, ApiResult, BlynkError, deviceNameOf, DeviceNames, pickDevice, searchDevicesCall } from '../../dist/blynk';

/** A fake Platform client answering the device search from a list, paged as Blynk pages it. */
class FakeSearch {
  readonly calls: string[] = [];
  devices: Array<{ id: unknown; name: unknown }> = [
    { id: 101, name: 'Greenhouse' },
    { id: 102, name: 'Garage' },
    { id: 103, name: 'Attic (offline)' },
  ];
  failNext = 0;

  async call(call: ApiCall): Promise<ApiResult> {
    const q = new Map((call.query ?? []).map((e) => [e[0], e[1]]));
    this.calls.push(`${call.method} ${call.path} ${q.get('query')} page ${q.get('page')} size ${q.get('size')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failNext > 0) {
      this.failNext--;
      throw new BlynkError('SERVER_ERROR', { status: 500 });
    }
    const needle = String(q.get('query')).toLowerCase();
    const found = this.devices.filter((d) => String(d.name).toLowerCase().includes(needle));
    const page = Number(q.get('page') ?? 0);
    const size = Number(q.get('size') ?? 50);
    return { status: 200, data: { content: found.slice(page * size, page * size + size), totalElements: found.length } };
  }
}

function codeOf(fn: () => unknown): { code: string; value?: string; length?: number } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BlynkError, String(err));
    return { code: err.code, value: err.details.value, length: err.details.length };
  }
  assert.fail('did not throw');
}

describe('device names (device search)', () => {
  it('deviceNameOf takes text of 1 to 255 characters, trimmed', () => {
    assert.equal(deviceNameOf('  Garage '), 'Garage');
    assert.equal(deviceNameOf('x'.repeat(255)), 'x'.repeat(255));
    for (const bad of ['', '   ', 'x'.repeat(256), 101, null, undefined, ['Garage'], { name: 'Garage' }]) {
      assert.equal(codeOf(() => deviceNameOf(bad)).code, 'INVALID_DEVICE_NAME', JSON.stringify(bad));
    }
  });

  it('searchDevicesCall asks the documented route for one page of at most 1000', () => {
    assert.deepEqual(searchDevicesCall('Garage'), {
      api: 'platform',
      method: 'GET',
      path: '/api/v1/organization/search/devices',
      query: [
        ['query', 'Garage'],
        ['page', '0'],
        ['size', '1000'],
      ],
      idempotent: true,
    });
  });

  it('pickDevice: exact name first, then a unique case-insensitive one; none and several name the count', () => {
    const items = [
      { id: 1, name: 'Pump' },
      { id: 2, name: 'pump' },
      { id: 3, name: 'Pump house' },
      { id: 4, name: 'Tank' },
      { id: 5, name: 'TANK' },
      { id: 6, name: 'Valve' },
    ];
    assert.equal(pickDevice('Pump', items), 1);
    assert.equal(pickDevice('pump', items), 2);
    assert.equal(pickDevice('VALVE', items), 6);
    assert.deepEqual(
      codeOf(() => pickDevice('PUMP', items)),
      { code: 'DEVICE_NAME_AMBIGUOUS', value: '"PUMP"', length: 2 },
    );
    assert.deepEqual(
      codeOf(() => pickDevice('tank', items)),
      { code: 'DEVICE_NAME_AMBIGUOUS', value: '"tank"', length: 2 },
    );
    assert.deepEqual(
      codeOf(() => pickDevice('Pump h', items)),
      { code: 'DEVICE_NAME_NOT_FOUND', value: '"Pump h"', length: 6 },
    );
    assert.deepEqual(
      codeOf(() => pickDevice('Pump', [])),
      { code: 'DEVICE_NAME_NOT_FOUND', value: '"Pump"', length: 0 },
    );
  });

  it('pickDevice: two exact matches are ambiguous even when one case-insensitive match would not be', () => {
    const items = [
      { id: 1, name: 'Pump' },
      { id: 7, name: 'Pump' },
    ];
    assert.deepEqual(
      codeOf(() => pickDevice('Pump', items)),
      { code: 'DEVICE_NAME_AMBIGUOUS', value: '"Pump"', length: 2 },
    );
  });

  it('pickDevice: items without a usable id or name are skipped; one device listed twice counts once', () => {
    const items = [
      { id: 'x', name: 'Pump' },
      { id: 0, name: 'Pump' },
      { id: 9 },
      null,
      'Pump',
      { id: '12', name: 'Pump' },
      { id: 12, name: 'Pump' },
    ];
    assert.equal(pickDevice('Pump', items), 12);
  });

  it('follows the search pages to the end before deciding', async () => {
    const client = new FakeSearch();
    client.devices = Array.from({ length: 5 }, (_, i) => ({ id: 200 + i, name: `Pump ${i}` }));
    client.devices.push({ id: 300, name: 'Pump' });
    const names = new DeviceNames(client, { pageSize: 2 });
    assert.deepEqual(await names.resolve('Pump'), { id: 300, cached: false });
    assert.deepEqual(client.calls, [
      'GET /api/v1/organization/search/devices Pump page 0 size 2',
      'GET /api/v1/organization/search/devices Pump page 1 size 2',
      'GET /api/v1/organization/search/devices Pump page 2 size 2',
    ]);
  });

  it('keeps an id for ttlMs, shares concurrent searches, keeps no failure, and stays bounded', async () => {
    const client = new FakeSearch();
    let now = 0;
    const names = new DeviceNames(client, { ttlMs: 1000, maxNames: 2, now: () => now });
    const all = await Promise.all([names.resolve('Garage'), names.resolve('Garage'), names.resolve('Garage')]);
    assert.deepEqual(
      all.map((r) => r.id),
      [102, 102, 102],
    );
    assert.equal(client.calls.length, 1);
    now = 999;
    assert.deepEqual(await names.resolve('Garage'), { id: 102, cached: true });
    assert.equal(client.calls.length, 1);
    now = 1000;
    assert.deepEqual(await names.resolve('Garage'), { id: 102, cached: false });
    assert.equal(client.calls.length, 2);

    client.failNext = 1;
    await assert.rejects(names.resolve('Greenhouse'), (err: unknown) => err instanceof BlynkError && err.code === 'SERVER_ERROR');
    assert.deepEqual(await names.resolve('Greenhouse'), { id: 101, cached: false });
    await assert.rejects(names.resolve('Shed'), (err: unknown) => err instanceof BlynkError && err.code === 'DEVICE_NAME_NOT_FOUND');
    client.devices.push({ id: 104, name: 'Shed' });
    assert.deepEqual(await names.resolve('Shed'), { id: 104, cached: false });
    assert.equal(names.size, 2, 'more names kept than maxNames');
    // The oldest (Garage) went first.
    const before = client.calls.length;
    await names.resolve('Garage');
    assert.equal(client.calls.length, before + 1);
  });
});
