// Authorization code grant in a real runtime against the simulator over real HTTP:
// start → authorize URL → consent page → callback → refresh token stored as a credential, and
// each refusal (state mismatch, replay, expiry, denied consent, code reuse, no pending sign-in)
// with nothing stored. Also the create-OAuth-client route.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import {
  basicClientId,
  CONNECTED,
  demoCredentials,
  expectSent,
  lastStatus,
  loadNode,
  redRing,
  tokenRequestsOf,
  useHarness,
} from '../support/harness';
import { httpRequest } from '../support/http';
import { startRecorder } from '../support/recorder';
import { ALL_NODES, exchange, FlowNode, helper } from '../support/runtime';

interface Start {
  ok: boolean;
  url?: string;
  redirectUri?: string;
  message?: string;
}

describe('blynk-cloud-config: sign in with Blynk (authorization code)', function () {
  const h = useHarness();
  const tab: FlowNode = { id: 'tab', type: 'tab', label: 'test' };
  const cfg = (extra: Record<string, unknown> = {}): FlowNode => ({
    id: 'cfg',
    type: 'blynk-cloud-config',
    server: h.sim.url,
    grantType: 'authorization_code',
    scope: 'org:read',
    ...extra,
  });
  const flowNode: FlowNode = { id: 'n1', type: 'blynk-cloud-get-device' };

  const callbackUrl = (): string => `${helper.url()}/blynk-cloud/authorize/callback`;
  /** The demo client's Basic authorization (its id and secret need no form-encoding). */
  const demoBasic = (): string => `Basic ${Buffer.from(`${h.sim.demo.clientId}:${h.sim.demo.clientSecret}`).toString('base64')}`;

  async function load(): Promise<void> {
    await helper.load(ALL_NODES, [tab, cfg()], { cfg: demoCredentials(h.sim) });
  }

  /** POST start as the dialog does (stored secret by placeholder); returns the answer and the cookie. */
  async function start(): Promise<{ body: Start; cookie: string }> {
    const res = await helper
      .request()
      .post('/blynk-cloud/authorize/start')
      .send({
        id: 'cfg',
        server: h.sim.url,
        clientId: h.sim.demo.clientId,
        clientSecret: '__PWRD__',
        scope: 'org:read',
        redirectUri: callbackUrl(),
      })
      .expect(200);
    const body = res.body as Start;
    assert.equal(body.ok, true, body.message);
    assert.ok(!res.text.includes(h.sim.demo.clientSecret), 'the start answer shows the client secret');
    const cookie = String((res.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];
    return { body, cookie };
  }

  /** Follows the authorize URL like a browser: consent page, then a click on #allow or #deny. */
  async function consent(url: string, decision: 'allow' | 'deny'): Promise<URL> {
    // Like a browser that does not follow redirects; httpRequest has no keep-alive (root hook F4).
    const pageRes = await httpRequest('GET', url);
    assert.equal(pageRes.status, 200);
    const html = pageRes.text;
    assert.match(html, /id="allow"/);
    assert.match(html, /id="deny"/);
    const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(ticket);
    const post = await httpRequest(
      'POST',
      new URL('/oauth2/authorize', h.sim.url).href,
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ ticket, decision }).toString(),
    );
    assert.equal(post.status, 302);
    return new URL(post.headers.location ?? '');
  }

  async function callback(location: URL, cookie: string, expectStatus: number): Promise<string> {
    assert.equal(location.origin + location.pathname, callbackUrl());
    const res = await helper.request().get(`/blynk-cloud/authorize/callback${location.search}`).set('Cookie', cookie).expect(expectStatus);
    assert.match(String(res.headers['content-type']), /text\/html/);
    return res.text;
  }

  /** The runtime's credential store, as the config node and the routes write it. */
  const storedRefresh = (): string | undefined =>
    (helper as unknown as { _redNodes: { getCredentials(id: string): { refreshToken?: string } | undefined } })._redNodes.getCredentials(
      'cfg',
    )?.refreshToken;

  function assertNothingStored(): void {
    assert.equal(storedRefresh(), undefined, 'a refresh token was stored');
    assert.equal(h.sim.tokens.byGrant.authorization_code ?? 0, 0, 'an authorization code was exchanged');
  }

  it('round trip: start, consent, callback; the refresh token is stored, used by a flow node, rotated and stored again', async () => {
    const { sim } = h;
    await loadNode(sim, flowNode, {}, { grantType: 'authorization_code', scope: 'org:read' });
    const { body, cookie } = await start();
    const url = new URL(body.url ?? '');
    assert.equal(url.pathname, '/oauth2/authorize');
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('redirect_uri'), callbackUrl());
    assert.equal(url.searchParams.get('scope'), 'org:read');
    assert.ok((url.searchParams.get('state') ?? '').length >= 40, 'state is not long enough to be unguessable');

    const location = await consent(url.toString(), 'allow');
    assert.equal(location.searchParams.get('state'), url.searchParams.get('state'));
    const html = await callback(location, cookie, 200);
    assert.match(html, /data-ok="true"/);
    assert.match(html, /postMessage/);

    const tokens = tokenRequestsOf(sim);
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0].headers['content-type'], 'application/x-www-form-urlencoded');
    assert.match(String(tokens[0].body), /grant_type=authorization_code/);
    assert.match(String(tokens[0].body), /code_verifier=/);
    assert.equal(basicClientId(tokens[0]), sim.demo.clientId);
    assert.equal(tokens[0].headers.authorization, demoBasic());
    const first = storedRefresh();
    assert.ok(first && sim.tokens.issuedRefresh.includes(first), 'the refresh token was not stored');

    const status = await helper.request().get('/blynk-cloud/authorize/status?id=cfg').expect(200);
    assert.deepEqual(status.body, { state: 'ok', signedIn: true, scope: 'org:read' });
    assert.ok(!status.text.includes(first), 'the status shows the refresh token');

    // A flow node now works: the stored refresh token is spent once and the rotated one stored.
    await expectSent('n1', { deviceId: 101 } as never);
    assert.deepEqual(lastStatus('n1'), CONNECTED);
    const second = storedRefresh();
    assert.ok(second && second !== first, 'the rotated refresh token was not stored');
    assert.equal(sim.tokens.byGrant.refresh_token, 1);
    assert.equal(sim.tokens.refreshReuse, 0);
  });

  it('refuses a state mismatch, and stores nothing', async () => {
    await load();
    const { body, cookie } = await start();
    const location = await consent(body.url ?? '', 'allow');
    location.searchParams.set('state', 'x'.repeat(43));
    const html = await callback(location, cookie, 400);
    assert.match(html, /signin\.errors\.no-pending/);
    assertNothingStored();
    assert.equal(h.sim.tokens.requests, 0, 'the code was exchanged');
  });

  it('refuses a replayed state (the second use of an answer), and the first refusal spends it', async () => {
    await load();
    const { body, cookie } = await start();
    const location = await consent(body.url ?? '', 'allow');
    // First hit from another browser (no cookie): refused, and the state is spent.
    const res = await helper.request().get(`/blynk-cloud/authorize/callback${location.search}`).expect(400);
    assert.match(res.text, /signin\.errors\.other-browser/);
    const html = await callback(location, cookie, 400);
    assert.match(html, /signin\.errors\.replayed/);
    assertNothingStored();
    assert.equal(h.sim.tokens.requests, 0);
  });

  it('refuses an expired state (fake Date, 6 min later), and stores nothing', async () => {
    await load();
    const { body, cookie } = await start();
    const location = await consent(body.url ?? '', 'allow');
    const clock = sinon.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ['Date'] });
    try {
      const html = await callback(location, cookie, 400);
      assert.match(html, /signin\.errors\.expired/);
    } finally {
      clock.restore();
    }
    assertNothingStored();
    assert.equal(h.sim.tokens.requests, 0);
  });

  it('refuses denied consent, and stores nothing', async () => {
    await load();
    const { body, cookie } = await start();
    const location = await consent(body.url ?? '', 'deny');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    const html = await callback(location, cookie, 400);
    assert.match(html, /signin\.errors\.denied/);
    assertNothingStored();
    const status = await helper.request().get('/blynk-cloud/authorize/status?id=cfg').expect(200);
    assert.equal(status.body.state, 'failed');
    assert.equal(h.sim.tokens.requests, 0);
  });

  it('code reuse: the simulator refuses a second exchange of a code and revokes what it issued', async () => {
    await load();
    const { body, cookie } = await start();
    const location = await consent(body.url ?? '', 'allow');
    await callback(location, cookie, 200);
    const stored = storedRefresh();
    assert.ok(stored);
    // Someone replays the code at the token endpoint.
    const form = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: demoBasic() };
    const replay = await httpRequest(
      'POST',
      new URL('/oauth2/token', h.sim.url).href,
      form,
      new URLSearchParams({
        grant_type: 'authorization_code',
        code: location.searchParams.get('code') ?? '',
        redirect_uri: callbackUrl(),
      }).toString(),
    );
    assert.equal(replay.status, 400);
    assert.equal((JSON.parse(replay.text) as { error: string }).error, 'invalid_grant');
    assert.equal(h.sim.tokens.codeReuse, 1);
    // What the code had issued is revoked: the stored (unspent) refresh token is refused.
    const refreshed = await httpRequest(
      'POST',
      new URL('/oauth2/token', h.sim.url).href,
      form,
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored }).toString(),
    );
    assert.equal(refreshed.status, 400);
    assert.deepEqual(JSON.parse(refreshed.text), { error: 'invalid_grant', error_description: 'Refresh token is revoked.' });
    assert.equal(h.sim.tokens.refreshReuse, 0, 'the stored refresh token had been spent already');
  });

  it('refuses a callback without a pending sign-in (no state, unknown state), and stores nothing', async () => {
    await load();
    const none = await helper.request().get('/blynk-cloud/authorize/callback?code=abc').expect(400);
    assert.match(none.text, /signin\.errors\.no-pending/);
    const unknown = await helper.request().get('/blynk-cloud/authorize/callback?code=abc&state=zzz').expect(400);
    assert.match(unknown.text, /signin\.errors\.no-pending/);
    assertNothingStored();
    assert.equal(h.sim.tokens.requests, 0);
  });

  it('HTML-escapes what the callback page shows', async () => {
    await load();
    const res = await helper.request().get('/blynk-cloud/authorize/callback?state=%3Cscript%3E&error=%3Cb%3E').expect(400);
    assert.ok(!res.text.includes('<b>'));
    assert.ok(!/<script>[^(]/.test(res.text.replace(/<script>\(function/, '')));
  });

  it('a refused refresh token leaves the node at "sign in again", with no retry loop', async () => {
    const { sim } = h;
    await loadNode(
      sim,
      flowNode,
      { cfg: { ...demoCredentials(sim), refreshToken: 'not-a-valid-token' } },
      { grantType: 'authorization_code' },
    );
    const out1 = await exchange('n1', { deviceId: 101 });
    assert.equal(out1.caught?.error.code, 'SIGNIN_REQUIRED');
    const out2 = await exchange('n1', { deviceId: 101 });
    assert.equal(out2.caught?.error.code, 'SIGNIN_REQUIRED');
    assert.equal(sim.tokens.requests, 1, 'the refused refresh token was retried');
    // Set before the failed msg reaches the Catch node (failureStatus of SIGNIN_REQUIRED).
    assert.deepEqual(lastStatus('n1'), redRing('signin-required'));
    assert.equal(storedRefresh(), undefined, 'the refused refresh token stayed stored');
  });

  it('Test connection shows the granted scope: client credentials with a scope, and a signed-in connection', async () => {
    const { sim } = h;
    await load();
    const typed = await helper
      .request()
      .post('/blynk-cloud/test-connection')
      .send({ id: 'other', server: sim.url, grantType: 'client_credentials', ...demoCredentials(sim), scope: 'org:read' })
      .expect(200);
    assert.equal(typed.body.ok, true);
    assert.equal(typed.body.organization.scope, 'org:read');
    // authorization_code: before a sign-in there is nothing to test with, and nothing is spent.
    const before = await helper
      .request()
      .post('/blynk-cloud/test-connection')
      .send({ id: 'cfg', server: sim.url, grantType: 'authorization_code' })
      .expect(200);
    assert.equal(before.body.code, 'SIGNIN_REQUIRED');
    const { body, cookie } = await start();
    await callback(await consent(body.url ?? '', 'allow'), cookie, 200);
    const after = await helper
      .request()
      .post('/blynk-cloud/test-connection')
      .send({ id: 'cfg', server: sim.url, grantType: 'authorization_code' })
      .expect(200);
    assert.equal(after.body.ok, true, after.body.message);
    assert.equal(after.body.organization.scope, 'org:read');
    // It ran through the deployed node's own client: its rotated refresh token is the stored one.
    assert.ok(storedRefresh() && sim.tokens.issuedRefresh.includes(storedRefresh() ?? ''));
    assert.equal(sim.tokens.refreshReuse, 0);
  });

  describe('POST /blynk-cloud/oauth-clients', function () {
    async function loadUser(email: string, password: string): Promise<void> {
      await helper.load(ALL_NODES, [tab, cfg({ grantType: 'user_credentials' })], {
        cfg: { ...demoCredentials(h.sim), userEmail: email, password },
      });
    }
    const create = async (body: Record<string, unknown>): Promise<Record<string, unknown>> =>
      (
        await helper
          .request()
          .post('/blynk-cloud/oauth-clients')
          .send({ id: 'cfg', ...body })
          .expect(200)
      ).body as Record<string, unknown>;

    it('creates a client once; the new client works at the token endpoint', async () => {
      await loadUser(h.sim.demo.userEmail, h.sim.demo.password);
      const answer = await create({ name: 'Node-RED', redirectUrls: [callbackUrl()] });
      assert.equal(answer.ok, true, String(answer.message));
      const client = answer.client as { clientId: string; secret: string; redirectUrls: string[] };
      assert.deepEqual(client.redirectUrls, [callbackUrl()]);
      const token = await httpRequest('POST', new URL('/oauth2/token?grant_type=client_credentials', h.sim.url).href, {
        Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      });
      assert.equal(token.status, 200);
    });

    it('validates before any request: name, organisation, number and length of redirect URLs', async () => {
      await loadUser(h.sim.demo.userEmail, h.sim.demo.password);
      const cases: Record<string, unknown>[] = [
        { name: '' },
        { name: 'x'.repeat(65) },
        { name: 'ok', orgId: 'abc' },
        { name: 'ok', redirectUrls: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}`) },
        { name: 'ok', redirectUrls: ['not a uri'] },
        { name: 'ok', redirectUrls: [`https://example.com/${'a'.repeat(1024)}`] },
      ];
      for (const body of cases) {
        const answer = await create(body);
        assert.equal(answer.ok, false);
        assert.equal(answer.code, 'INVALID_INPUT', JSON.stringify(body).slice(0, 80));
      }
      assert.equal(h.sim.log.length, 0, 'a request was sent');
    });

    it('turns 403 (no developer mode), 404, 400, 429 and 500 into clear messages', async () => {
      const viewer = h.sim.demo.userWithoutDeveloperMode;
      assert.ok(viewer);
      await loadUser(viewer.email, viewer.password);
      const forbidden = await create({ name: 'x' });
      assert.equal(forbidden.code, 'FORBIDDEN');
      assert.match(String(forbidden.message), /oauth-client\.errors\.forbidden/);
      await helper.unload();
      await loadUser(h.sim.demo.userEmail, h.sim.demo.password);
      const notFound = await create({ name: 'x', orgId: 999 });
      assert.equal(notFound.code, 'NOT_FOUND');
      assert.match(String(notFound.message), /oauth-client\.errors\.not-found/);
      const path = '/api/v1/organization/oauth/clients/create';
      for (const [status, code] of [
        [400, 'BAD_REQUEST'],
        [429, 'RATE_LIMITED'],
        [500, 'SERVER_ERROR'],
      ] as const) {
        // Retry-After past the cap: the 429 is reported at once instead of waited out.
        h.sim.faults.add({
          match: { path },
          action: { status, body: { error: { message: `sim ${status}` } }, headers: { 'Retry-After': '120' } },
        });
        const answer = await create({ name: 'x' });
        assert.equal(answer.code, code, `HTTP ${status}`);
        assert.match(String(answer.message), /oauth-client\.errors\./);
        assert.ok(!JSON.stringify(answer).includes(h.sim.demo.password));
      }
    });

    it('needs a deployed connection', async () => {
      await helper.load(ALL_NODES, [tab]);
      const answer = await create({ name: 'x' });
      assert.equal(answer.code, 'NO_CONFIG');
    });
  });
  describe("endpoints from the server's metadata (RFC 8414)", function () {
    const METADATA = '/.well-known/oauth-authorization-server';

    async function startOn(
      server: string,
      paths: Record<string, string> = {},
    ): Promise<{ body: Start & { discovered?: Record<string, string> }; cookie: string }> {
      await helper.load(ALL_NODES, [tab, cfg({ server })], { cfg: demoCredentials(h.sim) });
      const res = await helper
        .request()
        .post('/blynk-cloud/authorize/start')
        .send({ id: 'cfg', server, clientId: h.sim.demo.clientId, clientSecret: '__PWRD__', redirectUri: callbackUrl(), ...paths })
        .expect(200);
      const cookie = String((res.headers['set-cookie'] as unknown as string[] | undefined)?.[0] ?? '').split(';')[0];
      return { body: res.body as Start & { discovered?: Record<string, string> }, cookie };
    }

    it('uses the endpoints a server publishes on its own origin, for the authorize URL and the code exchange', async () => {
      const rec = await startRecorder((req) => {
        if (req.url === METADATA) {
          return {
            status: 200,
            body: JSON.stringify({
              issuer: rec.url,
              authorization_endpoint: `${rec.url}/custom/authorize`,
              token_endpoint: `${rec.url}/custom/token`,
            }),
          };
        }
        if (req.url === '/custom/token') {
          return {
            status: 200,
            body: JSON.stringify({
              access_token: 'discovered-access-1',
              token_type: 'Bearer',
              expires_in: 3600,
              refresh_token: 'discovered-refresh-1',
            }),
          };
        }
        return { status: 404, body: '' };
      });
      try {
        const { body, cookie } = await startOn(rec.url);
        assert.equal(body.ok, true, body.message);
        assert.ok(body.url?.startsWith(`${rec.url}/custom/authorize?response_type=code&`), body.url);
        assert.deepEqual(body.discovered, { authorizePath: '/custom/authorize', tokenPath: '/custom/token' });
        const state = new URL(body.url ?? '').searchParams.get('state') ?? '';
        await helper
          .request()
          .get(`/blynk-cloud/authorize/callback?state=${encodeURIComponent(state)}&code=code-xyz`)
          .set('Cookie', cookie)
          .expect(200);
        assert.deepEqual(
          rec.requests.map((r) => `${r.method} ${r.url}`),
          [`GET ${METADATA}`, 'POST /custom/token'],
        );
        assert.match(rec.requests[1].body, /^grant_type=authorization_code&code=code-xyz&/);
        assert.equal(storedRefresh(), 'discovered-refresh-1');
      } finally {
        await rec.close();
      }
    });

    it('ignores endpoints on another origin or that are not plain paths, and a server without metadata: the default paths', async () => {
      const elsewhere = await startRecorder();
      for (const metadata of [
        {
          status: 200,
          body: JSON.stringify({ authorization_endpoint: `${elsewhere.url}/authorize`, token_endpoint: `${elsewhere.url}/token` }),
        },
        { status: 200, body: JSON.stringify({ authorization_endpoint: 'http://127.0.0.1:1/x?y', token_endpoint: 42 }) },
        { status: 404, body: '' },
        { status: 200, type: 'text/html', body: '<html>not metadata</html>' },
      ]) {
        const rec = await startRecorder(() => metadata);
        try {
          const { body } = await startOn(rec.url);
          assert.equal(body.ok, true, body.message);
          assert.ok(body.url?.startsWith(`${rec.url}/oauth2/authorize?`), body.url);
          assert.deepEqual(body.discovered, {});
          assert.deepEqual(
            rec.requests.map((r) => r.url),
            [METADATA],
          );
        } finally {
          await rec.close();
          await helper.unload();
        }
      }
      assert.deepEqual(elsewhere.requests, []);
      await elsewhere.close();
    });

    it('asks for no metadata when both paths are typed', async () => {
      const rec = await startRecorder(() => ({ status: 500, body: '' }));
      try {
        const { body } = await startOn(rec.url, { authorizePath: '/a/authorize', tokenPath: '/a/token' });
        assert.ok(body.url?.startsWith(`${rec.url}/a/authorize?`), body.url);
        assert.deepEqual(rec.requests, []);
      } finally {
        await rec.close();
      }
    });
  });
});
