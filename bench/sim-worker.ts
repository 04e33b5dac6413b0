// The simulator in a worker thread of the benchmark process. On loopback it plays the remote
// server: its request handling runs on the second core instead of competing with the client
// under test for the main thread's event loop, and its sockets and timers stay out of the
// main thread's process.getActiveResourcesInfo().
import fs from 'node:fs';
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { FaultRule, Simulator, SimulatorOptions } from '../dist/simulator';

// The simulator's server closes idle keep-alive connections after Node's default 5 s. A side
// that sat out a few runs then races that close: on a loaded machine the client's own 4-s idle
// timer can fire late, and a request sent on a socket the server is closing fails with
// ECONNRESET. Like a real front end (nginx: 75 s), keep idle connections for 60 s instead.
const KEEP_ALIVE_MS = 60_000;
const createServer = http.createServer;
(http as { createServer: unknown }).createServer = function (...args: unknown[]) {
  const server = (createServer as (...a: unknown[]) => http.Server)(...args);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return server;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSimulator } = require('../dist/simulator') as typeof import('../dist/simulator');

export interface SimRequestMessage {
  id: number;
  op: 'tokens' | 'setTokenLifetime' | 'addFault' | 'clearFaults' | 'setLimits' | 'rateLimited' | 'mqttConnections' | 'downlinks' | 'close';
  args: unknown[];
}

export interface SimInfo {
  /** Linux thread id of the simulator thread (its CPU time is read from /proc), or 0. */
  tid: number;
  url: string;
  clientId: string;
  clientSecret: string;
  deviceToken: string;
  /** The simulator's MQTT broker, for the device nodes. */
  mqttUrl: string;
}

/** The datastream whose downlinks the bench sends: an Integer, so they arrive as numbers. */
export const DOWNLINK_DATASTREAM = 'Humidity';

const port = parentPort;
if (!port) throw new Error('sim-worker.js runs in a worker thread');

async function main(): Promise<void> {
  const sim: Simulator = await startSimulator(workerData as SimulatorOptions);
  const broker = await sim.mqtt({ port: 0 });
  const device = sim.demo.devices[0].id;
  const ops: Record<SimRequestMessage['op'], (...args: never[]) => unknown> = {
    tokens: () => ({ requests: sim.tokens.requests, byGrant: { ...sim.tokens.byGrant } }),
    setTokenLifetime: (sec: number) => sim.setTokenLifetime(sec),
    addFault: (rule: FaultRule) => sim.faults.add(rule),
    clearFaults: () => sim.faults.clear(),
    setLimits: (limits: { deviceRequestsPerSecond?: number }) => sim.setLimits(limits),
    rateLimited: () => sim.rateLimited,
    mqttConnections: () => broker.connections,
    // As fast as the broker takes them: a user moving a slider, many times over.
    downlinks: (count: number) => {
      let sent = 0;
      for (let i = 0; i < count; i++) if (broker.send(device, `downlink/ds/${DOWNLINK_DATASTREAM}`, String(i % 101))) sent++;
      return sent;
    },
    close: () => sim.close(),
  };
  port!.on('message', (m: SimRequestMessage) => {
    Promise.resolve()
      .then(() => (ops[m.op] as (...a: unknown[]) => unknown)(...m.args))
      .then(
        (result) => port!.postMessage({ id: m.id, result }),
        (err: unknown) => port!.postMessage({ id: m.id, error: String(err) }),
      );
  });
  let tid = 0;
  try {
    tid = Number(/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1] ?? 0);
  } catch {
    // not Linux: CPU times fall back to event-loop utilisation
  }
  const info: SimInfo = {
    tid,
    url: sim.url,
    clientId: sim.demo.clientId,
    clientSecret: sim.demo.clientSecret,
    deviceToken: sim.demo.devices[0].token,
    mqttUrl: broker.url,
  };
  port!.postMessage({ id: 0, result: info });
}

main().catch((err: unknown) => port.postMessage({ id: 0, error: String(err) }));
