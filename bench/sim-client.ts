// The main thread's handle on the simulator worker (see sim-worker.ts).
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FaultRule, SimulatorOptions } from '../dist/simulator';
import type { SimInfo, SimRequestMessage } from './sim-worker';

export interface TokenCount {
  requests: number;
  byGrant: Record<string, number>;
}

export class SimClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    readonly worker: Worker,
    readonly info: SimInfo,
  ) {
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(`simulator: ${m.error}`));
      else w.resolve(m.result);
    });
  }

  static start(options: SimulatorOptions): Promise<SimClient> {
    const worker = new Worker(path.join(__dirname, 'sim-worker.js'), { workerData: options });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('message', (m: { id: number; result?: SimInfo; error?: string }) => {
        worker.off('error', onError);
        if (m.error !== undefined || !m.result) reject(new Error(`simulator did not start: ${m.error}`));
        else resolve(new SimClient(worker, m.result));
      });
    });
  }

  get url(): string {
    return this.info.url;
  }

  /** The simulator thread's event-loop utilisation since `since` (1.0 = saturated). */
  elu(since?: ReturnType<Worker['performance']['eventLoopUtilization']>) {
    return this.worker.performance.eventLoopUtilization(since);
  }

  tokens(): Promise<TokenCount> {
    return this.call('tokens') as Promise<TokenCount>;
  }
  setTokenLifetime(sec: number): Promise<void> {
    return this.call('setTokenLifetime', sec) as Promise<void>;
  }
  addFault(rule: FaultRule): Promise<void> {
    return this.call('addFault', rule) as Promise<void>;
  }
  clearFaults(): Promise<void> {
    return this.call('clearFaults') as Promise<void>;
  }
  setLimits(limits: { deviceRequestsPerSecond?: number }): Promise<void> {
    return this.call('setLimits', limits) as Promise<void>;
  }
  rateLimited(): Promise<number> {
    return this.call('rateLimited') as Promise<number>;
  }
  /** Devices connected to the simulator's MQTT broker. */
  mqttConnections(): Promise<number> {
    return this.call('mqttConnections') as Promise<number>;
  }
  /** Sends `count` datastream downlinks to the demo device; resolves with how many went out. */
  downlinks(count: number): Promise<number> {
    return this.call('downlinks', count) as Promise<number>;
  }

  async close(): Promise<void> {
    await this.call('close');
    await this.worker.terminate();
  }

  private call(op: SimRequestMessage['op'], ...args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args } satisfies SimRequestMessage);
    });
  }
}
