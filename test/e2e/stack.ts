// The system under test for the browser tests: the Blynk simulator and a real Node-RED process
// with this package installed the way `npm start` does it (a link in the user directory's
// node_modules), each on a free loopback port, in a temporary user directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exampleFlows } from '../../scripts/example-flows';
import { launchNodeRed, NodeRed, PACKAGE, ROOT } from '../../scripts/lib/node-red';
import { startSimulator } from '../../dist/simulator';
import type { Simulator } from '../../dist/simulator';

export { PACKAGE, ROOT };

export interface Stack {
  sim: Simulator;
  /** The editor's base URL, ending in `/`. */
  editor: string;
  stop(): Promise<void>;
}

/** The node sets package.json declares (`node-red.nodes`), in order. */
export function declaredTypes(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.keys(pkg['node-red'].nodes);
}

export async function startStack(): Promise<Stack> {
  const sim = await startSimulator({ port: 0 });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-e2e-'));
  let red: NodeRed | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await red?.stop({ signal: 'SIGINT', graceMs: 10_000 });
    await sim.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    red = await launchNodeRed({
      userDir,
      link: true,
      writtenBy: 'test/e2e/stack.ts',
      settings: { credentialSecret: 'blynk-cloud-e2e', logging: { console: { level: 'warn', metrics: false, audit: false } } },
      env: { ...process.env, NODE_RED_ENABLE_PROJECTS: '' },
    });
    await expectAllTypes(red);
  } catch (err) {
    await stop();
    throw err;
  }
  return { sim, editor: `${red.url}/`, stop };
}

/** Every node set package.json declares is listed by Node-RED, none with a load error. */
async function expectAllTypes(red: NodeRed): Promise<void> {
  const sets = JSON.parse((await red.get('/nodes', { Accept: 'application/json' })).text) as Array<{
    module: string;
    name: string;
    err?: unknown;
  }>;
  const ours = sets.filter((set) => set.module === PACKAGE);
  const broken = ours.find((set) => set.err);
  if (broken) {
    const err = typeof broken.err === 'string' ? broken.err : JSON.stringify(broken.err);
    throw new Error(`Node-RED could not load ${PACKAGE}/${broken.name}: ${err}\n${red.output()}`);
  }
  const missing = declaredTypes().filter((type) => !ours.some((set) => set.name === type));
  if (missing.length) throw new Error(`Node-RED does not list ${PACKAGE} nodes ${missing.join(', ')}:\n${red.output()}`);
}

/**
 * Deploys the example flows as `npm start` does (scripts/start.js: a full deployment of
 * scripts/example-flows.js through the admin API, pointed at the simulator with its demo
 * credentials), or `nodes` instead; `[]` empties the workspace again.
 */
export async function deployFlows(stack: Stack, nodes?: unknown[]): Promise<void> {
  const flows = nodes ?? exampleFlows({ server: stack.sim.url, demo: stack.sim.demo });
  const res = await fetch(`${stack.editor}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flows),
  });
  if (!res.ok) throw new Error(`deploying the flows failed: HTTP ${res.status} ${await res.text()}`);
}
