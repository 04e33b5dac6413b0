#!/usr/bin/env node
// Standalone simulator: node dist/simulator/cli.js [--port N] [--host H] [--token-lifetime SEC] [--limits] [--mqtt-port N] [--webhook JSON] [--webhook-rate N]
import { startSimulator } from './server';
import { checkDefinition } from './webhooks';
import type { Simulator, SimulatorOptions } from './types';

const USAGE = `Usage: node dist/simulator/cli.js [--port N] [--host H] [--token-lifetime SEC] [--limits] [--mqtt-port N] [--webhook JSON]... [--webhook-rate N]
  --port            listen port (default $BLYNK_SIM_PORT or 18443; 0 = any free port)
  --host            listen address (default 127.0.0.1)
  --token-lifetime  expires_in of issued access tokens in seconds (default 86400)
  --limits          enforce Blynk's documented limits: 10000 req/min per org, 50 req/s per device
  --mqtt-port       also start the Device MQTT API broker on this port (default $BLYNK_SIM_MQTT_PORT, else none)
  --webhook         a webhook to call, as JSON ({"trigger":"DEVICE_DATASTREAM_UPDATE","deviceId":101,"url":"http://…",
                    "body":"{\\"value\\":\\"{device_pinValue}\\"}"}); repeatable; also POST /sim/webhooks
  --webhook-rate    calls per minute per webhook (default 1, Blynk's documented limit)`;

interface CliOptions extends SimulatorOptions {
  mqttPort?: number;
}

function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { port: Number(process.env.BLYNK_SIM_PORT ?? 18443) };
  if (process.env.BLYNK_SIM_MQTT_PORT) opts.mqttPort = Number(process.env.BLYNK_SIM_MQTT_PORT);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (): number => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
      return n;
    };
    switch (flag) {
      case '--port':
        opts.port = number();
        break;
      case '--host':
        opts.host = value();
        break;
      case '--token-lifetime':
        opts.tokenLifetimeSec = number();
        break;
      case '--mqtt-port':
        opts.mqttPort = number();
        break;
      case '--webhook': {
        const def = checkDefinition(JSON.parse(value()));
        if (typeof def === 'string') throw new Error(`--webhook: ${def}`);
        (opts.webhooks ??= []).push(def);
        break;
      }
      case '--webhook-rate':
        opts.webhookRatePerMinute = number();
        break;
      case '--limits':
        opts.limits = { orgRequestsPerMinute: 10_000, deviceRequestsPerSecond: 50 };
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
      // falls through (unreachable)
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!Number.isInteger(opts.port) || (opts.port ?? 0) > 65535) throw new Error('invalid port');
  if (opts.mqttPort !== undefined && (!Number.isInteger(opts.mqttPort) || opts.mqttPort > 65535)) throw new Error('invalid MQTT port');
  return opts;
}

function banner(sim: Simulator, opts: SimulatorOptions, mqtt?: { url: string; wsUrl: string }): string {
  const d = sim.demo;
  const t = d.template;
  const lines = [
    `Blynk cloud simulator listening on ${sim.url}`,
    `  token lifetime: ${opts.tokenLifetimeSec ?? 86400} s; limits: ${opts.limits ? JSON.stringify(opts.limits) : 'off'}`,
    ...sim.webhooks
      .list()
      .map(
        (w) =>
          `Webhook ${w.id}: ${w.trigger}${w.deviceId ? ` device ${w.deviceId}` : ''} → ${w.method ?? 'POST'} ${w.url} (at most ${sim.webhooks.ratePerMinute}/min)`,
      ),
    ...(mqtt ? [`Device MQTT API broker on ${mqtt.url} and ${mqtt.wsUrl} (user "device", password: a device token)`] : []),
    '',
    'OAuth2 (Platform API)',
    `  token URL:      ${sim.url}/oauth2/token`,
    `  client id:      ${d.clientId}`,
    `  client secret:  ${d.clientSecret}`,
    `  user e-mail:    ${d.userEmail}`,
    `  user password:  ${d.password}`,
    `  organization:   ${d.org.id} "${d.org.name}"`,
    '',
    `Template ${t.id} "${t.name}"`,
    '  datastreams:',
    ...t.datastreams.map((ds) => {
      const range = ds.min !== undefined ? ` [${ds.min}..${ds.max}]` : '';
      return `    id ${ds.id}  ${ds.pin.padEnd(3)} ${ds.label.padEnd(12)} (${ds.alias}) ${ds.dataType}${range}`;
    }),
    `  events: ${t.events.map((e) => `${e.code} (${e.name})`).join(', ')}`,
    '',
    'Devices (Device API: token=<auth token>)',
    ...d.devices.map((dev) => {
      const online = sim.state.device(dev.id)?.connected ? 'online' : 'offline';
      return `  id ${dev.id}  ${dev.name.padEnd(16)} token ${dev.token}  ${online}`;
    }),
    '',
    'Ctrl+C to stop.',
  ];
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const sim = await startSimulator(opts);
  const mqtt = opts.mqttPort === undefined ? undefined : await sim.mqtt({ port: opts.mqttPort });
  process.stdout.write(banner(sim, opts, mqtt));
  const stop = (): void => {
    process.stdout.write('Stopping simulator...\n');
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`Simulator failed to start: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
