// The example flows as one deployable workspace: a tab per example, the shared config node once,
// pointed at `server` with the simulator's demo credentials, and device tokens filled in.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const examplesDir = path.resolve(__dirname, '..', 'examples');

/** Nodes that call the Device HTTPS API with a device auth token credential. */
const DEVICE_TOKEN_TYPES = new Set([
  'blynk-cloud-device-update',
  'blynk-cloud-device-read',
  'blynk-cloud-device-event',
  'blynk-cloud-device-property',
]);

/** The webhook of the example flow that `npm start` defines in the simulator. */
const EXAMPLE_WEBHOOK = {
  path: '/blynk/hooks/greenhouse',
  headerName: 'X-Blynk-Secret',
  secret: 'sim-demo-webhook-secret-5Hq8',
  deviceId: 101,
  dataStreamId: 6,
};

function exampleFiles() {
  return fs
    .readdirSync(examplesDir)
    .filter((file) => file.endsWith('.json'))
    .sort();
}

/** @returns {Array<Record<string, unknown>>} nodes for POST /flows, credentials inline */
/** The simulator's MQTT broker as `npm start` runs it (BLYNK_SIM_MQTT_PORT, default 18883). */
const DEFAULT_MQTT = 'mqtt://127.0.0.1:18883';

/**
 * A small build for the OTA example: bytes with a Blynk binary info tag (firmware version, type,
 * build time; device-mqtt-api/ota), from which the upload reads its firmware info. Written under
 * `dir`, whose path it returns.
 */
function writeDemoFirmware(dir) {
  const tag = 'blnkinf\0mcu\0' + '2.0.0\0fw-type\0TMPL77\0build\0Dec  3 2026 18:00:00\0blynk\0' + '1.3.2\0\0';
  const data = Buffer.concat([Buffer.alloc(256, 0xe9), Buffer.from(tag, 'latin1'), Buffer.alloc(256, 0)]);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'station_v2.bin');
  fs.writeFileSync(file, data);
  return file;
}

function exampleFlows({ server, demo, mqtt = DEFAULT_MQTT, files = exampleFiles(), firmware }) {
  const nodes = [];
  const seen = new Set();
  files.forEach((file, index) => {
    const tab = { id: `blynk-example-tab-${index + 1}`, type: 'tab', label: path.basename(file, '.json') };
    nodes.push(tab);
    for (const node of JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8'))) {
      if (node.type === 'tab' || seen.has(node.id)) continue;
      seen.add(node.id);
      nodes.push(withDemoSettings({ ...node }, tab.id, server, demo, mqtt, firmware));
    }
  });
  return nodes;
}

function withDemoSettings(node, tabId, server, demo, mqtt, firmware) {
  // Node-RED as the demo device over the simulator's broker (Device MQTT API).
  if (node.type === 'blynk-cloud-device') {
    node.server = server;
    node.broker = mqtt;
    node.credentials = { token: demo.devices[0].token };
    return node;
  }
  if (node.type === 'blynk-cloud-config') {
    node.server = server;
    node.credentials = { clientId: demo.clientId, clientSecret: demo.clientSecret, userEmail: demo.userEmail, password: demo.password };
    return node;
  }
  if (DEVICE_TOKEN_TYPES.has(node.type)) node.credentials = { token: demo.devices[0].token };
  if (node.type === 'blynk-cloud-webhook-in') node.credentials = { secret: EXAMPLE_WEBHOOK.secret };
  // The OTA example reads the demo build.
  if (node.type === 'file in' && firmware) node.filename = firmware;
  node.z = tabId;
  return node;
}

module.exports = { exampleFlows, writeDemoFirmware, EXAMPLE_WEBHOOK };
