// blynk-cloud-device, -device-in and -device-out in a real Node-RED runtime against the simulator's broker.
import assert from 'node:assert/strict';
import { NodeInitializer, NodeMessage, NodeStatus } from 'node-red';
import { startSimulator, type Simulator, type SimulatorMqtt } from '../../dist/simulator';
import { captureOutput, deepText, until } from '../mqtt/helpers';
import { call } from '../simulator/helpers';
import { allStatusesOf, errorKey, statusText } from '../support/harness';
import { exampleFlows } from '../../scripts/example-flows';
import { ALL_NODES, FlowNode, helper } from '../support/runtime';

const GREEN: NodeStatus = { fill: 'green', shape: 'dot', text: statusText('ok') };

/** A device out node writing msg.payload to Temperature. */
const WRITER = {
  id: 'w',
  type: 'blynk-cloud-device-out',
  action: 'write',
  datastream: 'Temperature',
  datastreamType: 'str',
  property: 'color',
  propertyType: 'str',
};

describe('device MQTT nodes: Node-RED as a Blynk device', function () {
  let sim: Simulator;
  let broker: SimulatorMqtt;
  let token: string;
  let received: NodeMessage[];
  let caught: NodeMessage[];
  let output: ReturnType<typeof captureOutput>;

  const upTopics = (): string[] => broker.log.filter((e) => e.direction === 'up').map((e) => e.topic);

  /** A tab with the device config node `dev`, `nodes`, a sink `sink` and a Catch to `caught`. */
  function flow(nodes: FlowNode[], device: Record<string, unknown> = {}): FlowNode[] {
    return [
      { id: 'tab', type: 'tab', label: 'device' },
      { id: 'dev', type: 'blynk-cloud-device', server: sim.url, broker: broker.url, queueSize: 100, ...device },
      ...nodes.map((n) => ({ z: 'tab', connection: 'dev', ...n })),
      { id: 'sink', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
  }

  async function load(nodes: FlowNode[], device: Record<string, unknown> = {}, deviceToken = token): Promise<void> {
    await helper.load(ALL_NODES, flow(nodes, device), { dev: { token: deviceToken } });
    helper.getNode('sink').on('input', (m: NodeMessage) => received.push(m));
    helper.getNode('caught').on('input', (m: NodeMessage) => caught.push(m));
  }

  const lastStatusOf = (id: string): NodeStatus | undefined => allStatusesOf(id).at(-1);
  const connected = (id: string): Promise<void> =>
    until(() => JSON.stringify(lastStatusOf(id)) === JSON.stringify(GREEN), `${id} connected`);

  /** Sends msg to `id`; resolves when the node has called done (its Catch message, if any). */
  async function input(id: string, msg: NodeMessage): Promise<NodeMessage | undefined> {
    const before = caught.length;
    helper.getNode(id).receive(msg);
    // done() is observed through its effect: the Catch node, or the publish reaching the broker.
    await new Promise((resolve) => setTimeout(resolve, 150));
    return caught.length > before ? caught[caught.length - 1] : undefined;
  }

  before(async () => {
    sim = await startSimulator();
    broker = await sim.mqtt();
    token = sim.demo.devices[0].token;
  });
  after(() => sim.close());
  beforeEach((done) => {
    received = [];
    caught = [];
    sim.reset();
    output = captureOutput();
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    output.stop();
    assert.ok(!output.text().includes(token), 'the token appeared in stdout or stderr');
    assert.ok(!deepText([received, caught]).includes(token), 'the token appeared in a msg');
    if (!broker.running) await broker.restart();
    // Nothing left connected, and nothing reconnects afterwards (no timer left).
    await until(() => broker.connections === 0, 'no device connection left');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(broker.connections, 0, 'a connection came back after the flow stopped');
  });

  it('connects once for all its users: yellow ring connecting, then green dot on each', async () => {
    await load([
      { id: 'in', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: false, wires: [['sink']] },
      {
        id: 'out',
        type: 'blynk-cloud-device-out',
        action: 'write',
        datastream: 'topic',
        datastreamType: 'msg',
        property: 'color',
        propertyType: 'str',
      },
    ]);
    await connected('in');
    await connected('out');
    assert.deepEqual(allStatusesOf('in')[0], { fill: 'yellow', shape: 'ring', text: statusText('connecting') });
    assert.equal(broker.connections, 1);
    assert.equal(sim.state.device(101)?.connected, true);
  });

  it('a wrong token: red ring "token refused" and no retry until redeploy', async () => {
    const before = broker.attempts;
    await load([{ id: 'in', type: 'blynk-cloud-device-in', wires: [['sink']] }], {}, 'not-a-real-token-000000000000000');
    await until(() => lastStatusOf('in')?.text === statusText('refused'), 'refused status');
    assert.deepEqual(lastStatusOf('in'), { fill: 'red', shape: 'ring', text: statusText('refused') });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(broker.attempts - before, 1, 'the refused token was tried again');
    assert.equal(broker.connections, 0);
  });

  it('no token: red ring "not configured", no connection attempt; device-out says why', async () => {
    const before = broker.attempts;
    await load([{ id: 'in', type: 'blynk-cloud-device-in', wires: [['sink']] }, { ...WRITER }], {}, '');
    assert.deepEqual(lastStatusOf('in'), { fill: 'red', shape: 'ring', text: statusText('not-configured') });
    const error = (await input('w', { payload: 1 })) as (NodeMessage & { error: { message: string } }) | undefined;
    assert.equal(error?.error.message, errorKey('no-mqtt-token'));
    assert.equal(broker.attempts - before, 0, 'a connection was attempted without a token');
    assert.deepEqual(allStatusesOf('in'), [{ fill: 'red', shape: 'ring', text: statusText('not-configured') }]);
  });

  it('a write to the device reaches device-in as msg.topic = name, msg.payload typed', async () => {
    await load([{ id: 'in', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: false, wires: [['sink']] }]);
    await connected('in');
    await call(sim, 'GET', `/external/api/batch/update?token=${token}&v0=1&v2=hello&v1=22.25`);
    await until(() => received.length >= 3, 'three msgs');
    const byTopic = Object.fromEntries(received.map((m) => [m.topic, m.payload]));
    assert.deepEqual(byTopic, { Switch: 1, Status: 'hello', Temperature: 22.25 });
  });

  it('a chosen list passes only its datastreams; others (ping) only when ticked', async () => {
    await load([
      { id: 'in', type: 'blynk-cloud-device-in', datastreams: 'Switch, Mode', current: false, others: false, wires: [['sink']] },
      { id: 'all', type: 'blynk-cloud-device-in', datastreams: 'Status', current: false, others: true, wires: [['sink']] },
    ]);
    await connected('in');
    await call(sim, 'GET', `/external/api/batch/update?token=${token}&v0=0&v2=x&v1=20&v4=1`);
    broker.send(101, 'downlink/ping');
    await until(() => received.length >= 4, 'four msgs').catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(received)}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(received.map((m) => `${m.topic}=${String(m.payload)}`).sort(), ['Mode=1', 'Status=x', 'Switch=0', 'ping='].sort());
  });

  it('asks for the current values on connect (all, or the chosen list)', async () => {
    await call(sim, 'GET', `/external/api/batch/update?token=${token}&v0=1&v4=2`);
    await load([{ id: 'in', type: 'blynk-cloud-device-in', datastreams: 'Mode', current: true, others: false, wires: [['sink']] }]);
    await until(() => received.length >= 1, 'current value');
    assert.deepEqual(
      broker.log.filter((e) => e.direction === 'up' && e.topic.startsWith('get/ds')).map((e) => [e.topic, e.payload]),
      [['get/ds', 'Mode']],
    );
    assert.deepEqual(
      received.map((m) => [m.topic, m.payload]),
      [['Mode', 2]],
    );
  });

  /** A device out node sending `action` (the name field msg.topic, as a new node has it). */
  const asker = (id: string, action: string, extra: Record<string, unknown> = {}): FlowNode => ({
    id,
    type: 'blynk-cloud-device-out',
    action,
    datastream: 'topic',
    datastreamType: 'msg',
    property: 'color',
    propertyType: 'str',
    ...extra,
  });
  it('device-out: value, batch, timestamped, event, property and metadata land in the store', async () => {
    await load([asker('w', 'write'), asker('ev', 'event'), asker('n-prop', 'property'), asker('n-meta', 'meta')]);
    await connected('w');
    await input('w', { topic: 'Temperature', payload: 30.5 } as NodeMessage);
    await input('w', { payload: { Switch: 1, Mode: 2 } });
    await input('w', {
      topic: 'Humidity',
      payload: [
        [Date.now() - 2000, 60],
        [Date.now() - 1000, 61],
      ],
    } as NodeMessage);
    await input('ev', { topic: 'high_temp', payload: 'Too hot' } as NodeMessage);
    await input('n-prop', { topic: 'Temperature', payload: '#ff0000' } as NodeMessage);
    await input('n-meta', { topic: 'Serial Number', payload: 'SN-42' } as NodeMessage);
    await until(() => upTopics().includes('meta/Serial Number'), 'all uplinks');
    assert.equal(sim.state.value(101, 'v1'), 30.5);
    assert.equal(sim.state.value(101, 'v0'), 1);
    assert.equal(sim.state.value(101, 'v4'), 2);
    assert.equal(sim.state.value(101, 'v5'), 61);
    assert.deepEqual(
      sim.state.events(101).map((e) => [e.code, e.description]),
      [['high_temp', 'Too hot']],
    );
    assert.deepEqual(sim.state.properties(101, 'v1'), { color: '#ff0000' });
    assert.equal(sim.state.device(101)?.metaFields.find((f) => f.name === 'Serial Number')?.value, 'SN-42');
    assert.deepEqual(caught, []);
  });

  it('device-out refuses bad input with a catchable, localized error and publishes nothing', async () => {
    await load([
      {
        id: 'w',
        type: 'blynk-cloud-device-out',
        action: 'write',
        datastream: 'topic',
        datastreamType: 'msg',
        property: 'color',
        propertyType: 'str',
      },
    ]);
    await connected('w');
    const before = upTopics().length;
    const bad: Array<[NodeMessage, string]> = [
      [{ payload: 1 }, 'invalid-topic-name'], // no msg.topic
      [{ topic: 'a/b', payload: 1 } as NodeMessage, 'invalid-topic-name'],
      [{ topic: 'Temperature', payload: { nested: { x: 1 } } } as NodeMessage, 'invalid-value'],
      [{ topic: 'Temperature', payload: {} } as NodeMessage, 'empty-batch'],
      [{ topic: 'Temperature', payload: null } as NodeMessage, 'invalid-value'],
    ];
    for (const [msg, key] of bad) {
      const error = (await input('w', msg)) as (NodeMessage & { error: { message: string } }) | undefined;
      assert.ok(error, `no error for ${JSON.stringify(msg)}`);
      assert.equal(error.error.message, errorKey(key), JSON.stringify(msg));
    }
    assert.equal(upTopics().length, before, 'something was published');
  });

  const requests = (): string[][] =>
    broker.log.filter((e) => e.direction === 'up' && e.topic.startsWith('get/')).map((e) => [e.topic, e.payload]);

  it('device-out asks for datastream values: get/ds with the names, get/ds/all; device-in sends each value', async () => {
    await call(sim, 'GET', `/external/api/batch/update?token=${token}&v0=1&v1=23.5`);
    await load([
      { id: 'in', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: false, wires: [['sink']] },
      asker('values', 'getValues'),
      asker('all', 'getAllValues'),
    ]);
    await connected('in');
    assert.equal(await input('values', { topic: 'Temperature, Switch' } as NodeMessage), undefined);
    await until(() => received.length >= 2, 'two values');
    assert.deepEqual(
      received.map((m) => [m.topic, m.payload]),
      [
        ['Temperature', 23.5],
        ['Switch', 1],
      ],
    );
    received.length = 0;
    // The name field is not read for get/ds/all.
    assert.equal(await input('all', { topic: 'a/b' } as NodeMessage), undefined);
    await until(() => received.length >= 6, 'every seeded value');
    assert.deepEqual(requests(), [
      ['get/ds', 'Temperature,Switch'],
      ['get/ds/all', ''],
    ]);
    assert.deepEqual(
      received.map((m) => [m.topic, m.payload]),
      [
        ['Switch', 1],
        ['Temperature', 23.5],
        ['Status', 'ok'],
        ['Location', [24.0336, 49.8419]],
        ['Mode', 1],
        ['Humidity', 40],
      ],
    );
    assert.deepEqual(caught, []);
  });

  it('device-out asks for metadata values: get/meta with the names; device-in (other messages) sends each field', async () => {
    await load([
      { id: 'in', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: true, wires: [['sink']] },
      { id: 'quiet', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: false, wires: [['sink']] },
      asker('meta', 'getMeta'),
      asker('meta-fixed', 'getMeta', { datastream: ' Device Name ,Serial Number', datastreamType: 'str' }),
    ]);
    await connected('in');
    await connected('quiet');
    assert.equal(await input('meta', { topic: 'Serial Number, Device Name' } as NodeMessage), undefined);
    await until(() => received.length >= 2, 'two meta answers');
    assert.equal(await input('meta', { topic: ['Serial Number'] } as unknown as NodeMessage), undefined);
    assert.equal(await input('meta-fixed', { topic: 'ignored', payload: 'ignored' } as NodeMessage), undefined);
    await until(() => received.length >= 5, 'five meta answers');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(requests(), [
      ['get/meta', 'Serial Number,Device Name'],
      ['get/meta', 'Serial Number'],
      ['get/meta', 'Device Name,Serial Number'],
    ]);
    // Blynk's answer topic per field: downlink/meta/<name>, the value as plain text.
    assert.deepEqual(
      broker.log.filter((e) => e.direction === 'down').map((e) => [e.topic, e.payload]),
      [
        ['downlink/meta/Serial Number', 'SN-101'],
        ['downlink/meta/Device Name', 'Greenhouse'],
        ['downlink/meta/Serial Number', 'SN-101'],
        ['downlink/meta/Device Name', 'Greenhouse'],
        ['downlink/meta/Serial Number', 'SN-101'],
      ],
    );
    // Only the node with "other messages" ticked passes them on.
    assert.deepEqual(
      received.map((m) => ({ ...m, _msgid: undefined })),
      [
        { topic: 'meta', name: 'Serial Number', payload: 'SN-101', _msgid: undefined },
        { topic: 'meta', name: 'Device Name', payload: 'Greenhouse', _msgid: undefined },
        { topic: 'meta', name: 'Serial Number', payload: 'SN-101', _msgid: undefined },
        { topic: 'meta', name: 'Device Name', payload: 'Greenhouse', _msgid: undefined },
        { topic: 'meta', name: 'Serial Number', payload: 'SN-101', _msgid: undefined },
      ],
    );
    assert.deepEqual(caught, []);
  });

  it('device-out asks for the time: get/utc/all/json, empty; device-in sends the documented JSON as msg.payload', async () => {
    await load([
      { id: 'in', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: true, wires: [['sink']] },
      asker('time', 'getTime'),
    ]);
    await connected('in');
    const before = Date.now();
    // The name field is not read: a topic that would be a bad name changes nothing.
    assert.equal(await input('time', { topic: 'a/b', payload: 'ignored' } as NodeMessage), undefined);
    await until(() => received.length >= 1, 'time answer');
    const after = Date.now();
    assert.deepEqual(requests(), [['get/utc/all/json', '']]);
    assert.deepEqual(
      broker.log.filter((e) => e.direction === 'down').map((e) => e.topic),
      ['downlink/utc/all/json'],
    );
    assert.equal(received.length, 1);
    assert.equal(received[0].topic, 'time');
    const payload = received[0].payload as Record<string, unknown>;
    assert.deepEqual(Object.keys(payload).sort(), ['dst_offset', 'iso8601', 'time', 'tz_name', 'tz_offset', 'tz_rule']);
    const time = payload.time as number;
    assert.ok(Number.isInteger(time) && time >= before && time <= after, `time ${time} not in [${before}, ${after}]`);
    // No location, time zone metadata or organisation time zone: Blynk's docs say UTC is used.
    assert.deepEqual(
      { ...payload, time: 0 },
      {
        tz_name: 'UTC',
        tz_rule: 'UTC0',
        tz_offset: 0,
        dst_offset: 0,
        time: 0,
        iso8601: new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', '+00:00'),
      },
    );
    assert.deepEqual(caught, []);
  });

  it('device-out asks for the location: get/loc/all, empty; device-in sends {lat, lon}', async () => {
    await load([
      { id: 'in', type: 'blynk-cloud-device-in', datastreams: '', current: false, others: true, wires: [['sink']] },
      asker('loc', 'getLocation', { datastream: '', datastreamType: 'str' }),
    ]);
    await connected('in');
    assert.equal(await input('loc', { payload: 1 }), undefined);
    await until(() => received.length >= 1, 'location answer');
    assert.deepEqual(requests(), [['get/loc/all', '']]);
    assert.deepEqual(
      broker.log.filter((e) => e.direction === 'down').map((e) => [e.topic, e.payload]),
      [['downlink/loc/all', '49.8419,24.0336']],
    );
    assert.deepEqual(
      received.map((m) => [m.topic, m.payload]),
      [['location', { lat: 49.8419, lon: 24.0336 }]],
    );
    assert.deepEqual(caught, []);
  });

  it('device-out sends the firmware info: info/mcu with the object as JSON; anything else is refused, nothing sent', async () => {
    await load([asker('mcu', 'info', { datastream: '', datastreamType: 'str' })]);
    await connected('mcu');
    const info = { ver: '1.2.0', build: 'Dec 3 2026', tmpl: 'TMPL0001', type: 'TMPL0001', rxbuff: 1024 };
    assert.equal(await input('mcu', { payload: info }), undefined);
    const sent = (): string[][] =>
      broker.log.filter((e) => e.direction === 'up' && e.topic === 'info/mcu').map((e) => [e.topic, e.payload]);
    await until(() => sent().length === 1, 'info/mcu');
    assert.deepEqual(JSON.parse(sent()[0][1]), info);
    for (const payload of ['1.2.0', 42, null, [1, 2]]) {
      const error = (await input('mcu', { payload })) as (NodeMessage & { error: { message: string } }) | undefined;
      assert.equal(error?.error.message, errorKey('invalid-value'), JSON.stringify(payload));
    }
    assert.equal(sent().length, 1, 'a refused message was published');
  });

  it('device-out refuses a bad list of names (values, metadata) with a catchable error and publishes nothing', async () => {
    await load([asker('meta', 'getMeta'), asker('values', 'getValues')]);
    await connected('meta');
    const before = broker.log.length;
    const bad: unknown[] = [
      undefined,
      '',
      ' , ',
      'Serial Number,,Device Name',
      'a/b',
      'x#',
      [],
      ['Serial Number', 5],
      ['a,b'],
      42,
      { name: 'x' },
    ];
    for (const id of ['meta', 'values']) {
      for (const topic of bad) {
        const error = (await input(id, { topic, payload: 1 } as NodeMessage)) as (NodeMessage & { error: { message: string } }) | undefined;
        assert.ok(error, `${id}: no error for ${JSON.stringify(topic)}`);
        assert.equal(error.error.message, errorKey('invalid-topic-name'), `${id}: ${JSON.stringify(topic)}`);
      }
    }
    assert.equal(caught.length, 2 * bad.length);
    assert.deepEqual(broker.log.slice(before), [], 'something was published');
  });

  it('queues while the broker is down and delivers once when it is back', async () => {
    await load([{ ...WRITER }]);
    await connected('w');
    await broker.stop();
    await until(() => lastStatusOf('w')?.text === statusText('offline') || lastStatusOf('w')?.text === statusText('connecting'), 'offline');
    helper.getNode('w').receive({ payload: 41.5 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(upTopics().filter((t) => t === 'ds/Temperature').length, 0);
    await broker.restart();
    await until(() => sim.state.value(101, 'v1') === 41.5, 'queued value delivered', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(upTopics().filter((t) => t === 'ds/Temperature').length, 1);
    assert.deepEqual(caught, []);
  });

  it('a full queue refuses the message with a catchable MQTT_QUEUE_FULL error', async () => {
    await load([{ ...WRITER }], { queueSize: 1 });
    await connected('w');
    await broker.stop();
    await until(() => lastStatusOf('w')?.fill === 'red' || lastStatusOf('w')?.fill === 'yellow', 'offline');
    helper.getNode('w').receive({ payload: 1 });
    const error = (await input('w', { payload: 2 })) as (NodeMessage & { error: { message: string; code?: string } }) | undefined;
    assert.equal(error?.error.message, errorKey('mqtt-queue-full'));
    await broker.restart();
    await until(() => sim.state.value(101, 'v1') === 1, 'the queued value', 15_000);
  });

  it('a redeploy closes the connection (no socket left) and opens exactly one new one', async () => {
    const nodes = flow([{ id: 'in', type: 'blynk-cloud-device-in', wires: [['sink']] }]);
    await load([{ id: 'in', type: 'blynk-cloud-device-in', wires: [['sink']] }]);
    await connected('in');
    await helper.setFlows(nodes, 'full', { dev: { token } });
    await until(() => broker.connections === 1 && sim.state.device(101)?.connected === true, 'reconnected');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(broker.connections, 1);
  });

  it('a write datastream node (Platform API) in one flow reaches device-in in another', async () => {
    const flows: FlowNode[] = [
      ...flow([{ id: 'in', type: 'blynk-cloud-device-in', datastreams: 'Switch', wires: [['sink']] }]),
      { id: 'tab2', type: 'tab', label: 'app' },
      { id: 'cfg', type: 'blynk-cloud-config', server: sim.url, grantType: 'client_credentials' },
      {
        id: 'write',
        z: 'tab2',
        type: 'blynk-cloud-write-datastream',
        connection: 'cfg',
        deviceId: '101',
        deviceIdType: 'num',
        dataStreamId: 'v0',
        dataStreamIdType: 'str',
      },
    ];
    await helper.load(ALL_NODES, flows, { dev: { token }, cfg: { clientId: sim.demo.clientId, clientSecret: sim.demo.clientSecret } });
    helper.getNode('sink').on('input', (m: NodeMessage) => received.push(m));
    await connected('in');
    helper.getNode('write').receive({ payload: 1 });
    await until(() => received.length >= 1, 'round trip', 10_000);
    assert.deepEqual([received[0].topic, received[0].payload], ['Switch', 1]);
  });
});

/** The core nodes the examples use besides the helper's own (catch). */
const CORE_NODES = ['common/20-inject', 'common/21-debug', 'common/90-comment', 'function/10-switch'].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (file) => require(`@node-red/nodes/core/${file}.js`) as NodeInitializer,
);

describe('device MQTT examples work against the simulator', function () {
  let sim: Simulator;
  let broker: SimulatorMqtt;
  before(async () => {
    sim = await startSimulator();
    broker = await sim.mqtt();
  });
  after(() => sim.close());
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
  });

  it('10: the app switch (write datastream) reaches the switch node; 11: the injects land in the store', async () => {
    const files = ['10 - App switch drives a flow (MQTT device).json', '11 - A flow feeds a gauge (MQTT device).json'];
    const nodes = exampleFlows({ server: sim.url, demo: sim.demo, mqtt: broker.url, files });
    const credentials: Record<string, Record<string, string>> = {};
    for (const n of nodes) if (n.credentials) credentials[n.id] = n.credentials as Record<string, string>;
    await helper.load([...ALL_NODES, ...CORE_NODES], nodes.map(({ credentials: _c, ...n }) => n) as FlowNode[], credentials);
    await until(() => sim.state.device(101)?.connected === true, 'device connected');
    const on: NodeMessage[] = [];
    helper.getNode('bmi-switch').on('input', (m: NodeMessage) => on.push(m));
    helper.getNode('bmi-inject-on').receive({ payload: 1 });
    await until(() => on.some((m) => m.payload === 1), 'switch msg', 10_000);
    helper.getNode('bmo-inject-1').receive({});
    helper.getNode('bmo-inject-2').receive({});
    helper.getNode('bmo-inject-3').receive({});
    await until(() => sim.state.value(101, 'v2') === 'fed by Node-RED' && sim.state.events(101).length === 1, 'example 11 uplinks', 10_000);
    assert.equal(sim.state.events(101)[0].code, 'high_temp');
  });
});
