import assert from 'node:assert/strict';
import { Node, NodeMessage, NodeStatus } from 'node-red';
import { SinonSpy } from 'sinon';
import { RequestLogEntry, Simulator } from '../../dist/simulator';
import { apiRequestsOf } from './oauth-log';
import { ALL_NODES, exchange, flowWith, FlowNode, helper, Outcome, withSimulator } from './runtime';

/**
 * Every runtime string of the package is in the config node's catalogue (namespace
 * `<module>/<file>`), under its `blynk-cloud-config` section. In the helper `RED._` is the identity,
 * so messages and status texts ARE these keys; catalog.test.ts checks that each one resolves.
 */
export const NAMESPACE = 'node-red-contrib-blynk-cloud/blynk-cloud-config';
const SECTION = 'blynk-cloud-config';

export function errorKey(key: string): string {
  return `${NAMESPACE}:${SECTION}.errors.${key}`;
}

export function statusText(key: string): string {
  return `${NAMESPACE}:${SECTION}.status.${key}`;
}

export const REQUESTING: NodeStatus = { fill: 'blue', shape: 'dot', text: statusText('requesting') };
export const CONNECTED: NodeStatus = { fill: 'green', shape: 'dot', text: statusText('ok') };

export function redRing(key: string): NodeStatus {
  return { fill: 'red', shape: 'ring', text: statusText(key) };
}

/** One simulator for the suite, one Node-RED runtime per test, both cleaned up after. */
interface Harness {
  sim: Simulator;
}

export function useHarness(): Harness {
  const h = {} as Harness;
  before(async () => {
    h.sim = await withSimulator();
  });
  after(async () => {
    await h.sim.close();
  });
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    h.sim.reset();
  });
  return h;
}

export function demoCredentials(sim: Simulator): { clientId: string; clientSecret: string } {
  return { clientId: sim.demo.clientId, clientSecret: sim.demo.clientSecret };
}

/**
 * Loads the package, a config node `cfg` on the simulator and `node` (wired to `sink`, with a Catch
 * to `caught`). The config gets the demo OAuth client unless `credentials.cfg` says otherwise.
 */
export async function loadNode(
  sim: Simulator,
  node: FlowNode,
  credentials: Record<string, Record<string, string>> = {},
  configExtra: Record<string, unknown> = {},
): Promise<FlowNode[]> {
  const flow = flowWith(sim.url, node, configExtra);
  await helper.load(ALL_NODES, flow, { cfg: demoCredentials(sim), ...credentials });
  return flow;
}

export { apiRequestsOf, tokenRequestsOf } from './oauth-log';

/** The client id of a token request, from its Basic authorization. */
export function basicClientId(entry: RequestLogEntry): string {
  const m = /^Basic (.+)$/.exec(entry.headers.authorization ?? '');
  assert.ok(m, `token request without Basic auth: ${String(entry.headers.authorization)}`);
  return Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
}

function callsOn(method: 'status' | 'send', node: Node): SinonSpy['args'] {
  // The helper replaces Node.prototype methods with sinon spies: read them, never re-spy.
  const spy = (node as unknown as Record<string, SinonSpy>)[method];
  return spy
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => c.args);
}

/** Every status node `id` has set, oldest first, the one it set at start included. */
export function allStatusesOf(id: string): NodeStatus[] {
  return callsOn('status', helper.getNode(id)).map((args) => args[0] as NodeStatus);
}

/**
 * The statuses node `id` set after it started, oldest first. A flow node's first status, set as it
 * starts, is the connection's state then (asserted on its own with allStatusesOf).
 */
export function statusesOf(id: string): NodeStatus[] {
  return allStatusesOf(id).slice(1);
}

export function lastStatus(id: string): NodeStatus | undefined {
  const all = statusesOf(id);
  return all[all.length - 1];
}

/** How many times node `id` has sent. */
function sendsOf(id: string): number {
  return callsOn('send', helper.getNode(id)).length;
}

type Caught = NonNullable<Outcome['caught']>;

/** Sends `msg` and asserts that the node reported `code` to the Catch node and sent nothing. */
export async function expectFailure(id: string, msg: NodeMessage, code: string, key: string): Promise<Caught> {
  const sendsBefore = sendsOf(id);
  const out = await exchange(id, msg);
  const label = `${code} for ${msgSummary(msg)}`;
  assert.equal(out.sent, undefined, `${label}: a message was sent`);
  assert.ok(out.caught, `${label}: nothing reached the Catch node`);
  assert.equal(out.caught.error.message, errorKey(key), label);
  assert.equal(out.caught.error.code, code, label);
  assert.equal(out.caught.error.source.id, id, label);
  assert.equal(sendsOf(id), sendsBefore, `${label}: node.send was called`);
  return out.caught;
}

/** Like `expectFailure`, and also that nothing at all reached the simulator. */
export async function expectRefused(sim: Simulator, id: string, msg: NodeMessage, code: string, key: string): Promise<Caught> {
  const caught = await expectFailure(id, msg, code, key);
  const label = `${code} for ${msgSummary(msg)}`;
  assert.deepEqual(apiRequestsOf(sim), [], `${label}: an API request was sent`);
  assert.equal(sim.tokens.requests, 0, `${label}: a token was requested`);
  return caught;
}

/** Sends `msg` and asserts it came out of the node: the same object, nothing caught. */
export async function expectSent(id: string, msg: NodeMessage): Promise<NodeMessage> {
  const out = await exchange(id, msg);
  assert.equal(out.caught, undefined, `unexpected error: ${JSON.stringify(out.caught?.error)}`);
  assert.ok(out.sent, 'nothing was sent');
  assert.ok(typeof msg._msgid === 'string' && msg._msgid.length > 0, 'the runtime gave the msg no _msgid');
  assert.equal(out.sent, msg, 'the node did not send the incoming msg object');
  return out.sent;
}

/** The one poll (real time, whatever a fake clock says). */
export { waitFor } from '../../scripts/lib/wait';

function msgSummary(msg: NodeMessage): string {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) {
    if (k === '_msgid') continue;
    shown[k] = typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? 'undefined' : v;
  }
  const text = JSON.stringify(shown);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
