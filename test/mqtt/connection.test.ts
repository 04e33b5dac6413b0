// DeviceConnection against the simulator's Blynk MQTT broker: real sockets, real MQTT.
import { strict as assert } from 'node:assert';
import { BlynkError } from '../../dist/blynk';
import { startSimulator, type Simulator, type SimulatorMqtt } from '../../dist/simulator';
import { call } from '../simulator/helpers';
import { captureOutput, deepText, downlink, reached, record, until, type Recorded } from './helpers';

describe('device MQTT: connection to the simulator broker', () => {
  let sim: Simulator;
  let broker: SimulatorMqtt;
  let token: string;
  let open: Recorded[] = [];
  /** Errors from rejected publishes, for the token-leak check. */
  let rejections: unknown[] = [];
  let output: ReturnType<typeof captureOutput> | undefined;

  const connect = (extra: Partial<Parameters<typeof record>[0]> = {}): Recorded => {
    const r = record({ server: broker.url, token, ...extra });
    open.push(r);
    r.conn.connect();
    return r;
  };
  const upTopics = () => broker.log.filter((e) => e.direction === 'up').map((e) => e.topic);
  const settled = (topic: string, count = 1) => until(() => upTopics().filter((t) => t === topic).length >= count, `uplink ${topic}`);

  before(async () => {
    sim = await startSimulator();
    broker = await sim.mqtt();
    token = sim.demo.devices[0].token;
  });
  beforeEach(() => {
    sim.reset();
    output = captureOutput();
  });
  afterEach(async () => {
    await Promise.all(open.map((r) => r.conn.close()));
    output?.stop();
    for (const r of open) assert.ok(!r.text().includes(token), 'the token appeared in an event');
    for (const e of rejections)
      assert.ok(!deepText(e).includes(token) && !(e as Error).stack?.includes(token), 'the token appeared in an error');
    assert.ok(!output?.text().includes(token), 'the token appeared in stdout, stderr or a warning');
    open = [];
    rejections = [];
    await broker.restart();
  });
  after(() => sim.close());

  it('connects as `device` with the token, subscribes to downlink/# and sends info/mcu', async () => {
    const r = connect({ info: { tmpl: 'TMPL1', ver: '0.1.0', build: 'test', type: 'TMPL1', rxbuff: 1024 } });
    await reached(r, 'connected');
    assert.deepEqual(
      r.states.map((s) => s.state),
      ['connecting', 'connected'],
    );
    assert.equal(r.states[1].server, broker.url);
    await settled('info/mcu');
    assert.deepEqual(JSON.parse(broker.log.find((e) => e.topic === 'info/mcu')?.payload ?? ''), {
      tmpl: 'TMPL1',
      ver: '0.1.0',
      build: 'test',
      type: 'TMPL1',
      rxbuff: 1024,
    });
    assert.equal(sim.state.device(101)?.connected, true);
  });

  it('connects over WebSocket at /mqtt (added when the URL has no path)', async () => {
    const r = connect({ server: broker.wsUrl.replace(/\/mqtt$/, '') });
    await reached(r, 'connected');
    assert.equal(r.conn.server, broker.wsUrl.replace(/\/mqtt$/, ''));
    await r.conn.write('Temperature', 23.5);
    await until(() => sim.state.value(101, 'v1') === 23.5, 'value over WebSocket');
    await call(sim, 'GET', `/external/api/update?token=${token}&v2=via-ws`);
    const status = await downlink(r, 'downlink/ds/Status');
    assert.equal(status.kind === 'datastream' && status.value, 'via-ws');
  });

  it('every uplink topic lands in the datastream store', async () => {
    const r = connect();
    await reached(r, 'connected');
    const d = sim.state.device(101);
    await r.conn.write('Temperature', 30.5);
    await r.conn.write('Status', 'all good');
    await r.conn.write('Location', [30.52, 50.45]);
    await r.conn.writeBatch({ Switch: 1, Humidity: 55, Mode: 2 });
    await r.conn.writeTimestamped('Humidity', [
      [Date.now() - 2000, 60],
      [Date.now() - 1000, 61],
    ]);
    await r.conn.setProperty('Temperature', 'color', '#ff0000');
    await r.conn.setProperty('Temperature', 'labels', ['a', 'b']);
    await r.conn.eraseProperty('Temperature', 'labels');
    await r.conn.logEvent('high_temp', 'Too hot');
    await r.conn.logEvent('door_open');
    await r.conn.setMeta('Serial Number', 'SN-42');
    await r.conn.erase('Status');
    await settled('ds/Status/erase');
    assert.equal(sim.state.value(101, 'v1'), 30.5);
    assert.deepEqual(sim.state.value(101, 'v3'), [30.52, 50.45]);
    assert.equal(sim.state.value(101, 'v0'), 1);
    assert.equal(sim.state.value(101, 'v4'), 2);
    assert.equal(sim.state.value(101, 'v5'), 61);
    assert.equal(sim.state.value(101, 'v2'), undefined);
    assert.deepEqual(sim.state.properties(101, 'v1'), { color: '#ff0000' });
    assert.deepEqual(
      sim.state.events(101).map((e) => [e.code, e.description]),
      [
        ['high_temp', 'Too hot'],
        ['door_open', undefined],
      ],
    );
    assert.equal(d?.metaFields.find((f) => f.name === 'Serial Number')?.value, 'SN-42');
    assert.ok(
      broker.log.every((e) => !e.rejected),
      'an uplink was rejected',
    );
    // The device's own writes are not echoed back as downlinks.
    assert.deepEqual(r.downlinks, []);
  });

  it('a write through the Device HTTPS API reaches the device as a typed downlink within milliseconds', async () => {
    const r = connect();
    const other = connect({ token: sim.demo.devices[1].token });
    await reached(r, 'connected');
    await reached(other, 'connected');
    const started = Date.now();
    await call(sim, 'GET', `/external/api/batch/update?token=${token}&v0=1&v2=hello&v1=22.25`);
    const sw = await downlink(r, 'downlink/ds/Switch');
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(sw, { topic: 'downlink/ds/Switch', payload: '1', kind: 'datastream', name: 'Switch', value: 1 });
    const status = await downlink(r, 'downlink/ds/Status');
    assert.equal(status.kind === 'datastream' && status.value, 'hello');
    const temp = await downlink(r, 'downlink/ds/Temperature');
    assert.equal(temp.kind === 'datastream' && temp.value, 22.25);
    // Another device's client gets nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(other.downlinks, []);
    assert.deepEqual(
      broker.log.filter((e) => e.direction === 'down').map((e) => e.deviceId),
      [101, 101, 101],
    );
  });

  it('answers get/ds, get/ds/all, get/meta, get/utc/all/json and get/loc/all; ping, reboot and diag arrive', async () => {
    const r = connect();
    await reached(r, 'connected');
    await r.conn.requestValues(['Location', 'Status']);
    const loc = await downlink(r, 'downlink/ds/Location');
    assert.deepEqual(loc.kind === 'datastream' && loc.value, [24.0336, 49.8419]);
    await downlink(r, 'downlink/ds/Status');
    r.downlinks.length = 0;
    await r.conn.requestAllValues();
    await until(() => r.downlinks.length === 6, 'six datastreams');
    assert.deepEqual(
      r.downlinks.map((d) => d.kind === 'datastream' && d.name),
      ['Switch', 'Temperature', 'Status', 'Location', 'Mode', 'Humidity'],
    );
    await r.conn.requestMeta(['Serial Number']);
    const meta = await downlink(r, 'downlink/meta/Serial Number');
    assert.equal(meta.kind === 'meta' && meta.value, 'SN-101');
    await r.conn.requestTime();
    const time = await downlink(r, 'downlink/utc/all/json');
    assert.equal(time.kind === 'time' && (time.value as { tz_name: string }).tz_name, 'UTC');
    await r.conn.requestLocation();
    const where = await downlink(r, 'downlink/loc/all');
    assert.deepEqual(where.kind === 'location' && where.value, { lat: 49.8419, lon: 24.0336 });
    assert.ok(broker.send(101, 'downlink/ping', '', 1));
    assert.ok(broker.send(101, 'downlink/reboot'));
    assert.ok(broker.send(101, 'downlink/reconfigure'));
    assert.ok(broker.send(101, 'downlink/ota/json', '{"url":"http://127.0.0.1/fw.bin"}'));
    assert.ok(broker.send(101, 'downlink/diag', 'flood detected'));
    await downlink(r, 'downlink/diag');
    assert.deepEqual(
      r.downlinks.slice(-5).map((d) => d.kind),
      ['ping', 'reboot', 'reconfigure', 'ota', 'diag'],
    );
    const ota = r.downlinks.find((d) => d.kind === 'ota');
    assert.deepEqual(ota?.kind === 'ota' && ota.value, { url: 'http://127.0.0.1/fw.bin' });
  });

  it('a wrong token ends in `refused` with no retry; publishes are refused, not queued', async () => {
    const r = record({ server: broker.url, token: 'wrong-token-0123456789abcdefghij', backoff: { initialMs: 10, maxMs: 10 } });
    open.push(r);
    r.conn.connect();
    await reached(r, 'refused');
    const refused = r.states.find((s) => s.state === 'refused');
    assert.equal(refused?.error?.code, 'DEVICE_TOKEN_REJECTED');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(
      r.states.map((s) => s.state),
      ['connecting', 'refused'],
    );
    const error = await r.conn.write('Temperature', 1).catch((e: unknown) => e);
    rejections.push(error);
    assert.ok(error instanceof BlynkError && error.code === 'DEVICE_TOKEN_REJECTED');
    assert.ok(!r.text().includes('wrong-token-0123456789abcdefghij') && !deepText(error).includes('wrong-token-0123456789abcdefghij'));
  });

  it('reconnects with backoff after the broker stops, and keeps what was sent meanwhile (none lost, none doubled)', async () => {
    const r = connect({ backoff: { initialMs: 40, maxMs: 80, random: () => 0 } });
    await reached(r, 'connected');
    await broker.stop();
    await reached(r, 'offline');
    const sends = [1, 2, 3, 4, 5].map((n) => r.conn.write('Humidity', n));
    assert.equal(r.conn.queued, 5);
    await reached(r, 'offline', 3);
    const delays = r.states.filter((s) => s.state === 'offline').map((s) => s.retryInMs);
    assert.deepEqual(delays.slice(0, 3), [20, 40, 40]);
    assert.equal(r.states.find((s) => s.state === 'offline')?.error?.code, 'NETWORK');
    await broker.restart();
    await Promise.all(sends);
    await reached(r, 'connected', 2);
    await settled('ds/Humidity', 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = broker.log.filter((e) => e.topic === 'ds/Humidity').map((e) => e.payload);
    assert.deepEqual(sent, ['1', '2', '3', '4', '5']);
    assert.equal(sim.state.value(101, 'v5'), 5);
  });

  it('messages written before connect() wait in the queue and go once connected', async () => {
    const r = record({ server: broker.url, token });
    open.push(r);
    const sent = r.conn.write('Temperature', 17.5);
    assert.equal(r.conn.state, 'idle');
    assert.equal(r.conn.queued, 1);
    r.conn.connect();
    await sent;
    await until(() => sim.state.value(101, 'v1') === 17.5, 'queued value');
  });

  it('a dropped socket (no DISCONNECT) goes offline and comes back', async () => {
    const r = connect();
    await reached(r, 'connected');
    broker.drop(101);
    await reached(r, 'offline');
    await reached(r, 'connected', 2);
    await r.conn.write('Temperature', 12);
    await until(() => sim.state.value(101, 'v1') === 12, 'value after reconnect');
  });

  it('refuses a message beyond the queue size with MQTT_QUEUE_FULL; close refuses the rest with CLOSED', async () => {
    await broker.stop();
    const r = connect({ maxQueue: 3 });
    await reached(r, 'offline');
    const kept = [1, 2, 3].map((n) => r.conn.write('Humidity', n).catch((e: unknown) => e));
    const full = await r.conn.write('Humidity', 4).catch((e: unknown) => e);
    rejections.push(full);
    assert.ok(full instanceof BlynkError && full.code === 'MQTT_QUEUE_FULL' && full.details.length === 3);
    await r.conn.close();
    for (const e of await Promise.all(kept)) {
      rejections.push(e);
      assert.ok(e instanceof BlynkError && e.code === 'CLOSED');
    }
    assert.equal(r.conn.state, 'closed');
  });

  it("refuses a message above Blynk's 1024-byte limit", async () => {
    const r = connect();
    const error = await r.conn.write('Status', 'x'.repeat(1020)).catch((e: unknown) => e);
    rejections.push(error);
    assert.ok(error instanceof BlynkError && error.code === 'MESSAGE_TOO_LARGE');
  });

  it('paces a burst under the flood limit without dropping any message', async () => {
    const r = connect({ flood: { limit: 10, periodMs: 200 } });
    await reached(r, 'connected');
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => r.conn.write('Humidity', i)));
    assert.ok(Date.now() - started >= 170, `10 messages at 20 ms spacing took ${Date.now() - started} ms`);
    await settled('ds/Humidity', 10);
    const at = broker.log.filter((e) => e.topic === 'ds/Humidity').map((e) => e.payload);
    assert.deepEqual(at, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('follows the redirect message to another broker', async () => {
    const other = await startSimulator();
    try {
      const region = await other.mqtt();
      broker.redirectNext(region.url);
      const r = connect();
      await until(
        () => r.states.filter((s) => s.state === 'connected').length >= 1 && r.conn.server === region.url,
        'connection to the region',
      );
      assert.deepEqual(r.redirects, [{ from: broker.url, to: region.url }]);
      await r.conn.write('Temperature', 33);
      await until(() => other.state.value(101, 'v1') === 33, 'value at the region');
      assert.equal(sim.state.value(101, 'v1'), 21.5);
      await r.conn.close();
    } finally {
      await other.close();
    }
  });

  it('does not follow a redirect to a host that is not Blynk over TLS', async () => {
    broker.redirectNext('mqtts://evil.example:8883');
    const r = connect();
    await until(() => r.warnings.length > 0, 'warning');
    assert.equal((r.warnings[0] as BlynkError).code, 'MQTT_REDIRECT_REFUSED');
    assert.equal(r.conn.server, broker.url);
    await reached(r, 'connected');
    await r.conn.write('Temperature', 34);
    await until(() => sim.state.value(101, 'v1') === 34, 'value at the first broker');
  });

  it('close() leaves no socket or timer, also while waiting for a retry', async () => {
    const before = process.getActiveResourcesInfo().filter((x) => x !== 'Timeout').length;
    const r = connect();
    await reached(r, 'connected');
    await r.conn.close();
    await broker.stop();
    const waiting = connect({ backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await reached(waiting, 'offline');
    await waiting.conn.close();
    await broker.restart();
    await until(() => process.getActiveResourcesInfo().filter((x) => x !== 'Timeout').length <= before, 'handles released');
    assert.equal(broker.connections, 0);
    assert.equal(waiting.conn.state, 'closed');
    const late = await waiting.conn.write('Temperature', 1).catch((e: unknown) => e);
    assert.ok(late instanceof BlynkError && late.code === 'CLOSED');
  });
});
