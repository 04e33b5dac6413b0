// Node-RED embedded in the benchmark process with `require('node-red')`: the production runtime
// (flows, router, asynchronous message delivery, status events, Catch handling), no editor and
// no HTTP servers. node-red-node-test-helper is not used because its load() wraps every
// Node.prototype send/status/log/warn/error in a sinon spy that records each call and emits a
// nextTick event per call: that would add per-message cost to both Node-RED sides and retain
// every message, which makes a throughput and heap-growth benchmark meaningless.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The package under test: the repository this bench was compiled in. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

export interface Msg {
  _msgid?: string;
  benchRun?: number;
  benchSeq?: number;
  payload?: unknown;
  statusCode?: number;
  error?: { message?: string; code?: string };
  [key: string]: unknown;
}

export interface RedNode {
  id: string;
  receive(msg: Msg): void;
  on(event: string, cb: (...args: never[]) => void): void;
  listenerCount(event: string): number;
  eventNames(): (string | symbol)[];
}

interface NodeRedApp {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: {
    registerType(set: string, type: string, ctor: (this: RedNode, def: Record<string, unknown>) => void): void;
    createNode(node: RedNode, def: Record<string, unknown>): void;
    getNode(id: string): RedNode | null;
  };
  runtime: {
    events: { once(event: string, cb: () => void): void };
    flows: { setFlows(opts: { flows: { flows: unknown[]; credentials: unknown }; deploymentType: string }): Promise<unknown> };
  };
}

export type SinkHandler = (msg: Msg) => void;

export interface Runtime {
  RED: NodeRedApp;
  node(id: string): RedNode;
  /** Where messages reaching sink `id` go; one handler per sink at a time. */
  onSink(id: string, handler: SinkHandler | undefined): void;
  /** Messages that reached a sink with no handler, and log lines at warn level or above. */
  readonly strays: number;
  readonly logProblems: string[];
  stop(): Promise<void>;
}

export interface FlowOptions {
  server: string;
  clientId: string;
  clientSecret: string;
  /** The demo device's auth token, for the paced device update node. */
  deviceToken: string;
  /** Device API requests per second that the paced connection keeps to. */
  deviceRate: number;
  /** The simulator's MQTT broker, where the demo device connects as Node-RED. */
  mqttUrl: string;
}

/** Node ids of the flow below. */
export const IDS = {
  pkgGet: 'pkg-get',
  pkgWrite: 'pkg-write',
  pkgCold: 'pkg-cold',
  pkgPaced: 'pkg-paced',
  pkgDeviceIn: 'pkg-device-in',
  coreGet: 'core-get',
  coreWrite: 'core-write',
  config: 'cfg',
} as const;

export function sinkOf(id: string): string {
  return `sink-${id}`;
}
export const ERROR_SINK = 'sink-errors';

/** Log lines that every embedded start-up prints and that say nothing about the run. */
const EXPECTED_LOG = [/Projects disabled/, /Using unencrypted credentials/, /Flows file|Creating new flow file/];

export async function startRuntime(flow: FlowOptions): Promise<Runtime> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as NodeRedApp;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-bench-'));
  const logProblems: string[] = [];
  const handlers = new Map<string, SinkHandler>();
  let strays = 0;

  RED.init({
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    // Loads the package from its package.json "node-red" section, as an installed module.
    nodesDir: [PACKAGE_ROOT],
    editorTheme: { projects: { enabled: false } },
    logging: {
      console: { level: 'off' },
      bench: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (entry: { level: number; msg: unknown; type?: string; id?: string }) => {
          const text = `${entry.type ?? ''}${entry.id ? `:${entry.id}` : ''} ${String(entry.msg)}`;
          if (!EXPECTED_LOG.some((re) => re.test(text))) logProblems.push(text.trim());
        },
      },
    },
  });
  // start() resolves before the (empty) flow file is loaded, and that load resets the
  // credential store: deploy only once it has finished.
  const initialLoad = new Promise<void>((resolve) => RED.runtime.events.once('flows:started', () => resolve()));
  await RED.start();
  await initialLoad;

  RED.nodes.registerType('bench/sink', 'bench-sink', function BenchSink(this: RedNode, def) {
    RED.nodes.createNode(this, def);
    const id = this.id;
    this.on('input', ((msg: Msg, _send: unknown, done: () => void) => {
      const handler = handlers.get(id);
      if (handler) handler(msg);
      // The matrix's datastream writes to the demo device come back to its device in node as
      // downlinks; only the downlink phase counts those.
      else if (id !== sinkOf(IDS.pkgDeviceIn)) strays++;
      done();
    }) as (...args: never[]) => void);
  });

  const z = 'bench';
  const sink = (id: string) => ({ id: sinkOf(id), type: 'bench-sink', z, wires: [] });
  // Credentials travel inside the node, as the editor deploys them.
  const credentials = { clientId: flow.clientId, clientSecret: flow.clientSecret };
  const config = (id: string) => ({ id, type: 'blynk-cloud-config', server: flow.server, grantType: 'client_credentials', credentials });
  const coreRequest = (id: string, method: string, ret: string) => ({
    id,
    type: 'http request',
    z,
    name: '',
    method,
    ret,
    paytoqs: 'ignore',
    url: '',
    tls: '',
    persist: true,
    proxy: '',
    insecureHTTPParser: false,
    authType: '',
    senderr: false,
    headers: [],
    wires: [[sinkOf(id)]],
  });
  const flows = [
    { id: z, type: 'tab', label: 'bench' },
    config(IDS.config),
    config('cfg-cold'),
    { id: IDS.pkgGet, type: 'blynk-cloud-get-device', z, connection: IDS.config, wires: [[sinkOf(IDS.pkgGet)]] },
    { id: IDS.pkgWrite, type: 'blynk-cloud-write-datastream', z, connection: IDS.config, wires: [[sinkOf(IDS.pkgWrite)]] },
    { id: IDS.pkgCold, type: 'blynk-cloud-get-device', z, connection: 'cfg-cold', wires: [[sinkOf(IDS.pkgCold)]] },
    { ...config('cfg-paced'), rateLimit: 'on', deviceRate: flow.deviceRate },
    {
      id: IDS.pkgPaced,
      type: 'blynk-cloud-device-update',
      z,
      connection: 'cfg-paced',
      pin: 'topic',
      pinType: 'msg',
      credentials: { token: flow.deviceToken },
      wires: [[sinkOf(IDS.pkgPaced)]],
    },
    { id: 'device', type: 'blynk-cloud-device', broker: flow.mqttUrl, queueSize: 100, credentials: { token: flow.deviceToken } },
    {
      id: IDS.pkgDeviceIn,
      type: 'blynk-cloud-device-in',
      z,
      connection: 'device',
      datastreams: '',
      current: false,
      others: false,
      wires: [[sinkOf(IDS.pkgDeviceIn)]],
    },
    coreRequest(IDS.coreGet, 'GET', 'obj'),
    coreRequest(IDS.coreWrite, 'POST', 'txt'),
    ...[IDS.pkgGet, IDS.pkgWrite, IDS.pkgCold, IDS.pkgPaced, IDS.pkgDeviceIn, IDS.coreGet, IDS.coreWrite].map(sink),
    { id: 'catch-all', type: 'catch', z, scope: null, uncaught: false, wires: [[ERROR_SINK]] },
    { id: ERROR_SINK, type: 'bench-sink', z, wires: [] },
  ];
  await RED.runtime.flows.setFlows({
    flows: { flows, credentials: {} },
    deploymentType: 'full',
  });
  // The deploy resolves before the flows run; wait until every node of ours is up.
  const ids = flows.filter((n) => n.type !== 'tab').map((n) => n.id);
  for (let waited = 0; !ids.every((id) => RED.nodes.getNode(id)); waited += 10) {
    if (waited > 10_000) throw new Error(`flows did not start: ${logProblems.join('; ') || 'no log'}`);
    await new Promise((r) => setTimeout(r, 10));
  }

  return {
    RED,
    node(id) {
      const n = RED.nodes.getNode(id);
      if (!n) throw new Error(`node ${id} is not running (is the package built? npm run build)`);
      return n;
    },
    onSink(id, handler) {
      if (handler) handlers.set(id, handler);
      else handlers.delete(id);
    },
    get strays() {
      return strays;
    },
    logProblems,
    async stop() {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}
