// The package as a user meets it, on each Node-RED: the packed tarball installed into a brand-new
// user directory, Node-RED run as its own process (scripts/lib/node-red.js), and everything observed
// from outside through the admin API (HTTP) and the editor's comms websocket; then the thermostat
// example deployed against the simulator and driven.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startSimulator, Simulator } from '../../dist/simulator';
import { exampleFlows } from '../../scripts/example-flows';
import { launchNodeRed, NodeRed, PACKAGE, ROOT } from '../../scripts/lib/node-red';
import type { Target } from '../../scripts/lib/node-red-targets';
import { childEnv, npm, tail } from '../../scripts/lib/proc';
import { sleep, waitFor } from '../../scripts/lib/wait';
import { getJson, http } from './admin';
import { Comms } from './comms';
import { describeRequests, expectRequest } from './requests';
import { run, TARGET_LABELS, TargetName, verbose, wanted } from './setup';
import { FILE as EXAMPLE, thermostat } from './thermostat';

/** Every node type the package declares, config node first (package.json is the one list). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TYPES = Object.keys((require('../../package.json') as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
const WRITE = '/api/v1/organization/device/datastreams';

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any
const jsonFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();

function helpOf(html: string, type: string): string | undefined {
  return new RegExp(`<script[^>]*data-help-name=["']${type}["'][^>]*>([\\s\\S]*?)</script>`).exec(html)?.[1];
}

function iconOf(pkgDir: string, type: string): string {
  const m = /\bicon\s*:\s*["']([^"']+)["']/.exec(fs.readFileSync(path.join(pkgDir, 'dist', 'nodes', `${type}.html`), 'utf8'));
  if (!m) throw new Error(`no literal icon: in dist/nodes/${type}.html`);
  return m[1];
}

const leafStrings = (value: unknown): unknown[] =>
  value && typeof value === 'object' ? Object.values(value).flatMap(leafStrings) : [value];

/** agent-base below 6.0.0 anywhere in an installed tree (node-red-dev's D02 "bad package"). */
function oldAgentBase(nodeModules: string, depth = 0): string[] {
  if (depth > 12 || !fs.existsSync(nodeModules)) return [];
  const dirs = fs
    .readdirSync(nodeModules)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) =>
      n.startsWith('@') ? fs.readdirSync(path.join(nodeModules, n)).map((s) => path.join(nodeModules, n, s)) : [path.join(nodeModules, n)],
    );
  return dirs.flatMap((dir) => {
    const pj = path.join(dir, 'package.json');
    if (!fs.existsSync(pj)) return [];
    const { name, version } = readJson(pj) as { name: string; version: string };
    const own = name === 'agent-base' && Number(String(version).split('.')[0]) < 6 ? [`${name}@${version} (${dir})`] : [];
    return [...own, ...oldAgentBase(path.join(dir, 'node_modules'), depth + 1)];
  });
}

for (const name of (Object.keys(TARGET_LABELS) as TargetName[]).filter(wanted)) {
  describe(TARGET_LABELS[name], function () {
    this.timeout(5 * 60_000);
    let target: Target;
    let userDir: string;
    let pkgDir: string;
    let red: NodeRed | undefined;
    let base: string;
    let sim: Simulator | undefined;
    let comms: Comms | undefined;
    let logFromDeploy = 0;
    let stopped: Awaited<ReturnType<NodeRed['stop']>> | undefined;

    // One step needs the one before (installed, started, deployed): after a failure the rest is skipped.
    let broken = false;
    beforeEach(function () {
      if (broken) this.skip();
    });
    afterEach(function () {
      if (this.currentTest?.state === 'failed') broken = true;
    });

    before(async function () {
      this.timeout(15 * 60_000); // the downloads of Node.js and Node-RED may still be under way
      target = await run.targets[name]!;
      const node = `Node.js ${target.nodeVersion}${target.nodeSource ? ` from ${target.nodeSource}` : ' (this machine)'}`;
      console.log(`      Node-RED ${target.nodeRedVersion} from ${target.source}; ${node} at ${target.nodeBin}`);
      userDir = path.join(run.tempRoot, `${target.key}-user`);
      fs.mkdirSync(userDir, { recursive: true });
    });

    after(async function () {
      this.timeout(60_000);
      comms?.close();
      if (red) stopped ??= await red.stop();
      if (red && (verbose || broken)) {
        console.log(`      --- ${TARGET_LABELS[name]} log (last lines) ---\n${tail(red.output(), 40).replace(/^/gm, '      ')}`);
      }
      await sim?.close();
    });

    it('installs the tarball into a new user dir (npm install <tarball>)', async function () {
      const opts = { cwd: userDir, cacheDir: run.cacheDir, nodeBinDir: target.nodeBinDir };
      await npm(['init', '-y'], { ...opts, label: 'npm init -y' });
      await npm(['install', '--no-audit', '--no-fund', run.packed.file], {
        ...opts,
        label: `npm install ${path.basename(run.packed.file)}`,
      });
      pkgDir = path.join(userDir, 'node_modules', PACKAGE);
      assert.ok(fs.existsSync(path.join(pkgDir, 'package.json')), `${PACKAGE} is not in ${userDir}/node_modules`);
      assert.ok(!fs.lstatSync(pkgDir).isSymbolicLink(), `${PACKAGE} was linked, not installed`);
    });

    it('installs the runtime dependencies from the registry, no agent-base < 6 (scorecard D02)', function () {
      const deps = Object.keys(readJson(path.join(pkgDir, 'package.json')).dependencies ?? {});
      for (const d of deps) {
        const found = [pkgDir, userDir].some((dir) => fs.existsSync(path.join(dir, 'node_modules', d, 'package.json')));
        assert.ok(found, `dependency ${d} was not installed`);
      }
      assert.deepEqual(oldAgentBase(path.join(userDir, 'node_modules')), [], 'installed tree has agent-base < 6.0.0');
    });

    it('installs an undici release that runs on its Node.js (npm picks one by its engines)', function () {
      const file = [pkgDir, userDir].map((dir) => path.join(dir, 'node_modules', 'undici', 'package.json')).find((f) => fs.existsSync(f));
      assert.ok(file, 'undici was not installed');
      const undici = readJson(file) as { version: string; engines: { node: string } };
      const needs = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(undici.engines.node);
      assert.ok(needs, `undici ${undici.version}: engines.node "${undici.engines.node}" is not a plain ">=x.y[.z]"`);
      const have = target.nodeVersion.replace(/^v/, '').split('.').map(Number);
      const [major, minor, patch] = needs.slice(1).map((n) => Number(n ?? 0));
      const fits = have[0] - major || have[1] - minor || have[2] - patch;
      assert.ok(fits >= 0, `undici ${undici.version} needs Node.js ${undici.engines.node}; this is ${target.nodeVersion}`);
      console.log(`      undici ${undici.version} (Node.js ${undici.engines.node}) on ${target.nodeVersion}`);
    });

    it('starts, on the expected Node.js and Node-RED', async function () {
      red = await launchNodeRed({
        userDir,
        nodeBin: target.nodeBin,
        nodeRedDir: target.nodeRedDir,
        env: childEnv({ prependPath: target.nodeBinDir }),
        writtenBy: 'test/install: a minimal Node-RED on loopback, nothing sent anywhere',
        settings: { credentialSecret: 'test-install-credential-secret' },
      });
      base = red.url;
      const settings = await getJson(base, '/settings');
      const nodeVersion = /Node\.js\s+version:\s*(v[\d.]+)/.exec(red.output())?.[1];
      assert.equal(nodeVersion, target.nodeVersion, 'the Node.js that Node-RED reports');
      // "-git": Node-RED appends it when a .git dir is 4 levels above its lib/ (the devDependency in this repo)
      assert.equal(String(settings.version).replace(/-git$/, ''), target.nodeRedVersion, 'GET /settings version');
    });

    it(`GET /nodes: ${TYPES.length} node types registered, enabled, no load error; a user install`, async function () {
      const sets = (await getJson(base, '/nodes')) as Array<{
        id: string;
        module: string;
        types?: string[];
        enabled: boolean;
        err?: unknown;
      }>;
      const ours = sets.filter((s) => s.module === PACKAGE);
      assert.ok(ours.length, `module ${PACKAGE} not in GET /nodes; Node-RED log:\n${tail(red!.output(), 30)}`);
      const problems: string[] = [];
      for (const type of TYPES) {
        const set = ours.find((s) => (s.types ?? []).includes(type));
        if (!set) {
          problems.push(`${type}: not registered`);
          continue;
        }
        // The admin API never returns `loaded` (runtime/lib/api/nodes.js deletes it); a set that did
        // not load has `err`. The deploy below runs the example, which shows its types were loaded.
        const info = await getJson(base, `/nodes/${set.id}`);
        if (set.err || info.err) problems.push(`${type}: load error ${JSON.stringify(set.err || info.err)}`);
        else if (!set.enabled || !info.enabled) problems.push(`${type}: enabled=${set.enabled}/${info.enabled}`);
      }
      const startupLog = red!
        .output()
        .split('\n')
        .filter((l) => /\[(warn|error)\]/.test(l) && (l.includes(PACKAGE) || TYPES.some((t) => l.includes(t))));
      if (startupLog.length) problems.push(`Node-RED log at start-up:\n${startupLog.join('\n')}`);
      const extra = ours.flatMap((s) => s.types ?? []).filter((t) => !TYPES.includes(t));
      if (extra.length) problems.push(`unexpected types: ${extra.join(', ')}`);
      // the module as a whole: loaded from the user dir, listed in its package.json (a user install)
      const mod = await getJson(base, `/nodes/${PACKAGE}`);
      if (!mod.local || !mod.user) problems.push(`module local=${mod.local} user=${mod.user}, expected a user install`);
      if (path.resolve(mod.path) !== fs.realpathSync(pkgDir)) problems.push(`module loaded from ${mod.path}, not ${pkgDir}`);
      assert.deepEqual(problems, []);
    });

    it('GET /nodes (text/html): editor definition, template and help of every type', async function () {
      const res = await http(base, '/nodes', { headers: { Accept: 'text/html' } });
      assert.equal(res.status, 200);
      const problems: string[] = [];
      for (const type of TYPES) {
        if (!new RegExp(`registerType\\(\\s*['"]${type}['"]`).test(res.text)) problems.push(`${type}: no RED.nodes.registerType`);
        if (!res.text.includes(`data-template-name="${type}"`)) problems.push(`${type}: no edit template`);
        const help = helpOf(res.text, type);
        if (help === undefined) problems.push(`${type}: no data-help-name="${type}"`);
        else if (help.replace(/<[^>]+>/g, '').trim().length < 80) problems.push(`${type}: help is nearly empty`);
      }
      assert.deepEqual(problems, []);
    });

    it('GET /nodes/messages?lng=en-US: the message catalogue of every type, as shipped', async function () {
      const all = await getJson(base, '/nodes/messages?lng=en-US');
      const problems: string[] = [];
      for (const type of TYPES) {
        const ns = `${PACKAGE}/${type}`;
        const served = all[ns];
        const file = path.join(pkgDir, 'dist', 'nodes', 'locales', 'en-US', `${type}.json`);
        if (!served || !Object.keys(served).length) problems.push(`${ns}: missing or empty`);
        else if (leafStrings(served).some((s) => typeof s !== 'string' || !s.trim())) problems.push(`${ns}: empty strings`);
        else if (!fs.existsSync(file)) problems.push(`${ns}: ${path.relative(pkgDir, file)} not in the package`);
        else if (!isDeepStrictEqual(served, readJson(file)))
          problems.push(`${ns}: served catalogue differs from ${path.relative(pkgDir, file)}`);
      }
      assert.deepEqual(problems, []);
    });

    it('GET /icons/…: every node icon served as SVG and listed', async function () {
      const icons = [...new Set(TYPES.map((type) => iconOf(pkgDir, type)))];
      const listed: string[] = (await getJson(base, '/icons'))[PACKAGE] ?? [];
      const problems: string[] = [];
      for (const icon of icons) {
        const res = await http(base, `/icons/${PACKAGE}/${encodeURIComponent(icon)}`);
        if (res.status !== 200) problems.push(`${icon}: HTTP ${res.status}`);
        else if (!res.type.startsWith('image/svg+xml')) problems.push(`${icon}: content-type ${res.type}`);
        else if (!/<svg[\s>]/.test(res.text)) problems.push(`${icon}: body is not an SVG`);
        if (!listed.includes(icon)) problems.push(`${icon}: not in GET /icons for ${PACKAGE}`);
      }
      assert.deepEqual(problems, []);
    });

    it('GET /resources/…: the style sheet the dialogs load is served', async function () {
      const wanted = new Set<string>();
      const problems: string[] = [];
      for (const type of TYPES) {
        const html = fs.readFileSync(path.join(pkgDir, 'dist', 'nodes', `${type}.html`), 'utf8');
        if (/<script\s+src=/.test(html)) problems.push(`${type}.html loads a script: the build bundles the editor code into it`);
        for (const m of html.matchAll(/"(resources\/node-red-contrib-blynk-cloud\/[^"]+)"/g)) wanted.add(m[1]);
      }
      assert.ok(wanted.size, 'no dialog loads a resource');
      for (const src of wanted) {
        const res = await http(base, `/${src}`);
        if (res.status !== 200) problems.push(`${src}: HTTP ${res.status}`);
        else if (!/css/.test(res.type)) problems.push(`${src}: content-type ${res.type}`);
        else if (!res.text.includes('.blynk-cloud-field-error')) problems.push(`${src}: not the dialogs' styles`);
      }
      assert.deepEqual(problems, []);
    });

    it('GET /library/examples/flows: the examples are shipped, listed and served as the files', async function () {
      const shipped = jsonFiles(path.join(pkgDir, 'examples'));
      assert.deepEqual(shipped, jsonFiles(path.join(ROOT, 'examples')), 'the package ships the examples of the repository');
      const modules = await getJson(base, '/library/examples/flows/');
      assert.ok(Array.isArray(modules) && modules.includes(PACKAGE), `${PACKAGE} not among the example modules ${JSON.stringify(modules)}`);
      const names = ((await getJson(base, `/library/examples/flows/${PACKAGE}`)) as Array<{ fn: string }>).map((e) => e.fn).sort();
      assert.deepEqual(
        names,
        shipped.map((f) => f.replace(/\.json$/, '')),
      );
      for (const name of names) {
        const flow = await getJson(base, `/library/examples/flows/${PACKAGE}/${encodeURIComponent(name)}`);
        assert.deepEqual(flow, readJson(path.join(pkgDir, 'examples', `${name}.json`)), `example "${name}" served differs from the file`);
      }
    });

    it(`deploys example "${thermostat.name}" (POST /flows, full), its flows start`, async function () {
      sim = await startSimulator({ port: 0 });
      comms = new Comms(target.nodeRedDir, `ws://127.0.0.1:${red!.port}/comms`);
      await comms.open();
      logFromDeploy = red!.output().length;
      const flows = exampleFlows({ server: sim.url, demo: sim.demo, files: [EXAMPLE] });
      const res = await http(base, '/flows', { method: 'POST', headers: { 'Node-RED-Deployment-Type': 'full' }, body: flows });
      assert.ok(res.status === 204 || res.status === 200, `HTTP ${res.status} ${res.text.slice(0, 300)}`);
      const after = await getJson(base, '/flows');
      const ids = ((after.flows ?? after) as Array<{ id: string }>).map((n) => n.id);
      assert.deepEqual(
        flows.filter((n) => !ids.includes(n.id)).map((n) => n.id),
        [],
        'not in GET /flows after deploy',
      );
      await sleep(300); // the runtime logs "Started flows" or "Waiting for missing types" just after
      const since = red!.output().slice(logFromDeploy);
      const missing = since
        .split('\n')
        .filter((l) => /\[info\]\s+- \S/.test(l))
        .map((l) => l.replace(/.*\[info\]\s+- /, ''));
      assert.ok(
        !since.includes('Waiting for missing types'),
        `the flows did not start: Node-RED is waiting for missing types ${missing.join(', ')}`,
      );
    });

    it('stores the credentials encrypted, not in the flow file; the editor gets secrets only as has_*', async function () {
      const flowFile = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
      const credFile = path.join(userDir, 'flows_cred.json');
      assert.ok(fs.existsSync(credFile), 'no flows_cred.json');
      const creds = fs.readFileSync(credFile, 'utf8');
      for (const secret of [sim!.demo.clientSecret, sim!.demo.clientId, sim!.demo.devices[0].token]) {
        assert.ok(!flowFile.includes(secret), 'a credential is in flows.json in clear');
        assert.ok(!creds.includes(secret), 'a credential is in flows_cred.json in clear');
      }
      const nodes = JSON.parse(flowFile) as Array<{ id: string; type: string; credentials?: unknown }>;
      const config = nodes.find((n) => n.type === 'blynk-cloud-config');
      assert.ok(config && !config.credentials, 'config node missing from flows.json, or with credentials');
      // what the edit dialogs get back: text credentials readable, password ones only as has_<name>
      const cc = await getJson(base, `/credentials/blynk-cloud-config/${config.id}`);
      assert.equal(cc.clientId, sim!.demo.clientId, 'GET /credentials/blynk-cloud-config: clientId');
      assert.ok(
        cc.has_clientSecret === true && !('clientSecret' in cc),
        `GET /credentials/blynk-cloud-config: ${JSON.stringify(Object.keys(cc))}`,
      );
      const update = nodes.find((n) => n.type === 'blynk-cloud-device-update')!;
      const uc = await getJson(base, `/credentials/blynk-cloud-device-update/${update.id}`);
      assert.ok(
        uc.has_token === true && !('token' in uc),
        `GET /credentials/blynk-cloud-device-update: ${JSON.stringify(Object.keys(uc))}`,
      );
    });

    /** Clicks inject `id` and resolves with the simulator log index before it. */
    async function click(id: string): Promise<number> {
      const from = sim!.log.length;
      const res = await http(base, `/inject/${id}`, { method: 'POST' });
      assert.equal(res.status, 200, `POST /inject/${id}`);
      return from;
    }
    const requestsSince = (from: number, until: (entries: readonly unknown[]) => boolean): Promise<unknown> =>
      waitFor(() => until(sim!.log.slice(from)), 'the requests at the simulator', 5_000, 50).catch(() => undefined);

    it('flow: the deploy writes nothing; "check now" gets the device (21.5 °C) and writes "ok"', async function () {
      await sleep(4000);
      const writes = sim!.log.filter((e) => e.path.endsWith('/device/datastreams') || e.path.endsWith('/device/datastream'));
      assert.equal(writes.length, 0, `the deploy wrote to a device:\n${describeRequests(writes)}`);
      const debugFrom = comms!.messages.length;
      const from = await click(thermostat.checkNow);
      assert.deepEqual(await comms!.output(thermostat.written, debugFrom, 'the "written" debug node', 20_000), { 3: 'ok' });
      await requestsSince(from, (e) => e.some((x) => (x as { path: string }).path === WRITE));
      const entries = sim!.log.slice(from);
      expectRequest(entries, { method: 'POST', path: '/oauth2/token', status: 200 });
      expectRequest(entries, { method: 'GET', path: '/api/v1/organization/device', query: { deviceId: '101' }, status: 200 });
      expectRequest(entries, { method: 'POST', path: WRITE, body: { deviceId: 101, values: { 3: 'ok' } }, status: 204 });
      assert.ok(!entries.some((e) => e.path.endsWith('/trigger-event')), 'an event was logged at 21.5 °C');
    });

    it('flow: inject "31 °C (hot)" → device update with the device token', async function () {
      const device = sim!.demo.devices[0];
      const debugFrom = comms!.messages.length;
      const from = await click(thermostat.hot);
      assert.equal(await comms!.output(thermostat.reported, debugFrom, 'the "reported" debug node'), 31);
      await requestsSince(from, (e) => e.length >= 1);
      const entries = sim!.log.slice(from);
      expectRequest(entries, { method: 'GET', path: '/external/api/update', query: { token: device.token, V1: '31' }, status: 200 });
      assert.equal(entries.length, 1, `expected one request, got:\n${describeRequests(entries)}`);
      assert.equal(sim!.state.value(device.id, 2), 31, 'simulator temperature');
    });

    it('flow: "check now" at 31 °C → writes "too hot", logs high_temp once, reuses the token', async function () {
      const device = sim!.demo.devices[0];
      const description = 'Temperature is 31 °C (limit 25 °C)';
      const debugFrom = comms!.messages.length;
      const from = await click(thermostat.checkNow);
      assert.deepEqual(await comms!.output(thermostat.written, debugFrom, 'the "written" debug node'), { 1: 0, 3: 'too hot' });
      assert.equal(await comms!.output(thermostat.logged, debugFrom, 'the "event logged" debug node'), description);
      await requestsSince(from, (e) => e.length >= 3);
      const entries = sim!.log.slice(from);
      expectRequest(entries, { method: 'GET', path: '/api/v1/organization/device', query: { deviceId: '101' }, status: 200 });
      expectRequest(entries, { method: 'POST', path: WRITE, body: { deviceId: 101, values: { 1: 0, 3: 'too hot' } }, status: 204 });
      expectRequest(entries, {
        method: 'POST',
        path: '/api/v1/organization/device/trigger-event',
        body: { deviceId: 101, eventCode: 'high_temp', eventDescription: description },
        status: 204,
      });
      assert.equal(entries.length, 3, `expected 3 requests, got:\n${describeRequests(entries)}`);
      assert.ok(sim!.state.value(device.id, 1) === 0 && sim!.state.value(device.id, 3) === 'too hot', 'simulator datastreams not updated');
      const events = sim!.state.events(device.id);
      assert.ok(
        events.length === 1 && events[0].code === 'high_temp' && events[0].description === description,
        `simulator events ${JSON.stringify(events)}`,
      );
      assert.equal(sim!.tokens.requests, 1, 'OAuth token requests for the run (the token reused)');
    });

    it('no warnings or errors from the flow (debug sidebar and Node-RED log)', function () {
      const logged = red!
        .output()
        .slice(logFromDeploy)
        .split('\n')
        .filter((l) => /\[(error|warn)\]/.test(l));
      const problems = comms!.problems().map((d) => `debug level ${d.level} from ${d.type ?? ''} ${d.id ?? ''}: ${String(d.msg)}`);
      assert.deepEqual([...problems, ...logged], []);
    });

    it('stops cleanly on SIGINT', async function () {
      comms?.close();
      stopped = await red!.stop({ signal: 'SIGINT', graceMs: 15_000 });
      assert.ok(stopped.graceful, `did not exit within 15 s of SIGINT; log:\n${tail(red!.output(), 20)}`);
      const lastStop = red!.output().split('Stopping flows').pop() ?? '';
      assert.ok(!/Error stopping node|Error: /.test(lastStop), `errors while stopping:\n${tail(red!.output(), 20)}`);
    });
  });
}
