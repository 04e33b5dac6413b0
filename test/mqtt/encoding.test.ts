// Pure parts of the Device MQTT API client: payloads, topics, broker addresses, backoff.
import { strict as assert } from 'node:assert';
import {
  BlynkError,
  decodeDownlink,
  decodeValue,
  encodeBatch,
  encodeTimestamped,
  encodeValue,
  mayFollowMqttRedirect,
  nameList,
  parseMqttServer,
  reconnectDelayMs,
  uplink,
} from '../../dist/blynk';

const code = (c: string) => (e: unknown) => e instanceof BlynkError && e.code === c;

describe('device MQTT: payload encoding', () => {
  it('writes numbers and strings as plain text, booleans as 1/0', () => {
    assert.equal(encodeValue(21.3), '21.3');
    assert.equal(encodeValue(-4), '-4');
    assert.equal(encodeValue('hello'), 'hello');
    assert.equal(encodeValue(true), '1');
    assert.equal(encodeValue(false), '0');
  });
  it('writes multi-values separated by NUL', () => {
    assert.equal(encodeValue(['First', 'Second', 3]), 'First\u0000Second\u00003');
  });
  it('refuses what Blynk cannot read', () => {
    for (const v of [NaN, Infinity, null, undefined, {}, [], [{}], 'a\u0000b', [['x']]])
      assert.throws(() => encodeValue(v), code('INVALID_VALUE'));
  });
  it('batch_ds is a JSON object of typed values', () => {
    const body = { Name: 'Sample', Temperature: 10.3, Location: [30.5, 50.4] as [number, number], 'Device On': true };
    assert.deepEqual(JSON.parse(encodeBatch(body)), body);
    assert.throws(() => encodeBatch({}), code('EMPTY_BATCH'));
    assert.throws(() => encodeBatch([1]), code('INVALID_VALUE'));
    assert.throws(() => encodeBatch({ a: [1, 2, 3] }), code('INVALID_VALUE'));
    assert.throws(() => encodeBatch({ a: null }), code('INVALID_VALUE'));
  });
  it('timestamped_batch is [[ms, value], …]', () => {
    assert.equal(
      encodeTimestamped([
        [1772639468034, 34.4],
        [1772639468341, 25.4],
      ]),
      '[[1772639468034,34.4],[1772639468341,25.4]]',
    );
    assert.throws(() => encodeTimestamped([]), code('EMPTY_BATCH'));
    assert.throws(() => encodeTimestamped([[1.5, 1]]), code('INVALID_VALUE'));
    assert.throws(() => encodeTimestamped([[1, 2, 3]]), code('INVALID_VALUE'));
  });
});

describe('device MQTT: payload decoding', () => {
  it('types decimal numbers as numbers, everything else as text', () => {
    assert.equal(decodeValue('123'), 123);
    assert.equal(decodeValue('-3.1415926'), -3.1415926);
    assert.equal(decodeValue('1e3'), 1000);
    for (const s of ['hello', '', '007', '+1', ' 1', '0x1f', 'Infinity', 'NaN', '1.']) assert.equal(decodeValue(s), s);
  });
  it('splits NUL-separated multi-values into a typed array', () => {
    assert.deepEqual(decodeValue('24.03\u000049.84'), [24.03, 49.84]);
    assert.deepEqual(decodeValue('First\u0000Second\u00003'), ['First', 'Second', 3]);
  });
  it('keeps text when numbers are turned off', () => {
    assert.equal(decodeValue('123', false), '123');
    assert.deepEqual(decodeValue('1\u00002', false), ['1', '2']);
  });
  it('decodes each documented downlink topic', () => {
    assert.deepEqual(decodeDownlink('downlink/ds/Device On', '1'), {
      topic: 'downlink/ds/Device On',
      payload: '1',
      kind: 'datastream',
      name: 'Device On',
      value: 1,
    });
    assert.deepEqual(decodeDownlink('downlink/meta/Serial Number', '0042'), {
      topic: 'downlink/meta/Serial Number',
      payload: '0042',
      kind: 'meta',
      name: 'Serial Number',
      value: '0042',
    });
    const utc = decodeDownlink('downlink/utc/all/json', '{"tz_name":"UTC","time":5}');
    assert.deepEqual(utc.kind === 'time' && utc.value, { tz_name: 'UTC', time: 5 });
    const loc = decodeDownlink('downlink/loc/all', '50.45,30.52');
    assert.deepEqual(loc.kind === 'location' && loc.value, { lat: 50.45, lon: 30.52 });
    const badLoc = decodeDownlink('downlink/loc/all', 'somewhere');
    assert.equal(badLoc.kind === 'location' && badLoc.value, 'somewhere');
    const ota = decodeDownlink('downlink/ota/json', '{"url":"x"}');
    assert.deepEqual(ota.kind === 'ota' && ota.value, { url: 'x' });
    for (const k of ['ping', 'reboot', 'reconfigure'] as const) assert.equal(decodeDownlink(`downlink/${k}`, '').kind, k);
    const diag = decodeDownlink('downlink/diag', 'flood');
    assert.equal(diag.kind === 'diag' && diag.value, 'flood');
    assert.equal(decodeDownlink('downlink/new/thing', 'x').kind, 'other');
  });
});

describe('device MQTT: topics', () => {
  it('builds every documented uplink topic', () => {
    assert.equal(uplink.datastream('Temperature'), 'ds/Temperature');
    assert.equal(uplink.timestamped('Temperature'), 'ds/Temperature/timestamped_batch');
    assert.equal(uplink.erase('Temperature'), 'ds/Temperature/erase');
    assert.equal(uplink.property('Temperature', 'color'), 'ds/Temperature/prop/color');
    assert.equal(uplink.eraseProperty('Temperature', 'color'), 'ds/Temperature/prop/color/erase');
    assert.equal(uplink.event('temp_is_high'), 'event/temp_is_high');
    assert.equal(uplink.meta('Serial Number'), 'meta/Serial Number');
    assert.deepEqual(
      [uplink.batch, uplink.info, uplink.getDatastreams, uplink.getAllDatastreams, uplink.getMeta, uplink.getTime, uplink.getLocation],
      ['batch_ds', 'info/mcu', 'get/ds', 'get/ds/all', 'get/meta', 'get/utc/all/json', 'get/loc/all'],
    );
  });
  it('refuses names that would break the topic', () => {
    for (const n of ['', 'a/b', 'a+', 'a#', 5]) assert.throws(() => uplink.datastream(n as string), code('INVALID_TOPIC_NAME'));
    assert.equal(nameList('datastream', ['Brightness', 'Color']), 'Brightness,Color');
    assert.throws(() => nameList('datastream', ['a,b']), code('INVALID_TOPIC_NAME'));
    assert.throws(() => nameList('meta', []), code('INVALID_TOPIC_NAME'));
  });
});

describe('device MQTT: broker address', () => {
  it('defaults to mqtts://blynk.cloud:8883 and maps https:// to it', () => {
    assert.equal(parseMqttServer(undefined).href, 'mqtts://blynk.cloud:8883');
    assert.equal(parseMqttServer('https://fra1.blynk.cloud').href, 'mqtts://fra1.blynk.cloud:8883');
    assert.equal(parseMqttServer('mqtts://ny3.blynk.cloud').href, 'mqtts://ny3.blynk.cloud:8883');
  });
  it('gives secure WebSocket URLs the /mqtt path', () => {
    assert.equal(parseMqttServer('wss://fra1.blynk.cloud:443').href, 'wss://fra1.blynk.cloud/mqtt');
    assert.equal(parseMqttServer('wss://fra1.blynk.cloud:9443/mqtt').href, 'wss://fra1.blynk.cloud:9443/mqtt');
  });
  it('allows plain mqtt:// and ws:// only to loopback, and no credentials in the URL', () => {
    assert.equal(parseMqttServer('mqtt://127.0.0.1:1883').href, 'mqtt://127.0.0.1:1883');
    assert.equal(parseMqttServer('mqtt://localhost').href, 'mqtt://localhost:1883');
    for (const s of [
      'mqtt://blynk.cloud',
      'ws://blynk.cloud/mqtt',
      'http://blynk.cloud',
      'mqtts://device:tok@blynk.cloud',
      'tcp://x',
      'nonsense',
    ]) {
      assert.throws(() => parseMqttServer(s), code('INVALID_MQTT_SERVER'));
    }
    assert.throws(
      () => parseMqttServer('mqtts://device:SECRET@blynk.cloud'),
      (e: Error) => !e.message.includes('SECRET'),
    );
  });
  it('follows redirects only to Blynk over TLS, the same host, or loopback to loopback', () => {
    const from = new URL('mqtts://blynk.cloud:8883');
    assert.ok(mayFollowMqttRedirect(from, new URL('mqtts://ny3.blynk.cloud:8883')));
    assert.ok(mayFollowMqttRedirect(from, new URL('wss://fra1.blynk.cloud:443/mqtt')));
    assert.ok(!mayFollowMqttRedirect(from, new URL('mqtts://evil.example:8883')));
    assert.ok(!mayFollowMqttRedirect(from, new URL('mqtt://ny3.blynk.cloud:1883')));
    assert.ok(mayFollowMqttRedirect(new URL('mqtt://127.0.0.1:1'), new URL('mqtt://127.0.0.1:2')));
  });
});

describe('device MQTT: reconnect backoff', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    const at = (r: number, n: number) => reconnectDelayMs({ initialMs: 1000, maxMs: 8000, random: () => r }, n);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => at(0, n)),
      [500, 1000, 2000, 4000, 4000],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => at(0.999999, n)),
      [999, 1999, 3999, 7999, 7999],
    );
  });
});
