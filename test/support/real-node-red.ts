// A real Node-RED process (node-red/red.js) with this package installed the way a user installs
// it (a link in the user directory's node_modules), a credentialSecret, context on disk and
// logging at trace level. For what only the whole product shows: what lands on disk (flows.json,
// flows_cred.json, context), what the admin API gives out, and how the process stops on SIGTERM.
import { createDecipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchNodeRed } from '../../scripts/lib/node-red';
import { httpRequest } from './http';

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

export async function startNodeRed(): Promise<RealNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-rel-nr-'));
  const credentialSecret = 'reliability-credential-secret-4f9';
  const nodeRed = await launchNodeRed({
    userDir,
    link: true,
    writtenBy: 'test/support/real-node-red.ts',
    settings: {
      credentialSecret,
      contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 1 } } },
      logging: { console: { level: 'trace', metrics: false, audit: false } },
    },
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const { url } = nodeRed;
  const get = (pathname: string): Promise<{ status: number; text: string }> => httpRequest('GET', url + pathname);

  const red: RealNodeRed = {
    userDir,
    url,
    credentialSecret,
    output: () => nodeRed.output(),
    get,
    async deploy(flow) {
      const res = await httpRequest(
        'POST',
        `${url}/flows`,
        { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        JSON.stringify(flow),
      );
      if (res.status !== 204 && res.status !== 200) throw new Error(`deploy failed: HTTP ${res.status} ${res.text}`);
    },
    async stop(signal = 'SIGTERM') {
      const { code, ms } = await nodeRed.stop({ signal, graceMs: 30_000 });
      return { code, ms };
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
      if (nodeRed.alive) nodeRed.child.kill('SIGKILL');
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
  return red;
}
