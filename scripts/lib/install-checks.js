// One Node-RED installation, checked as a user would meet the package: the packed tarball is
// installed into a brand-new user directory, Node-RED runs as its own process, and everything is
// observed from outside through the admin API (HTTP) and the editor's comms websocket.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { childEnv, npm, start, freePort, sleep, tail, indent, seconds } = require('./proc');

const MODULE = 'node-red-contrib-blynk-cloud';
// Every node type the package declares, config node first (package.json is the one list).
const TYPES = Object.keys(require('../../package.json')['node-red'].nodes);
const EXAMPLE = '05 - Thermostat - read device, write datastreams, log an event.json';
const LOG_ERROR = 20; // RED.log levels, as carried by debug messages of node.error / node.warn
const LOG_WARN = 30;

const FAILED = Symbol('failed');

/** Runs `fn`, prints one line, records the outcome. Returns fn's value, or FAILED. */
function makeChecker(label, results) {
  return async function check(name, fn) {
    const t0 = Date.now();
    try {
      const detail = await fn();
      if (detail && typeof detail === 'object' && detail.skipped) {
        console.log(`  ⚠ [${label}] ${name} — not verified: ${detail.skipped}`);
        results.push({ target: label, name, ok: true, skipped: detail.skipped });
        return undefined;
      }
      const text = typeof detail === 'string' ? detail : detail && detail.text;
      console.log(`  ✔ [${label}] ${name}${text ? ` — ${text}` : ''} (${seconds(Date.now() - t0)})`);
      results.push({ target: label, name, ok: true });
      return detail && typeof detail === 'object' && 'value' in detail ? detail.value : detail;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.log(`  ✘ [${label}] ${name} — FAILED: ${message.split('\n')[0]}`);
      const rest = message.split('\n').slice(1).join('\n');
      if (rest.trim()) console.log(indent(rest, '      '));
      results.push({ target: label, name, ok: false, message });
      return FAILED;
    }
  };
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- HTTP against the admin API ----

async function http(base, urlPath, { method = 'GET', headers = {}, body, timeoutMs = 15_000 } = {}) {
  const res = await fetch(base + urlPath, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') || '', text };
}

async function getJson(base, urlPath) {
  const res = await http(base, urlPath, { headers: { Accept: 'application/json' } });
  assert(res.status === 200, `GET ${urlPath} → HTTP ${res.status} ${res.text.slice(0, 200)}`);
  try {
    return JSON.parse(res.text);
  } catch {
    throw new Error(`GET ${urlPath}: not JSON (${res.type}): ${res.text.slice(0, 200)}`);
  }
}

// ---- the editor's comms websocket (debug sidebar) ----

class Comms {
  constructor(WebSocket, url) {
    this.messages = []; // { topic, data, at }
    this.waiters = [];
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (raw) => {
      let batch;
      try {
        batch = JSON.parse(String(raw));
      } catch {
        return;
      }
      for (const m of Array.isArray(batch) ? batch : [batch]) {
        if (!m || !m.topic) continue;
        this.messages.push({ ...m, at: Date.now() });
      }
      this.waiters = this.waiters.filter((w) => !w.poll());
    });
  }

  async open() {
    await this.opened;
    this.ws.send(JSON.stringify({ subscribe: 'debug' }));
    this.ws.send(JSON.stringify({ subscribe: 'status/#' }));
  }

  debug(from = 0) {
    return this.messages.slice(from).filter((m) => m.topic === 'debug');
  }

  /** Waits for a debug message of `nodeId` after index `from`; resolves it, decoded. */
  waitForDebug(nodeId, from, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const waiter = {
        poll: () => {
          const hit = this.debug(from).find((m) => m.data && m.data.id === nodeId && m.data.level === undefined);
          if (!hit) return false;
          clearTimeout(waiter.timer);
          resolve(decodeDebug(hit.data));
          return true;
        },
      };
      if (waiter.poll()) return;
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const seen = this.debug(from).map((m) => `${m.data.id || m.data.type}: ${String(m.data.msg).slice(0, 120)}`);
        const list = seen.length ? '\n' + seen.join('\n') : 'none';
        reject(new Error(`no debug output from ${what} within ${seconds(timeoutMs)}; debug messages seen: ${list}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Warnings and errors that nodes logged (they reach the debug sidebar with a level). */
  problems() {
    return this.debug().filter((m) => m.data && (m.data.level === LOG_ERROR || m.data.level === LOG_WARN));
  }

  close() {
    try {
      this.ws.terminate();
    } catch {
      // closed
    }
  }
}

/** The debug node's encodeObject format back to a value. */
function decodeDebug(data) {
  const { format = '', msg } = data;
  if (format === 'number') return Number(msg);
  if (format === 'boolean') return msg === 'true';
  if (format === 'null') return null;
  if (format.startsWith('string')) return msg;
  if (typeof msg === 'string') {
    try {
      return JSON.parse(msg);
    } catch {
      return msg;
    }
  }
  return msg;
}

// ---- simulator log ----

function describeRequests(entries) {
  return entries.length
    ? entries
        .map((e) => {
          const body = e.body === undefined ? '' : ' ' + JSON.stringify(redact(e.body));
          return `${e.method} ${e.path}${queryText(e.query)} → ${e.status}${body}`;
        })
        .join('\n')
    : '(none)';
}

function queryText(query) {
  const keys = Object.keys(query || {});
  if (!keys.length) return '';
  return '?' + keys.map((k) => `${k}=${k === 'token' ? '…' : [].concat(query[k]).join(',')}`).join('&');
}

function redact(body) {
  return typeof body === 'string' ? body.replace(/(secret|password)=[^&]*/gi, '$1=…') : body;
}

/** The one request in `entries` matching method, path, status, query subset and body (deep). */
function expectRequest(entries, { method, path: p, status, query, body }) {
  const matching = entries.filter(
    (e) =>
      e.method === method &&
      e.path === p &&
      (status === undefined || e.status === status) &&
      // query keys compared case-insensitively: Blynk accepts pin V1 and v1 alike
      (query === undefined || Object.entries(query).every(([k, v]) => isDeepStrictEqual(lowerKeys(e.query)[k.toLowerCase()], v))) &&
      (body === undefined || isDeepStrictEqual(e.body, body)),
  );
  assert(
    matching.length === 1,
    `expected exactly one ${method} ${p}${query ? ' with query ' + JSON.stringify(query).replace(/"token":"[^"]+"/, '"token":"…"') : ''}` +
      `${body ? ' with body ' + JSON.stringify(body) : ''}${status ? ` answered ${status}` : ''}, got ${matching.length}; ` +
      `the simulator received:\n${describeRequests(entries)}`,
  );
  return matching[0];
}

function lowerKeys(obj) {
  return Object.fromEntries(Object.entries(obj || {}).map(([k, v]) => [k.toLowerCase(), v]));
}

async function waitForRequests(sim, from, predicate, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const entries = sim.log.slice(from);
    if (predicate(entries)) return entries;
    await sleep(50);
  }
  return sim.log.slice(from);
}

// ---- the run ----

function settingsFile(userDir) {
  const file = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    file,
    `// Written by scripts/test-install.js: a minimal Node-RED on loopback, nothing sent anywhere.
module.exports = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: 'test-install-credential-secret',
    telemetry: { enabled: false },
    editorTheme: { projects: { enabled: false }, tours: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`,
  );
  return file;
}

async function waitForNodeRed(base, red, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!red.alive) throw new Error(`Node-RED exited during start-up:\n${indent(tail(red.log, 40))}`);
    try {
      const res = await http(base, '/settings', { headers: { Accept: 'application/json' }, timeoutMs: 2000 });
      if (res.status === 200 && /Started flows|Flows file|Server now running/.test(red.log)) return JSON.parse(res.text);
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`Node-RED did not answer at ${base} within ${seconds(timeoutMs)}:\n${indent(tail(red.log, 40))}`);
}

/**
 * @param {object} target from node-red-targets.js
 * @param {object} ctx { tempRoot, cacheDir, tarball, results, startSimulator, exampleFlows }
 */
async function testTarget(target, ctx) {
  const check = makeChecker(target.label, ctx.results);
  const t0 = Date.now();
  const userDir = path.join(ctx.tempRoot, `${target.key}-user`);
  fs.mkdirSync(userDir, { recursive: true });
  let red;
  let comms;
  let sim;
  try {
    // 1. a brand-new user directory with the tarball installed, as `npm install <tarball>` does it
    const installed = await check('install the tarball into a new user dir', async () => {
      await npm(['init', '-y'], { cwd: userDir, cacheDir: ctx.cacheDir, nodeBinDir: target.nodeBinDir, label: 'npm init -y' });
      const r = await npm(['install', '--no-audit', '--no-fund', ctx.tarball], {
        cwd: userDir,
        cacheDir: ctx.cacheDir,
        nodeBinDir: target.nodeBinDir,
        label: `npm install ${path.basename(ctx.tarball)}`,
      });
      const pkgDir = path.join(userDir, 'node_modules', MODULE);
      assert(fs.existsSync(path.join(pkgDir, 'package.json')), `${MODULE} is not in ${userDir}/node_modules`);
      assert(!fs.lstatSync(pkgDir).isSymbolicLink(), `${MODULE} was linked, not installed`);
      return { text: `npm install ${path.basename(ctx.tarball)} (${seconds(r.ms)})`, value: pkgDir };
    });
    if (installed === FAILED) return;
    const pkgDir = installed;

    await check('runtime dependencies installed from the registry', async () => {
      const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).dependencies || {});
      const versions = deps.map((d) => {
        const pj = [pkgDir, userDir].map((dir) => path.join(dir, 'node_modules', d, 'package.json')).find((f) => fs.existsSync(f));
        assert(pj, `dependency ${d} was not installed`);
        return `${d} ${JSON.parse(fs.readFileSync(pj, 'utf8')).version}`;
      });
      const old = oldAgentBase(path.join(userDir, 'node_modules'));
      assert(!old.length, `installed tree has agent-base < 6.0.0 (scorecard D02): ${old.join(', ')}`);
      return `${versions.join(', ') || 'none'}; no agent-base < 6 in the installed tree`;
    });

    // 2. Node-RED as its own process
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const settings = settingsFile(userDir);
    const redJs = path.join(target.nodeRedDir, 'red.js');
    red = start(target.nodeBin, [redJs, '--userDir', userDir, '--settings', settings, '--port', String(port)], {
      cwd: userDir,
      env: childEnv({ prependPath: target.nodeBinDir }),
    });
    const runtimeSettings = await check('Node-RED starts', async () => {
      const s = await waitForNodeRed(base, red);
      const nodeVersion = (red.log.match(/Node\.js\s+version:\s*(v[\d.]+)/) || [])[1];
      assert(nodeVersion === target.nodeVersion, `Node-RED reports Node.js ${nodeVersion}, expected ${target.nodeVersion}`);
      // "-git": Node-RED's runtime appends it when a .git dir is 4 levels above its lib/ (the devDependency in this repo)
      const reported = s.version.replace(/-git$/, '');
      assert(reported === target.nodeRedVersion, `GET /settings reports Node-RED ${s.version}, expected ${target.nodeRedVersion}`);
      return { text: `Node-RED ${s.version} on Node.js ${nodeVersion}, ${base}`, value: s };
    });
    if (runtimeSettings === FAILED) return;

    // 3. registration
    await check(`GET /nodes: ${TYPES.length} node types registered, enabled, loaded, no error`, async () => {
      const sets = await getJson(base, '/nodes');
      const ours = sets.filter((s) => s.module === MODULE);
      assert(ours.length, `module ${MODULE} not in GET /nodes; Node-RED log:\n${indent(tail(red.log, 30))}`);
      const problems = [];
      for (const type of TYPES) {
        const set = ours.find((s) => (s.types || []).includes(type));
        if (!set) {
          problems.push(`${type}: not registered`);
          continue;
        }
        // The admin API never returns `loaded` (runtime/lib/api/nodes.js deletes it); a set that did
        // not load has `err`. The deploy below runs the example, which shows its types were loaded.
        const info = await getJson(base, `/nodes/${set.id}`);
        if (set.err || info.err) problems.push(`${type}: load error ${errText(set.err || info.err)}`);
        else if (!set.enabled || !info.enabled) problems.push(`${type}: enabled=${set.enabled}/${info.enabled}`);
      }
      const startupLog = red.log
        .split('\n')
        .filter((l) => /\[(warn|error)\]/.test(l) && (l.includes(MODULE) || TYPES.some((t) => l.includes(t))));
      if (startupLog.length) problems.push(`Node-RED log at start-up:\n${startupLog.join('\n')}`);
      const extra = ours.flatMap((s) => s.types || []).filter((t) => !TYPES.includes(t));
      if (extra.length) problems.push(`unexpected types: ${extra.join(', ')}`);
      // the module as a whole: loaded from the user dir, listed in its package.json (a user install)
      const mod = await getJson(base, `/nodes/${MODULE}`);
      if (!mod.local || !mod.user) problems.push(`module local=${mod.local} user=${mod.user}, expected a user install`);
      if (path.resolve(mod.path) !== fs.realpathSync(pkgDir)) problems.push(`module loaded from ${mod.path}, not ${pkgDir}`);
      assert(!problems.length, problems.join('\n'));
      return `${ours.length} sets enabled, no err, no load warning in the log; version ${mod.version}, loaded from <userDir>/node_modules/${MODULE}`;
    });

    await check('GET /nodes (text/html): editor definition and help of every type', async () => {
      const res = await http(base, '/nodes', { headers: { Accept: 'text/html' } });
      assert(res.status === 200, `HTTP ${res.status}`);
      const problems = [];
      for (const type of TYPES) {
        if (!new RegExp(`registerType\\(\\s*['"]${type}['"]`).test(res.text)) problems.push(`${type}: no RED.nodes.registerType`);
        if (!res.text.includes(`data-template-name="${type}"`)) problems.push(`${type}: no edit template`);
        const help = helpOf(res.text, type);
        if (help === undefined) problems.push(`${type}: no data-help-name="${type}"`);
        else if (help.replace(/<[^>]+>/g, '').trim().length < 80) problems.push(`${type}: help is nearly empty`);
      }
      assert(!problems.length, problems.join('\n'));
      return `${TYPES.length} × (registerType, template, help)`;
    });

    await check('GET /nodes/messages?lng=en-US: message catalogue of every type', async () => {
      const all = await getJson(base, '/nodes/messages?lng=en-US');
      const problems = [];
      let strings = 0;
      for (const type of TYPES) {
        const ns = `${MODULE}/${type}`;
        const served = all[ns];
        const file = path.join(pkgDir, 'dist', 'nodes', 'locales', 'en-US', `${type}.json`);
        const shipped = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
        if (!served || !Object.keys(served).length) {
          problems.push(`${ns}: missing or empty`);
          continue;
        }
        const leaves = leafStrings(served);
        strings += leaves.length;
        if (!leaves.length || leaves.some((s) => typeof s !== 'string' || !s.trim())) problems.push(`${ns}: empty strings`);
        if (!shipped) problems.push(`${ns}: ${path.relative(pkgDir, file)} not in the package`);
        else if (!isDeepStrictEqual(served, shipped)) problems.push(`${ns}: served catalogue differs from ${path.relative(pkgDir, file)}`);
      }
      assert(!problems.length, problems.join('\n'));
      return `${TYPES.length} namespaces, ${strings} strings, equal to the shipped locales/en-US/*.json`;
    });

    await check('GET /icons/…: every node icon served as SVG', async () => {
      const icons = [...new Set(TYPES.map((type) => iconOf(pkgDir, type)))];
      const list = await getJson(base, '/icons');
      const listed = list[MODULE] || [];
      const problems = [];
      for (const icon of icons) {
        const res = await http(base, `/icons/${MODULE}/${encodeURIComponent(icon)}`);
        if (res.status !== 200) problems.push(`${icon}: HTTP ${res.status}`);
        else if (!res.type.startsWith('image/svg+xml')) problems.push(`${icon}: content-type ${res.type}`);
        else if (!/<svg[\s>]/.test(res.text)) problems.push(`${icon}: body is not an SVG`);
        if (!listed.includes(icon)) problems.push(`${icon}: not in GET /icons for ${MODULE}`);
      }
      assert(!problems.length, problems.join('\n'));
      return icons.join(', ');
    });

    await check('GET /resources/…: the style sheet the dialogs load is served', async () => {
      const problems = [];
      const wanted = new Set();
      for (const type of TYPES) {
        const html = fs.readFileSync(path.join(pkgDir, 'dist', 'nodes', `${type}.html`), 'utf8');
        if (/<script\s+src=/.test(html)) problems.push(`${type}.html loads a script: the build bundles the editor code into it`);
        for (const m of html.matchAll(/"(resources\/node-red-contrib-blynk-cloud\/[^"]+)"/g)) wanted.add(m[1]);
      }
      if (!wanted.size) problems.push('no dialog loads a resource');
      for (const src of wanted) {
        const res = await http(base, `/${src}`);
        if (res.status !== 200) problems.push(`${src}: HTTP ${res.status}`);
        else if (!/css/.test(res.type)) problems.push(`${src}: content-type ${res.type}`);
        else if (!res.text.includes('.blynk-cloud-field-error')) problems.push(`${src}: not the dialogs' styles`);
      }
      assert(!problems.length, problems.join('\n'));
      return [...wanted].join(', ');
    });

    await check('GET /library/examples/flows: the examples are listed and served', async () => {
      const shipped = fs
        .readdirSync(path.join(pkgDir, 'examples'))
        .filter((f) => f.endsWith('.json'))
        .sort();
      const inRepo = fs
        .readdirSync(path.resolve(__dirname, '..', '..', 'examples'))
        .filter((f) => f.endsWith('.json'))
        .sort();
      assert(isDeepStrictEqual(shipped, inRepo), `the package ships examples ${JSON.stringify(shipped)}, the repository has ${JSON.stringify(inRepo)}`);
      const modules = await getJson(base, '/library/examples/flows/');
      assert(Array.isArray(modules) && modules.includes(MODULE), `${MODULE} not among the example modules ${JSON.stringify(modules)}`);
      const entries = await getJson(base, `/library/examples/flows/${MODULE}`);
      const names = entries.map((e) => e.fn).sort();
      const expected = shipped.map((f) => f.replace(/\.json$/, ''));
      assert(isDeepStrictEqual(names, expected), `listed ${JSON.stringify(names)}, expected ${JSON.stringify(expected)}`);
      for (const name of names) {
        const flow = await getJson(base, `/library/examples/flows/${MODULE}/${encodeURIComponent(name)}`);
        const file = JSON.parse(fs.readFileSync(path.join(pkgDir, 'examples', `${name}.json`), 'utf8'));
        assert(isDeepStrictEqual(flow, file), `example "${name}" served differs from the file`);
      }
      return `${names.length} examples under ${MODULE}`;
    });

    // 4. deploy one example against the in-process simulator and drive it
    sim = await ctx.startSimulator({ port: 0 });
    const { WebSocket, wsPath } = loadWs(target.nodeRedDir);
    comms = new Comms(WebSocket, `ws://127.0.0.1:${port}/comms`);
    const device = sim.demo.devices[0];
    const logFromDeploy = red.log.length;
    const deployed = await check(`deploy example "${EXAMPLE.replace(/\.json$/, '')}" (POST /flows, full)`, async () => {
      await comms.open();
      const before = await getJson(base, '/flows');
      const flows = ctx.exampleFlows({ server: sim.url, demo: sim.demo, files: [EXAMPLE] });
      const res = await http(base, '/flows', { method: 'POST', headers: { 'Node-RED-Deployment-Type': 'full' }, body: flows });
      assert(res.status === 204 || res.status === 200, `HTTP ${res.status} ${res.text.slice(0, 300)}`);
      const after = await getJson(base, '/flows');
      const ids = (after.flows || after).map((n) => n.id);
      const missing = flows.filter((n) => !ids.includes(n.id)).map((n) => n.id);
      assert(!missing.length, `not in GET /flows after deploy: ${missing.join(', ')}`);
      await sleep(300); // the runtime logs "Started flows" or "Waiting for missing types" just after
      const since = red.log.slice(logFromDeploy);
      if (since.includes('Waiting for missing types')) {
        const types = since.split('\n').filter((l) => /\[info\]\s+- \S/.test(l)).map((l) => l.replace(/.*\[info\]\s+- /, ''));
        throw new Error(`the flows did not start: Node-RED is waiting for missing types ${types.join(', ')}`);
      }
      return `HTTP ${res.status}, ${flows.length} nodes (was ${(before.flows || before).length}) in GET /flows; listening on /comms with ${wsPath}`;
    });
    if (deployed === FAILED) return;

    await check('credentials stored encrypted, not in the flow file', async () => {
      const flowFile = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
      const credFile = path.join(userDir, 'flows_cred.json');
      assert(fs.existsSync(credFile), 'no flows_cred.json');
      const creds = fs.readFileSync(credFile, 'utf8');
      const secrets = [sim.demo.clientSecret, sim.demo.clientId, device.token];
      for (const s of secrets) {
        assert(!flowFile.includes(s), 'a credential is in flows.json in clear');
        assert(!creds.includes(s), 'a credential is in flows_cred.json in clear');
      }
      const config = JSON.parse(flowFile).find((n) => n.type === 'blynk-cloud-config');
      assert(config && !config.credentials, 'config node missing from flows.json, or with credentials');
      // what the edit dialogs get back: text credentials readable, password ones only as has_<name>
      const cc = await getJson(base, `/credentials/blynk-cloud-config/${config.id}`);
      assert(cc.clientId === sim.demo.clientId, `GET /credentials/blynk-cloud-config: clientId ${JSON.stringify(cc.clientId)}`);
      assert(cc.has_clientSecret === true && !('clientSecret' in cc), `GET /credentials/blynk-cloud-config: ${JSON.stringify(Object.keys(cc))}`);
      const update = JSON.parse(flowFile).find((n) => n.type === 'blynk-cloud-device-update');
      const uc = await getJson(base, `/credentials/blynk-cloud-device-update/${update.id}`);
      assert(uc.has_token === true && !('token' in uc), `GET /credentials/blynk-cloud-device-update: ${JSON.stringify(Object.keys(uc))}`);
      return 'only in flows_cred.json (encrypted); the editor gets clientId back, the secret and token only as has_*';
    });

    // a) deploying writes nothing to a device; "check now" reads it: seeded 21.5 °C → status "ok"
    await check('flow: deploy writes nothing; "check now" → get device, write "ok"', async () => {
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const writes = sim.log.filter((e) => e.path.endsWith('/device/datastreams') || e.path.endsWith('/device/datastream'));
      assert(writes.length === 0, `the deploy wrote to a device:\n${describeRequests(writes)}`);
      const from = sim.log.length;
      const debugFrom = comms.messages.length;
      const res = await http(base, '/inject/bth-inject-4', { method: 'POST' });
      assert(res.status === 200, `POST /inject/bth-inject-4 → HTTP ${res.status}`);
      const payload = await comms.waitForDebug('bth-debug-2', debugFrom, 20_000, 'the "written" debug node');
      assert(isDeepStrictEqual(payload, { 3: 'ok' }), `"written" debug shows ${JSON.stringify(payload)}, expected {"3":"ok"}`);
      const entries = await waitForRequests(sim, from, (e) => e.some((x) => x.path.endsWith('/device/datastreams')), 5000);
      expectRequest(entries, { method: 'POST', path: '/oauth2/token', status: 200 });
      expectRequest(entries, { method: 'GET', path: '/api/v1/organization/device', query: { deviceId: '101' }, status: 200 });
      expectRequest(entries, {
        method: 'POST',
        path: '/api/v1/organization/device/datastreams',
        body: { deviceId: 101, values: { 3: 'ok' } },
        status: 204,
      });
      assert(!entries.some((e) => e.path.endsWith('/trigger-event')), 'an event was logged at 21.5 °C');
      return `${entries.length} requests: token, GET device 101, POST datastreams {"3":"ok"}; debug shows {"3":"ok"}`;
    });

    // b) the device reports 31 °C with its token (Device HTTPS API)
    const step2 = sim.log.length;
    const debug2 = comms.messages.length;
    await check('flow: inject "31 °C (hot)" → device update with the device token', async () => {
      const res = await http(base, '/inject/bth-inject-1', { method: 'POST' });
      assert(res.status === 200, `POST /inject/bth-inject-1 → HTTP ${res.status}`);
      const payload = await comms.waitForDebug('bth-debug-1', debug2, 10_000, 'the "reported" debug node');
      assert(payload === 31, `"reported" debug shows ${JSON.stringify(payload)}, expected 31`);
      const entries = await waitForRequests(sim, step2, (e) => e.length >= 1, 5000);
      expectRequest(entries, { method: 'GET', path: '/external/api/update', query: { token: device.token, V1: '31' }, status: 200 });
      assert(entries.length === 1, `expected one request, got:\n${describeRequests(entries)}`);
      assert(sim.state.value(device.id, 2) === 31, `simulator has temperature ${sim.state.value(device.id, 2)}, expected 31`);
      const pin = Object.keys(entries[0].query).find((k) => k.toLowerCase() === 'v1');
      return `GET /external/api/update?token=…&${pin}=31 → 200; simulator temperature 31; debug shows 31`;
    });

    // c) the thermostat reads 31 °C: heater off + "too hot", and the high_temp event once
    const step3 = sim.log.length;
    const debug3 = comms.messages.length;
    await check('flow: inject "check now" at 31 °C → write "too hot", log high_temp', async () => {
      const description = 'Temperature is 31 °C (limit 25 °C)';
      const res = await http(base, '/inject/bth-inject-4', { method: 'POST' });
      assert(res.status === 200, `POST /inject/bth-inject-4 → HTTP ${res.status}`);
      const written = await comms.waitForDebug('bth-debug-2', debug3, 10_000, 'the "written" debug node');
      assert(isDeepStrictEqual(written, { 1: 0, 3: 'too hot' }), `"written" debug shows ${JSON.stringify(written)}`);
      const logged = await comms.waitForDebug('bth-debug-3', debug3, 10_000, 'the "event logged" debug node');
      assert(logged === description, `"event logged" debug shows ${JSON.stringify(logged)}`);
      const entries = await waitForRequests(sim, step3, (e) => e.length >= 3, 5000);
      expectRequest(entries, { method: 'GET', path: '/api/v1/organization/device', query: { deviceId: '101' }, status: 200 });
      expectRequest(entries, {
        method: 'POST',
        path: '/api/v1/organization/device/datastreams',
        body: { deviceId: 101, values: { 1: 0, 3: 'too hot' } },
        status: 204,
      });
      expectRequest(entries, {
        method: 'POST',
        path: '/api/v1/organization/device/trigger-event',
        body: { deviceId: 101, eventCode: 'high_temp', eventDescription: description },
        status: 204,
      });
      assert(entries.length === 3, `expected 3 requests, got:\n${describeRequests(entries)}`);
      assert(sim.state.value(device.id, 1) === 0 && sim.state.value(device.id, 3) === 'too hot', 'simulator datastreams not updated');
      const events = sim.state.events(device.id);
      const eventOk = events.length === 1 && events[0].code === 'high_temp' && events[0].description === description;
      assert(eventOk, `simulator events ${JSON.stringify(events)}`);
      assert(sim.tokens.requests === 1, `${sim.tokens.requests} OAuth token requests, expected 1 (token reused)`);
      return 'GET device, POST datastreams {"1":0,"3":"too hot"}, POST trigger-event high_temp; one OAuth token for the run';
    });

    await check('no warnings or errors from the flow', async () => {
      const problems = comms.problems();
      const logged = red.log.slice(logFromDeploy).split('\n').filter((l) => /\[(error|warn)\]/.test(l));
      assert(
        !problems.length && !logged.length,
        [
          ...problems.map((m) => `debug ${m.data.level === LOG_ERROR ? 'error' : 'warn'} from ${m.data.type || ''} ${m.data.id || ''}: ${m.data.msg}`),
          ...logged,
        ].join('\n'),
      );
      return `${comms.debug().length} debug messages, none a warning or error; no [warn]/[error] in the Node-RED log since the deploy`;
    });
  } finally {
    if (comms) comms.close();
    if (red) {
      const ended = await red.stop(15_000);
      await check('Node-RED stops cleanly (SIGINT)', async () => {
        assert(ended.graceful, `did not exit within 15 s of SIGINT; log:\n${indent(tail(red.log, 20))}`);
        const lastStop = red.log.split('Stopping flows').pop() || '';
        assert(!/Error stopping node|Error: /.test(lastStop), `errors while stopping:\n${indent(tail(red.log, 20))}`);
        return `exit ${ended.code ?? ended.signal} after ${seconds(ended.ms || 0)}`;
      });
      if (ctx.verbose || ctx.results.some((r) => r.target === target.label && !r.ok)) {
        console.log(`  --- ${target.label} log (last lines) ---\n${indent(tail(red.log, 40))}`);
      }
    }
    if (sim) await sim.close();
    console.log(`  [${target.label}] done in ${seconds(Date.now() - t0)}`);
  }
}

// ---- helpers ----

function errText(err) {
  if (typeof err === 'string') return err;
  return err.message || err.code || JSON.stringify(err);
}

function helpOf(html, type) {
  const m = new RegExp(`<script[^>]*data-help-name=["']${type}["'][^>]*>([\\s\\S]*?)</script>`).exec(html);
  return m ? m[1] : undefined;
}

function iconOf(pkgDir, type) {
  const html = fs.readFileSync(path.join(pkgDir, 'dist', 'nodes', `${type}.html`), 'utf8');
  const m = /\bicon\s*:\s*["']([^"']+)["']/.exec(html);
  if (!m) throw new Error(`no literal icon: in dist/nodes/${type}.html`);
  return m[1];
}

function leafStrings(value) {
  if (value && typeof value === 'object') return Object.values(value).flatMap(leafStrings);
  return [value];
}

/** agent-base below 6.0.0 anywhere in an installed tree (node-red-dev's D02 "bad package"). */
function oldAgentBase(nodeModules) {
  const found = [];
  const walk = (dir, depth) => {
    if (depth > 12 || !fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        for (const sub of fs.readdirSync(path.join(dir, name))) visit(path.join(dir, name, sub), depth);
      } else visit(path.join(dir, name), depth);
    }
  };
  const visit = (pkgDir, depth) => {
    const pj = path.join(pkgDir, 'package.json');
    if (!fs.existsSync(pj)) return;
    const { name, version } = JSON.parse(fs.readFileSync(pj, 'utf8'));
    if (name === 'agent-base' && Number(String(version).split('.')[0]) < 6) found.push(`${name}@${version} (${pkgDir})`);
    walk(path.join(pkgDir, 'node_modules'), depth + 1);
  };
  walk(nodeModules, 0);
  return found;
}

/** ws from Node-RED's own dependencies (the machine's Node 20 has no global WebSocket client). */
function loadWs(nodeRedDir) {
  const candidates = [nodeRedDir, path.join(nodeRedDir, 'node_modules', '@node-red', 'editor-api')];
  try {
    candidates.push(path.dirname(require.resolve('@node-red/editor-api/package.json', { paths: [nodeRedDir] })));
  } catch {
    // not resolvable that way
  }
  for (const dir of candidates) {
    try {
      const wsPath = require.resolve('ws', { paths: [dir] });
      const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(wsPath), 'package.json'), 'utf8'));
      return { WebSocket: require(wsPath), wsPath: `ws ${version}` };
    } catch {
      // next
    }
  }
  throw new Error(`cannot resolve the ws package from ${nodeRedDir}`);
}

module.exports = { testTarget, makeChecker, FAILED };
