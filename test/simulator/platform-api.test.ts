import { strict as assert } from 'node:assert';
import type { Simulator } from '../../dist/simulator';
import { bearer, call, useAuthedSimulator } from './helpers';

interface StreamValue {
  dataStreamId: number;
  pin: string;
  dataStreamLabel: string;
  dataStreamAlias: string;
  value?: unknown;
  updatedAt?: number;
}

describe('simulator: Platform API', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  useAuthedSimulator((s, a) => {
    sim = s;
    auth = a;
  });

  const get = (path: string) => call(sim, 'GET', path, { headers: auth });
  const post = (path: string, body: unknown) => call(sim, 'POST', path, { headers: auth, body });

  it('answers 401 with the Blynk error shape for missing or unknown tokens', async () => {
    const none = await call(sim, 'GET', '/api/v1/organization/profile');
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, { error: { message: 'Authorization header with a Bearer token is required.' } });
    const unknown = await call(sim, 'GET', '/api/v1/organization/profile', { headers: bearer('made-up') });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json, { error: { message: 'Invalid access token.' } });
  });

  it('GET /api/v1/organization/profile returns the seeded org', async () => {
    const r = await get('/api/v1/organization/profile');
    assert.equal(r.status, 200);
    const org = r.json as { id: number; name: string; tz: string; lastModifiedTs: number };
    assert.equal(org.id, sim.demo.org.id);
    assert.equal(org.name, sim.demo.org.name);
    assert.equal(org.tz, 'Europe/Kyiv');
    assert.equal(typeof org.lastModifiedTs, 'number');
  });

  it('GET device info carries dataStreamValues and metaFieldValues (§4.4)', async () => {
    const dev = sim.demo.devices[0];
    const r = await get(`/api/v1/organization/device?deviceId=${dev.id}`);
    assert.equal(r.status, 200);
    const info = r.json as {
      id: number;
      name: string;
      token: string;
      orgId: number;
      dataStreamValues: StreamValue[];
      metaFieldValues: unknown[];
    };
    assert.equal(info.id, dev.id);
    assert.equal(info.token, dev.token);
    assert.equal(info.orgId, sim.demo.org.id);
    const temp = info.dataStreamValues.find((v) => v.pin === 'v1');
    assert.deepEqual(
      { ...temp, updatedAt: 0 },
      {
        dataStreamId: 2,
        pin: 'v1',
        dataStreamLabel: 'Temperature',
        dataStreamAlias: 'Temperature',
        value: 21.5,
        updatedAt: 0,
      },
    );
    assert.deepEqual(info.metaFieldValues[0], { id: 1, name: 'Device Name', value: { type: 'Text', value: dev.name } });
  });

  it('answers 404 for an unknown device and 400 for an invalid id', async () => {
    const r = await get('/api/v1/organization/device?deviceId=999');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: { message: 'Device with identifier 999 is not found or belong to another organization.' } });
    assert.equal((await get('/api/v1/organization/device?deviceId=abc')).status, 400);
    assert.equal((await get('/api/v1/organization/device')).status, 400);
  });

  it('GET device/online reports the connection flag', async () => {
    assert.deepEqual((await get('/api/v1/organization/device/online?deviceId=101')).json, { connected: true });
    assert.deepEqual((await get('/api/v1/organization/device/online?deviceId=103')).json, { connected: false });
    sim.state.device(103)!.connected = true;
    assert.deepEqual((await get('/api/v1/organization/device/online?deviceId=103')).json, { connected: true });
  });

  it('GET v2 datastreams filters by dataStreamIds in repeated or comma form', async () => {
    const all = (await get('/api/v2/organization/device/datastreams?deviceId=101')).json as StreamValue[];
    assert.deepEqual(
      all.map((v) => v.pin),
      ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'],
    );
    for (const q of ['dataStreamIds=2,3', 'dataStreamIds=2&dataStreamIds=3']) {
      const r = (await get(`/api/v2/organization/device/datastreams?deviceId=101&${q}`)).json as StreamValue[];
      assert.deepEqual(
        r.map((v) => [v.dataStreamId, v.value]),
        [
          [2, 21.5],
          [3, 'ok'],
        ],
      );
    }
    assert.equal((await get('/api/v2/organization/device/datastreams?deviceId=101&dataStreamIds=x')).status, 400);
  });

  it('POST datastream writes state and reads reflect it; numbers are clamped', async () => {
    const r = await post('/api/v1/organization/device/datastream', { deviceId: 102, dataStreamId: 2, value: 36.6 });
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    assert.equal(sim.state.value(102, 2), 36.6);
    assert.equal(sim.state.value(102, 'V1'), 36.6);
    assert.equal(sim.state.value(101, 'v1'), 21.5); // other devices untouched
    await post('/api/v1/organization/device/datastream', { deviceId: 102, dataStreamId: 2, value: 1000 });
    assert.equal(sim.state.value(102, 'v1'), 85);
    await post('/api/v1/organization/device/datastream', { deviceId: 102, dataStreamId: 4, value: [30.5, 50.4] });
    const read = (await get('/api/v2/organization/device/datastreams?deviceId=102&dataStreamIds=2,4')).json as StreamValue[];
    assert.deepEqual(
      read.map((v) => v.value),
      [85, [30.5, 50.4]],
    );
  });

  it('POST datastream rejects wrong types, unknown streams and bad JSON', async () => {
    const bad = await post('/api/v1/organization/device/datastream', { deviceId: 101, dataStreamId: 1, value: 'on' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: { message: 'Bad request - Invalid value' } });
    assert.equal((await post('/api/v1/organization/device/datastream', { deviceId: 101, dataStreamId: 1, value: 0.5 })).status, 400);
    const unknown = await post('/api/v1/organization/device/datastream', { deviceId: 101, dataStreamId: 42, value: 1 });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { error: { message: 'Data stream with identifier 42 is not found!' } });
    const malformed = await call(sim, 'POST', '/api/v1/organization/device/datastream', {
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"deviceId":',
    });
    assert.equal(malformed.status, 400);
    assert.equal(sim.state.value(101, 'v0'), 0);
  });

  it('POST datastreams writes several values, or none if one is bad', async () => {
    const ok = await post('/api/v1/organization/device/datastreams', { deviceId: 101, values: { '1': 1, '3': 'hello' } });
    assert.equal(ok.status, 204);
    assert.equal(sim.state.value(101, 'v0'), 1);
    assert.equal(sim.state.value(101, 'v2'), 'hello');
    const bad = await post('/api/v1/organization/device/datastreams', { deviceId: 101, values: { '1': 0, '2': 'hot' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: { message: 'Bad request - Invalid values' } });
    assert.equal(sim.state.value(101, 'v0'), 1);
  });

  it('POST trigger-event logs the event, 404s unknown codes and 400s over 1024 symbols', async () => {
    const ok = await post('/api/v1/organization/device/trigger-event', {
      deviceId: 101,
      eventCode: 'high_temp',
      eventDescription: 'Over 30°',
    });
    assert.equal(ok.status, 204);
    assert.deepEqual(
      sim.state.events(101).map(({ code, description, via }) => ({ code, description, via })),
      [{ code: 'high_temp', description: 'Over 30°', via: 'platform' }],
    );
    const unknown = await post('/api/v1/organization/device/trigger-event', { deviceId: 101, eventCode: 'nope' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { error: { message: 'Event with provided code is not found.' } });
    const long = await post('/api/v1/organization/device/trigger-event', {
      deviceId: 101,
      eventCode: 'low_battery',
      eventDescription: 'x'.repeat(1024 - 'low_battery'.length + 1),
    });
    assert.equal(long.status, 400);
    assert.equal(sim.state.events(101).length, 1);
  });

  it('POST datastream/property stores a widget property', async () => {
    const r = await post('/api/v1/organization/device/datastream/property', {
      deviceId: 101,
      dataStreamId: 2,
      property: 'color',
      value: '#FF0000',
    });
    assert.equal(r.status, 204);
    assert.deepEqual(sim.state.properties(101, 'v1'), { color: '#FF0000' });
  });

  it('answers 429 over orgRequestsPerMinute, and not before', async () => {
    sim.setLimits({ orgRequestsPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/api/v1/organization/profile')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await get('/api/v1/organization/profile');
    assert.deepEqual(limited.json, { error: { message: 'Too many requests' } });
    assert.equal(limited.headers.get('retry-after'), null);
    sim.setLimits({});
    assert.equal((await get('/api/v1/organization/profile')).status, 200);
  });
});
