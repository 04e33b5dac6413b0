import { strict as assert } from 'node:assert';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { call } from './helpers';

describe('simulator: Device HTTPS API', () => {
  let sim: Simulator;
  let token: string;
  before(async () => {
    sim = await startSimulator();
    token = sim.demo.devices[0].token;
  });
  afterEach(() => sim.reset());
  after(() => sim.close());

  const api = (route: string, query: string) => call(sim, 'GET', `/external/api/${route}?token=${token}${query ? '&' + query : ''}`);
  const error = (message: string) => ({ error: { message } });

  it('seeds 32-character device tokens', () => {
    assert.equal(sim.demo.devices.length, 3);
    for (const d of sim.demo.devices) assert.match(d.token, /^[A-Za-z0-9_-]{32}$/);
  });

  it('update by pin (v1 and V1) answers 200 with an empty body and clamps', async () => {
    const r = await api('update', 'v1=30.5');
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
    assert.equal(sim.state.value(101, 'v1'), 30.5);
    await api('update', 'V1=-100');
    assert.equal(sim.state.value(101, 2), -40);
    await api('update', 'dataStreamId=6&value=55');
    assert.equal(sim.state.value(101, 'v5'), 55);
  });

  it('update of a Location accepts pin=V3&value=lon&value=lat and dataStreamId=&value=&value=', async () => {
    await api('update', 'pin=V3&value=30.1&value=50.2');
    assert.deepEqual(sim.state.value(101, 'v3'), [30.1, 50.2]);
    await api('update', 'dataStreamId=4&value=1.5&value=2.5');
    assert.deepEqual(sim.state.value(101, 'v3'), [1.5, 2.5]);
    const one = await api('update', 'pin=v3&value=1');
    assert.equal(one.status, 400);
    assert.deepEqual(one.json, error("Value doesn't match the Datastream data type."));
  });

  it('batch/update answers OK and writes every pin with one timestamp', async () => {
    const r = await api('batch/update', 'v0=1&v2=hello%20world&v5=33');
    assert.equal(r.status, 200);
    assert.equal(r.text, 'OK');
    const d = sim.state.device(101)!;
    assert.equal(sim.state.value(101, 'v2'), 'hello world');
    assert.equal(d.values.get(1)!.updatedAt, d.values.get(6)!.updatedAt);
  });

  it('answers the documented 400 errors', async () => {
    const invalid = await call(sim, 'GET', '/external/api/update?token=nope&v1=1');
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json, error('Invalid token.'));
    assert.deepEqual((await call(sim, 'GET', '/external/api/isHardwareConnected')).json, error('Invalid token.'));
    assert.deepEqual((await api('update', 'x1=1')).json, error('Wrong pin format.'));
    assert.deepEqual((await api('update', 'v99=1')).json, error('No datastream setup for that pin.'));
    assert.deepEqual((await api('update', 'v0=on')).json, error("Value doesn't match the Datastream data type."));
    assert.deepEqual((await api('update', 'dataStreamId=x&value=1')).json, error('Wrong dataStreamId format.'));
    assert.equal(sim.state.value(101, 'v0'), 0);
  });

  it('get returns raw text for one pin and JSON for several; getAll returns everything', async () => {
    await api('update', 'v1=22.25');
    const one = await api('get', 'v1');
    assert.equal(one.status, 200);
    assert.equal(one.text, '22.25');
    assert.equal((await api('get', 'dataStreamId=3')).text, 'ok');
    assert.deepEqual((await api('get', 'v1&V2')).json, { v1: 22.25, v2: 'ok' });
    assert.deepEqual((await api('getAll', '')).json, { v0: 0, v1: 22.25, v2: 'ok', v3: [24.0336, 49.8419], v4: 1, v5: 40 });
    const missing = await api('get', 'v42');
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, error(`Requested dataStream doesn't exist in the product ${sim.demo.template.name}`));
  });

  it('logEvent records the event with its description', async () => {
    const r = await api('logEvent', 'code=low_battery&description=3.1%20V');
    assert.equal(r.status, 200);
    assert.deepEqual(
      sim.state.events(token).map(({ code, description, via }) => ({ code, description, via })),
      [{ code: 'low_battery', description: '3.1 V', via: 'device' }],
    );
    assert.deepEqual((await api('logEvent', '')).json, error('Event code is not provided.'));
    assert.deepEqual((await api('logEvent', 'code=nope')).json, error("Can't find Event with this code in Product template"));
  });

  it('isHardwareConnected answers true/false as text', async () => {
    assert.equal((await api('isHardwareConnected', '')).text, 'true');
    const offline = sim.demo.devices[2].token;
    assert.equal((await call(sim, 'GET', `/external/api/isHardwareConnected?token=${offline}`)).text, 'false');
  });

  it('provision completes with a template id (an empty 200), refuses without one and with a bad token', async () => {
    const done = await api('provision', 'templateId=TMPL8sRFwcfqL&ver=1.0.0&type=MCU');
    assert.deepEqual([done.status, done.text], [200, '']);
    assert.deepEqual((await api('provision', 'ver=1.0.0')).json, error('Template identifier is not provided.'));
    assert.deepEqual((await call(sim, 'GET', '/external/api/provision?token=x&templateId=T')).json, error('Invalid token.'));
  });

  it('update/property stores properties, repeated keys as arrays', async () => {
    const r = await api('update/property', 'pin=V1&label=My%20Label&color=%23D3435C&labels=a&labels=b');
    assert.equal(r.status, 200);
    assert.deepEqual(sim.state.properties(101, 'v1'), { label: 'My Label', color: '#D3435C', labels: ['a', 'b'] });
    assert.deepEqual((await api('update/property', 'pin=z1&label=x')).json, error('Wrong pin format.'));
  });

  it('answers 429 over deviceRequestsPerSecond, per device token', async () => {
    sim.setLimits({ deviceRequestsPerSecond: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api('isHardwareConnected', '')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const other = sim.demo.devices[1].token;
    assert.equal((await call(sim, 'GET', `/external/api/isHardwareConnected?token=${other}`)).status, 200);
    assert.equal(sim.rateLimited, 1);
    sim.setLimits({});
    assert.equal(sim.rateLimited, 0);
  });
});
