// A real Node-RED process (node-red/red.js) with this package installed the way a user installs
// it (a link in the user directory's node_modules), a credentialSecret, context on disk and
// logging at trace level. For what only the whole product shows: what lands on disk (flows.json,
// flows_cred.json, context), what the admin API gives out, and how the process stops on SIGTERM.
import { ChildProcess, spawn } from 'node:child_process';
import { createDecipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { httpRequest } from './http';

export const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = 'node-red-contrib-blynk-cloud';

export interface RealNodeRed {
  readonly userDir: string;
  readonly url: string;
  readonly credentialSecret: string;
  /** Everything the process printed (trace-level log included). */
  output(): string;
  /** GET on the admin API, as text. */
  get(pathname: string): Promise<{ status: number; text: string }>;
  /** A full deploy through the admin API, as the editor does it (credentials inside the nodes). */
  deploy(flow: object[]): Promise<void>;
  /** Sends `signal` and resolves with the exit code and how long the exit took (ms). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
  /** Every file under the user directory (the package link excluded), with its text. */
  files(): Array<{ file: string; text: string }>;
  /** flows_cred.json decrypted with the credentialSecret, as Node-RED stores it. */
  credentials(): Record<string, Record<string, string>>;
  cleanup(): void;
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

export async function startNodeRed(): Promise<RealNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-rel-nr-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(userDir, 'node_modules', PACKAGE), 'dir');
  const credentialSecret = 'reliability-credential-secret-4f9';
  const settings = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    settings,
    [
      'module.exports = {',
      "  uiHost: '127.0.0.1',",
      "  flowFile: 'flows.json',",
      `  credentialSecret: '${credentialSecret}',`,
      "  contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 1 } } },",
      '  telemetry: { enabled: false, updateNotification: false },',
      "  logging: { console: { level: 'trace', metrics: false, audit: false } },",
      '  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },',
      '};',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const chunks: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', settings, '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const get = (pathname: string): Promise<{ status: number; text: string }> => httpRequest('GET', url + pathname);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited during start-up:\n${chunks.join('')}`);
    try {
      if ((await get('/flows')).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Node-RED did not start:\n${chunks.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const red: RealNodeRed = {
    userDir,
    url,
    credentialSecret,
    output: () => chunks.join(''),
    get,
    async deploy(flow) {
      const res = await httpRequest('POST', `${url}/flows`, { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, JSON.stringify(flow));
      if (res.status !== 204 && res.status !== 200) throw new Error(`deploy failed: HTTP ${res.status} ${res.text}`);
    },
    async stop(signal = 'SIGTERM') {
      const started = process.hrtime.bigint();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return { code, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    },
    files() {
      const out: Array<{ file: string; text: string }> = [];
      const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.isSymbolicLink()) continue; // the package itself
          if (entry.isDirectory()) walk(full);
          else out.push({ file: path.relative(userDir, full), text: fs.readFileSync(full, 'latin1') });
        }
      };
      walk(userDir);
      return out;
    },
    credentials() {
      const stored = JSON.parse(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8')) as { $: string };
      const key = createHash('sha256').update(credentialSecret).digest();
      const decipher = createDecipheriv('aes-256-ctr', key, Buffer.from(stored.$.substring(0, 32), 'hex'));
      const text = decipher.update(stored.$.substring(32), 'base64', 'utf8') + decipher.final('utf8');
      return JSON.parse(text) as Record<string, Record<string, string>>;
    },
    cleanup() {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
  return red;
}
