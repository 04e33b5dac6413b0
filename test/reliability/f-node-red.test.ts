// Group F (reliability.md §5): the Node-RED lifecycle, through deploys of a real runtime. SIGTERM
// of a real Node-RED process (F9) is in e-secrets.test.ts, which starts one; "the whole suite ends
// with 0 unhandled rejections and exits without --exit" is the root hook (support/root-hooks.ts).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { NodeMessage } from 'node-red';
import { SinonSpy } from 'sinon';
import { BlynkError, MAX_IN_FLIGHT } from '../../dist/blynk';
import { LOG } from '../support/capture';
import { unhandledRejections } from '../support/root-hooks';
import {
  apiRequestsOf,
  bearerOf,
  configNode,
  DEVICE_PATH,
  deviceUpdate,
  flow,
  getDevice,
  grantOf,
  logEvent,
  observers,
  refreshSent,
  STATUS,
  statusesOf,
  TAB,
  tokenRequestsOf,
  useRig,
  waitFor,
  writeDatastream,
} from '../support/rig';
import { FlowNode, helper } from '../support/runtime';
import { openSocketsTo } from '../support/sockets';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NODE_PROTOTYPE = (require('@node-red/runtime/lib/nodes/Node') as { prototype: Record<string, unknown> }).prototype;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED_EVENTS = (require('@node-red/util') as { events: EventEmitter }).events;

/** Ref'd timers and sockets, and listeners on the process and the runtime's event bus. */
function resources(): { timers: number; sockets: number; processListeners: number; runtimeListeners: number } {
  const active = process.getActiveResourcesInfo();
  const listeners = (emitter: EventEmitter): number => emitter.eventNames().reduce((n, e) => n + emitter.listenerCount(e), 0);
  return {
    timers: active.filter((r) => r === 'Timeout').length,
    sockets: active.filter((r) => r === 'TCPSocketWrap').length,
    processListeners: listeners(process),
    runtimeListeners: listeners(RED_EVENTS),
  };
}

describe('reliability F: Node-RED lifecycle (flow level)', function () {
  const rig = useRig();

  it('F1 full redeploy while a renewal hangs: close takes < 1 s, the 5 waiting messages end with done(err) CLOSED, timers go back to idle, the old instance sends nothing afterwards', async () => {
    const { sim } = rig;
    sim.setTokenLifetime(300);
    const deployed = flow(sim.url, [getDevice()]);
    await rig.load(deployed);
    const clock = rig.fakeClock();
    await rig.success('n1', { deviceId: 101 });
    const idle = resources();
    clock.tick(296_000); // the next message must wait for the renewal
    sim.faults.add({ match: { grantType: 'refresh_token' }, action: { delayMs: 1_500 } });
    const oldNode = helper.getNode('n1');
    for (let i = 0; i < 5; i++) rig.send('n1', { deviceId: 101, seq: i });
    await waitFor(() => tokenRequestsOf(sim.log).length === 2, 'the renewal to reach the simulator');
    const sentBefore = rig.out.sentCount;
    const started = process.hrtime.bigint();
    await rig.deploy(
      deployed.map((n) => (n.id === 'cfg' ? { ...n, name: 'edited' } : n)),
      'full',
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1_000, `redeploy took ${ms.toFixed(0)} ms`);
    assert.notEqual(helper.getNode('n1'), oldNode, 'the flow node was not restarted');
    // done(err) for each, which Node-RED turns into node.error(err, msg). (On a full deploy the
    // Catch nodes stop too, so Node-RED hands these to the closing Catch node and they go no further.)
    const errors = (NODE_PROTOTYPE.error as SinonSpy).getCalls().filter((c) => c.thisValue === oldNode);
    assert.equal(errors.length, 5);
    const seqs: unknown[] = [];
    for (const call of errors) {
      const [err, msg] = call.args as [BlynkError, NodeMessage];
      assert.ok(err instanceof BlynkError && err.code === 'CLOSED', String(err));
      assert.match(err.message, /^The node was stopped \(deploy or shutdown\) before the request finished/);
      seqs.push(msg.seq);
    }
    assert.deepEqual(
      seqs.sort((a, b) => Number(a) - Number(b)),
      [0, 1, 2, 3, 4],
      'each of the 5 messages ended once',
    );
    // The held refresh answer comes and goes: nothing more is sent, by the old instance or anyone.
    const logged = sim.log.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(rig.out.sentCount, sentBefore);
    assert.equal(sim.log.length, logged);
    assert.equal(tokenRequestsOf(sim.log)[1].status, 0, 'the refresh answer reached a closed client');
    const after = resources();
    assert.ok(after.timers <= idle.timers, `timers ${idle.timers} → ${after.timers}`);
    assert.ok(after.sockets <= idle.sockets, `sockets ${idle.sockets} → ${after.sockets}`);
    // The new instance starts afresh: the refresh token the old one spent is never sent again.
    clock.tick(1);
    await rig.success('n1', { deviceId: 101 });
    assert.deepEqual(tokenRequestsOf(sim.log).map(grantOf), ['client_credentials', 'refresh_token', 'client_credentials']);
  });

  it('F1 redeploy with 100 messages queued behind 64 hanging requests (the cap): all 100 end with CLOSED at once, the queued ones are never sent', async () => {
    const { sim } = rig;
    const deployed = flow(sim.url, [deviceUpdate()]);
    await rig.load(deployed, { n1: { token: sim.demo.devices[0].token } });
    sim.faults.add({ match: { path: '/external/api/update' }, times: Infinity, action: { delayMs: 30_000 } });
    const oldNode = helper.getNode('n1');
    for (let i = 0; i < 100; i++) rig.send('n1', { topic: 'V1', payload: i });
    await waitFor(() => sim.log.length === MAX_IN_FLIGHT, `${MAX_IN_FLIGHT} requests on the wire`);
    const started = process.hrtime.bigint();
    await rig.deploy(
      deployed.map((n) => (n.id === 'n1' ? { ...n, name: 'edited' } : n)),
      'nodes',
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1_000, `redeploy took ${ms.toFixed(0)} ms`);
    await waitFor(() => rig.out.caught.length === 100, 'the 100 messages to end');
    assert.deepEqual(new Set(rig.out.caught.map((c) => c.error.code)), new Set(['CLOSED']));
    assert.equal((NODE_PROTOTYPE.error as SinonSpy).getCalls().filter((c) => c.thisValue === oldNode).length, 100);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sim.log.length, MAX_IN_FLIGHT, 'a queued request went out after close');
    assert.equal(rig.out.sentCount, 0);
  });

  it('F2 100 deploy cycles with traffic (config and flow nodes recreated each time): timers, sockets and listeners flat, no MaxListenersExceededWarning', async function () {
    this.timeout(90_000);
    const { sim } = rig;
    const token = sim.demo.devices[0].token;
    const cycleFlow = (i: number): FlowNode[] =>
      flow(sim.url, [getDevice(), writeDatastream('n2'), deviceUpdate('n3')], { name: `cycle ${i}` });
    await rig.load(cycleFlow(0), { n3: { token } });
    rig.quiet();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    const counts: Array<ReturnType<typeof resources>> = [];
    try {
      for (let i = 1; i <= 100; i++) {
        await rig.deploy(cycleFlow(i), 'full');
        const before = rig.out.sentCount + rig.out.caughtCount;
        rig.send('n1', { deviceId: 101 });
        rig.send('n2', { deviceId: 102, dataStreamId: 6, payload: i % 100 });
        rig.send('n3', { topic: 'V1', payload: i });
        await rig.ended(before + 3);
        rig.forget();
        if (i % 10 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 20)); // sockets of the closed pool
          counts.push(resources());
        }
      }
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(rig.out.caughtCount, 0, rig.out.caught[0]?.error.message);
    assert.equal(rig.out.sentCount, 300);
    assert.equal(sim.tokens.requests, 100, 'one token per config node instance');
    console.log(
      `      F2: every 10 cycles ${JSON.stringify(counts.map((c) => [c.timers, c.sockets, c.processListeners, c.runtimeListeners]))} [timers, sockets, process and runtime listeners]`,
    );
    const first = counts[0];
    for (const c of counts) {
      assert.ok(c.timers <= first.timers + 1, `timers ${first.timers} → ${c.timers}`);
      assert.ok(c.sockets <= first.sockets + 2, `sockets ${first.sockets} → ${c.sockets}`);
      assert.equal(c.processListeners, first.processListeners);
      assert.equal(c.runtimeListeners, first.runtimeListeners);
    }
    assert.deepEqual(
      warnings.map((w) => w.name),
      [],
    );
  });

  it('F2 open sockets to the simulator: one per message in flight, closed by a full redeploy and by removing the config node', async () => {
    const { sim } = rig;
    const deployed = flow(sim.url, [getDevice()]);
    await rig.load(deployed);
    assert.equal(openSocketsTo(sim.url), 0);
    sim.faults.add({ match: { path: DEVICE_PATH }, times: 8, action: { delayMs: 150 } });
    for (let i = 0; i < 8; i++) rig.send('n1', { deviceId: 101 });
    await waitFor(() => apiRequestsOf(sim.log).length === 8, 'eight device requests in flight');
    // The token request's socket carries one of them.
    assert.equal(openSocketsTo(sim.url), 8);
    await rig.ended(8);
    assert.equal(openSocketsTo(sim.url), 8, 'idle keep-alive sockets stay open for the next messages');
    await rig.deploy(deployed, 'full');
    await waitFor(() => openSocketsTo(sim.url) === 0, `no socket of the closed connection left (${openSocketsTo(sim.url)} open)`);
    await rig.success('n1', { deviceId: 102 });
    assert.equal(openSocketsTo(sim.url), 1);
    await rig.deploy([TAB, { id: 'sink', z: 'tab', type: 'helper' }, ...observers()], 'full', {});
    await waitFor(() => openSocketsTo(sim.url) === 0, `no socket left after removal (${openSocketsTo(sim.url)} open)`);
    assert.equal(rig.out.caughtCount, 0);
  });

  it('F3 a config node removed from the flows (close with removed=true) forgets its tokens and refuses further calls', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()]));
    await rig.success('n1', { deviceId: 101 });
    const client = rig.client();
    const tokens = client.tokens as unknown as { token?: unknown; refreshToken?: { held: boolean }; inflight?: unknown };
    assert.ok(tokens.token, 'a token was cached');
    await rig.deploy([TAB, { id: 'sink', z: 'tab', type: 'helper' }, ...observers()], 'full', {});
    assert.equal(helper.getNode('cfg'), null);
    assert.equal(tokens.token, undefined);
    assert.equal(tokens.refreshToken?.held, false, 'a refresh token is still held');
    await assert.rejects(
      client.call({ api: 'platform', method: 'GET', path: DEVICE_PATH, query: [['deviceId', '101']], idempotent: true }),
      { code: 'CLOSED' },
    );
    assert.equal(apiRequestsOf(sim.log).length, 1);
  });

  it("F4 while the package waits (a Retry-After of 30 s), it holds no ref'd timer: nothing of it keeps the process alive", async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()]));
    await rig.success('n1', { deviceId: 101 });
    const idle = resources();
    sim.faults.add({ match: { path: DEVICE_PATH }, action: { status: 429, headers: { 'Retry-After': '30' } } });
    rig.send('n1', { deviceId: 101 });
    await waitFor(() => apiRequestsOf(sim.log).some((e) => e.status === 429), 'the 429');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(resources().timers, idle.timers, "the wait for Retry-After is a ref'd timer");
    // (The message ends with CLOSED when the test unloads the flow.)
  });

  it('F5 a "modified nodes" deploy of a flow node keeps the config node and its token: 0 token requests', async () => {
    const { sim } = rig;
    const deployed = flow(sim.url, [getDevice()]);
    await rig.load(deployed);
    await rig.success('n1', { deviceId: 101 });
    const config = helper.getNode('cfg');
    const oldNode = helper.getNode('n1');
    await rig.deploy(
      deployed.map((n) => (n.id === 'n1' ? { ...n, name: 'renamed' } : n)),
      'nodes',
    );
    assert.notEqual(helper.getNode('n1'), oldNode, 'n1 was not redeployed');
    assert.equal(helper.getNode('cfg'), config, 'the config node was restarted');
    await rig.success('n1', { deviceId: 102 });
    assert.equal(sim.tokens.requests, 1);
    assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), [sim.tokens.issuedAccess[0], sim.tokens.issuedAccess[0]]);
  });

  it('F6 the config edited with a new client and secret: the old tokens are dropped (never used or refreshed again), the next message signs in with the new credentials', async () => {
    const { sim } = rig;
    const clientId = 'second-client-F6';
    const clientSecret = 'second-secret-F6-Zk4';
    sim.addOAuthClient(clientId, clientSecret);
    const deployed = flow(sim.url, [getDevice()]);
    await rig.load(deployed);
    await rig.success('n1', { deviceId: 101 });
    const [oldAccess] = sim.tokens.issuedAccess;
    rig.secret(clientSecret);
    // As the editor sends it: the changed credentials inside the node.
    await rig.deploy(
      deployed.map((n) => (n.id === 'cfg' ? { ...n, credentials: { clientId, clientSecret } } : n)),
      'nodes',
      {},
    );
    await rig.success('n1', { deviceId: 102 });
    const tokens = tokenRequestsOf(sim.log);
    assert.equal(tokens.length, 2);
    assert.equal(tokens[1].headers.authorization, `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`);
    assert.equal(grantOf(tokens[1]), 'client_credentials');
    assert.deepEqual(refreshSent(sim.log), []);
    const calls = apiRequestsOf(sim.log);
    assert.equal(bearerOf(calls[0]), oldAccess);
    assert.equal(bearerOf(calls[1]), sim.tokens.issuedAccess[1]);
  });

  it("F7 a flow-node failure reaches Catch with msg.error.message (in the user's language) and source.id", async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()]));
    const caught = await rig.failure('n1', { deviceId: 999, marker: 'mine' });
    assert.equal(caught.marker, 'mine');
    assert.equal(caught.error.source.id, 'n1');
    assert.equal(caught.error.source.type, 'blynk-cloud-get-device');
    assert.equal(caught.error.code, 'NOT_FOUND');
    assert.match(caught.error.message, /^Blynk answered 404 Not Found \(/);
  });

  it('F7 without a Catch node: exactly one log line per failure, nothing else logged by the node', async () => {
    const { sim } = rig;
    await rig.load([
      TAB,
      configNode(sim.url),
      { ...getDevice(), z: 'tab', connection: 'cfg', wires: [['sink']] },
      { id: 'sink', z: 'tab', type: 'helper' },
    ]);
    const failing: NodeMessage[] = [{ deviceId: 0 }, { deviceId: 999 }, { deviceId: 'x' }, { deviceId: 998 }, { deviceId: -1 }];
    for (const msg of failing) rig.send('n1', msg);
    await waitFor(() => rig.capture.entries(LOG.ERROR, 'n1').length >= failing.length, 'the error lines');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(rig.capture.entries(LOG.ERROR, 'n1').length, failing.length);
    assert.deepEqual(
      rig.capture.log.filter((e) => e.id === 'n1' && e.level !== LOG.ERROR && e.level < 98).map((e) => String(e.msg)),
      [],
    );
  });

  it('F8 config state changes (outage, recovery, rejected credentials): every user node shows each state; one warning per change, not one per message', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice(), logEvent('n2')]));
    const warnings = (): string[] => rig.capture.entries(LOG.WARN, 'cfg').map((e) => String(e.msg));
    // 1. The token endpoint fails (502 on every try): 5 messages, 5 failures, one warning.
    sim.faults.add({ match: { grantType: 'client_credentials' }, times: Infinity, action: { status: 502, body: 'Bad gateway' } });
    for (let i = 0; i < 5; i++) assert.equal((await rig.failure('n1', { deviceId: 101 })).error.code, 'TOKEN_REJECTED');
    assert.equal(warnings().length, 1, warnings().join('\n'));
    assert.match(warnings()[0], /^Blynk refused to issue an access token \(HTTP 502: Bad gateway\)/);
    assert.deepEqual(statusesOf('n2').at(-1), { fill: 'red', shape: 'ring', text: STATUS('error') });
    // 2. It recovers: green on the idle user node, no warning.
    sim.faults.clear();
    await rig.success('n1', { deviceId: 101 });
    assert.deepEqual(statusesOf('n2').at(-1), { fill: 'green', shape: 'dot', text: STATUS('ok') });
    assert.equal(warnings().length, 1);
    // 3. The client is revoked: a 401, the refresh and the client_credentials grant are refused →
    //    fatal, one more warning, then 10 messages fail fast in the cool-down, without warnings.
    sim.tokens.revokeAccessToken(sim.tokens.issuedAccess[0]);
    sim.faults.add({
      match: { path: '/oauth2/token' },
      times: Infinity,
      action: { status: 401, body: { error: 'invalid_client', error_description: 'Client is disabled.' } },
    });
    assert.equal((await rig.failure('n1', { deviceId: 101 })).error.code, 'TOKEN_INVALID_CLIENT');
    for (let i = 0; i < 10; i++) assert.equal((await rig.failure('n1', { deviceId: 101 })).error.code, 'AUTH_COOLDOWN');
    assert.equal(warnings().length, 2, warnings().join('\n'));
    assert.match(warnings()[1], /^Blynk rejected the OAuth client \(Client is disabled\)\. /);
    assert.deepEqual(statusesOf('n2').at(-1), { fill: 'red', shape: 'ring', text: STATUS('auth-failed') });
    // The idle user node went through the states in order: error, ok, auth-failed.
    const shown = statusesOf('n2').map((s) => String(s.text).split('.').pop());
    const changes = shown.filter((s, i) => s !== shown[i - 1]);
    const at = ['error', 'ok', 'auth-failed'].map((s) => changes.indexOf(s));
    assert.ok(
      at.every((v, i) => v >= 0 && (i === 0 || v > at[i - 1])),
      changes.join(' → '),
    );
  });

  it('F9 no unhandled promise rejection so far in this run (the root hook checks the whole run at its end)', () => {
    assert.deepEqual(unhandledRejections(), []);
  });
});
