#!/usr/bin/env node
// `npm start`: the Blynk simulator plus Node-RED with this package and the example flows, all
// offline. Node-RED runs as its own process with a project-local user directory (.node-red/).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startSimulator } = require('../dist/simulator');
const { exampleFlows } = require('./example-flows');

const root = path.resolve(__dirname, '..');
const userDir = path.join(root, '.node-red');
const uiPort = Number(process.env.PORT || 1880);
const simPort = Number(process.env.BLYNK_SIM_PORT || 18443);
const editor = `http://127.0.0.1:${uiPort}/`;

/** Node-RED finds the package in the user directory's node_modules, as if installed. */
function prepareUserDir() {
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, 'node-red-contrib-blynk-cloud');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  const settings = path.join(userDir, 'settings.js');
  if (!fs.existsSync(settings)) {
    fs.writeFileSync(
      settings,
      `// Written by npm start for local development with the simulator.\nmodule.exports = {\n` +
        `  flowFile: 'flows.json',\n  credentialSecret: 'blynk-cloud-local-demo',\n` +
        `  editorTheme: { projects: { enabled: false }, tours: false },\n};\n`,
    );
  }
  return settings;
}

async function waitFor(url, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('Node-RED exited during start-up');
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Node-RED did not answer at ${url}`);
}

/** Deploys the examples once, into an empty workspace; later starts keep the user's flows. */
async function deployExamples(sim, child) {
  const flows = await (await waitFor(`${editor}flows`, child)).json();
  if (Array.isArray(flows) && flows.length > 0) return false;
  const res = await fetch(`${editor}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(exampleFlows({ server: sim.url, demo: sim.demo })),
  });
  if (!res.ok) throw new Error(`deploying the examples failed: HTTP ${res.status} ${await res.text()}`);
  return true;
}

async function main() {
  const sim = await startSimulator({ port: simPort });
  const settings = prepareUserDir();
  const red = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', settings, '--port', String(uiPort)],
    { stdio: 'inherit' },
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (red.exitCode === null) red.kill('SIGINT');
    else sim.close().then(() => process.exit(0));
  };
  red.on('exit', (code) => {
    sim.close().then(() => process.exit(stopping ? 0 : code ?? 1));
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const deployed = await deployExamples(sim, red);
  const device = sim.demo.devices[0];
  console.log(
    [
      '',
      `Blynk simulator:  ${sim.url}`,
      `  OAuth client:   ${sim.demo.clientId} / ${sim.demo.clientSecret}`,
      `  User:           ${sim.demo.userEmail} / ${sim.demo.password}`,
      `  Device:         ${device.id} "${device.name}", auth token ${device.token}`,
      `Node-RED editor:  ${editor}`,
      deployed ? '  The example flows are deployed, one tab each.' : '  Your saved flows were kept (delete .node-red/ to start over).',
      'Press Ctrl-C to stop both.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
