import assert from 'node:assert/strict';
import { ApiCall, ApiResult, BlynkError, DatastreamMap, pinIdsOf, pinWriteOf, writeByPin, writeUsesPins } from '../../dist/blynk';

/** A fake Platform client: answers a device's datastreams and writes from tables, and logs every call. */
class FakeClient {
  readonly calls: string[] = [];
  /** Each device's datastreams as `GET /api/v2/organization/device/datastreams` lists them. */
  streams = new Map<number, Array<{ dataStreamId: number; pin: unknown; pinType?: string }>>([
    [
      101,
      [
        { dataStreamId: 1, pin: 'v0' },
        { dataStreamId: 2, pin: 'v1' },
        { dataStreamId: 6, pin: 'v5' },
      ],
    ],
    [
      102,
      [
        { dataStreamId: 1, pin: 'v0' },
        { dataStreamId: 2, pin: 'v1' },
        { dataStreamId: 6, pin: 'v5' },
      ],
    ],
  ]);
  /** Writes answered 404 before the next succeeds. */
  failWrites = 0;
  /** Delay of each answer (ms) so concurrent lookups overlap. */
  delayMs = 0;

  async call(call: ApiCall): Promise<ApiResult> {
    const q = new Map((call.query ?? []).map((e) => [e[0], e[1]]));
    const lookup = call.path === '/api/v2/organization/device/datastreams';
    this.calls.push(lookup ? `datastreams ${q.get('deviceId')}` : `write ${JSON.stringify(call.body)}`);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (lookup) {
      const streams = this.streams.get(Number(q.get('deviceId')));
      if (streams === undefined) throw new BlynkError('NOT_FOUND', { status: 404, detail: 'device' });
      return { status: 200, data: streams };
    }
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new BlynkError('NOT_FOUND', { status: 404, detail: 'Data stream with identifier 2 is not found!' });
    }
    return { status: 204, data: '' };
  }
}

describe('pins: Platform writes by pin', function () {
  it('tells writes that name a pin from those that do not, without allocating for the latter', () => {
    assert.equal(writeUsesPins('V1', 5), true);
    assert.equal(writeUsesPins(' v12 ', 5), true);
    assert.equal(writeUsesPins(2, 5), false);
    assert.equal(writeUsesPins('2', 5), false);
    assert.equal(writeUsesPins(undefined, { '2': 1, '3': 2 }), false);
    assert.equal(writeUsesPins('V1', { '2': 1 }), false, 'an object payload ignores dataStreamId');
    assert.equal(writeUsesPins(undefined, { '2': 1, V3: 2 }), true);
  });

  it('validates a write by pin completely before anything is sent', () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        return (err as BlynkError).code;
      }
      return 'none';
    };
    assert.equal(
      code(() => pinWriteOf(0, 'V1', 1)),
      'INVALID_DEVICE_ID',
    );
    assert.equal(
      code(() => pinWriteOf(101, 'V256', 1)),
      'INVALID_PIN',
    );
    assert.equal(
      code(() => pinWriteOf(101, 'V1', null)),
      'INVALID_VALUE',
    );
    assert.equal(
      code(() => pinWriteOf(101, undefined, { V1: 1, '-2': 3 })),
      'INVALID_DATASTREAM_ID',
    );
    assert.equal(
      code(() => pinWriteOf(101, undefined, { V1: 1, Vx: 3 })),
      'INVALID_PIN',
    );
    assert.equal(
      code(() => pinWriteOf(101, undefined, { V1: {} })),
      'INVALID_VALUE',
    );
    const single = pinWriteOf('101', 'V1', true);
    assert.deepEqual(single.pins, ['v1']);
    assert.deepEqual(single.toCall(new Map([['v1', 2]])), {
      api: 'platform',
      method: 'POST',
      path: '/api/v1/organization/device/datastream',
      body: { deviceId: 101, dataStreamId: 2, value: 1 },
      idempotent: true,
    });
    const batch = pinWriteOf(101, undefined, { V1: 20, '3': 'ok', v5: 40, v1: 7 }); // V1 and v1 are one pin: the last wins
    assert.deepEqual(batch.pins, ['v1', 'v5']);
    assert.deepEqual(
      batch.toCall(
        new Map([
          ['v1', 2],
          ['v5', 6],
        ]),
      ).body,
      { deviceId: 101, values: { '2': 7, '3': 'ok', '6': 40 } },
    );
    assert.throws(
      () => batch.toCall(new Map([['v1', 2]])),
      (err: BlynkError) => err.code === 'PIN_NOT_FOUND' && err.details.value === 'V5',
    );
  });

  it('reads the device datastreams tolerantly: arrays or pages, "v1" or numeric pins, virtual pins only', () => {
    const map = pinIdsOf([
      { dataStreamId: 1, pin: 'v0', dataStreamLabel: 'Temperature', value: 21.5 },
      { dataStreamId: 2, pin: 'V1' },
      { dataStreamId: 3, pin: 2, pinType: 'virtual' },
      { id: 7, pin: 'v7' },
      { dataStreamId: 4, pin: 3, pinType: 'DIGITAL' },
      { dataStreamId: 'x', pin: 'v4' },
      { dataStreamId: 5 },
      { dataStreamId: 6, pin: 'vx' },
      null,
    ]);
    assert.deepEqual(
      [...map],
      [
        ['v0', 1],
        ['v1', 2],
        ['v2', 3],
        ['v7', 7],
      ],
    );
    assert.deepEqual([...pinIdsOf({ content: [{ dataStreamId: 9, pin: 'v9' }], totalElements: 1 })], [['v9', 9]]);
    assert.equal(pinIdsOf('nonsense').size, 0);
  });

  describe('DatastreamMap and writeByPin', function () {
    let t = 0;
    const now = (): number => t;
    beforeEach(() => {
      t = 0;
    });

    it('one lookup of the device datastreams, then one write per message in the steady state; each device costs one lookup', async () => {
      const client = new FakeClient();
      const map = new DatastreamMap(client, { now });
      for (let i = 0; i < 3; i++) await writeByPin(client, map, pinWriteOf(101, 'V1', 20 + i));
      await writeByPin(client, map, pinWriteOf(102, undefined, { V0: 1, V5: 50 }));
      await writeByPin(client, map, pinWriteOf(102, 'V5', 51));
      assert.deepEqual(client.calls, [
        'datastreams 101',
        'write {"deviceId":101,"dataStreamId":2,"value":20}',
        'write {"deviceId":101,"dataStreamId":2,"value":21}',
        'write {"deviceId":101,"dataStreamId":2,"value":22}',
        'datastreams 102',
        'write {"deviceId":102,"values":{"1":1,"6":50}}',
        'write {"deviceId":102,"dataStreamId":6,"value":51}',
      ]);
      assert.equal(map.size, 2);
    });

    it('a 404 from a write with cached ids refetches the device datastreams once and repeats the write once', async () => {
      const client = new FakeClient();
      const map = new DatastreamMap(client, { now });
      await writeByPin(client, map, pinWriteOf(101, 'V1', 1));
      client.calls.length = 0;
      client.streams.set(101, [{ dataStreamId: 12, pin: 'v1' }]); // the template was changed in Blynk.Console
      client.failWrites = 1;
      const result = await writeByPin(client, map, pinWriteOf(101, 'V1', 2));
      assert.equal(result.status, 204);
      assert.deepEqual(client.calls, [
        'write {"deviceId":101,"dataStreamId":2,"value":2}',
        'datastreams 101',
        'write {"deviceId":101,"dataStreamId":12,"value":2}',
      ]);
    });

    it("a second 404 after the refresh is the caller's error (no loop), and a 404 on freshly fetched ids is not retried", async () => {
      const client = new FakeClient();
      const map = new DatastreamMap(client, { now });
      client.failWrites = 1;
      await assert.rejects(writeByPin(client, map, pinWriteOf(101, 'V1', 1)), (err: BlynkError) => err.code === 'NOT_FOUND');
      assert.deepEqual(client.calls, ['datastreams 101', 'write {"deviceId":101,"dataStreamId":2,"value":1}']);
      client.calls.length = 0;
      client.failWrites = 2;
      await assert.rejects(writeByPin(client, map, pinWriteOf(101, 'V1', 1)), (err: BlynkError) => err.code === 'NOT_FOUND');
      assert.deepEqual(client.calls, [
        'write {"deviceId":101,"dataStreamId":2,"value":1}',
        'datastreams 101',
        'write {"deviceId":101,"dataStreamId":2,"value":1}',
      ]);
    });

    it('a pin missing from a cached map refetches it once (a new datastream), then PIN_NOT_FOUND naming the device', async () => {
      const client = new FakeClient();
      const map = new DatastreamMap(client, { now });
      await writeByPin(client, map, pinWriteOf(101, 'V1', 1));
      client.calls.length = 0;
      client.streams.get(101)?.push({ dataStreamId: 8, pin: 'v7' });
      await writeByPin(client, map, pinWriteOf(101, 'V7', 3));
      assert.deepEqual(client.calls, ['datastreams 101', 'write {"deviceId":101,"dataStreamId":8,"value":3}']);
      client.calls.length = 0;
      await assert.rejects(
        writeByPin(client, map, pinWriteOf(101, 'V9', 3)),
        (err: BlynkError) => err.code === 'PIN_NOT_FOUND' && err.details.value === 'V9' && err.details.detail === '101',
      );
      assert.deepEqual(client.calls, ['datastreams 101'], 'one refetch, no write');
    });

    it('trusts a device map for ttlMs, then fetches it again', async () => {
      const client = new FakeClient();
      const map = new DatastreamMap(client, { now, ttlMs: 300_000 });
      await writeByPin(client, map, pinWriteOf(101, 'V1', 1));
      t = 299_999;
      await writeByPin(client, map, pinWriteOf(101, 'V1', 2));
      t = 300_000;
      await writeByPin(client, map, pinWriteOf(101, 'V1', 3));
      assert.deepEqual(
        client.calls.map((c) => c.split(' ')[0]),
        ['datastreams', 'write', 'write', 'datastreams', 'write'],
      );
    });

    it('keeps at most maxDevices entries, dropping the oldest', async () => {
      const client = new FakeClient();
      for (let d = 1000; d < 1010; d++) client.streams.set(d, [{ dataStreamId: d, pin: 'v1' }]);
      const map = new DatastreamMap(client, { now, maxDevices: 3 });
      for (let d = 1000; d < 1010; d++) await map.resolve(d, ['v1']);
      assert.equal(map.size, 3);
      client.calls.length = 0;
      await map.resolve(1009, ['v1']);
      await map.resolve(1000, ['v1']);
      assert.deepEqual(client.calls, ['datastreams 1000'], 'the newest is kept, the oldest was dropped');
    });

    it('concurrent lookups of one device share one request', async () => {
      const client = new FakeClient();
      client.delayMs = 20;
      const map = new DatastreamMap(client, { now });
      await Promise.all(Array.from({ length: 10 }, (_, i) => writeByPin(client, map, pinWriteOf(101, 'V1', i))));
      assert.equal(client.calls.filter((c) => c === 'datastreams 101').length, 1);
      assert.equal(client.calls.filter((c) => c.startsWith('write')).length, 10);
    });
  });
});
