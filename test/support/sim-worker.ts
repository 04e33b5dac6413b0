// The simulator in a worker thread, for load tests that measure the main thread's event loop:
// its request handling then costs the measured loop nothing. Messages: 'stats' → WorkerStats,
// 'close' → closes and exits.
import { parentPort } from 'node:worker_threads';
import { onExchange, startSimulator } from '../../dist/simulator';
import { checkExchange, contractResults, type ContractResults } from './contract';

// The contract hook of the main thread does not see this thread's simulator: exchanges are checked
// here and the results go back with the stats, for the test to merge (mergeContractResults).
onExchange(checkExchange);

export interface WorkerStats {
  tokenRequests: number;
  byGrant: Record<string, number>;
  issued: string[];
  /** API requests by "METHOD path status". */
  api: Record<string, number>;
  /** Contract checks of this thread's exchanges so far. */
  contract: ContractResults;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('sim-worker must run in a worker thread');
  const sim = await startSimulator({ logLimit: 100_000 });
  port.postMessage({ url: sim.url, demo: sim.demo });
  port.on('message', (message: unknown) => {
    if (message === 'stats') {
      const api: Record<string, number> = {};
      for (const e of sim.log) {
        if (e.path === '/oauth2/token') continue;
        const key = `${e.method} ${e.path} ${e.status}`;
        api[key] = (api[key] ?? 0) + 1;
      }
      const stats: WorkerStats = {
        tokenRequests: sim.tokens.requests,
        byGrant: sim.tokens.byGrant,
        issued: [...sim.tokens.issuedAccess, ...sim.tokens.issuedRefresh],
        api,
        contract: contractResults(),
      };
      port.postMessage({ stats });
    } else if (message === 'close') {
      void sim.close().then(() => port.close());
    }
  });
}

void main();
