// Faults survived: Retry-After in both forms and its cap (rule 6), bounded retries, 401/403 renew
// once and retry once (rule 5), token endpoint down or slow (rule 7).
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { getDevice, organizationProfile, triggerEvent, writeDatastream, type BlynkClient } from '../../dist/blynk';
import {
  apiRequestsOf,
  assertSafeError,
  bearerOf,
  Clock,
  DEVICE_PATH,
  failure,
  FAST_RETRY,
  itD4,
  PROFILE_PATH,
  secretsOf,
  TOKEN_PATH,
  tokenRequestsOf,
  useSimulator,
} from './helpers';

const WRITE_PATH = '/api/v1/organization/device/datastream';
const EVENT_PATH = '/api/v1/organization/device/trigger-event';

describe('client: faults', () => {
  const env = useSimulator();

  const profile = (client: BlynkClient): Promise<number> => client.call(organizationProfile()).then((r) => r.status);

  /** An HTTP-date `seconds` ahead, on a whole second so that the client's rounding is exact. */
  function httpDate(seconds: number): { value: string; at: number } {
    const at = Math.floor(Date.now() / 1000) * 1000 + seconds * 1000;
    return { value: new Date(at).toUTCString(), at };
  }

  describe('token endpoint: 429 / 503 and Retry-After', () => {
    it('C4 token endpoint 429 with Retry-After: 2 is waited out once, shared by all waiters', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': '2' } } });
      const results = await Promise.all(Array.from({ length: 20 }, () => profile(client)));
      assert.deepEqual(results, Array(20).fill(200));
      const tokens = tokenRequestsOf(sim.log);
      assert.deepEqual(
        tokens.map((e) => e.status),
        [429, 200],
      );
      const gap = tokens[1].at - tokens[0].at;
      assert.ok(gap >= 1990 && gap < 4000, `retried after ${gap} ms`);
      assert.deepEqual(apiRequestsOf(sim.log).map(bearerOf), Array(20).fill(sim.tokens.issuedAccess[0]));
    });

    it('C4 token endpoint 429 with an HTTP-date Retry-After: no retry before that date', async () => {
      const { sim } = env;
      const client = env.client();
      const date = httpDate(2);
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': date.value } } });
      assert.deepEqual(await Promise.all([profile(client), profile(client), profile(client)]), [200, 200, 200]);
      const tokens = tokenRequestsOf(sim.log);
      assert.deepEqual(
        tokens.map((e) => e.status),
        [429, 200],
      );
      assert.ok(tokens[1].at >= date.at - 5, `retried ${date.at - tokens[1].at} ms before the date`);
      assert.ok(tokens[1].at < date.at + 2000);
    });

    it('C4 token endpoint 503 with Retry-After: 1 on the primary grant is retried after ≥1 s', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 503, headers: { 'Retry-After': '1' } } });
      assert.equal(await profile(client), 200);
      const tokens = tokenRequestsOf(sim.log);
      assert.deepEqual(
        tokens.map((e) => e.status),
        [503, 200],
      );
      assert.ok(tokens[1].at - tokens[0].at >= 990);
    });

    it('C4 429 on every attempt: gives up after 3 attempts with RATE_LIMITED (retryAfter as the server said), no endless wait', async () => {
      const { sim } = env;
      const client = env.client({ retry: { retryAfterCapSec: 60 } });
      sim.faults.add({ match: { path: TOKEN_PATH }, times: Infinity, action: { status: 429, headers: { 'Retry-After': '0' } } });
      const err = await failure(() => client.call(organizationProfile()));
      assert.deepEqual([err.code, err.status, err.retryAfter], ['RATE_LIMITED', 429, 0]);
      assert.equal(sim.tokens.requests, 3);
    });

    it('C5 token endpoint Retry-After: 3600 (over the 60 s cap): fail fast with RATE_LIMITED, retryAfter 3600; messages not held', async () => {
      const { sim } = env;
      const clock = new Clock();
      const states: string[] = [];
      const client = env.client({ now: clock.now, onStateChange: (s) => states.push(s) });
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': '3600' } } });
      const started = Date.now();
      const errors = await Promise.all(Array.from({ length: 10 }, () => failure(() => client.call(organizationProfile()))));
      assert.ok(Date.now() - started < 1500, 'messages were held');
      assert.ok(errors.every((e) => e === errors[0]));
      assertSafeError(errors[0], secretsOf(sim));
      assert.deepEqual([errors[0].code, errors[0].status, errors[0].retryAfter], ['RATE_LIMITED', 429, 3600]);
      assert.deepEqual(states, ['connecting', 'rate-limited']);
      // Within the wait: no request at all, the remaining time in retryAfter.
      clock.advance(600_000);
      for (let i = 0; i < 10; i++) {
        const err = await failure(() => client.call(organizationProfile()));
        assert.deepEqual([err.code, err.retryAfter], ['RATE_LIMITED', 3000]);
      }
      assert.equal(sim.tokens.requests, 1);
      clock.advance(3_000_000);
      assert.equal(await profile(client), 200);
      assert.equal(sim.tokens.requests, 2);
    });

    it('C5 token endpoint 503 Retry-After: 120 (over a 60 s cap) on the primary grant: RATE_LIMITED, retryAfter 120', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 503, headers: { 'Retry-After': '120' } } });
      const err = await failure(() => client.call(organizationProfile()));
      assert.deepEqual([err.code, err.status, err.retryAfter], ['RATE_LIMITED', 503, 120]);
      assert.equal(sim.tokens.requests, 1);
    });

    it('C5 a smaller cap is honoured: Retry-After: 5 with retryAfterCapSec 2 fails fast', async () => {
      const { sim } = env;
      const client = env.client({ retry: { retryAfterCapSec: 2 } });
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 429, headers: { 'Retry-After': '5' } } });
      const started = Date.now();
      const err = await failure(() => client.call(organizationProfile()));
      assert.ok(Date.now() - started < 1500);
      assert.deepEqual([err.code, err.retryAfter], ['RATE_LIMITED', 5]);
    });

    describe('with a fake wall clock (HTTP-date Retry-After)', () => {
      let fake: sinon.SinonFakeTimers | undefined;
      afterEach(() => {
        fake?.restore();
        fake = undefined;
      });

      it('C5 token endpoint HTTP-date Retry-After one hour ahead: RATE_LIMITED, retryAfter exactly 3600', async () => {
        const { sim } = env;
        fake = sinon.useFakeTimers({ toFake: ['Date'], now: 1_767_225_600_000, shouldAdvanceTime: false });
        const client = env.client();
        sim.faults.add({
          match: { path: TOKEN_PATH },
          action: { status: 429, headers: { 'Retry-After': new Date(Date.now() + 3_600_000).toUTCString() } },
        });
        const err = await failure(() => client.call(organizationProfile()));
        assert.deepEqual([err.code, err.retryAfter], ['RATE_LIMITED', 3600]);
      });

      it('C5 API 429 with HTTP-date Retry-After over the cap: RATE_LIMITED, retryAfter exactly 7200, sent once', async () => {
        const { sim } = env;
        fake = sinon.useFakeTimers({ toFake: ['Date'], now: 1_767_225_600_000, shouldAdvanceTime: false });
        const client = env.client();
        await client.call(organizationProfile());
        sim.faults.add({
          match: { path: PROFILE_PATH },
          action: { status: 429, headers: { 'Retry-After': new Date(Date.now() + 7_200_000).toUTCString() } },
        });
        const err = await failure(() => client.call(organizationProfile()));
        assert.deepEqual([err.code, err.status, err.retryAfter], ['RATE_LIMITED', 429, 7200]);
        assert.equal(apiRequestsOf(sim.log).length, 2);
        assert.equal(sim.tokens.requests, 1);
      });
    });
  });

  describe('API calls: 429 / 503 / 5xx / connection resets', () => {
    it('C6 API 429 Retry-After: 2: retried after ≥2 s, delivered exactly once, no token renewal', async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      sim.faults.add({
        match: { path: WRITE_PATH },
        action: { status: 429, body: { error: { message: 'Too many requests' } }, headers: { 'Retry-After': '2' } },
      });
      const res = await client.call(writeDatastream(101, 6, 77));
      assert.equal(res.status, 204);
      const writes = apiRequestsOf(sim.log, WRITE_PATH);
      assert.deepEqual(
        writes.map((e) => e.status),
        [429, 204],
      );
      assert.ok(writes[1].at - writes[0].at >= 1990, `retried after ${writes[1].at - writes[0].at} ms`);
      assert.equal(sim.state.value(101, 6), 77);
      assert.equal(sim.tokens.requests, 1);
      assert.deepEqual(writes.map(bearerOf), [sim.tokens.issuedAccess[0], sim.tokens.issuedAccess[0]]);
    });

    it('C6 a 429 is retried even for a non-idempotent call (it was not processed): event logged once', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: EVENT_PATH }, action: { status: 429, headers: { 'Retry-After': '1' } } });
      assert.equal((await client.call(triggerEvent(101, 'high_temp', 'hot'))).status, 204);
      assert.deepEqual(
        apiRequestsOf(sim.log, EVENT_PATH).map((e) => e.status),
        [429, 204],
      );
      assert.equal(sim.state.events(101).length, 1);
    });

    it('C5 API 429 Retry-After: 3600: fails fast with RATE_LIMITED and retryAfter 3600, sent once', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({
        match: { path: PROFILE_PATH },
        action: { status: 429, body: { error: { message: 'Too many requests' } }, headers: { 'Retry-After': '3600' } },
      });
      const started = Date.now();
      const err = await failure(() => client.call(organizationProfile()));
      assert.ok(Date.now() - started < 1500);
      assert.deepEqual([err.code, err.status, err.retryAfter, err.message], ['RATE_LIMITED', 429, 3600, 'RATE_LIMITED: Too many requests']);
      assert.equal(apiRequestsOf(sim.log).length, 1);
      assert.equal(sim.tokens.requests, 1);
    });

    it('C5 API 503 Retry-After: 3600: fails fast with RATE_LIMITED and retryAfter 3600, sent once', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: DEVICE_PATH }, action: { status: 503, headers: { 'Retry-After': '3600' } } });
      const err = await failure(() => client.call(getDevice(101)));
      assert.deepEqual([err.code, err.status, err.retryAfter], ['RATE_LIMITED', 503, 3600]);
      assert.equal(apiRequestsOf(sim.log).length, 1);
    });

    it('C7 API 503 with Retry-After: 1 on an idempotent call: retried after ≥1 s', async () => {
      const { sim } = env;
      const client = env.client();
      sim.faults.add({ match: { path: DEVICE_PATH }, action: { status: 503, headers: { 'Retry-After': '1' } } });
      assert.equal((await client.call(getDevice(101))).status, 200);
      const calls = apiRequestsOf(sim.log, DEVICE_PATH);
      assert.deepEqual(
        calls.map((e) => e.status),
        [503, 200],
      );
      assert.ok(calls[1].at - calls[0].at >= 990);
    });

    it('C7 API 503 on every try of an idempotent call: 3 attempts with jittered exponential backoff, then SERVER_ERROR', async () => {
      const { sim } = env;
      const draws: number[] = [];
      const client = env.client({ retry: { backoffBaseMs: 100, backoffCapMs: 1000, random: () => (draws.push(1), 0.5) } });
      await client.call(organizationProfile());
      sim.faults.add({
        match: { path: DEVICE_PATH },
        times: Infinity,
        action: { status: 503, body: { error: { message: 'Service unavailable' } } },
      });
      const err = await failure(() => client.call(getDevice(101)));
      assert.deepEqual([err.code, err.status, err.message], ['SERVER_ERROR', 503, 'SERVER_ERROR: Service unavailable']);
      const calls = apiRequestsOf(sim.log, DEVICE_PATH);
      assert.equal(calls.length, 3);
      assert.equal(draws.length, 2);
      // 0.5 × min(1000, 100 × 2^(n-1)): 50 ms, then 100 ms.
      assert.ok(calls[1].at - calls[0].at >= 45, `first wait ${calls[1].at - calls[0].at} ms`);
      assert.ok(calls[2].at - calls[1].at >= 95, `second wait ${calls[2].at - calls[1].at} ms`);
      assert.equal(sim.tokens.requests, 1);
    });

    it('C7 connection reset on an idempotent call: 3 attempts, then NETWORK', async () => {
      const { sim } = env;
      const client = env.client({ retry: FAST_RETRY });
      await client.call(organizationProfile());
      sim.faults.add({ match: { path: DEVICE_PATH }, times: Infinity, action: { drop: 'before' } });
      const err = await failure(() => client.call(getDevice(101)));
      assert.equal(err.code, 'NETWORK');
      assertSafeError(err, secretsOf(sim));
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 3);
    });

    it('C7 connection reset once on an idempotent write: retried, delivered', async () => {
      const { sim } = env;
      const client = env.client({ retry: FAST_RETRY });
      sim.faults.add({ match: { path: WRITE_PATH }, action: { drop: 'before' } });
      assert.equal((await client.call(writeDatastream(101, 6, 12))).status, 204);
      assert.deepEqual(
        apiRequestsOf(sim.log, WRITE_PATH).map((e) => e.status),
        [0, 204],
      );
      assert.equal(sim.state.value(101, 6), 12);
    });

    for (const [label, action, expectCode] of [
      ['503', { status: 503 }, 'SERVER_ERROR'],
      ['500', { status: 500 }, 'SERVER_ERROR'],
      ['reset before processing', { drop: 'before' as const }, 'NETWORK'],
      ['reset after processing', { drop: 'after' as const }, 'NETWORK'],
    ] as const) {
      it(`C7 non-idempotent trigger-event, ${label}: exactly 1 attempt, no blind retry`, async () => {
        const { sim } = env;
        const client = env.client({ retry: FAST_RETRY });
        await client.call(organizationProfile());
        sim.faults.add({ match: { path: EVENT_PATH }, times: Infinity, action });
        const err = await failure(() => client.call(triggerEvent(101, 'high_temp', 'once')));
        assert.equal(err.code, expectCode);
        assert.equal(apiRequestsOf(sim.log, EVENT_PATH).length, 1);
        assert.equal(sim.state.events(101).length, label === 'reset after processing' ? 1 : 0);
      });
    }

    it('C7 API 500 on an idempotent call is retried: 500, then 200', async () => {
      const { sim } = env;
      const client = env.client({ retry: FAST_RETRY });
      sim.faults.add({ match: { path: DEVICE_PATH }, action: { status: 500 } });
      assert.equal((await client.call(getDevice(101))).status, 200);
      assert.deepEqual(
        apiRequestsOf(sim.log, DEVICE_PATH).map((e) => e.status),
        [500, 200],
      );
    });
  });

  describe('401 / 403 on a token that looked valid', () => {
    it('C8 API 401 with a valid-looking token: 1 renewal + 1 retry → success', async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      const [t1] = sim.tokens.issuedAccess;
      sim.tokens.revokeAccessToken(t1);
      assert.equal((await client.call(getDevice(101))).status, 200);
      const t2 = sim.tokens.issuedAccess[1];
      assert.deepEqual(
        sim.log.map(
          (e) =>
            `${e.path} ${e.status} ${e.path === TOKEN_PATH ? e.query.grant_type : bearerOf(e) === t1 ? 't1' : bearerOf(e) === t2 ? 't2' : '?'}`,
        ),
        [
          `${TOKEN_PATH} 200 client_credentials`,
          `${PROFILE_PATH} 200 t1`,
          `${DEVICE_PATH} 401 t1`,
          `${TOKEN_PATH} 200 refresh_token`,
          `${DEVICE_PATH} 200 t2`,
        ],
      );
    });

    it('C9 401 again after the renewal: UNAUTHORIZED, no third try, no second renewal', async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      sim.faults.add({
        match: { path: DEVICE_PATH },
        times: Infinity,
        action: { status: 401, body: { error: { message: 'Invalid access token.' } } },
      });
      const err = await failure(() => client.call(getDevice(101)));
      assertSafeError(err, secretsOf(sim));
      assert.deepEqual([err.code, err.status, err.message], ['UNAUTHORIZED', 401, 'UNAUTHORIZED: Invalid access token.']);
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 2);
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 1 });
    });

    it("C10 403 on every call is a permission answer: no renewal, no retry, one request per message, Blynk's reason shown", async () => {
      const { sim } = env;
      const client = env.client();
      await client.call(organizationProfile());
      const reason = 'Platform API scope is not enabled for this oauth client.';
      sim.faults.add({ match: { path: DEVICE_PATH }, times: Infinity, action: { status: 403, body: { error: { message: reason } } } });
      for (let i = 0; i < 10; i++) {
        const err = await failure(() => client.call(getDevice(101)));
        assert.deepEqual([err.code, err.status, err.details.detail], ['FORBIDDEN', 403, reason]);
      }
      assert.equal(apiRequestsOf(sim.log, DEVICE_PATH).length, 10);
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1 });
      // Other endpoints keep working with the same token throughout.
      assert.equal(await profile(client), 200);
      assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1 });
    });
  });

  describe('token endpoint down or slow', () => {
    it('C13 token endpoint resets every connection: each message fails with NETWORK after exactly 3 attempts, then recovers by itself', async () => {
      const { sim } = env;
      const client = env.client({ retry: FAST_RETRY });
      sim.faults.add({ match: { path: TOKEN_PATH }, times: Infinity, action: { drop: 'before' } });
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const err = await failure(() => client.call(organizationProfile()));
        assert.ok(Date.now() - started < 3000);
        assert.equal(err.code, 'NETWORK');
        assertSafeError(err, secretsOf(sim));
      }
      assert.equal(sim.tokens.requests, 15);
      assert.equal(client.tokens?.state, 'error');
      sim.faults.clear();
      assert.equal(await profile(client), 200);
      assert.equal(sim.tokens.requests, 16);
      assert.equal(client.tokens?.state, 'ok');
    });

    it('C13 token endpoint answers 500 for a while: 3 attempts per message with backoff, then recovers', async () => {
      const { sim } = env;
      const client = env.client({ retry: FAST_RETRY });
      sim.faults.add({ match: { path: TOKEN_PATH }, times: 6, action: { status: 500 } });
      assert.equal((await failure(() => client.call(organizationProfile()))).code, 'TOKEN_REJECTED');
      assert.equal((await failure(() => client.call(organizationProfile()))).code, 'TOKEN_REJECTED');
      assert.equal(await profile(client), 200);
      assert.equal(sim.tokens.requests, 7);
    });
  });

  itD4(env);
});
