// The one way to run a real Node-RED process (node-red/red.js), shared by `npm start`, the
// packed-install test, the browser tests and the reliability tests: a user directory, a settings.js
// written from an object, a port (free, unless given), and start-up awaited until the admin API
// answers. Its output is kept (and echoed if asked); stop() sends a signal and escalates to SIGKILL.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { freePort } = require('./free-port');
const { waitFor } = require('./wait');

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = require('../../package.json').name;

/** Loopback only, nothing sent anywhere, no projects or tours; `settings` is laid over it. */
const BASE_SETTINGS = {
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  telemetry: { enabled: false, updateNotification: false },
  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};

/** GET over node:http without keep-alive (no pooled socket outlives it). */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, type: res.headers['content-type'] || '', text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Links this repository into `<userDir>/node_modules`, as Node-RED finds an installed package. */
function linkPackage(userDir) {
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, PACKAGE);
  if (!fs.existsSync(link)) fs.symlinkSync(ROOT, link, 'dir');
}

function writeSettings(file, settings, by) {
  const body = JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2);
  fs.writeFileSync(file, `// Written by ${by}.\nmodule.exports = ${body};\n`);
}

async function launchNodeRed(options) {
  const { userDir, settings, writtenBy = 'scripts/lib/node-red.js', link = false, echo = false, readyTimeoutMs = 60_000 } = options;
  const nodeBin = options.nodeBin || process.execPath;
  const redJs = options.nodeRedDir ? path.join(options.nodeRedDir, 'red.js') : require.resolve('node-red/red.js', { paths: [ROOT] });
  fs.mkdirSync(userDir, { recursive: true });
  if (link) linkPackage(userDir);
  const settingsFile = path.join(userDir, 'settings.js');
  if (settings) writeSettings(settingsFile, settings, writtenBy);
  const port = options.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(nodeBin, [redJs, '--userDir', userDir, '--settings', settingsFile, '--port', String(port)], {
    cwd: userDir,
    env: options.env || process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (d) => {
      output += d;
      if (echo) (stream === child.stdout ? process.stdout : process.stderr).write(d);
    });
  }
  const exited = new Promise((resolve) => {
    child.on('error', (err) => resolve({ code: null, signal: null, error: err }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const alive = () => child.exitCode === null && child.signalCode === null && !child.killed;

  const red = {
    url,
    port,
    userDir,
    settingsFile,
    child,
    exited,
    output: () => output,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    /** GET on the admin API. */
    get: (pathname, headers) => get(url + pathname, headers),
    /** Sends `signal` (SIGINT: Node-RED's graceful stop), SIGKILL after graceMs; how it ended. */
    async stop({ signal = 'SIGINT', graceMs = 15_000 } = {}) {
      const t0 = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), graceful: true, ms: 0 };
      child.kill(signal);
      let timer;
      const late = new Promise((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
      const graceful = (await Promise.race([exited, late])) !== 'late';
      clearTimeout(timer);
      if (!graceful) child.kill('SIGKILL');
      return { ...(await exited), graceful, ms: Date.now() - t0 };
    },
  };

  try {
    await waitFor(
      async () => {
        if (!alive()) throw new Error('exited');
        return (await get(`${url}/settings`, { Accept: 'application/json' }).catch(() => ({ status: 0 }))).status === 200;
      },
      `Node-RED at ${url}`,
      readyTimeoutMs,
      100,
    );
  } catch (err) {
    await red.stop({ signal: 'SIGKILL', graceMs: 5_000 });
    const why =
      err.message === 'exited' ? 'Node-RED exited during start-up' : `Node-RED did not answer at ${url} within ${readyTimeoutMs} ms`;
    throw new Error(`${why}:\n${output}`, { cause: err });
  }
  return red;
}

module.exports = { launchNodeRed, ROOT, PACKAGE };
