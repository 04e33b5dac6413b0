// Group A (reliability.md §5): the token's life as a flow sees it, in a real Node-RED runtime
// against the simulator. Long spans run on a fake Date + performance clock shared with the
// simulator, so 20 minutes take a second.
import assert from 'node:assert/strict';
import { LOG } from '../support/capture';
import { demoCredentials } from '../support/harness';
import {
  apiRequestsOf,
  bearerOf,
  DEVICE_PATH,
  flow,
  getDevice,
  grantOf,
  refreshSent,
  STATUS,
  statusesOf,
  tokenRequestsOf,
  useRig,
} from '../support/rig';

describe('reliability A: lifecycle (flow level)', function () {
  const rig = useRig();

  /** Sends one get-device message and waits for it to come out of the node. */
  /** The demo client's Basic authorization (its id and secret need no form-encoding). */
  const demoBasic = (): string => `Basic ${Buffer.from(`${rig.sim.demo.clientId}:${rig.sim.demo.clientSecret}`).toString('base64')}`;

  async function one(deviceId = 101): Promise<void> {
    const before = rig.out.sentCount + rig.out.caughtCount;
    rig.send('n1', { payload: null, deviceId });
    await rig.ended(before + 1);
    await rig.settled();
    assert.equal(rig.out.caught.length, 0, `a message failed: ${rig.out.caught[0]?.error.message}`);
  }

  it('A1 first message, empty cache: 1 client_credentials POST /oauth2/token with Basic auth, then the API call with that access token', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()]));
    await one();
    const tokens = tokenRequestsOf(sim.log);
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0].method, 'POST');
    assert.deepEqual(tokens[0].query, { grant_type: 'client_credentials' });
    assert.equal(tokens[0].headers.authorization, demoBasic());
    assert.equal(tokens[0].body, undefined, 'client_credentials sends no body');
    const api = apiRequestsOf(sim.log);
    assert.deepEqual(
      api.map((e) => [e.method, e.path, e.query.deviceId, e.status]),
      [['GET', DEVICE_PATH, '101', 200]],
    );
    assert.equal(bearerOf(api[0]), sim.tokens.issuedAccess[0]);
    assert.equal((rig.out.sent[0].payload as { id?: number }).id, 101);
    assert.deepEqual(statusesOf('n1').at(-1), { fill: 'green', shape: 'dot', text: STATUS('ok') });
  });

  it('A2 one message every 10 s for 20 min with expires_in=300: 5 token requests (≤6), 0 API 401s, no renewal while more than 60 s remain', async () => {
    const { sim } = rig;
    sim.setTokenLifetime(300);
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    const t0 = Date.now();
    for (let i = 0; i < 120; i++) {
      await one();
      clock.tick(10_000);
    }
    assert.equal(rig.out.sent.length, 120);
    const tokens = tokenRequestsOf(sim.log);
    assert.ok(tokens.length <= 6, `${tokens.length} token requests`);
    // Renewed at 240 s after each token was requested: 300 s less min(60 s, 20 %).
    assert.deepEqual(
      tokens.map((e) => (e.at - t0) / 1000),
      [0, 240, 480, 720, 960],
    );
    assert.deepEqual(tokens.map(grantOf), ['client_credentials', 'refresh_token', 'refresh_token', 'refresh_token', 'refresh_token']);
    for (let i = 1; i < tokens.length; i++) {
      assert.ok(tokens[i].at - tokens[i - 1].at >= 240_000, `renewal ${i} with more than 60 s left`);
    }
    const api = apiRequestsOf(sim.log);
    assert.equal(api.length, 120);
    assert.deepEqual(
      api.filter((e) => e.status !== 200),
      [],
      'an API call was refused',
    );
  });

  it('A3 every renewal uses refresh_token with the latest refresh token: the simulator sees each one exactly once, in order', async () => {
    const { sim } = rig;
    sim.setTokenLifetime(300);
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    for (let i = 0; i < 40; i++) {
      await one();
      clock.tick(30_000); // 20 min
    }
    const sent = refreshSent(sim.log);
    assert.equal(sent.length, 4);
    // Each renewal spends the refresh token of the answer before it, never an older one.
    assert.deepEqual(sent, sim.tokens.issuedRefresh.slice(0, sent.length));
    assert.equal(new Set(sent).size, sent.length);
    assert.equal(sim.tokens.refreshReuse, 0);
    assert.deepEqual(
      tokenRequestsOf(sim.log).map((e) => e.status),
      [200, 200, 200, 200, 200],
    );
    // Each API call carries the newest access token at its time.
    const used = [...new Set(apiRequestsOf(sim.log).map(bearerOf))];
    assert.deepEqual(used, sim.tokens.issuedAccess);
  });

  it('A4 idle 2 h, then a message: 0 requests while idle; the refresh token expired server-side → one primary grant; the message succeeds', async () => {
    const { sim } = rig;
    sim.setTokenLifetime(300);
    await rig.load(flow(sim.url, [getDevice()]));
    const clock = rig.fakeClock();
    await one();
    const before = sim.log.length;
    clock.tick(2 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // real time too: no timer fires a request
    assert.equal(sim.log.length, before, 'a request was sent while idle');
    await one();
    const tokens = tokenRequestsOf(sim.log);
    assert.deepEqual(
      tokens.map((e) => [grantOf(e), e.status]),
      [
        ['client_credentials', 200],
        ['refresh_token', 400], // expired with its access token, 300 s after issue
        ['client_credentials', 200],
      ],
    );
    assert.equal(tokens[1].query.refresh_token, sim.tokens.issuedRefresh[0]);
    assert.deepEqual(
      apiRequestsOf(sim.log).map((e) => [bearerOf(e), e.status]),
      [
        [sim.tokens.issuedAccess[0], 200],
        [sim.tokens.issuedAccess[1], 200],
      ],
    );
  });

  it('A5 user_credentials: JSON {userEmail,password} sent once with Basic auth; no warning (a documented, current grant)', async () => {
    const { sim } = rig;
    await rig.load(flow(sim.url, [getDevice()], { grantType: 'user_credentials' }), {
      cfg: { ...demoCredentials(sim), userEmail: sim.demo.userEmail, password: sim.demo.password },
    });
    await one();
    await one(102);
    const tokens = tokenRequestsOf(sim.log);
    assert.equal(tokens.length, 1);
    assert.deepEqual(tokens[0].query, { grant_type: 'user_credentials' });
    assert.deepEqual(tokens[0].body, { userEmail: sim.demo.userEmail, password: sim.demo.password });
    assert.match(tokens[0].headers['content-type'] ?? '', /^application\/json/);
    assert.equal(tokens[0].headers.authorization, demoBasic());
    const warnings = rig.capture.entries(LOG.WARN, 'cfg').map((e) => String(e.msg));
    assert.deepEqual(warnings, []);
  });
});
