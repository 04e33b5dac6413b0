// What every packed-install spec shares (mocha root hooks, registered when a spec file first imports
// this module): one temp dir for the run (npm cache inside it), the tarball packed once, the Node-RED
// installations fetched in the background from the start, and everything stopped and removed at the
// end, also on Ctrl-C. Options come from scripts/test-install.js as BLYNK_INSTALL_* variables.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAll, npm } from '../../scripts/lib/proc';
import { prepareNodeRed4, prepareNodeRed4OnNode18, prepareNodeRed5, Target } from '../../scripts/lib/node-red-targets';
import { ROOT } from '../../scripts/lib/node-red';

const env = process.env;
const only = (env.BLYNK_INSTALL_ONLY ?? '').split(',').filter(Boolean);
/** A Node-RED installation: Node-RED 4 on this Node.js, Node-RED 5 on Node 22, Node-RED 4 on Node 18. */
export type TargetName = '4' | '5' | 'node18';
export const TARGET_LABELS: Readonly<Record<TargetName, string>> = {
  '4': 'Node-RED 4',
  '5': 'Node-RED 5',
  node18: 'Node-RED 4 on Node.js 18',
};
/** What this run covers: the scorecard and each installation (all unless --only). */
export const wanted = (part: 'scorecard' | TargetName): boolean => only.length === 0 || only.includes(part);
export const verbose = env.BLYNK_INSTALL_VERBOSE === '1';

export interface Packed {
  file: string;
  /** npm pack --json's file list (undefined for a given tarball). */
  files?: string[];
  summary: string;
}

export const run = {
  tempRoot: fs.mkdtempSync(path.join(os.tmpdir(), 'blynk-test-install-')),
  get cacheDir(): string {
    return path.join(this.tempRoot, 'npm-cache');
  },
  packed: undefined as unknown as Packed,
  targets: {} as Partial<Record<TargetName, Promise<Target>>>,
};

async function pack(): Promise<Packed> {
  const dir = path.join(run.tempRoot, 'pack');
  fs.mkdirSync(dir);
  const given = env.BLYNK_INSTALL_TARBALL;
  if (given) {
    const file = path.join(dir, path.basename(given));
    fs.copyFileSync(given, file);
    return { file, summary: `given tarball ${path.basename(given)}, ${(fs.statSync(file).size / 1024).toFixed(1)} kB` };
  }
  const r = await npm(['pack', '--json', '--pack-destination', dir], { cwd: ROOT, cacheDir: run.cacheDir, label: 'npm pack' });
  const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0] as {
    filename: string;
    entryCount: number;
    size: number;
    files: Array<{ path: string }>;
  };
  return {
    file: path.join(dir, info.filename),
    files: info.files.map((f) => f.path),
    summary: `${info.filename}, ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB packed`,
  };
}

/** A promise nobody may await for a while: its rejection is handled when it is awaited. */
function background<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await killAll();
    if (env.BLYNK_INSTALL_KEEP === '1') console.log(`      temp dir kept: ${run.tempRoot}`);
    else fs.rmSync(run.tempRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

before(async function () {
  this.timeout(5 * 60_000);
  // Node-RED and Node.js come from the registry: fetch them while the rest runs.
  const { tempRoot, cacheDir } = run;
  const mode = env.BLYNK_INSTALL_NODE_RED_4 === 'dev' ? 'dev' : 'registry';
  if (wanted('5')) run.targets['5'] = background(prepareNodeRed5({ tempRoot, cacheDir }));
  if (wanted('node18')) run.targets.node18 = background(prepareNodeRed4OnNode18({ tempRoot, cacheDir }));
  if (wanted('4')) run.targets['4'] = background(prepareNodeRed4({ tempRoot, cacheDir, mode }));
  console.log(`      temp dir ${tempRoot} (npm cache inside it), Node.js ${process.version}`);
  run.packed = await pack();
});

after(async function () {
  this.timeout(60_000);
  await cleanup();
});
