// The authorization code grant at the client level: the stored refresh token stands in
// for the primary grant, is spent once, its rotated successor is handed back to be stored, and a
// refused one leaves the client at "sign in again" with no retry loop. Also scope and token path.
import { strict as assert } from 'node:assert';
import { organizationProfile, type OAuthCredentials, type TokenState } from '../../dist/blynk';
import { Clock, failure, grantOf, itD4, mint, PROFILE_PATH, refreshSent, tokenRequestsOf, useSimulator } from './helpers';

describe('client: authorization code grant (stored refresh token)', () => {
  const env = useSimulator();

  const codeCredentials = (refreshToken?: string): OAuthCredentials => ({
    grantType: 'authorization_code',
    clientId: env.sim.demo.clientId,
    clientSecret: env.sim.demo.clientSecret,
    ...(refreshToken ? { refreshToken } : {}),
  });

  it('G1 without a stored refresh token: SIGNIN_REQUIRED at once, state signin-required, no request', async () => {
    const states: TokenState[] = [];
    const client = env.client({ credentials: codeCredentials(), onStateChange: (s) => states.push(s) });
    const err = await failure(() => client.call(organizationProfile()));
    assert.equal(err.code, 'SIGNIN_REQUIRED');
    assert.equal(client.tokens?.state, 'signin-required');
    assert.equal(env.sim.log.length, 0);
    const again = await failure(() => client.call(organizationProfile()));
    assert.equal(again.code, 'SIGNIN_REQUIRED');
    assert.equal(env.sim.log.length, 0);
    // One attempt, then nothing moves: the second call fails without even "connecting".
    assert.deepEqual(states, ['connecting', 'signin-required']);
  });

  it('G2 the stored refresh token is spent once; the rotated one is handed back and used next, never the old one', async () => {
    const { refresh_token: stored } = await mint(env.sim); // the minting request is the log's first
    const handed: (string | undefined)[] = [];
    const clock = new Clock();
    const client = env.client({ credentials: codeCredentials(stored), onRefreshToken: (rt) => handed.push(rt), now: clock.now });
    assert.equal((await client.call(organizationProfile())).status, 200);
    const [, first] = tokenRequestsOf(env.sim.log);
    assert.equal(grantOf(first), 'refresh_token');
    assert.deepEqual(refreshSent(env.sim.log), [stored]);
    // issuedRefresh: [0] the minted (stored) one, then one per successful refresh, in order.
    const issued = (): string[] => env.sim.tokens.issuedRefresh;
    assert.equal(issued()[0], stored);
    assert.deepEqual(handed, [issued()[1]]);
    // Past expiry: the rotated token is spent, not the stored one again.
    clock.advance(86_400_000);
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.deepEqual(refreshSent(env.sim.log), [stored, issued()[1]]);
    assert.equal(issued().length, 3);
    assert.deepEqual(handed, [issued()[1], issued()[2]]);
    assert.equal(env.sim.tokens.refreshReuse, 0);
  });

  it('G3 a refused refresh token: signin-required, stored copy dropped, no loop even after the cool-down', async () => {
    const states: TokenState[] = [];
    const handed: (string | undefined)[] = [];
    const clock = new Clock();
    const client = env.client({
      credentials: codeCredentials('revoked-or-unknown'),
      onStateChange: (s) => states.push(s),
      onRefreshToken: (rt) => handed.push(rt),
      now: clock.now,
      fatalCooldownMs: 60_000,
    });
    const err = await failure(() => client.call(organizationProfile()));
    assert.equal(err.code, 'SIGNIN_REQUIRED');
    assert.equal(client.tokens?.state, 'signin-required');
    assert.deepEqual(handed, [undefined]);
    for (let i = 0; i < 5; i++) {
      clock.advance(120_000);
      assert.equal((await failure(() => client.call(organizationProfile()))).code, 'SIGNIN_REQUIRED');
    }
    assert.equal(tokenRequestsOf(env.sim.log).length, 1, 'the refused refresh token was retried');
    assert.equal(env.sim.log.filter((e) => e.path === PROFILE_PATH).length, 0);
    assert.deepEqual(states, ['connecting', 'signin-required']);
  });

  it('G4 signIn() after "sign in again": the new refresh token is used and the client works', async () => {
    const client = env.client({ credentials: codeCredentials() });
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'SIGNIN_REQUIRED');
    const { refresh_token: fresh } = await mint(env.sim);
    client.tokens?.signIn(fresh);
    assert.equal(client.tokens?.state, 'idle');
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.equal(client.tokens?.state, 'ok');
  });

  it('G5 a 429 on the stored refresh token keeps it for the next try', async () => {
    const { refresh_token: stored } = await mint(env.sim);
    env.sim.faults.add({ match: { path: '/oauth2/token' }, action: { status: 429, headers: { 'Retry-After': '120' } } });
    const clock = new Clock();
    const client = env.client({ credentials: codeCredentials(stored), now: clock.now });
    assert.equal((await failure(() => client.call(organizationProfile()))).code, 'RATE_LIMITED');
    clock.advance(121_000);
    assert.equal((await client.call(organizationProfile())).status, 200);
    assert.deepEqual(refreshSent(env.sim.log), [stored, stored]);
  });

  it('G6 scope is sent with client credentials and the granted scope kept; the token path is configurable', async () => {
    const client = env.client({ credentials: { ...codeCredentials(), grantType: 'client_credentials', scope: 'org:read device:read' } });
    await client.call(organizationProfile());
    const [req] = tokenRequestsOf(env.sim.log);
    assert.equal(req.query.scope, 'org:read device:read');
    assert.equal(client.tokens?.scope, 'org:read device:read');
    env.sim.reset();
    const custom = env.client({ tokenPath: '/custom/token' });
    const err = await failure(() => custom.call(organizationProfile()));
    assert.equal(env.sim.log[0].path, '/custom/token');
    assert.equal(err.status, 404);
  });

  itD4(env);
});
