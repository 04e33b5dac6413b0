// The system under test for the browser tests: the Blynk simulator and a real Node-RED process
// with this package installed the way `npm start` does it (a link in the user directory's
// node_modules), each on a free loopback port, in a temporary user directory.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../../dist/simulator';
import type { Simulator } from '../../dist/simulator';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE = 'node-red-contrib-blynk-cloud';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function prepareUserDir(): { userDir: string; settings: string } {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-e2e-'));
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  fs.symlinkSync(ROOT, path.join(modules, PACKAGE), 'dir');
  const settings = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    settings,
    [
      '// Written by test/e2e/stack.ts',
      'module.exports = {',
      "  uiHost: '127.0.0.1',",
      "  flowFile: 'flows.json',",
      "  credentialSecret: 'blynk-cloud-e2e',",
      '  telemetry: { enabled: false, updateNotification: false },',
      "  logging: { console: { level: 'warn', metrics: false, audit: false } },",
      '  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },',
      '};',
      '',
    ].join('\n'),
  );
  return { userDir, settings };
}

async function waitForTypes(editor: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited during start-up:\n${output()}`);
    try {
      const res = await fetch(`${editor}nodes`, { headers: { Accept: 'application/json' } });
      if (res.ok) {
        const sets = (await res.json()) as Array<{ module: string; name: string; enabled: boolean; err?: unknown }>;
        const ours = sets.filter((set) => set.module === PACKAGE);
        const broken = ours.find((set) => set.err);
        if (broken) {
          const err = typeof broken.err === 'string' ? broken.err : JSON.stringify(broken.err);
          throw new Error(`Node-RED could not load ${PACKAGE}/${broken.name}: ${err}\n${output()}`);
        }
        if (declaredTypes().every((type) => ours.some((set) => set.name === type))) return;
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('Node-RED could not')) throw err;
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Node-RED did not list all ${PACKAGE} nodes (${declaredTypes().join(', ')}) at ${editor}nodes within 60 s:\n${output()}`);
}

export async function startStack(): Promise<Stack> {
  const sim = await startSimulator({ port: 0 });
  const { userDir, settings } = prepareUserDir();
  const port = await freePort();
  const editor = `http://127.0.0.1:${port}/`;
  let printed = '';
  const red = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', settings, '--port', String(port)],
    { cwd: userDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: '' } },
  );
  red.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  red.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const output = () => printed;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (red.exitCode === null && red.signalCode === null) {
      const exited = new Promise<void>((resolve) => red.once('exit', () => resolve()));
      red.kill('SIGINT');
      const timer = setTimeout(() => red.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await sim.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  };

  try {
    await waitForTypes(editor, red, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { sim, editor, stop };
}

/**
 * Deploys the example flows as `npm start` does (scripts/start.js: a full deployment of
 * scripts/example-flows.js through the admin API, pointed at the simulator with its demo
 * credentials), or `nodes` instead; `[]` empties the workspace again.
 */
export async function deployFlows(stack: Stack, nodes?: unknown[]): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exampleFlows } = require(path.join(ROOT, 'scripts', 'example-flows.js')) as {
    exampleFlows(options: { server: string; demo: unknown }): unknown[];
  };
  const flows = nodes ?? exampleFlows({ server: stack.sim.url, demo: stack.sim.demo });
  const res = await fetch(`${stack.editor}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flows),
  });
  if (!res.ok) throw new Error(`deploying the flows failed: HTTP ${res.status} ${await res.text()}`);
}
