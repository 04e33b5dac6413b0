// Primary grants (client_credentials, user_credentials), client authentication (RFC 6749 §2.3.1)
// and the fatal state after rejected credentials (reliability rule 10).
import { strict as assert } from 'node:assert';
import { basicAuth, BlynkClient, deviceUpdate, organizationProfile, type OAuthCredentials } from '../../dist/blynk';
import {
  apiRequestsOf,
  assertSafeError,
  bearerOf,
  Clock,
  demoBasic,
  failure,
  itD4,
  PROFILE_PATH,
  secretsOf,
  TOKEN_PATH,
  tokenRequestsOf,
  useSimulator,
} from './helpers';

describe('client: primary grants and client authentication', () => {
  const env = useSimulator();

  const userCredentials = (over: Partial<OAuthCredentials> = {}): OAuthCredentials => ({
    grantType: 'user_credentials',
    clientId: env.sim.demo.clientId,
    clientSecret: env.sim.demo.clientSecret,
    userEmail: env.sim.demo.userEmail,
    password: env.sim.demo.password,
    ...over,
  });

  it('A1 first call on an empty cache: one client_credentials POST with Basic, then the call with Bearer <that token>', async () => {
    const { sim } = env;
    const client = env.client();
    const res = await client.call(organizationProfile());
    assert.equal(res.status, 200);
    assert.equal((res.data as { id: number }).id, sim.demo.org.id);
    const second = await client.call(organizationProfile());
    assert.equal(second.status, 200);

    const [token, api1, api2, ...rest] = sim.log;
    assert.deepEqual(rest, []);
    assert.deepEqual([token.method, token.path, token.status], ['POST', TOKEN_PATH, 200]);
    // grant_type in the query, and nothing else there: no credentials in the URI (RFC 6749 §2.3.1).
    assert.deepEqual(token.query, { grant_type: 'client_credentials' });
    assert.equal(token.headers.authorization, demoBasic(sim));
    assert.equal(token.body, undefined);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1 });
    assert.equal(sim.tokens.issuedAccess.length, 1);
    for (const api of [api1, api2]) {
      assert.deepEqual([api.method, api.path, api.status], ['GET', PROFILE_PATH, 200]);
      assert.equal(api.headers.authorization, `Bearer ${sim.tokens.issuedAccess[0]}`);
      assert.deepEqual(api.query, {});
    }
    assert.equal(client.tokens?.state, 'ok');
  });

  it('A5 user_credentials: grant_type in the query, JSON {userEmail,password} body with Basic, sent once', async () => {
    const { sim } = env;
    const client = env.client({ credentials: userCredentials() });
    for (let i = 0; i < 3; i++) assert.equal((await client.call(organizationProfile())).status, 200);

    const tokens = tokenRequestsOf(sim.log);
    assert.equal(tokens.length, 1);
    assert.deepEqual(tokens[0].query, { grant_type: 'user_credentials' });
    assert.deepEqual(tokens[0].body, { userEmail: sim.demo.userEmail, password: sim.demo.password });
    assert.match(tokens[0].headers['content-type'] ?? '', /^application\/json\b/);
    assert.equal(tokens[0].headers.authorization, demoBasic(sim));
    assert.deepEqual(sim.tokens.byGrant, { user_credentials: 1 });
    assert.deepEqual(
      apiRequestsOf(sim.log).map(bearerOf),
      [1, 2, 3].map(() => sim.tokens.issuedAccess[0]),
    );
  });

  it('A5 user_credentials: renewal refreshes; a failed refresh falls back to user_credentials, not client_credentials', async () => {
    const { sim } = env;
    const clock = new Clock();
    sim.setTokenLifetime(300);
    const client = env.client({ credentials: userCredentials(), now: clock.now });
    await client.call(organizationProfile());
    clock.advance(300_000);
    sim.faults.add({
      match: { grantType: 'refresh_token' },
      action: { status: 400, body: { error: 'invalid_grant', error_description: 'Refresh token is invalid.' } },
    });
    await client.call(organizationProfile());
    assert.deepEqual(sim.tokens.byGrant, { user_credentials: 2, refresh_token: 1 });
    const tokens = tokenRequestsOf(sim.log);
    assert.deepEqual(
      tokens.map((e) => e.query.grant_type),
      ['user_credentials', 'refresh_token', 'user_credentials'],
    );
    assert.deepEqual(tokens[2].body, { userEmail: sim.demo.userEmail, password: sim.demo.password });
    assert.equal(bearerOf(apiRequestsOf(sim.log)[1]), sim.tokens.issuedAccess[1]);
  });

  it('B6 Basic auth form-encodes id and secret before base64 (RFC 6749 §2.3.1): secret with ": % + space é"', async () => {
    const { sim } = env;
    const id = 'blynk client:1';
    const secret = 's3cr:t %41+é x';
    sim.addOAuthClient(id, secret);
    // Written out by hand: space → "+", ":" → %3A, "%" → %25, "+" → %2B, "é" → %C3%A9.
    const expected = 'Basic ' + Buffer.from('blynk+client%3A1:s3cr%3At+%2541%2B%C3%A9+x', 'utf8').toString('base64');
    assert.equal(basicAuth(id, secret), expected);

    const client = env.client({ credentials: { grantType: 'client_credentials', clientId: id, clientSecret: secret } });
    assert.equal((await client.call(organizationProfile())).status, 200);
    const [token] = tokenRequestsOf(sim.log);
    assert.equal(token.status, 200);
    assert.equal(token.headers.authorization, expected);
    assert.deepEqual(token.query, { grant_type: 'client_credentials' });
  });

  it('B7 empty client id or secret: NO_OAUTH_CLIENT and not one request; Device API calls still work', async () => {
    const { sim } = env;
    for (const credentials of [
      { grantType: 'client_credentials' as const, clientId: '', clientSecret: sim.demo.clientSecret },
      { grantType: 'client_credentials' as const, clientId: sim.demo.clientId, clientSecret: '' },
    ]) {
      const client = env.client({ credentials });
      assert.equal(client.tokens, undefined);
      const err = await failure(() => client.call(organizationProfile()));
      assert.equal(err.code, 'NO_OAUTH_CLIENT');
    }
    const none = env.client({ credentials: undefined });
    assert.equal((await failure(() => none.call(organizationProfile()))).code, 'NO_OAUTH_CLIENT');
    assert.deepEqual(sim.log, []);
    const device = sim.demo.devices[0];
    assert.equal((await none.call(deviceUpdate(device.token, 'V5', 55))).status, 200);
    assert.equal(sim.state.value(device.id, 'v5'), 55);
  });

  it('B7 user_credentials without e-mail or password: NO_USER_CREDENTIALS, zero network calls however many messages', async () => {
    const { sim } = env;
    for (const over of [{ userEmail: '' }, { password: '' }, { userEmail: undefined }]) {
      const states: string[] = [];
      const client = env.client({ credentials: userCredentials(over), onStateChange: (s) => states.push(s) });
      for (let i = 0; i < 5; i++) {
        const err = await failure(() => client.call(organizationProfile()));
        assert.equal(err.code, 'NO_USER_CREDENTIALS');
      }
      assert.equal(client.tokens?.state, 'auth-failed');
      assert.equal(states[states.length - 1], 'auth-failed');
    }
    assert.deepEqual(sim.log, []);
  });

  it('C12 invalid_client on the primary grant: fatal state, one attempt per cool-down however many calls, then recovery', async () => {
    const { sim } = env;
    const clock = new Clock();
    const states: string[] = [];
    const secret = 'wrong-secret-C12';
    const client = env.client({
      credentials: { grantType: 'client_credentials', clientId: sim.demo.clientId, clientSecret: secret },
      now: clock.now,
      fatalCooldownMs: 300_000,
      onStateChange: (state, error) => states.push(error ? `${state}:${error.code}` : state),
    });

    const burst = await Promise.all(Array.from({ length: 20 }, () => failure(() => client.call(organizationProfile()))));
    const first = burst[0];
    assert.ok(
      burst.every((e) => e === first),
      'all callers of the one flight share its error',
    );
    assert.equal(first.code, 'TOKEN_INVALID_CLIENT');
    assert.equal(first.status, 400);
    assert.equal(first.oauthError, 'invalid_client');
    assert.equal(first.retryAfter, 300);
    assert.equal(first.message, 'TOKEN_INVALID_CLIENT: Client ID is not found or password is wrong.');
    assertSafeError(first, [...secretsOf(sim), secret, Buffer.from(`${sim.demo.clientId}:${secret}`).toString('base64')]);
    assert.equal(sim.tokens.requests, 1);
    assert.equal(client.tokens?.state, 'auth-failed');

    clock.advance(120_000);
    for (let i = 0; i < 30; i++) {
      const err = await failure(() => client.call(organizationProfile()));
      assert.equal(err.code, 'AUTH_COOLDOWN');
      assert.equal(err.retryAfter, 180);
      assert.equal(err.oauthError, 'invalid_client');
    }
    clock.advance(179_999);
    assert.equal((await failure(() => client.call(organizationProfile()))).retryAfter, 1);
    assert.equal(sim.tokens.requests, 1);
    assert.deepEqual(apiRequestsOf(sim.log), []);

    // Cool-down over: exactly one more attempt, still refused, and a new cool-down.
    clock.advance(1);
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'TOKEN_INVALID_CLIENT');
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'AUTH_COOLDOWN');
    assert.equal(sim.tokens.requests, 2);

    // The secret becomes valid (say, fixed on the server side): the next window recovers, in one request.
    sim.addOAuthClient(sim.demo.clientId, secret);
    try {
      clock.advance(300_000);
      const results = await Promise.all(Array.from({ length: 20 }, () => client.call(organizationProfile())));
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(sim.tokens.requests, 3);
      assert.equal(client.tokens?.state, 'ok');
    } finally {
      sim.addOAuthClient(sim.demo.clientId, sim.demo.clientSecret);
    }
    // The same failure after the cool-down updates the state but is not reported again (F8).
    assert.deepEqual(states, ['connecting', 'auth-failed:TOKEN_INVALID_CLIENT', 'connecting', 'auth-failed', 'connecting', 'ok']);
  });

  it('C12 wrong password (user_credentials → invalid_grant): TOKEN_INVALID_GRANT, ≤1 attempt per cool-down', async () => {
    const { sim } = env;
    const clock = new Clock();
    const password = 'wrong-password-C12';
    const client = env.client({ credentials: userCredentials({ password }), now: clock.now, fatalCooldownMs: 60_000 });
    const errors = await Promise.all(Array.from({ length: 10 }, () => failure(() => client.call(organizationProfile()))));
    assert.ok(errors.every((e) => e === errors[0]));
    assert.equal(errors[0].code, 'TOKEN_INVALID_GRANT');
    assert.equal(errors[0].oauthError, 'invalid_grant');
    assert.equal(errors[0].retryAfter, 60);
    assertSafeError(errors[0], [...secretsOf(sim), password]);
    for (let i = 0; i < 20; i++) {
      clock.advance(2_000);
      assert.equal((await failure(() => client.call(organizationProfile()))).code, 'AUTH_COOLDOWN');
    }
    assert.deepEqual(sim.tokens.byGrant, { user_credentials: 1 });
    clock.advance(20_000); // 60 s after the attempt
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'TOKEN_INVALID_GRANT');
    assert.deepEqual(sim.tokens.byGrant, { user_credentials: 2 });
  });

  it('C12 invalid_client as 401 with WWW-Authenticate (RFC 6749 §5.2) is fatal too', async () => {
    const { sim } = env;
    const clock = new Clock();
    sim.faults.add({
      match: { path: TOKEN_PATH },
      action: {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        headers: { 'WWW-Authenticate': 'Basic realm="blynk"' },
      },
    });
    const client = env.client({ now: clock.now });
    const err = await failure(() => client.call(organizationProfile()));
    assert.deepEqual([err.code, err.status, err.oauthError, err.retryAfter], ['TOKEN_INVALID_CLIENT', 401, 'invalid_client', 300]);
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'AUTH_COOLDOWN');
    assert.equal(sim.tokens.requests, 1);
  });

  it('C12 credentials revoked while running: refresh refused, the primary grant refused → fatal, no API call with a dead token', async () => {
    const { sim } = env;
    const clock = new Clock();
    sim.setTokenLifetime(300);
    const client = env.client({ now: clock.now });
    await client.call(organizationProfile());
    clock.advance(300_000);
    sim.faults.add({
      match: { grantType: 'refresh_token' },
      action: { status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } },
    });
    sim.faults.add({
      match: { grantType: 'client_credentials' },
      times: Infinity,
      action: { status: 400, body: { error: 'invalid_client', error_description: 'Client ID is not found or password is wrong.' } },
    });
    const errors = await Promise.all(Array.from({ length: 5 }, () => failure(() => client.call(organizationProfile()))));
    assert.ok(errors.every((e) => e.code === 'TOKEN_INVALID_CLIENT'));
    for (let i = 0; i < 5; i++) assert.equal((await failure(() => client.call(organizationProfile()))).code, 'AUTH_COOLDOWN');
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 2, refresh_token: 1 });
    assert.equal(apiRequestsOf(sim.log).length, 1);
    assert.equal(client.tokens?.state, 'auth-failed');
  });

  it('B8 a trailing slash in the server URL is normalised to the origin', async () => {
    const { sim } = env;
    const client = env.track(new BlynkClient({ server: `${sim.url}/`, credentials: userCredentials() }));
    assert.equal(client.transport.server, sim.url);
    await client.call(organizationProfile());
    assert.equal(tokenRequestsOf(sim.log).length, 1);
  });

  itD4(env);
});
