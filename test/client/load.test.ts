// Load at the client level: a long run on the simulated clock (D6) and a thousand queued calls (D8).
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { deviceUpdate, organizationProfile, TokenManager, Transport } from '../../dist/blynk';
import { Clock, demoCredentials, itD4, refreshSent, settled, useSimulator } from './helpers';

describe('client: load', () => {
  const env = useSimulator();

  it('D6 20 msg/s for 30 min (36 000 token look-ups, expires_in=300): 8 token requests, cached look-up p99 < 5 ms, no timer or listener growth', async () => {
    const { sim } = env;
    sim.setTokenLifetime(300);
    const clock = new Clock();
    const transport = new Transport(sim.url);
    const tokens = new TokenManager({ transport, credentials: demoCredentials(sim), now: clock.now });
    const resources = (): string =>
      process
        .getActiveResourcesInfo()
        .filter((r) => r !== 'TCPSocketWrap')
        .sort()
        .join(',');
    try {
      await tokens.getToken();
      const before = resources();
      const samples: number[] = [];
      for (let i = 1; i < 36_000; i++) {
        clock.advance(50);
        const started = performance.now();
        await tokens.getToken();
        samples.push(performance.now() - started);
        if (i % 4_800 === 0) await settled(tokens); // a renewal falls in every 240 s = 4 800 messages
      }
      await settled(tokens);
      // 1 800 s of tokens renewed every 240 s: at 0, 240, …, 1 680 s.
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 7 });
      assert.deepEqual(refreshSent(sim.log), sim.tokens.issuedRefresh.slice(0, 7));
      samples.sort((a, b) => a - b);
      const p99 = samples[Math.floor(samples.length * 0.99)];
      assert.ok(p99 < 5, `p99 ${p99.toFixed(3)} ms`);
      assert.equal(resources(), before);
    } finally {
      tokens.close();
      transport.close();
    }
  });

  it('D8 1000 calls queued at once: all delivered with 1 token request', async () => {
    const { sim } = env;
    const client = env.client();
    const device = sim.demo.devices[0];
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 ? client.call(organizationProfile()) : client.call(deviceUpdate(device.token, 'V5', i % 100)),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(1000).fill(200),
    );
    assert.equal(sim.tokens.requests, 1);
  });

  // D8's event-loop delay is asserted through the flow nodes, with the simulator in a worker thread
  // so that only this package's work is measured: test/reliability/d-load.test.ts.

  itD4(env);
});
