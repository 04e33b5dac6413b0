import assert from 'node:assert/strict';
import { NodeMessage } from 'node-red';
import {
  apiRequestsOf,
  basicClientId,
  CONNECTED,
  demoCredentials,
  expectFailure,
  expectRefused,
  expectSent,
  lastStatus,
  loadNode,
  redRing,
  REQUESTING,
  statusesOf,
  statusText,
  tokenRequestsOf,
  useHarness,
  waitFor,
} from '../support/harness';
import { ALL_NODES, exchange, flowWith, helper } from '../support/runtime';

/** One valid message per node type, and the request path it makes. */
const CASES: Array<{ type: string; node?: Record<string, unknown>; msg: () => NodeMessage; path: string }> = [
  { type: 'blynk-cloud-get-device', msg: () => ({ deviceId: 101 }), path: '/api/v1/organization/device' },
  {
    type: 'blynk-cloud-write-datastream',
    msg: () => ({ deviceId: 101, dataStreamId: 2, payload: 30 }),
    path: '/api/v1/organization/device/datastream',
  },
  {
    type: 'blynk-cloud-log-event',
    node: { eventCode: 'high_temp', eventCodeType: 'str' },
    msg: () => ({ deviceId: 101, payload: 'hot' }),
    path: '/api/v1/organization/device/trigger-event',
  },
  {
    type: 'blynk-cloud-device-update',
    msg: () => ({ topic: 'V1', payload: 30, deviceToken: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' }),
    path: '/external/api/update',
  },
  {
    type: 'blynk-cloud-api',
    node: {
      method: 'GET',
      methodType: 'str',
      path: '/api/v1/organization/device',
      pathType: 'str',
      params: '{"deviceId":101}',
      paramsType: 'json',
    },
    msg: () => ({}),
    path: '/api/v1/organization/device',
  },
  {
    type: 'blynk-cloud-device-read',
    msg: () => ({ topic: 'V1', deviceToken: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' }),
    path: '/external/api/get',
  },
  {
    type: 'blynk-cloud-device-event',
    node: { eventCode: 'door_open', eventCodeType: 'str' },
    msg: () => ({ payload: 'open', deviceToken: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' }),
    path: '/external/api/logEvent',
  },
  {
    type: 'blynk-cloud-device-property',
    msg: () => ({ topic: 'V1', payload: 'Kitchen', deviceToken: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' }),
    path: '/external/api/update/property',
  },
];
const isDevice = (type: string): boolean => type.startsWith('blynk-cloud-device-');
const PLATFORM = CASES.filter((c) => !isDevice(c.type));

describe('flow nodes: common behaviour', function () {
  const h = useHarness();

  for (const c of CASES) {
    it(`${c.type}: refuses to run without a config node (none selected, or one that does not exist)`, async () => {
      const { sim } = h;
      for (const connection of ['', 'no-such-config']) {
        await loadNode(sim, { id: 'n1', type: c.type, ...c.node, connection });
        await expectRefused(sim, 'n1', c.msg(), 'NO_CONFIG', 'no-config');
        assert.deepEqual(statusesOf('n1'), [REQUESTING, redRing('not-configured')]);
        await helper.unload();
      }
    });

    it(`${c.type}: shows requesting while its request is in flight, then the connection's state (connected)`, async () => {
      const { sim } = h;
      await loadNode(sim, { id: 'n1', type: c.type, ...c.node });
      sim.faults.add({ match: { path: c.path }, times: 1, action: { delayMs: 300 } });
      const outcome = exchange('n1', c.msg());
      await waitFor(() => apiRequestsOf(sim).some((r) => r.path === c.path), 'the request to reach the simulator');
      // The request is held by the simulator: whatever happened meanwhile, the node says requesting.
      assert.deepEqual(lastStatus('n1'), REQUESTING);
      const out = await outcome;
      assert.equal(out.caught, undefined, JSON.stringify(out.caught?.error));
      assert.ok(out.sent);
      assert.deepEqual(statusesOf('n1')[0], REQUESTING);
      assert.deepEqual(lastStatus('n1'), CONNECTED);
    });
  }

  for (const c of PLATFORM) {
    it(`${c.type}: refuses to run with a config node that has no OAuth client`, async () => {
      const { sim } = h;
      const configs: Array<Record<string, string>> = [{}, { clientId: sim.demo.clientId }, { clientSecret: sim.demo.clientSecret }];
      for (const cfg of configs) {
        await loadNode(sim, { id: 'n1', type: c.type, ...c.node }, { cfg });
        await expectRefused(sim, 'n1', c.msg(), 'NO_OAUTH_CLIENT', 'no-oauth-client');
        assert.deepEqual(lastStatus('n1'), redRing('not-configured'));
        await helper.unload();
      }
    });
  }

  it('ends a failed message with done(err), not node.error() + done(): Complete nodes see only successes', async () => {
    const { sim } = h;
    const flow = flowWith(sim.url, { id: 'n1', type: 'blynk-cloud-get-device' });
    flow.push(
      { id: 'completer', z: 'tab', type: 'complete', scope: ['n1'], uncaught: false, wires: [['completed']] },
      { id: 'completed', z: 'tab', type: 'helper' },
    );
    await helper.load(ALL_NODES, flow, { cfg: demoCredentials(sim) });
    const completed: NodeMessage[] = [];
    helper.getNode('completed').on('input', (m: NodeMessage) => completed.push(m));
    await expectFailure('n1', { deviceId: 0, tag: 'refused' }, 'INVALID_DEVICE_ID', 'invalid-device-id');
    await expectFailure('n1', { deviceId: 999, tag: 'not found' }, 'NOT_FOUND', 'not-found');
    await expectSent('n1', { deviceId: 101, tag: 'ok' });
    await waitFor(() => completed.length > 0, 'the Complete node');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      completed.map((m) => m.tag),
      ['ok'],
    );
  });

  it('keeps requesting while two messages are in flight, until the last one ends', async () => {
    const { sim } = h;
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' });
    await expectSent('n1', { deviceId: 101 }); // token cached, so that only the API calls are held
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 1, action: { delayMs: 300 } });
    const sink = helper.getNode('sink');
    const arrived: NodeMessage[] = [];
    sink.on('input', (m: NodeMessage) => arrived.push(m));
    helper.getNode('n1').receive({ deviceId: 102 }); // held 300 ms
    helper.getNode('n1').receive({ deviceId: 103 }); // answered at once
    await waitFor(() => arrived.length === 1, 'the fast answer');
    assert.equal(arrived[0].deviceId, 103);
    assert.deepEqual(lastStatus('n1'), REQUESTING, 'one request is still in flight');
    await waitFor(() => arrived.length === 2, 'the held answer');
    assert.deepEqual(lastStatus('n1'), CONNECTED);
  });

  it('ends a message still in flight with done(closed) when the node is redeployed', async () => {
    const { sim } = h;
    const flow = await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' });
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 1, action: { delayMs: 2_000 } });
    const caught: NodeMessage[] = [];
    helper.getNode('caught').on('input', (m: NodeMessage) => caught.push(m));
    helper.getNode('n1').receive({ deviceId: 101, marker: 'in flight' });
    await waitFor(() => apiRequestsOf(sim).length === 1, 'the request to reach the simulator');
    await helper.setFlows(
      flow.map((n) => (n.id === 'n1' ? { ...n, name: 'renamed' } : n)),
      'nodes',
    );
    await waitFor(() => caught.length === 1, 'the Catch node to get the abandoned message');
    const error = caught[0].error as { message: string; code: string; source: { id: string } };
    assert.equal(caught[0].marker, 'in flight');
    assert.equal(error.code, 'CLOSED');
    assert.equal(error.source.id, 'n1');
  });

  it('shows the config token state on idle platform nodes, never on device-update nodes', async () => {
    const { sim } = h;
    const flow = flowWith(sim.url, { id: 'n1', type: 'blynk-cloud-get-device' });
    flow.push(
      { id: 'n2', z: 'tab', type: 'blynk-cloud-log-event', connection: 'cfg', eventCode: 'high_temp', wires: [] },
      { id: 'n3', z: 'tab', type: 'blynk-cloud-device-update', connection: 'cfg', wires: [] },
    );
    await helper.load(ALL_NODES, flow, { cfg: demoCredentials(sim) });
    await expectSent('n1', { deviceId: 101 });
    assert.deepEqual(statusesOf('n2'), [{ fill: 'yellow', shape: 'ring', text: statusText('connecting') }, CONNECTED]);
    assert.deepEqual(statusesOf('n3'), []);
    // n1 was busy while the token came: it said requesting throughout, then the state.
    assert.deepEqual(statusesOf('n1'), [REQUESTING, CONNECTED]);
  });

  it('reports rejected OAuth credentials: token-invalid-client, auth-failed, the secret shown nowhere', async () => {
    const { sim } = h;
    const secret = 'wrong-secret-Qq7Zx';
    await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' }, { cfg: { clientId: sim.demo.clientId, clientSecret: secret } });
    const caught = await expectFailure('n1', { deviceId: 101 }, 'TOKEN_INVALID_CLIENT', 'token-invalid-client');
    assert.deepEqual(lastStatus('n1'), redRing('auth-failed'));
    assert.deepEqual(apiRequestsOf(sim), [], 'no API call without a token');
    assert.equal(sim.tokens.requests, 1, 'a rejected client is not retried at once');
    const shown = JSON.stringify({ caught, statuses: statusesOf('n1'), log: helper.log().args });
    assert.ok(!shown.includes(secret));
    assert.ok(!shown.includes(Buffer.from(`${sim.demo.clientId}:${secret}`).toString('base64')));
  });

  describe('typed properties', function () {
    it('evaluates num and str', async () => {
      const { sim } = h;
      await loadNode(sim, {
        id: 'n1',
        type: 'blynk-cloud-write-datastream',
        deviceId: '102',
        deviceIdType: 'num',
        dataStreamId: '6',
        dataStreamIdType: 'str',
      });
      await expectSent('n1', { deviceId: 999, dataStreamId: 999, payload: 42 });
      assert.deepEqual(apiRequestsOf(sim)[0].body, { deviceId: 102, dataStreamId: 6, value: 42 });
      assert.equal(sim.state.value(102, 6), 42);
    });

    it('evaluates flow and global context, read at each message', async () => {
      const { sim } = h;
      await loadNode(sim, {
        id: 'n1',
        type: 'blynk-cloud-log-event',
        deviceId: 'dev',
        deviceIdType: 'flow',
        eventCode: 'code',
        eventCodeType: 'global',
        description: 'text',
        descriptionType: 'flow',
      });
      const context = helper.getNode('n1').context();
      context.flow.set('dev', 103);
      context.flow.set('text', 'from flow context');
      context.global.set('code', 'low_battery');
      await expectSent('n1', { deviceId: 1, payload: 'not this' });
      context.flow.set('dev', '102');
      context.global.set('code', 'door_open');
      await expectSent('n1', { deviceId: 1, payload: 'not this' });
      assert.deepEqual(
        apiRequestsOf(sim).map((r) => r.body),
        [
          { deviceId: 103, eventCode: 'low_battery', eventDescription: 'from flow context' },
          { deviceId: 102, eventCode: 'door_open', eventDescription: 'from flow context' },
        ],
      );
      context.flow.set('dev', 0);
      await expectFailure('n1', { deviceId: 101 }, 'INVALID_DEVICE_ID', 'invalid-device-id');
      assert.equal(apiRequestsOf(sim).length, 2, 'the refused message made a request');
    });

    it('evaluates env (process.env)', async () => {
      const { sim } = h;
      process.env.BLYNK_TEST_PIN = 'V5';
      try {
        await loadNode(sim, { id: 'n1', type: 'blynk-cloud-device-update', pin: 'BLYNK_TEST_PIN', pinType: 'env' }, { cfg: {} });
        await expectSent('n1', { topic: 'V1', payload: 64, deviceToken: sim.demo.devices[2].token });
        assert.deepEqual(apiRequestsOf(sim)[0].query, { token: sim.demo.devices[2].token, v5: '64' });
        assert.equal(sim.state.value(103, 'v5'), 64);
      } finally {
        delete process.env.BLYNK_TEST_PIN;
      }
    });

    it('evaluates jsonata against the msg', async () => {
      const { sim } = h;
      await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device', deviceId: '$number(payload.id)', deviceIdType: 'jsonata' });
      const out = await expectSent('n1', { deviceId: 101, payload: { id: '102' } });
      assert.deepEqual(apiRequestsOf(sim)[0].query, { deviceId: '102' });
      assert.equal((out.payload as { name: string }).name, 'Garage');
      await expectSent('n1', { payload: { id: 103 } });
      assert.deepEqual(apiRequestsOf(sim)[1].query, { deviceId: '103' });
    });

    it('evaluates jsonata for a pin and a description', async () => {
      const { sim } = h;
      await loadNode(sim, { id: 'n1', type: 'blynk-cloud-device-update', pin: '"V" & $string(channel)', pinType: 'jsonata' }, { cfg: {} });
      await expectSent('n1', { channel: 2, payload: 'via jsonata', deviceToken: sim.demo.devices[0].token });
      assert.equal(sim.state.value(101, 'v2'), 'via jsonata');
      await helper.unload();
      await loadNode(sim, {
        id: 'n2',
        type: 'blynk-cloud-log-event',
        eventCode: 'high_temp',
        description: '"Temperature " & $string(payload) & " °C"',
        descriptionType: 'jsonata',
      });
      await expectSent('n2', { deviceId: 101, payload: 41 });
      assert.equal(sim.state.events(101)[0].description, 'Temperature 41 °C');
    });

    it('reports a property Node-RED cannot evaluate with its own message, before any request', async () => {
      const { sim } = h;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { util } = require('@node-red/util') as {
        util: { getMessageProperty(msg: object, expr: string): unknown; prepareJSONataExpression(expr: string, node: object): unknown };
      };
      const expected = ((): string => {
        try {
          util.getMessageProperty({}, 'a..b');
        } catch (err) {
          return (err as Error).message;
        }
        throw new Error('a..b evaluated');
      })();
      await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device', deviceId: 'a..b', deviceIdType: 'msg' });
      const out = await exchange('n1', { deviceId: 101 });
      assert.equal(out.sent, undefined);
      assert.equal(out.caught?.error.message, expected);
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
      await helper.unload();

      // JSONata throws a plain object (not an Error) with its own message.
      const jsonataMessage = ((): string => {
        try {
          util.prepareJSONataExpression('$number(payload', {});
        } catch (err) {
          return (err as { message: string }).message;
        }
        throw new Error('$number(payload parsed');
      })();
      await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device', deviceId: '$number(payload', deviceIdType: 'jsonata' });
      const bad = await exchange('n1', { payload: 101 });
      assert.equal(bad.sent, undefined);
      assert.ok(bad.caught);
      assert.equal(bad.caught.error.message, jsonataMessage);
      assert.equal(bad.caught.error.source.id, 'n1');
      assert.deepEqual(lastStatus('n1'), redRing('invalid-input'));
      assert.deepEqual(sim.log, []);
    });

    it('reads a typed property saved as a number (hand-written flows)', async () => {
      const { sim } = h;
      await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device', deviceId: 103, deviceIdType: 'num' });
      await expectSent('n1', {});
      assert.deepEqual(apiRequestsOf(sim)[0].query, { deviceId: '103' });
    });
  });

  describe('redeploy and the config node token', function () {
    it('keeps the cached token when only a flow node is redeployed (F5)', async () => {
      const { sim } = h;
      const flow = await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' });
      await expectSent('n1', { deviceId: 101 });
      const before = { n1: helper.getNode('n1'), cfg: helper.getNode('cfg') };
      await helper.setFlows(
        flow.map((n) => (n.id === 'n1' ? { ...n, name: 'renamed', deviceId: '102', deviceIdType: 'num' } : n)),
        'nodes',
      );
      assert.notEqual(helper.getNode('n1'), before.n1, 'the flow node was not restarted');
      assert.equal(helper.getNode('cfg'), before.cfg, 'the config node was restarted');
      await expectSent('n1', { deviceId: 101 });
      assert.equal(sim.tokens.requests, 1);
      const [first, second] = apiRequestsOf(sim);
      assert.deepEqual(second.query, { deviceId: '102' }, 'the redeployed node runs its new settings');
      assert.equal(second.headers.authorization, first.headers.authorization);
      assert.deepEqual(lastStatus('n1'), CONNECTED);
    });

    it('drops the token when the config credentials change (F6)', async () => {
      const { sim } = h;
      sim.addOAuthClient('second-client', 'second-secret-9Zz');
      const flow = await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' });
      await expectSent('n1', { deviceId: 101 });
      const cfgBefore = helper.getNode('cfg');
      // As the editor deploys a changed credential: inline on the node, extracted by the runtime.
      await helper.setFlows(
        flow.map((n) => (n.id === 'cfg' ? { ...n, credentials: { clientId: 'second-client', clientSecret: 'second-secret-9Zz' } } : n)),
        'nodes',
      );
      assert.notEqual(helper.getNode('cfg'), cfgBefore, 'the config node was not restarted');
      await expectSent('n1', { deviceId: 102 });
      assert.equal(sim.tokens.requests, 2);
      assert.deepEqual(tokenRequestsOf(sim).map(basicClientId), [sim.demo.clientId, 'second-client']);
      const [first, second] = apiRequestsOf(sim);
      assert.notEqual(second.headers.authorization, first.headers.authorization);
      assert.equal(second.headers.authorization, `Bearer ${sim.tokens.issuedAccess[1]}`);
    });

    it('drops the token when the config is deleted and the node is left without one', async () => {
      const { sim } = h;
      const flow = await loadNode(sim, { id: 'n1', type: 'blynk-cloud-get-device' });
      await expectSent('n1', { deviceId: 101 });
      await helper.setFlows(
        flow.filter((n) => n.id !== 'cfg'),
        'full',
      );
      const out = await exchange('n1', { deviceId: 101 });
      assert.equal(out.caught?.error.code, 'NO_CONFIG');
      assert.equal(sim.tokens.requests, 1);
      assert.equal(apiRequestsOf(sim).length, 1);
    });
  });
});
