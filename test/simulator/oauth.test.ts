import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { basic, bearer, call, clientToken, refresh, type TokenBody } from './helpers';

describe('simulator: POST /oauth2/token', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.reset());
  after(() => sim.close());

  const token = (query: string, headers: Record<string, string> = {}, body?: unknown) =>
    call(sim, 'POST', `/oauth2/token?${query}`, { headers, body });

  it('issues a Bearer token for client_credentials with HTTP Basic', async () => {
    const r = await token('grant_type=client_credentials', { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const t = r.json as TokenBody;
    assert.deepEqual(Object.keys(t).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.expires_in, 86400);
    assert.deepEqual(sim.tokens.issuedAccess, [t.access_token]);
    assert.deepEqual(sim.tokens.issuedRefresh, [t.refresh_token]);
    assert.equal(sim.tokens.requests, 1);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1 });
    const profile = await call(sim, 'GET', '/api/v1/organization/profile', { headers: bearer(t.access_token) });
    assert.equal(profile.status, 200);
  });

  it('accepts client_id/client_secret in the query', async () => {
    const { clientId, clientSecret } = sim.demo;
    const r = await token(`grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`);
    assert.equal(r.status, 200);
  });

  it('decodes Basic credentials per RFC 6749 §2.3.1 (secret with ": % + é" and a space)', async () => {
    sim.addOAuthClient('odd:id', 'p: %+é x');
    const ok = await token('grant_type=client_credentials', { authorization: basic('odd:id', 'p: %+é x') });
    assert.equal(ok.status, 200);
    // Sent without form-encoding, '+' means space: the secret no longer matches.
    const raw = 'Basic ' + Buffer.from('odd%3Aid:p: %+é x').toString('base64');
    const bad = await token('grant_type=client_credentials', { authorization: raw });
    assert.equal(bad.status, 400);
    assert.equal(sim.log[0].headers.authorization, basic('odd:id', 'p: %+é x'));
  });

  it('answers invalid_client for a wrong secret, an unknown id, or no credentials', async () => {
    const expected = { error: 'invalid_client', error_description: 'Client ID is not found or password is wrong.' };
    for (const headers of [{ authorization: basic(sim.demo.clientId, 'wrong') }, { authorization: basic('nobody', 'x') }, {}] as Record<
      string,
      string
    >[]) {
      const r = await token('grant_type=client_credentials', headers);
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, expected);
    }
    assert.equal(sim.tokens.requests, 3);
    assert.deepEqual(sim.tokens.issuedAccess, []);
  });

  it('answers invalid_request without grant_type and unsupported_grant_type for others', async () => {
    const auth = { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) };
    const missing = await token('', auth);
    assert.equal(missing.status, 400);
    assert.equal((missing.json as { error: string }).error, 'invalid_request');
    const other = await token('grant_type=password', auth);
    assert.equal(other.status, 400);
    assert.equal((other.json as { error: string }).error, 'unsupported_grant_type');
    assert.deepEqual(sim.tokens.byGrant, { '(none)': 1, password: 1 });
  });

  it('issues user_credentials tokens for a JSON {userEmail, password} body', async () => {
    const auth = { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) };
    const ok = await token('grant_type=user_credentials', auth, { userEmail: sim.demo.userEmail, password: sim.demo.password });
    assert.equal(ok.status, 200);
    assert.equal((ok.json as TokenBody).token_type, 'Bearer');
    const wrong = await token('grant_type=user_credentials', auth, { userEmail: sim.demo.userEmail, password: 'nope' });
    assert.equal(wrong.status, 400);
    assert.equal((wrong.json as { error: string }).error, 'invalid_grant');
    const noBody = await token('grant_type=user_credentials', auth);
    assert.equal((noBody.json as { error: string }).error, 'invalid_request');
    sim.addUser('second@example.com', 'pw');
    const added = await token('grant_type=user_credentials', auth, { userEmail: 'second@example.com', password: 'pw' });
    assert.equal(added.status, 200);
    assert.deepEqual(sim.log[0].body, { userEmail: sim.demo.userEmail, password: sim.demo.password });
  });

  it('rotates refresh tokens: each is single-use and issues fresh tokens', async () => {
    const first = await clientToken(sim);
    const r = await refresh(sim, first.refresh_token);
    assert.equal(r.status, 200);
    const second = r.json as TokenBody;
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    const r3 = await refresh(sim, second.refresh_token);
    assert.equal(r3.status, 200);
    assert.deepEqual(sim.tokens.byGrant, { client_credentials: 1, refresh_token: 2 });
    assert.equal(sim.tokens.refreshReuse, 0);
    assert.equal(sim.tokens.issuedRefresh.length, 3);
  });

  it('revokes the whole family when a used refresh token is replayed', async () => {
    const first = await clientToken(sim);
    const second = (await refresh(sim, first.refresh_token)).json as TokenBody;
    const replay = await refresh(sim, first.refresh_token);
    assert.equal(replay.status, 400);
    assert.equal((replay.json as { error: string }).error, 'invalid_grant');
    assert.equal(sim.tokens.refreshReuse, 1);
    // The descendant of the same grant is revoked too.
    const descendant = await refresh(sim, second.refresh_token);
    assert.equal(descendant.status, 400);
    assert.equal((descendant.json as { error: string }).error, 'invalid_grant');
    assert.equal(sim.tokens.refreshReuse, 1);
    // Another grant's family is untouched.
    const other = await clientToken(sim);
    assert.equal((await refresh(sim, other.refresh_token)).status, 200);
  });

  it('rejects an unknown refresh token or one issued to another client', async () => {
    assert.equal((await refresh(sim, 'nope')).status, 400);
    const t = await clientToken(sim);
    sim.addOAuthClient('other', 'secret');
    const r = await call(sim, 'POST', `/oauth2/token?grant_type=refresh_token&refresh_token=${t.refresh_token}`, {
      headers: { authorization: basic('other', 'secret') },
    });
    assert.equal(r.status, 400);
    assert.equal((r.json as { error: string }).error, 'invalid_grant');
  });

  it('uses the configured lifetime and expires tokens by Date.now()', async () => {
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    try {
      sim.setTokenLifetime(300);
      const t = await clientToken(sim);
      assert.equal(t.expires_in, 300);
      clock.tick(299_000);
      assert.equal((await call(sim, 'GET', '/api/v1/organization/profile', { headers: bearer(t.access_token) })).status, 200);
      clock.tick(1_000);
      const expired = await call(sim, 'GET', '/api/v1/organization/profile', { headers: bearer(t.access_token) });
      assert.equal(expired.status, 401);
      assert.deepEqual(expired.json, { error: { message: 'Access token is expired.' } });
      assert.equal((await refresh(sim, t.refresh_token)).status, 400); // refresh tokens share the lifetime
    } finally {
      clock.restore();
    }
  });

  it('revokeAccessToken and revokeAll make tokens answer 401', async () => {
    const a = await clientToken(sim);
    const b = await clientToken(sim);
    sim.tokens.revokeAccessToken(a.access_token);
    const profile = (t: string) => call(sim, 'GET', '/api/v1/organization/profile', { headers: bearer(t) });
    assert.equal((await profile(a.access_token)).status, 401);
    assert.equal((await profile(b.access_token)).status, 200);
    sim.tokens.revokeAll();
    assert.equal((await profile(b.access_token)).status, 401);
    assert.equal((await refresh(sim, b.refresh_token)).status, 400);
  });
});
