// Bad token answers (B2–B5, B9) and the errors that leave the client (rule 8, E2).
import { strict as assert } from 'node:assert';
import { BlynkError, errorFor, getDevice, organizationProfile, writeDatastream } from '../../dist/blynk';
import {
  apiRequestsOf,
  assertSafeError,
  bearerOf,
  Clock,
  failure,
  FAST_RETRY,
  itD4,
  mint,
  secretsOf,
  TOKEN_PATH,
  useSimulator,
} from './helpers';

describe('client: bad answers and the errors it surfaces', () => {
  const env = useSimulator();

  /** Serves `body` as the 200 answer of the next token request. */
  const serveToken = (body: unknown, headers?: Record<string, string>): void =>
    env.sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 200, body, ...(headers ? { headers } : {}) } });

  /** No request ever went out with an empty or undefined Bearer token. */
  function assertNoBogusBearer(): void {
    for (const e of env.sim.log) {
      assert.doesNotMatch(e.headers.authorization ?? '', /^Bearer\s*(undefined|null|\[object Object\]|\d*)?\s*$/);
    }
  }

  describe('B2 token_type', () => {
    for (const tokenType of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
      it(`B2 token_type "${tokenType}" is accepted (case-insensitive, RFC 6749 §5.1)`, async () => {
        const { sim } = env;
        const minted = await mint(sim);
        serveToken({ access_token: minted.access_token, token_type: tokenType, expires_in: 300 });
        const client = env.client();
        assert.equal((await client.call(organizationProfile())).status, 200);
        assert.equal(bearerOf(apiRequestsOf(sim.log)[0]), minted.access_token);
      });
    }

    for (const [label, tokenType, detail] of [
      ['mac', 'mac', 'token_type mac'],
      ['missing', undefined, 'token_type missing'],
      ['a number', 1, 'token_type 1'],
    ] as const) {
      it(`B2 token_type ${label} is refused: TOKEN_BAD_RESPONSE, no API call`, async () => {
        const { sim } = env;
        const minted = await mint(sim);
        serveToken({ access_token: minted.access_token, ...(tokenType === undefined ? {} : { token_type: tokenType }), expires_in: 300 });
        const client = env.client();
        const err = await failure(() => client.call(organizationProfile()));
        assertSafeError(err, secretsOf(sim));
        assert.deepEqual([err.code, err.details.detail], ['TOKEN_BAD_RESPONSE', detail]);
        assert.deepEqual(apiRequestsOf(sim.log), []);
        assert.equal(client.tokens?.state, 'error');
      });
    }
  });

  describe('B3 access_token', () => {
    for (const [label, value] of [
      ['missing', undefined],
      ['empty', ''],
      ['blank', '   '],
      ['a number', 12345],
      ['null', null],
      ['an object', { token: 'x' }],
    ] as const) {
      it(`B3 access_token ${label}: "invalid token response", and never "Bearer undefined"`, async () => {
        const { sim } = env;
        const body: Record<string, unknown> = { token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-never-to-be-used' };
        if (value !== undefined) body.access_token = value;
        serveToken(body);
        const client = env.client();
        const err = await failure(() => client.call(organizationProfile()));
        assertSafeError(err, [...secretsOf(sim), 'rt-never-to-be-used']);
        assert.deepEqual([err.code, err.message], ['TOKEN_BAD_RESPONSE', 'TOKEN_BAD_RESPONSE: access_token missing']);
        assert.deepEqual(apiRequestsOf(sim.log), []);
        // The next message tries a fresh primary grant (the bad answer's RT is not trusted).
        assert.equal((await client.call(organizationProfile())).status, 200);
        assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2 });
        assertNoBogusBearer();
      });
    }
  });

  describe('B4 a 200 that is not a JSON object', () => {
    const html = `<!DOCTYPE html><html><head><title>Gateway</title></head><body>${'<p>maintenance</p>'.repeat(300)}</body></html>`;
    for (const [label, body, type, detail] of [
      ['an HTML page', html, 'text/html', `not JSON: ${html.slice(0, 200)}…`],
      ['plain text', 'OK', 'text/plain', 'not JSON: OK'],
      ['an empty body', '', 'text/plain', 'empty body'],
      ['a JSON array', '[1,2]', 'application/json', 'not JSON: [1,2]'],
      ['truncated JSON', '{"access_token":"abc', 'application/json', 'not JSON: {"access_token":"abc'],
      ['JSON null', 'null', 'application/json', 'not JSON: null'],
    ] as const) {
      it(`B4 ${label}: TOKEN_BAD_RESPONSE with at most 200 characters of it, no crash, no API call`, async () => {
        const { sim } = env;
        serveToken(body, { 'Content-Type': type });
        const client = env.client();
        const err = await failure(() => client.call(organizationProfile()));
        assertSafeError(err, secretsOf(sim));
        assert.equal(err.code, 'TOKEN_BAD_RESPONSE');
        assert.equal(err.details.detail, detail);
        assert.equal(err.message, `TOKEN_BAD_RESPONSE: ${detail}`);
        assert.deepEqual(apiRequestsOf(sim.log), []);
      });
    }
  });

  describe('B5 error bodies that are not RFC 6749 shaped', () => {
    const long = 'y'.repeat(10_240);
    for (const [label, status, body, detail] of [
      ['{message}', 500, { message: 'Quota exceeded' }, 'HTTP 500: Quota exceeded'],
      ['empty', 500, '', 'HTTP 500'],
      ['text', 502, 'Bad gateway', 'HTTP 502: Bad gateway'],
      ['10 KB of text', 500, long, `HTTP 500: ${'y'.repeat(200)}…`],
      ['control characters', 500, 'line1\r\nline2\u0007\u001b[31mred', 'HTTP 500: line1 line2 [31mred'],
      ['RFC error with a control-laden description', 500, { error: 'server_error', error_description: 'a\nb\tc' }, 'a b c'],
      ['{"error":{"message"}} (Blynk API shape)', 500, { error: { message: 'Internal' } }, 'HTTP 500: Internal'],
      ['an unknown JSON shape', 500, { status: 'down' }, 'HTTP 500: {"status":"down"}'],
    ] as const) {
      it(`B5 ${label}: generic TOKEN_REJECTED with the status, sanitised, ≤200 chars`, async () => {
        const { sim } = env;
        sim.faults.add({ match: { path: TOKEN_PATH }, action: { status, body } });
        const client = env.client({ retry: { attempts: 1 } });
        const err = await failure(() => client.call(organizationProfile()));
        assertSafeError(err, secretsOf(sim));
        assert.deepEqual([err.code, err.status, err.details.detail], ['TOKEN_REJECTED', status, detail]);
        assert.equal(sim.tokens.requests, 1);
      });
    }

    it('B5 a 400 without an RFC error on the primary grant: TOKEN_REJECTED, treated as fatal (cool-down)', async () => {
      const { sim } = env;
      const clock = new Clock();
      sim.faults.add({ match: { path: TOKEN_PATH }, action: { status: 400, body: { message: 'nope' } } });
      const client = env.client({ now: clock.now });
      const err = await failure(() => client.call(organizationProfile()));
      assert.deepEqual(
        [err.code, err.status, err.oauthError, err.retryAfter, err.details.detail],
        ['TOKEN_REJECTED', 400, undefined, 300, 'HTTP 400: nope'],
      );
      assert.equal((await failure(() => client.call(organizationProfile()))).code, 'AUTH_COOLDOWN');
      assert.equal(sim.tokens.requests, 1);
    });
  });

  it('B9 unknown fields in the token answer are ignored; scope is kept', async () => {
    const { sim } = env;
    const minted = await mint(sim);
    serveToken({
      access_token: minted.access_token,
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: minted.refresh_token,
      scope: 'device:read',
      id_token: 'x.y.z',
      nested: { deep: [1, 2, { a: null }] },
      '': 'empty key',
    });
    const client = env.client();
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.equal(bearerOf(apiRequestsOf(sim.log)[0]), minted.access_token);
    assert.equal(client.tokens?.scope, 'device:read');
  });

  describe('API error mapping', () => {
    it('Blynk {"error":{"message"}} answers become BAD_REQUEST / NOT_FOUND with the message as detail', async () => {
      const { sim } = env;
      const client = env.client();
      const notFound = await failure(() => client.call(getDevice(999)));
      assertSafeError(notFound, secretsOf(sim));
      assert.deepEqual(
        [notFound.code, notFound.status, notFound.message],
        ['NOT_FOUND', 404, 'NOT_FOUND: Device with identifier 999 is not found or belong to another organization.'],
      );
      const bad = await failure(() => client.call(writeDatastream(101, 2, 'not a number')));
      assert.deepEqual([bad.code, bad.status, bad.message], ['BAD_REQUEST', 400, 'BAD_REQUEST: Bad request - Invalid value']);
    });

    it('every error body shape Blynk uses shows its own text: {"error":{"message"}}, {"error","error_description"}, {"message"}, plain text', async () => {
      const { sim } = env;
      const client = env.client();
      for (const [body, detail] of [
        [{ error: { message: 'Device not found or access denied' } }, 'Device not found or access denied'],
        [{ error: 'invalid_request', error_description: 'deviceId is required' }, 'deviceId is required'],
        [{ error: 'invalid_request' }, 'invalid_request'],
        [
          { message: 'Platform API scope is not enabled for this oauth client.' },
          'Platform API scope is not enabled for this oauth client.',
        ],
        ['Bad request - Invalid value', 'Bad request - Invalid value'],
      ] as const) {
        sim.faults.add({ match: { path: '/api/v1/organization/device' }, action: { status: 400, body } });
        const err = await failure(() => client.call(getDevice(101)));
        assert.deepEqual([err.code, err.details.detail], ['BAD_REQUEST', detail], JSON.stringify(body));
      }
    });

    it('errorFor maps every status class, keeping retryAfter only where the server gave one', () => {
      const cases: Array<[number, string | undefined, string, number | undefined]> = [
        [400, undefined, 'BAD_REQUEST', undefined],
        [401, undefined, 'UNAUTHORIZED', undefined],
        [403, undefined, 'FORBIDDEN', undefined],
        [404, undefined, 'NOT_FOUND', undefined],
        [418, undefined, 'HTTP_ERROR', undefined],
        [429, '7', 'RATE_LIMITED', 7],
        [429, undefined, 'RATE_LIMITED', undefined],
        [500, undefined, 'SERVER_ERROR', undefined],
        [503, '9', 'RATE_LIMITED', 9],
        [503, undefined, 'SERVER_ERROR', undefined],
      ];
      for (const [status, retryAfter, code, expected] of cases) {
        const err = errorFor({ status, data: '', ...(retryAfter ? { retryAfter } : {}) });
        assert.ok(err instanceof BlynkError);
        assert.deepEqual([err.code, err.status, err.retryAfter, err.message], [code, status, expected, `${code}: HTTP ${status}`]);
      }
    });
  });

  it('E2 errors of every kind are BlynkErrors without axios objects or secrets, even with hidden properties shown', async () => {
    const { sim } = env;
    const clock = new Clock();
    const collected: BlynkError[] = [];
    const grab = async (fn: () => Promise<unknown>): Promise<void> => {
      collected.push(await failure(fn));
    };
    // Timeout on the token endpoint.
    let client = env.client({ tokenTimeoutMs: 100 });
    sim.faults.add({ match: { path: TOKEN_PATH }, action: { delayMs: 300 } });
    await grab(() => client.call(organizationProfile()));
    // Network reset on an API call, after a token exists.
    client = env.client({ retry: FAST_RETRY, now: clock.now });
    await client.call(organizationProfile());
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 3, action: { drop: 'before' } });
    await grab(() => client.call(getDevice(101)));
    // 401 after renewal, 403, 429, 500, a refused redirect.
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 2, action: { status: 401 } });
    await grab(() => client.call(getDevice(101)));
    clock.advance(120_000);
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 1, action: { status: 403 } });
    await grab(() => client.call(getDevice(101)));
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, action: { status: 429, headers: { 'Retry-After': '999' } } });
    await grab(() => client.call(getDevice(101)));
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, times: 3, action: { status: 500 } });
    await grab(() => client.call(getDevice(101)));
    sim.faults.add({ match: { path: '/api/v1/organization/device' }, action: { redirect: 'https://evil.example.com' } });
    await grab(() => client.call(getDevice(101)));
    // Rejected credentials, and a closed client.
    const wrong = env.client({
      credentials: {
        grantType: 'user_credentials',
        clientId: sim.demo.clientId,
        clientSecret: sim.demo.clientSecret,
        userEmail: sim.demo.userEmail,
        password: 'wrong-password-E2',
      },
    });
    await grab(() => wrong.call(organizationProfile()));
    await grab(() => wrong.call(organizationProfile()));
    client.close();
    await grab(() => client.call(getDevice(101)));

    assert.deepEqual(
      collected.map((e) => e.code),
      [
        'TIMEOUT',
        'NETWORK',
        'UNAUTHORIZED',
        'FORBIDDEN',
        'RATE_LIMITED',
        'SERVER_ERROR',
        'REDIRECT_REFUSED',
        'TOKEN_INVALID_GRANT',
        'AUTH_COOLDOWN',
        'CLOSED',
      ],
    );
    for (const err of collected) assertSafeError(err, secretsOf(sim, ['wrong-password-E2']));
    await new Promise((resolve) => setTimeout(resolve, 250)); // the held token answer
  });

  itD4(env);
});
