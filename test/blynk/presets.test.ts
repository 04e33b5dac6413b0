import assert from 'node:assert/strict';
import {
  ApiCall,
  ApiResult,
  BlynkError,
  callAllPages,
  platformCall,
  Preset,
  PRESETS,
  presetFor,
  presetGroups,
  requestProblems,
  typedQuery,
} from '../../dist/blynk';
import { OPERATIONS } from '../support/contract';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as BlynkError).code;
  }
  return 'none';
}

describe('platform api: presets and the generic call', function () {
  it('every preset is a valid call of a documented /api/ route, its skeleton accepted by its own check, with unique ids and routes', () => {
    const ids = new Set(PRESETS.map((p) => p.id));
    assert.equal(ids.size, PRESETS.length);
    assert.equal(new Set(PRESETS.map((p) => `${p.method} ${p.path}`)).size, PRESETS.length);
    for (const p of PRESETS) {
      const call = platformCall(p.method, p.path, p.params, p.body);
      assert.equal(call.method, p.method);
      assert.equal(call.path, p.path);
      assert.equal(call.idempotent, p.idempotent, p.id);
      if (p.method === 'GET' || p.method === 'DELETE') assert.equal(call.body, undefined, p.id);
      else if (p.contentType === 'json') assert.deepEqual(call.body, p.body, p.id);
      assert.ok(p.path.startsWith('/api/'), p.path);
      assert.ok(p.summary.length > 0 && p.group.length > 0, p.id);
      // Reads are retried after a lost answer unless the contract says otherwise.
      if (p.method === 'GET') assert.equal(p.idempotent, true, p.id);
    }
    // The calls the package's own nodes make are among them, by Blynk's operationId.
    for (const id of [
      'getDevices',
      'searchDevices',
      'getDevice',
      'getDeviceBaseInfo',
      'getDeviceOnline',
      'getDeviceDatastreamValues',
      'getDatastreamHistory',
      'updateDatastreamValues',
      'importDatastreamValues',
      'updateDatastreamProperty',
      'getDeviceMetafields',
      'updateDeviceMetafield',
      'getDeviceTimeline',
      'getOwnOrganization',
      'getTemplateDatastreams',
    ]) {
      assert.ok(ids.has(id), `no preset ${id}`);
    }
    const devices = presetFor('GET', '/api/v1/organization/devices');
    assert.deepEqual([devices?.paged, devices?.params], [true, { page: 0, size: 50 }]);
    assert.equal(presetFor('GET', '/api/v1/organization/device/online')?.paged, false);
    assert.equal(presetFor('POST', '/api/v1/organization/devices'), undefined);
  });

  it('says of each preset whether its page section could not be read (x-unread) and where its route came from (x-route-source)', () => {
    for (const p of PRESETS) {
      const o = OPERATIONS.find((x) => x.route === `${p.method} ${p.path}`);
      assert.ok(o, p.id);
      assert.equal(p.unread, o.op['x-unread'] === true, p.id);
      assert.equal(p.routeSource, o.op['x-route-source'], p.id);
    }
    const marks = (method: string, path: string): unknown[] => {
      const p = presetFor(method, path);
      return [p?.id, p?.unread, p?.routeSource];
    };
    // Route from the third-party inventory, nothing of its page section read: the package's own name for it.
    assert.deepEqual(marks('POST', '/api/v1/organization/static-tokens/unclaim'), ['unclaimStaticToken', true, 'third-party']);
    assert.equal(presetFor('POST', '/api/v1/organization/static-tokens/unclaim')?.summary, 'unclaimStaticToken');
    // Route from the inventory, title and description read from the page.
    assert.deepEqual(marks('GET', '/api/v1/organization/user/profile'), ['getUserProfile', true, 'third-party']);
    assert.equal(presetFor('GET', '/api/v1/organization/user/profile')?.summary, 'Get user profile');
    // Route from the inventory, its body read from the page, its answers not.
    assert.deepEqual(marks('POST', '/api/v1/organization/template/event/create'), ['createTemplateEvent', true, 'third-party']);
    const event = presetFor('POST', '/api/v1/organization/template/event/create');
    assert.equal(event?.summary, 'Create template event');
    assert.equal(
      event?.permission,
      'PRODUCT_EDIT. Also, when the user-scoped authentication is used, user should have developer mode enabled',
    );
    assert.deepEqual(
      event?.fields?.map((f) => [f.name, f.type, f.required]),
      [
        ['productId', 'integer (int32)', true],
        ['type', 'string', true],
        ['name', 'string', true],
        ['code', 'string', true],
        ['color', 'string', true],
        ['description', 'string', false],
        ['showInTimeline', 'boolean', false],
      ],
    );
    // Unread, but the route and its parameter are the older page's.
    assert.deepEqual(marks('GET', '/api/v1/organization/template/metafields'), ['getTemplateMetafields', true, undefined]);
    // Read from the page.
    assert.deepEqual(marks('GET', '/api/v1/organization/devices'), ['getDevices', false, undefined]);
    assert.deepEqual(marks('POST', '/api/v1/organization/device/provision/token'), ['getProvisionToken', false, undefined]);
  });

  it('groups the presets as the docs do, each group once and in one run', () => {
    const groups = presetGroups();
    assert.deepEqual(
      groups.flatMap((g) => g.presets),
      [...PRESETS],
    );
    assert.equal(new Set(groups.map((g) => g.group)).size, groups.length);
    assert.ok(groups.every((g) => g.presets.every((p) => p.group === g.group)));
  });

  it('checks a documented call against its schema, naming each field; an undocumented route goes unchecked', () => {
    const refused = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        return `${(err as BlynkError).code} ${(err as BlynkError).details.detail}`;
      }
      return 'none';
    };
    assert.equal(
      refused(() => platformCall('POST', '/api/v1/organization/device/trigger-event', {}, {})),
      'NOT_AS_DOCUMENTED body.deviceId is required; body.eventCode is required',
    );
    assert.equal(
      refused(() => platformCall('POST', '/api/v1/organization/template/event/create', {}, { productId: 101, type: 'WARNING', name: '' })),
      'NOT_AS_DOCUMENTED body.code is required; body.color is required; body.name must NOT have fewer than 1 characters',
    );
    assert.equal(
      refused(() => platformCall('GET', '/api/v1/organization/devices', { size: 5000, page: 'first' }, undefined)),
      'NOT_AS_DOCUMENTED query.page must be integer; query.size must be <= 1000',
    );
    assert.equal(
      refused(() => platformCall('GET', '/api/v1/organization/device', 'deviceId=1&deviceId=2', undefined)),
      'NOT_AS_DOCUMENTED query.deviceId must be integer',
    );
    assert.equal(
      refused(() => platformCall('GET', '/api/v1/organization/device', { deviceId: '101', extra: 'kept' }, undefined)),
      'none',
    );
    assert.deepEqual(
      typedQuery(presetFor('GET', '/api/v1/organization/device') as Preset, [
        ['deviceId', '101'],
        ['extra', 'x'],
      ]),
      {
        deviceId: 101,
      },
    );
    assert.deepEqual(requestProblems(presetFor('GET', '/api/v1/organization/device') as Preset, [], undefined), [
      'query.deviceId is required',
    ]);
    assert.equal(
      refused(() => platformCall('POST', '/api/v1/organization/not-documented', { anything: 'x' }, { free: 1 })),
      'none',
    );
  });

  it('builds method, path, query and body, with the path query and params kept in order', () => {
    assert.deepEqual(
      platformCall(undefined, 'api/v1/organization/device?deviceId=101', { x: [1, 2], skip: null, flag: true }, { ignored: 1 }),
      {
        api: 'platform',
        method: 'GET',
        path: '/api/v1/organization/device',
        query: [
          ['deviceId', '101'],
          ['x', '1'],
          ['x', '2'],
          ['flag', 'true'],
        ],
        idempotent: true,
      },
    );
    assert.deepEqual(
      platformCall('post', '/api/v1/organization/device/datastream', 'a=1&b=2', '{"deviceId":1,"dataStreamId":1,"value":0}'),
      {
        api: 'platform',
        method: 'POST',
        path: '/api/v1/organization/device/datastream',
        query: [
          ['a', '1'],
          ['b', '2'],
        ],
        body: { deviceId: 1, dataStreamId: 1, value: 0 },
        idempotent: true,
      },
    );
    // Not a documented call: HTTP's idempotency decides whether a lost answer may be retried.
    assert.equal(platformCall('POST', '/api/v1/organization/device/something', {}, {}).idempotent, false);
    assert.equal(platformCall('PUT', '/api/v1/organization/device/something', {}, {}).idempotent, true);
    assert.equal(platformCall('DELETE', '/api/v1/organization/device', { deviceId: 1 }, { x: 1 }).body, undefined);
    assert.equal(platformCall('POST', '/api/v1/organization/device/trigger-event', {}, { deviceId: 1, eventCode: 'x' }).idempotent, false);
  });

  it('refuses what must not be sent, before anything is sent', () => {
    for (const method of ['FETCH', 'get me', 5, {}, 'OPTIONS'])
      assert.equal(
        code(() => platformCall(method, '/api/v1/x', {}, {})),
        'INVALID_METHOD',
        String(method),
      );
    for (const p of [
      '',
      undefined,
      5,
      '/oauth2/token',
      '/api',
      '/api/',
      '/api//x',
      '/api/../oauth2/token',
      '/api/v1/./x',
      'https://evil.example/api/v1',
      '//evil.example/api/v1',
      '/api/v1/x y',
      '/external/api/get',
    ]) {
      assert.equal(
        code(() => platformCall('GET', p, {}, {})),
        'INVALID_PATH',
        String(p),
      );
    }
    for (const params of [[1, 2], 5, { a: { nested: 1 } }, { a: NaN }, { a: [{}] }])
      assert.equal(
        code(() => platformCall('GET', '/api/v1/x', params, {})),
        'INVALID_PARAMS',
        JSON.stringify(params),
      );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const body of [5, 'not json', '"a string"', true, cyclic])
      assert.equal(
        code(() => platformCall('POST', '/api/v1/x', {}, body)),
        'INVALID_BODY',
        String(body),
      );
    assert.equal(platformCall('POST', '/api/v1/x', {}, undefined).body, undefined, 'no body is allowed');
    assert.deepEqual(platformCall('POST', '/api/v1/x', {}, [1, 2]).body, [1, 2]);
  });

  describe('callAllPages', function () {
    /** A paged list of `total` items served `size` at a time; logs the pages asked for. */
    function pagedClient(total: number, defaultSize = 2): { calls: string[]; call(call: ApiCall): Promise<ApiResult> } {
      const calls: string[] = [];
      return {
        calls,
        async call(call) {
          const q = new Map((call.query ?? []).map((e) => [e[0], e[1]]));
          const page = Number(q.get('page') ?? 0);
          const size = Number(q.get('size') ?? defaultSize);
          calls.push(`page=${page} size=${q.get('size') ?? '-'}`);
          const items = Array.from({ length: total }, (_, i) => i).slice(page * size, page * size + size);
          return { status: 200, data: { content: items, totalElements: total } };
        },
      };
    }

    it('follows the next page until totalElements items came, keeping size and the other params', async () => {
      const client = pagedClient(5);
      const result = await callAllPages(client, platformCall('GET', '/api/v1/organization/devices', { size: 2, orgId: 7 }, undefined));
      assert.deepEqual(result.data, { content: [0, 1, 2, 3, 4], totalElements: 5 });
      assert.deepEqual([result.pages, result.truncated, result.status], [3, false, 200]);
      assert.deepEqual(client.calls, ['page=0 size=2', 'page=1 size=2', 'page=2 size=2']);
    });

    it('starts at the page the caller asked for, and stops on an empty page', async () => {
      const client = pagedClient(5);
      const result = await callAllPages(client, platformCall('GET', '/api/v1/organization/devices', { page: 1, size: 2 }, undefined));
      assert.deepEqual(result.data, { content: [2, 3, 4], totalElements: 5 });
      assert.deepEqual(client.calls, ['page=1 size=2', 'page=2 size=2', 'page=3 size=2']);
    });

    it('stops at maxPages and says so', async () => {
      const client = pagedClient(100);
      const result = await callAllPages(client, platformCall('GET', '/api/v1/organization/devices', {}, undefined), undefined, 3);
      assert.deepEqual([result.pages, result.truncated, (result.data as { content: unknown[] }).content.length], [3, true, 6]);
    });

    it('leaves answers that are not pages, and non-GET calls, as they are', async () => {
      const single = {
        calls: 0,
        async call(): Promise<ApiResult> {
          this.calls++;
          return { status: 200, data: [{ id: 1 }] };
        },
      };
      const result = await callAllPages(single, platformCall('GET', '/api/v1/organization/device/metafield', { deviceId: 1 }, undefined));
      assert.deepEqual([result.data, result.pages, result.truncated, single.calls], [[{ id: 1 }], 1, false, 1]);
      // A POST is never repeated for more pages, even when its answer looks like a page.
      const paged = pagedClient(5);
      const posted = await callAllPages(paged, platformCall('POST', '/api/v1/organization/devices', { size: 2 }, undefined));
      assert.deepEqual(
        [posted.data, posted.pages, posted.truncated, posted.status],
        [{ content: [0, 1], totalElements: 5 }, 1, false, 200],
      );
      assert.deepEqual(paged.calls, ['page=0 size=2']);
    });
  });
});
