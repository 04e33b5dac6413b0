#!/usr/bin/env node
// `npm run test:install`: the package as a user gets it. Builds, `npm pack`s, runs the flow-library
// scorecard (node-red-dev validate) on the unpacked tarball, then installs the tarball into a
// brand-new Node-RED user directory and checks it through the admin API and the comms websocket of
// a separately started Node-RED:
//   - Node-RED 4 on this machine's Node.js: `npm install node-red@4` into the temp dir (the latest
//     4.x, as a user gets it; --node-red-4=dev uses the devDependency instead, no download),
//   - Node-RED 5 on Node.js 22, both from the npm registry (`npm install node@22`, `node-red@5`).
// Everything (npm cache included) lives in one temp dir, removed at the end, also on failure.
//
// Options: --only=scorecard|4|5 (comma list)  --node-red-4=registry|dev  --keep (leave the temp dir)
//          --verbose (print Node-RED's log)  --skip-build  --tarball=<file.tgz> (test that tarball:
//          no build, no pack)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { NPM, run, npm, killAll, makeTempRoot, removeDir, seconds } = require('./lib/proc');
const { prepareNodeRed4, prepareNodeRed5 } = require('./lib/node-red-targets');
const { testTarget, makeChecker, FAILED } = require('./lib/install-checks');
const { scorecard, unpack } = require('./lib/scorecard');

const root = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = { only: [], nr4: 'registry', keep: false, verbose: false, skipBuild: false, tarball: undefined };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'only' && value) opts.only.push(...value.split(','));
    else if (key === 'node-red-4') opts.nr4 = value;
    else if (key === 'keep') opts.keep = true;
    else if (key === 'verbose') opts.verbose = true;
    else if (key === 'skip-build') opts.skipBuild = true;
    else if (key === 'tarball') opts.tarball = path.resolve(value);
    else if (key === 'help' || key === 'h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 13).join('\n').replace(/^\/\/ ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (try --help)`);
  }
  if (!['dev', 'registry'].includes(opts.nr4)) throw new Error('--node-red-4 must be dev or registry');
  const all = !opts.only.length;
  opts.runScorecard = all || opts.only.includes('scorecard');
  opts.run4 = all || opts.only.includes('4');
  opts.run5 = all || opts.only.includes('5');
  return opts;
}

/** A background step whose failure is reported only when awaited (no unhandled rejection). */
function background(promiseFactory) {
  const t0 = Date.now();
  const p = promiseFactory().then(
    (value) => ({ value, ms: Date.now() - t0 }),
    (error) => ({ error, ms: Date.now() - t0 }),
  );
  return p;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const phases = [];
  const results = [];
  const tempRoot = makeTempRoot('blynk-test-install-');
  const cacheDir = path.join(tempRoot, 'npm-cache');
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await killAll();
      if (opts.keep) console.log(`temp dir kept: ${tempRoot}`);
      else removeDir(tempRoot);
    })());
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      console.log(`\n${sig}: stopping and cleaning up`);
      cleanup().finally(() => process.exit(130));
    });
  }
  const phase = async (name, fn) => {
    const p0 = Date.now();
    try {
      return await fn();
    } finally {
      phases.push([name, Date.now() - p0]);
    }
  };

  console.log(`test-install: temp dir ${tempRoot} (npm cache inside it), Node.js ${process.version}, npm on PATH`);
  try {
    // Node-RED 5 and Node 22 come from the registry: fetch them while the rest runs.
    const prep5 = opts.run5 ? background(() => prepareNodeRed5({ tempRoot, cacheDir })) : undefined;
    const prep4 = opts.run4 ? background(() => prepareNodeRed4({ tempRoot, cacheDir, mode: opts.nr4 })) : undefined;

    const check = makeChecker('package', results);
    if (!opts.skipBuild && !opts.tarball) {
      const built = await phase('build', () =>
        check('npm run build', async () => {
          // npm's own log goes to the temp cache too; the build itself is the project's script
          const env = { ...process.env, npm_config_cache: cacheDir };
          return seconds((await run(NPM, ['run', 'build'], { cwd: root, env, label: 'npm run build' })).ms);
        }),
      );
      if (built === FAILED) throw new Error('the build failed');
    }

    const packDir = path.join(tempRoot, 'pack');
    fs.mkdirSync(packDir);
    const tarball = await phase('pack', () =>
      check(opts.tarball ? `given tarball ${path.basename(opts.tarball)}` : 'npm pack', async () => {
        if (opts.tarball) {
          const file = path.join(packDir, path.basename(opts.tarball));
          fs.copyFileSync(opts.tarball, file);
          return { text: `${(fs.statSync(file).size / 1024).toFixed(1)} kB`, value: file };
        }
        const r = await npm(['pack', '--json', '--pack-destination', packDir], { cwd: root, cacheDir, label: 'npm pack' });
        const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
        const file = path.join(packDir, info.filename);
        if (!fs.existsSync(file)) throw new Error(`npm pack wrote no ${info.filename}`);
        const files = info.files.map((f) => f.path);
        const must = ['package.json', 'README.md', 'LICENSE', 'dist/nodes/icons/', 'dist/nodes/locales/en-US/', 'examples/'];
        const missing = must.filter((m) => !files.some((f) => f === m || f.startsWith(m)));
        const stray = files.filter((f) => /^(src|test|bench|scripts|node_modules|dist-test|dist-bench)\//.test(f));
        if (missing.length || stray.length) throw new Error(`tarball: missing ${missing.join(', ') || '-'}; should not ship ${stray.join(', ') || '-'}`);
        return { text: `${info.filename}, ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB packed`, value: file };
      }),
    );
    if (tarball === FAILED) throw new Error('npm pack failed');

    if (opts.runScorecard) {
      console.log('\n== flow-library scorecard ==');
      await phase('scorecard', async () => {
        const workDir = path.join(tempRoot, 'scorecard');
        const pkgDir = unpack(tarball, path.join(workDir, 'package'));
        await scorecard({ pkgDir, workDir, check: makeChecker('scorecard', results), verbose: opts.verbose });
      });
    }

    const { startSimulator } = require(path.join(root, 'dist', 'simulator'));
    const { exampleFlows } = require('./example-flows');
    const ctx = { tempRoot, cacheDir, tarball, results, startSimulator, exampleFlows, verbose: opts.verbose };
    for (const [enabled, prep, label] of [
      [opts.run4, prep4, 'Node-RED 4'],
      [opts.run5, prep5, 'Node-RED 5'],
    ]) {
      if (!enabled) continue;
      console.log(`\n== ${label} ==`);
      await phase(label, async () => {
        const prepared = await prep;
        const checkPrep = makeChecker(label, results);
        const target = await checkPrep(`get ${label}`, async () => {
          if (prepared.error) throw prepared.error;
          const t = prepared.value;
          const node = `Node.js ${t.nodeVersion}${t.nodeSource ? ` from ${t.nodeSource}` : ' (this machine)'} at ${t.nodeBin}`;
          return { text: `${t.nodeRedVersion} from ${t.source}; ${node} (ready after ${seconds(prepared.ms)}, in the background)`, value: t };
        });
        if (target === FAILED) return;
        await testTarget(target, ctx);
      });
    }
  } catch (err) {
    results.push({ target: 'run', name: 'test-install', ok: false, message: err.message });
    console.log(`\n✘ ${err.message}`);
  } finally {
    const c0 = Date.now();
    await cleanup();
    phases.push(['cleanup', Date.now() - c0]);
  }

  const failed = results.filter((r) => !r.ok);
  const skipped = results.filter((r) => r.skipped);
  console.log('\n== summary ==');
  console.log(`time: ${phases.map(([n, ms]) => `${n} ${seconds(ms)}`).join(', ')}; total ${seconds(Date.now() - t0)}`);
  console.log(`${results.length - failed.length} checks passed (${skipped.length} not verifiable here), ${failed.length} failed`);
  for (const s of skipped) console.log(`  ⚠ [${s.target}] ${s.name}: ${s.skipped}`);
  for (const f of failed) console.log(`  ✘ [${f.target}] ${f.name}: ${f.message.split('\n')[0]}`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch(async (err) => {
  console.error(err && err.stack ? err.stack : err);
  await killAll();
  process.exitCode = 1;
});
