// Pure helpers: input validation and call builders (nothing is sent on bad input), server URL
// rules, Retry-After parsing (RFC 9110 §10.2.3) and backoff with full jitter.
import { strict as assert } from 'node:assert';
import {
  backoffMs,
  BlynkError,
  dataStreamIdOf,
  DEFAULT_RETRY_POLICY,
  deviceIdOf,
  deviceUpdate,
  encodeQuery,
  eventCodeOf,
  getDevice,
  isLoopback,
  mayFollowRedirect,
  parseRetryAfter,
  parseServer,
  pinOf,
  sanitizeDetail,
  sleep,
  triggerEvent,
  datastreamValueOf,
  writeDatastream,
} from '../../dist/blynk';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BlynkError, String(err));
    return err.code;
  }
  return 'no error';
}

describe('client: validation and pure helpers', () => {
  it('device ids: positive int32, numbers or digit strings only', () => {
    assert.equal(deviceIdOf(101), 101);
    assert.equal(deviceIdOf(' 42 '), 42);
    assert.equal(deviceIdOf(2_147_483_647), 2_147_483_647);
    for (const bad of [0, -1, 1.5, '1e3', '0x10', '', null, undefined, NaN, 2_147_483_648, '12a', [1], {}]) {
      assert.equal(
        code(() => deviceIdOf(bad)),
        'INVALID_DEVICE_ID',
        JSON.stringify(bad),
      );
    }
    assert.equal(dataStreamIdOf(0), 0);
    assert.equal(
      code(() => dataStreamIdOf(-1)),
      'INVALID_DATASTREAM_ID',
    );
  });

  it('pins V0–V255 in either case, sent lower-case', () => {
    assert.equal(pinOf('V0'), 'v0');
    assert.equal(pinOf(' v255 '), 'v255');
    for (const bad of ['V256', 'V01', 'D1', 'V-1', 'V', '', 5, undefined])
      assert.equal(
        code(() => pinOf(bad)),
        'INVALID_PIN',
        String(bad),
      );
  });

  it('event codes and values', () => {
    assert.equal(eventCodeOf('high_temp'), 'high_temp');
    for (const bad of ['', 'a-b', 'x'.repeat(51), 3])
      assert.equal(
        code(() => eventCodeOf(bad)),
        'INVALID_EVENT_CODE',
      );
    assert.equal(datastreamValueOf(true), 1);
    assert.equal(datastreamValueOf(false), 0);
    assert.deepEqual(datastreamValueOf([24.03, 49.84]), [24.03, 49.84]);
    for (const bad of [NaN, Infinity, null, undefined, {}, [1], [1, 2, 3], ['1', '2']])
      assert.equal(
        code(() => datastreamValueOf(bad)),
        'INVALID_VALUE',
      );
    assert.equal(
      code(() => triggerEvent(1, 'a', 'x'.repeat(1024))),
      'EVENT_TOO_LONG',
    );
    assert.deepEqual(triggerEvent(1, 'a', 'x'.repeat(1023)).body, { deviceId: 1, eventCode: 'a', eventDescription: 'x'.repeat(1023) });
  });

  it('call builders: ids in the query, values in JSON, idempotency as documented', () => {
    assert.deepEqual(getDevice('101'), {
      api: 'platform',
      method: 'GET',
      path: '/api/v1/organization/device',
      query: [['deviceId', '101']],
      idempotent: true,
    });
    assert.deepEqual(writeDatastream(1, 2, '3'), {
      api: 'platform',
      method: 'POST',
      path: '/api/v1/organization/device/datastream',
      body: { deviceId: 1, dataStreamId: 2, value: '3' },
      idempotent: true,
    });
    assert.deepEqual(writeDatastream(1, undefined, { 2: 5, 3: true }).body, { deviceId: 1, values: { 2: 5, 3: 1 } });
    assert.equal(
      code(() => writeDatastream(1, undefined, {})),
      'EMPTY_BATCH',
    );
    assert.equal(
      code(() => writeDatastream(1, undefined, { x: 1 })),
      'INVALID_DATASTREAM_ID',
    );
    assert.equal(triggerEvent(1, 'a', undefined).idempotent, false);
    assert.deepEqual(deviceUpdate(' tok ', 'V1', [1, 2]).query, [
      ['token', 'tok'],
      ['pin', 'v1'],
      ['value', '1'],
      ['value', '2'],
    ]);
    assert.deepEqual(deviceUpdate('tok', undefined, { V1: 1, v2: 'a b' }).query, [
      ['token', 'tok'],
      ['v1', '1'],
      ['v2', 'a b'],
    ]);
    assert.equal(
      code(() => deviceUpdate('  ', 'V1', 1)),
      'NO_DEVICE_TOKEN',
    );
  });

  it('query encoding keeps order and repeated keys and escapes everything else', () => {
    assert.equal(
      encodeQuery([
        ['a', 'b c'],
        ['a', '&='],
        ['é', '+%'],
      ]),
      'a=b%20c&a=%26%3D&%C3%A9=%2B%25',
    );
  });

  it('server URLs: https anywhere, http only on loopback, no credentials in the URL, never echoed', () => {
    assert.equal(parseServer('https://ny3.blynk.cloud/some/path?x=1').origin, 'https://ny3.blynk.cloud');
    assert.equal(parseServer('  ').origin, 'https://blynk.cloud');
    assert.equal(parseServer('http://127.0.0.5:8080').origin, 'http://127.0.0.5:8080');
    for (const bad of ['http://blynk.cloud', 'http://10.0.0.1', 'ws://127.0.0.1', 'https://u:p@blynk.cloud', 'blynk.cloud']) {
      assert.equal(
        code(() => parseServer(bad)),
        'INVALID_SERVER',
        bad,
      );
    }
    try {
      parseServer('https://admin:hunter2-secret@blynk.cloud/x');
      assert.fail('accepted a URL with credentials');
    } catch (err) {
      assert.ok(err instanceof BlynkError);
      assert.equal(err.details.server, 'https://blynk.cloud');
    }
    assert.ok(isLoopback('[::1]'));
    assert.ok(isLoopback('127.255.0.1'));
    assert.ok(!isLoopback('127.0.0.1.nip.io'));
  });

  it('redirects: to a Blynk host over https, or loopback → loopback on the same scheme; nothing else', () => {
    const u = (s: string): URL => new URL(s);
    assert.ok(mayFollowRedirect(u('https://blynk.cloud'), u('https://fra1.blynk.cloud')));
    assert.ok(mayFollowRedirect(u('https://fra1.blynk.cloud'), u('https://blynk.cloud')));
    assert.ok(mayFollowRedirect(u('http://127.0.0.1:1'), u('http://localhost:2')));
    assert.ok(!mayFollowRedirect(u('https://blynk.cloud'), u('http://fra1.blynk.cloud')));
    assert.ok(!mayFollowRedirect(u('https://blynk.cloud'), u('https://blynk.cloud.evil.com')));
    assert.ok(!mayFollowRedirect(u('https://blynk.cloud'), u('https://127.0.0.1')));
    assert.ok(!mayFollowRedirect(u('http://127.0.0.1'), u('https://127.0.0.1')));
    assert.ok(!mayFollowRedirect(u('http://127.0.0.1'), u('https://example.com')));
  });

  it('Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is unreadable', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 01:00:00 GMT', now), 3600);
    assert.equal(parseRetryAfter('Thursday, 01-Jan-26 00:00:30 GMT', now), 30); // RFC 850
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0); // in the past
    for (const bad of [undefined, '', '1.5', '-1', '+5', '60s', 'soon', '99999999999999999999x']) {
      assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
    }
  });

  it('backoff: full jitter under min(cap, base·2^(n-1))', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, backoffBaseMs: 100, backoffCapMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffMs({ ...policy, random: () => 0.999 }, n)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.equal(backoffMs({ ...policy, random: () => 0 }, 3), 0);
    assert.deepEqual(DEFAULT_RETRY_POLICY.attempts, 3);
    assert.deepEqual(DEFAULT_RETRY_POLICY.retryAfterCapSec, 60);
  });

  it('sleep ends at once with CLOSED on abort and leaves no timer behind', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal).then(
      () => 'slept',
      (e: BlynkError) => e.code,
    );
    controller.abort();
    assert.equal(await pending, 'CLOSED');
    assert.ok(Date.now() - started < 100);
    assert.equal(
      await sleep(1, controller.signal).then(
        () => 'slept',
        (e: BlynkError) => e.code,
      ),
      'CLOSED',
    );
  });

  it('sanitizeDetail: one printable line of at most 200 characters', () => {
    assert.equal(sanitizeDetail('a\r\n\tb\u0000c\u007f'), 'a b c');
    assert.equal(sanitizeDetail('x'.repeat(250)), `${'x'.repeat(200)}…`);
    assert.equal(sanitizeDetail({ a: 1 }), '{"a":1}');
    assert.equal(sanitizeDetail(undefined), '');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(sanitizeDetail(cyclic), '[object Object]');
  });
});
