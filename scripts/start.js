#!/usr/bin/env node
// `npm start`: the Blynk simulator plus Node-RED with this package and the example flows, all
// offline. Node-RED runs as its own process with a project-local user directory (.node-red/).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { startSimulator } = require('../dist/simulator');
const { RECOMMENDED_TEMPLATE } = require('../dist/blynk/webhook');
const { exampleFlows, writeDemoFirmware, EXAMPLE_WEBHOOK } = require('./example-flows');
const { launchNodeRed } = require('./lib/node-red');

const userDir = path.resolve(__dirname, '..', '.node-red');
const uiPort = Number(process.env.PORT || 1880);
const simPort = Number(process.env.BLYNK_SIM_PORT || 18443);
const mqttPort = Number(process.env.BLYNK_SIM_MQTT_PORT || 18883);
const editor = `http://127.0.0.1:${uiPort}/`;

/** A connection saved for a local simulator: plain http on a loopback address. */
const LOCAL_SIMULATOR = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/;

/**
 * Deploys the examples once, into an empty workspace; later starts keep the user's flows, with
 * connections saved for a simulator on another port (BLYNK_SIM_PORT changed) moved to this one.
 * @returns {Promise<'deployed' | 'kept' | 'moved'>}
 */
async function deployExamples(sim, mqttUrl) {
  const flows = await (await fetch(`${editor}flows`)).json();
  if (Array.isArray(flows) && flows.length > 0) {
    const stale = flows.filter(
      (n) => n.type === 'blynk-cloud-config' && LOCAL_SIMULATOR.test(String(n.server)) && String(n.server).replace(/\/$/, '') !== sim.url,
    );
    if (stale.length === 0) return 'kept';
    for (const node of stale) node.server = sim.url;
    // A node deployed without a `credentials` property keeps the ones it has.
    const res = await fetch(`${editor}flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'nodes' },
      body: JSON.stringify(flows),
    });
    if (!res.ok) throw new Error(`moving the connections to ${sim.url} failed: HTTP ${res.status} ${await res.text()}`);
    return 'moved';
  }
  const res = await fetch(`${editor}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(
      exampleFlows({ server: sim.url, demo: sim.demo, mqtt: mqttUrl, firmware: writeDemoFirmware(path.join(userDir, 'firmware')) }),
    ),
  });
  if (!res.ok) throw new Error(`deploying the examples failed: HTTP ${res.status} ${await res.text()}`);
  return 'deployed';
}

/** What a newcomer needs to try every node against the simulator. */
function demoSheet(sim, outcome, mqttUrl) {
  const { demo } = sim;
  const pad = (text, width) => String(text).padEnd(width);
  return [
    '',
    `Blynk simulator:  ${sim.url}   (region "Custom" in a connection)`,
    `  OAuth client:   ${demo.clientId} / ${demo.clientSecret}`,
    `  User:           ${demo.userEmail} / ${demo.password}`,
    ...(mqttUrl ? [`  MQTT broker:    ${mqttUrl}   (Device MQTT API: user "device", password a device token)`] : []),
    '  Devices (device id, name, auth token for the device nodes):',
    ...demo.devices.map((d) => `    ${pad(d.id, 5)} ${pad(d.name, 17)} ${d.token}`),
    `  Template ${demo.template.id} "${demo.template.name}": datastream id, pin, name, type`,
    ...demo.template.datastreams.map((ds) => `    ${pad(ds.id, 3)} ${pad(ds.pin.toUpperCase(), 4)} ${pad(ds.label, 12)} ${ds.dataType}`),
    `  Event codes:    ${demo.template.events.map((e) => e.code).join(', ')}`,
    `  Webhook:        a write of device ${EXAMPLE_WEBHOOK.deviceId}'s datastream ${EXAMPLE_WEBHOOK.dataStreamId} calls POST ${webhookUrl()} (at most ${sim.webhooks.ratePerMinute}/min; Blynk documents 1)`,
    `Node-RED editor:  ${editor}`,
    {
      deployed: '  The example flows are deployed, one tab each.',
      kept: '  Your saved flows were kept (delete .node-red/ to start over).',
      moved: `  Your saved flows were kept, their simulator connections moved to ${sim.url}.`,
    }[outcome],
    'Press Ctrl-C to stop both.',
    '',
  ].join('\n');
}

/** Where the example flow's webhook in node listens. */
function webhookUrl() {
  return `http://127.0.0.1:${uiPort}${EXAMPLE_WEBHOOK.path}`;
}

/**
 * The webhook that starts the example flow "A Blynk webhook starts a flow", as it would be set in
 * Blynk.Console; 10 calls a minute (Blynk documents 1) so that trying it twice works.
 */
function exampleWebhook() {
  return {
    name: 'Node-RED example',
    trigger: 'DEVICE_DATASTREAM_UPDATE',
    deviceId: EXAMPLE_WEBHOOK.deviceId,
    dataStreamId: EXAMPLE_WEBHOOK.dataStreamId,
    url: webhookUrl(),
    method: 'POST',
    contentType: 'JSON',
    body: RECOMMENDED_TEMPLATE,
    headers: { [EXAMPLE_WEBHOOK.headerName]: EXAMPLE_WEBHOOK.secret },
  };
}

async function main() {
  const sim = await startSimulator({ port: simPort, webhooks: [exampleWebhook()], webhookRatePerMinute: 10 });
  // The Device MQTT API broker is optional: the HTTP demo runs without it (port taken, no aedes).
  const mqtt = await sim.mqtt({ port: mqttPort }).catch((err) => {
    console.warn(`Simulator MQTT broker not started: ${err instanceof Error ? err.message : err}`);
    return undefined;
  });
  // settings.js is written once; later starts keep it (and whatever was changed in it).
  const fresh = !fs.existsSync(path.join(userDir, 'settings.js'));
  const red = await launchNodeRed({
    userDir,
    link: true,
    port: uiPort,
    echo: true,
    writtenBy: 'npm start for local development with the simulator',
    settings: fresh
      ? { uiHost: undefined, credentialSecret: 'blynk-cloud-local-demo', editorTheme: { projects: { enabled: false }, tours: false } }
      : undefined,
  }).catch(async (err) => {
    await sim.close();
    throw err;
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    red.stop({ signal: 'SIGINT', graceMs: 30_000 });
  };
  red.exited.then(({ code }) => sim.close().then(() => process.exit(stopping ? 0 : (code ?? 1))));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const outcome = await deployExamples(sim, mqtt && mqtt.url);
  console.log(demoSheet(sim, outcome, mqtt && mqtt.url));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
