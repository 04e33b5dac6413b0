// The reliability suite's harness: flows in a real Node-RED runtime (node-red-node-test-helper)
// against the simulator over real sockets, with messages rendered by Node-RED's own i18n in
// English (what a user reads, details included, instead of the helper's bare keys), and after
// every test:
// - E1: everything readable (see capture.ts) searched for every secret and token: 0 hits;
// - D4: no refresh token was sent twice, and the simulator saw no reuse;
// both also kept in a ledger that the E1 and D4 tests check over the whole run.
import assert from 'node:assert/strict';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { NodeAPI, NodeMessage } from 'node-red';
import sinon from 'sinon';
import type { BlynkClient, TokenManager } from '../../dist/blynk';
import { Simulator, SimulatorOptions, startSimulator } from '../../dist/simulator';
import { Capture, findSecrets } from './capture';
import { waitFor } from '../../scripts/lib/wait';
import { NAMESPACE } from './harness';
import { delay, refreshReplays, refreshSent, secretsOf } from './oauth-log';
import { ALL_NODES, FlowNode, helper } from './runtime';

// Reading the simulator's log (shared with the client tests) and statuses (shared with the node tests).
export * from './oauth-log';
export { allStatusesOf, statusesOf, statusText as STATUS } from './harness';

export const WRITE_PATH = '/api/v1/organization/device/datastream';
export const EVENT_PATH = '/api/v1/organization/device/trigger-event';
export const UPDATE_PATH = '/external/api/update';

const DIST = path.resolve(__dirname, '../../dist');

interface I18n {
  init(settings: object): Promise<void>;
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  _(key: string, params?: Record<string, unknown>): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const i18n = (require('@node-red/util') as { i18n: I18n }).i18n;

let catalogue: Promise<void> | undefined;
function loadCatalogue(): Promise<void> {
  catalogue ??= (async () => {
    await i18n.init({});
    await i18n.registerMessageCatalog(NAMESPACE, path.join(DIST, 'nodes/locales'), 'blynk-cloud-config.json');
  })();
  return catalogue;
}

type NodeModule = (RED: NodeAPI) => void;

/** The package's modules, each given a RED whose `_` is Node-RED's i18n in English. */
const NODES: NodeModule[] = (ALL_NODES as NodeModule[]).map((module) => (red: NodeAPI) => {
  const english = (key: string, params?: Record<string, unknown>): string => i18n._(key, { ...params, lng: 'en-US' });
  module(Object.assign(Object.create(red) as NodeAPI, { _: english }));
});

export type Caught = NodeMessage & { error: { message: string; code?: string; stack?: string; source: { id: string; type: string } } };

/** What the flow's sink, Catch and Status nodes received in this test (every sink: `sent`). */
export interface Outputs {
  sent: NodeMessage[];
  caught: Caught[];
  statuses: NodeMessage[];
  /** How many reached the sink and the Catch node, kept in quiet mode too. */
  sentCount: number;
  caughtCount: number;
}

/** Ledger over the whole run, read by the E1 and D4 tests. */
export const ledger = {
  /** Tests whose readable output was searched, with its size and the hits (always none to pass). */
  scanned: [] as Array<{ title: string; bytes: number; secrets: number; hits: string[] }>,
  /** Tests whose refresh tokens were checked, and any replay found. */
  rotation: [] as Array<{ title: string; refreshSent: number; problems: string[] }>,
};

export interface Rig {
  readonly sim: Simulator;
  readonly capture: Capture;
  readonly out: Outputs;
  /** Loads `flow`; `cfg` gets the demo OAuth client unless `credentials.cfg` is given. */
  load(flow: FlowNode[], credentials?: Record<string, Record<string, string>>): Promise<void>;
  /** Redeploys (full, flows or nodes) and keeps listening to the sinks; credentials default to the last ones. */
  deploy(flow: FlowNode[], type: 'full' | 'flows' | 'nodes', credentials?: Record<string, Record<string, string>>): Promise<void>;
  /** Sends `msg` into node `id` (it also records a `deviceToken` on it as a secret). */
  send(id: string, msg: NodeMessage): void;
  /** More strings that must not be readable (tokens served by a fault, wrong secrets…). */
  secret(...values: string[]): void;
  /** Fake Date and performance (the simulator shares Date): time moves only by tick/setSystemTime. */
  fakeClock(): sinon.SinonFakeTimers;
  /** The config node's client (white-box, for the token manager's state). */
  client(id?: string): BlynkClient;
  /** Waits for a background renewal of config `id`, if one is running. */
  settled(id?: string): Promise<void>;
  /** Sends `msg` into `id` and waits for it at the sink or the Catch node (matched by _msgid). */
  exchange(id: string, msg: NodeMessage, timeoutMs?: number): Promise<Outcome>;
  /** Like exchange, and it must fail: the Catch node's msg (nothing may reach the sink). */
  failure(id: string, msg: NodeMessage, timeoutMs?: number): Promise<Caught>;
  /** Like exchange, and it must succeed: the msg that left the node. */
  success(id: string, msg: NodeMessage, timeoutMs?: number): Promise<NodeMessage>;
  /** Waits until `n` messages in all have reached the sink or the Catch node. */
  ended(n: number, timeoutMs?: number): Promise<void>;
  /**
   * Load tests: what reaches the sink (and Status nodes) is only counted and handed to `each`, not
   * kept or inspected, and the helper's spies forget their calls (see forget), so that memory
   * measures the package, not the test. Failures still go to the capture, unless `caughtToo`.
   */
  quiet(each?: (msg: NodeMessage) => void, caughtToo?: boolean): void;
  /** Back to keeping and inspecting everything. */
  unquiet(): void;
  /** Drops what the helper's Node.prototype spies recorded so far (they keep every call). */
  forget(): void;
}

export interface Outcome {
  sent?: NodeMessage;
  caught?: Caught;
}

export interface RigOptions {
  simulator?: SimulatorOptions;
}

/**
 * One simulator per file, one Node-RED runtime per test. Everything is checked and cleaned up
 * after each test, so a test only loads its flow, sends, and asserts.
 */
export function useRig(options: RigOptions = {}): Rig {
  let sim: Simulator | undefined;
  let capture = new Capture();
  let out: Outputs = emptyOutputs();
  let quiet = false;
  let quietCaught = false;
  let extra = new Set<string>();
  let fake: sinon.SinonFakeTimers | undefined;
  const listening = new WeakSet<object>();
  /** `ended` waiters, woken by the sink and Catch listeners (no polling: load tests wait often). */
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  const notify = (): void => {
    const done = out.sentCount + out.caughtCount;
    if (!waiters.some((w) => w.n <= done)) return;
    for (const w of waiters.filter((x) => x.n <= done)) w.resolve();
    waiters = waiters.filter((w) => w.n > done);
  };
  let onQuiet: ((msg: NodeMessage) => void) | undefined;
  let lastCredentials: Record<string, Record<string, string>> = {};

  const listen = (flow: FlowNode[]): void => {
    for (const def of flow) {
      if (def.type !== 'helper') continue;
      const node = helper.getNode(def.id);
      if (!node || listening.has(node)) continue;
      listening.add(node);
      const kind = def.id.startsWith('caught') ? 'caught' : def.id.startsWith('statuses') ? 'statuses' : 'sent';
      // Not once(): see runtime.ts. Inspected on arrival, as a Debug node would show it.
      node.on('input', (msg: NodeMessage) => {
        if (kind === 'sent') out.sentCount++;
        if (kind === 'caught') out.caughtCount++;
        if (kind !== 'statuses') notify();
        if (quiet && (kind !== 'caught' || quietCaught)) {
          if (kind === 'sent') onQuiet?.(msg);
          return;
        }
        capture.add(`${kind} ${def.id}`, msg);
        (out[kind] as NodeMessage[]).push(msg);
      });
    }
  };

  const credentialSecrets = (credentials: Record<string, Record<string, string>>): void => {
    for (const creds of Object.values(credentials)) {
      for (const key of ['clientSecret', 'password', 'token'] as const) {
        const value = creds[key];
        if (value && value.length >= 6) extra.add(value);
      }
      if (creds.clientSecret) {
        extra.add(Buffer.from(`${creds.clientId ?? ''}:${creds.clientSecret}`).toString('base64'));
        extra.add(Buffer.from(`${formEncode(creds.clientId ?? '')}:${formEncode(creds.clientSecret)}`).toString('base64'));
      }
    }
  };

  const rig: Rig = {
    get sim(): Simulator {
      assert.ok(sim, 'simulator not started');
      return sim;
    },
    get capture() {
      return capture;
    },
    get out() {
      return out;
    },
    async load(flow, credentials = {}) {
      const creds = { cfg: { clientId: rig.sim.demo.clientId, clientSecret: rig.sim.demo.clientSecret }, ...credentials };
      credentialSecrets(creds);
      lastCredentials = creds;
      await helper.load(NODES, flow, creds);
      listen(flow);
    },
    async deploy(flow, type, credentials) {
      // The helper hands these to the runtime as the whole credential store: never deploy without.
      const creds = credentials ?? lastCredentials;
      credentialSecrets(creds);
      lastCredentials = creds;
      await helper.setFlows(flow, type, creds);
      listen(flow);
    },
    send(id, msg) {
      const token = (msg as { deviceToken?: unknown }).deviceToken;
      if (typeof token === 'string' && token.length >= 6) extra.add(token);
      helper.getNode(id).receive(msg);
    },
    secret(...values) {
      for (const v of values) extra.add(v);
    },
    fakeClock() {
      assert.equal(fake, undefined, 'fake clock already installed');
      fake = sinon.useFakeTimers({ toFake: ['Date', 'performance'], now: Date.now(), shouldAdvanceTime: false });
      return fake;
    },
    client(id = 'cfg') {
      const config = helper.getNode(id) as unknown as { clientFor(api: 'platform' | 'device'): BlynkClient };
      return config.clientFor('device');
    },
    async settled(id = 'cfg') {
      const tokens = rig.client(id).tokens as (TokenManager & { inflight?: Promise<unknown> }) | undefined;
      // White-box: a background renewal has no other handle.
      await (tokens as unknown as { inflight?: Promise<unknown> } | undefined)?.inflight?.catch(() => undefined);
    },
    async exchange(id, msg, timeoutMs = 15_000) {
      rig.send(id, msg);
      const msgid = msg._msgid;
      assert.ok(msgid, 'the runtime gave the msg no _msgid');
      let outcome: Outcome | undefined;
      await waitFor(
        () => {
          const sent = out.sent.find((m) => m._msgid === msgid);
          const caught = out.caught.find((m) => m._msgid === msgid);
          if (sent || caught) outcome = { sent, caught };
          return outcome !== undefined;
        },
        `message ${msgid} to end`,
        timeoutMs,
      );
      return outcome as Outcome;
    },
    async failure(id, msg, timeoutMs) {
      const outcome = await rig.exchange(id, msg, timeoutMs);
      assert.equal(outcome.sent, undefined, 'the message was sent on, not failed');
      assert.ok(outcome.caught);
      await delay(0);
      assert.equal(out.sent.filter((m) => m._msgid === msg._msgid).length, 0, 'the failed message also reached the sink');
      return outcome.caught;
    },
    async success(id, msg, timeoutMs) {
      const outcome = await rig.exchange(id, msg, timeoutMs);
      assert.equal(outcome.caught, undefined, `the message failed: ${outcome.caught?.error.message}`);
      assert.ok(outcome.sent);
      return outcome.sent;
    },
    async ended(n, timeoutMs = 10_000) {
      if (out.sentCount + out.caughtCount >= n) return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          waiters.push({ n, resolve });
          timer = setTimeout(
            () => reject(new Error(`timed out waiting for ${n} messages to end (${out.sentCount} sent, ${out.caughtCount} caught)`)),
            timeoutMs,
          );
        });
      } finally {
        clearTimeout(timer);
      }
    },
    quiet(each, caughtToo = false) {
      quiet = true;
      quietCaught = caughtToo;
      capture.quiet = true;
      onQuiet = each;
    },
    unquiet() {
      quiet = false;
      quietCaught = false;
      capture.quiet = false;
      onQuiet = undefined;
    },
    forget() {
      forgetSpies();
    },
  };

  before(async () => {
    await loadCatalogue();
    sim = await startSimulator(options.simulator ?? {});
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach((done) => {
    capture = new Capture();
    out = emptyOutputs();
    quiet = false;
    quietCaught = false;
    waiters = [];
    extra = new Set();
    helper.startServer(() => {
      capture.start();
      done();
    });
  });
  afterEach(async function () {
    const title = this.currentTest?.fullTitle() ?? '?';
    const s = rig.sim;
    capture.collectSpies();
    fake?.restore();
    fake = undefined;
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    capture.stop();
    // Anything logged while the flows stopped is included: close must not leak either.
    const secrets = [...secretsOf(s), ...extra];
    const hits = findSecrets(capture.text, secrets);
    ledger.scanned.push({ title, bytes: capture.text.length, secrets: secrets.length, hits });
    const problems = refreshReplays(s.log);
    if (s.tokens.refreshReuse !== 0) problems.push(`the simulator saw ${s.tokens.refreshReuse} reused refresh token(s)`);
    ledger.rotation.push({ title, refreshSent: refreshSent(s.log).length, problems });
    s.reset();
    assert.deepEqual(hits, [], `E1: readable output of "${title}" shows secrets`);
    assert.deepEqual(problems, [], `D4: refresh token replay in "${title}"`);
  });
  return rig;
}

function emptyOutputs(): Outputs {
  return { sent: [], caught: [], statuses: [], sentCount: 0, caughtCount: 0 };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NODE_PROTOTYPE = (require('@node-red/runtime/lib/nodes/Node') as { prototype: Record<string, unknown> }).prototype;

function forgetSpies(): void {
  for (const method of ['status', 'warn', 'error', 'log', 'debug', 'trace', 'send']) {
    (NODE_PROTOTYPE[method] as Partial<sinon.SinonSpy> | undefined)?.resetHistory?.();
  }
  (helper.log() as Partial<sinon.SinonSpy> | undefined)?.resetHistory?.();
}

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/** A full garbage collection, then the heap in use (bytes). */
export function heapAfterGc(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

function formEncode(text: string): string {
  return new URLSearchParams([['', text]]).toString().slice(1);
}

// ---- flows ----

export const TAB: FlowNode = { id: 'tab', type: 'tab', label: 'reliability' };

export function configNode(server: string, extra: Record<string, unknown> = {}, id = 'cfg'): FlowNode {
  return { id, type: 'blynk-cloud-config', server, grantType: 'client_credentials', ...extra };
}

/** Catch (all nodes) → `caught`, Status (all nodes) → `statuses`. */
export function observers(): FlowNode[] {
  return [
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
    { id: 'watcher', z: 'tab', type: 'status', scope: null, wires: [['statuses']] },
    { id: 'statuses', z: 'tab', type: 'helper' },
  ];
}

/** A tab, the config `cfg`, the given nodes (wired to `sink` unless they say otherwise), Catch and Status. */
export function flow(server: string, nodes: FlowNode[], configExtra: Record<string, unknown> = {}): FlowNode[] {
  return [
    TAB,
    configNode(server, configExtra),
    ...nodes.map((n) => ({ z: 'tab', wires: [['sink']], connection: 'cfg', ...n })),
    { id: 'sink', z: 'tab', type: 'helper' },
    ...observers(),
  ];
}

export const getDevice = (id = 'n1', extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'blynk-cloud-get-device', ...extra });
export const writeDatastream = (id = 'n1'): FlowNode => ({ id, type: 'blynk-cloud-write-datastream' });
export const logEvent = (id = 'n1'): FlowNode => ({ id, type: 'blynk-cloud-log-event', eventCode: 'high_temp', eventCodeType: 'str' });
export const deviceUpdate = (id = 'n1'): FlowNode => ({ id, type: 'blynk-cloud-device-update' });

export { waitFor };
