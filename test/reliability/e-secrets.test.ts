// Group E (reliability.md §5): secrets never leak. Every reliability test already searches what
// it made readable (rig.ts, afterEach); the tests here check that this search covers every B and C
// case and every channel, and look at what only the product as a whole shows: a real Node-RED
// process's files on disk, its admin API and its trace-level log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { NodeMessage } from 'node-red';
import { BlynkError } from '../../dist/blynk';
import { startSimulator, Simulator } from '../../dist/simulator';
import { deepText, findSecrets, LOG } from '../support/capture';
import { demoCredentials } from '../support/harness';
import { startNodeRed, RealNodeRed } from '../support/real-node-red';
import {
  apiRequestsOf,
  deviceUpdate,
  DEVICE_PATH,
  flow,
  getDevice,
  ledger,
  logEvent,
  TOKEN_PATH,
  tokenRequestsOf,
  UPDATE_PATH,
  useRig,
  waitFor,
  WRITE_PATH,
  writeDatastream,
} from '../support/rig';
import { helper } from '../support/runtime';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NODE_PROTOTYPE = (require('@node-red/runtime/lib/nodes/Node') as { prototype: Record<string, unknown> }).prototype;

const B_AND_C = [...Array.from({ length: 10 }, (_, i) => `B${i + 1}`), ...Array.from({ length: 17 }, (_, i) => `C${i + 1}`)];

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('reliability E: secrets never leak', function () {
  describe('flow level', function () {
    const rig = useRig();

    it('E1 the capture sees every channel: log at trace level, warn, error, status, Catch and sink messages, stdout, process warnings', async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice()]));
      const node = helper.getNode('n1');
      // Canaries, not registered as secrets, so that this test's own scan stays clean.
      const canary = (channel: string): string => `canary-${channel}-7Xq2`;
      node.trace(canary('trace'));
      node.debug(canary('debug'));
      node.log(canary('log'));
      node.warn(canary('warn'));
      node.error(canary('error'));
      node.status({ fill: 'red', shape: 'ring', text: canary('status') });
      node.error(new Error('with a msg'), { payload: { deep: [{ deeper: { deepest: canary('catch') } }] } } as NodeMessage);
      node.send({
        payload: null,
        hidden: Object.defineProperty({}, 'secret', { value: canary('sink'), enumerable: false }),
      } as NodeMessage);
      process.stdout.write(`${canary('stdout')}\n`);
      process.emitWarning(canary('warning'));
      await waitFor(
        () => rig.out.caught.length === 1 && rig.out.sent.length === 1 && rig.out.statuses.length > 0,
        'the Catch, sink and Status nodes',
      );
      await new Promise((resolve) => setImmediate(resolve));
      rig.capture.collectSpies();
      const channels = ['trace', 'debug', 'log', 'warn', 'error', 'status', 'catch', 'sink', 'stdout', 'warning'];
      assert.deepEqual(
        channels.filter((c) => !rig.capture.text.includes(canary(c))),
        [],
        'channels not captured',
      );
      assert.equal(findSecrets(rig.capture.text, channels.map(canary)).length, channels.length);
      // Trace entries reach the capture although the helper's console log level is off.
      assert.ok(rig.capture.entries(LOG.TRACE).some((e) => String(e.msg) === canary('trace')));
      // And the words themselves are found whatever their case.
      assert.equal(findSecrets('x authorization: y', []).length, 1);
      assert.equal(findSecrets('AUTHORIZATION', []).length, 1);
      assert.equal(findSecrets('bearer abc', []).length, 1);
      assert.equal(findSecrets('Bearer\tabc', []).length, 0);
    });

    // No header name or scheme word in test titles: the reporter prints them while the capture runs.
    it('E1 every B and C case ran under the capture, and its readable output shows none of: the client secret, its Basic form, the password, any access or refresh token issued, any device token, the header name or the scheme word', function () {
      const missing = B_AND_C.filter((id) => !ledger.scanned.some((e) => new RegExp(`\\b${id}\\b`).test(e.title)));
      const expectedMissing = hasOpenssl() ? [] : ['C17'];
      assert.deepEqual(missing, expectedMissing, 'run the whole reliability suite (the B and C files record what they captured)');
      const cases = ledger.scanned.filter((e) => /reliability [BC]:/.test(e.title));
      const hits = cases.filter((e) => e.hits.length > 0);
      assert.deepEqual(hits, []);
      const bytes = cases.reduce((n, e) => n + e.bytes, 0);
      console.log(`      E1: ${cases.length} B/C tests, ${(bytes / 1e6).toFixed(1)} MB of readable output searched, 0 hits`);
      assert.ok(bytes > 1e6, 'suspiciously little was captured');
    });

    it("E2 what reaches a Catch node is the package's own error: message, code, stack and source only (no config, request, response, cause), for every kind of failure", async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice(), deviceUpdate('n2'), writeDatastream('n3')]));
      await rig.success('n1', { deviceId: 101 });
      const failures: Array<[string, () => void, string, NodeMessage]> = [
        ['401 twice', () => sim.faults.add({ match: { path: DEVICE_PATH }, times: 2, action: { status: 401 } }), 'n1', { deviceId: 101 }],
        [
          'connection reset',
          () => sim.faults.add({ match: { path: DEVICE_PATH }, times: 3, action: { drop: 'before' } }),
          'n1',
          { deviceId: 101 },
        ],
        [
          '500 with a body',
          () => sim.faults.add({ match: { path: WRITE_PATH }, times: 3, action: { status: 500, body: 'boom' } }),
          'n3',
          { deviceId: 101, dataStreamId: 6, payload: 1 },
        ],
        [
          'redirect elsewhere',
          () => sim.faults.add({ match: { path: UPDATE_PATH }, action: { redirect: 'http://198.51.100.7' } }),
          'n2',
          { topic: 'V1', payload: 1, deviceToken: sim.demo.devices[0].token },
        ],
        ['bad device token', () => undefined, 'n2', { topic: 'V1', payload: 1, deviceToken: 'not-a-device-token-0000000000000' }],
        ['invalid input', () => undefined, 'n3', { deviceId: 'x', payload: 1 }],
      ];
      for (const [label, fault, id, msg] of failures) {
        fault();
        const caught = await rig.failure(id, msg);
        assert.deepEqual(Object.keys(caught.error).sort(), ['code', 'message', 'source', 'stack'], label);
        assert.ok(!('cause' in caught.error), label);
      }
      // The errors themselves, as the nodes handed them to done(err): no axios objects inside.
      const errors = (NODE_PROTOTYPE.error as { getCalls(): Array<{ args: unknown[] }> }).getCalls().map((c) => c.args[0]);
      assert.equal(errors.length, failures.length);
      for (const err of errors) {
        assert.ok(err instanceof BlynkError, deepText(err));
        for (const key of ['config', 'request', 'response', 'cause', 'headers', 'isAxiosError', 'toJSON']) {
          assert.equal(Object.prototype.hasOwnProperty.call(err, key), false, `error has "${key}"`);
        }
      }
      const redirect = rig.out.caught.find((c) => c.error.code === 'REDIRECT_REFUSED');
      assert.match(redirect?.error.message ?? '', /redirected the request to http:\/\/198\.51\.100\.7,/);
    });

    it('E3 outgoing msgs carry no token: msg.deviceToken is removed on success and failure, get device leaves out the device auth token Blynk includes, and no node adds a token or header', async () => {
      const { sim } = rig;
      const token = sim.demo.devices[1].token;
      await rig.load(flow(sim.url, [getDevice(), deviceUpdate('n2'), writeDatastream('n3'), logEvent('n4')]));
      const sent = [
        await rig.success('n1', { deviceId: 101 }),
        await rig.success('n2', { topic: 'V1', payload: 5, deviceToken: token }),
        await rig.success('n3', { deviceId: 101, dataStreamId: 6, payload: 5 }),
        await rig.success('n4', { deviceId: 101, payload: 'hot' }),
      ];
      const failed = [
        await rig.failure('n2', { topic: 'V999', payload: 5, deviceToken: token }),
        await rig.failure('n2', { topic: 'V1', payload: 5, deviceToken: 'wrong-device-token-000000000000' }),
      ];
      for (const msg of [...sent, ...failed]) {
        assert.equal('deviceToken' in msg, false, deepText(msg));
        assert.deepEqual(
          Object.keys(msg).filter((k) => /token|auth|header|secret/i.test(k)),
          [],
        );
      }
      const oauth = [...sim.tokens.issuedAccess, ...sim.tokens.issuedRefresh, sim.demo.clientSecret];
      assert.deepEqual(findSecrets(deepText([...sent, ...failed]), [...oauth, ...sim.demo.devices.map((d) => d.token)]), []);
    });

    it('E6 no secret or token in any URL: client credentials only in the Basic header, the password only in the JSON body, the access token only in the header; the refresh token only as refresh_token on POST /oauth2/token and device tokens only as token on /external/api/*, where Blynk documents them', async () => {
      const { sim } = rig;
      await rig.load(flow(sim.url, [getDevice(), deviceUpdate('n2')], { grantType: 'user_credentials' }), {
        cfg: { ...demoCredentials(sim), userEmail: sim.demo.userEmail, password: sim.demo.password },
        n2: { token: sim.demo.devices[2].token },
      });
      await rig.success('n1', { deviceId: 101 });
      sim.tokens.revokeAccessToken(sim.tokens.issuedAccess[0]); // a 401, so a refresh
      await rig.success('n1', { deviceId: 102 });
      await rig.success('n2', { topic: 'V1', payload: 1 });
      await rig.success('n2', { topic: 'V1', payload: 2, deviceToken: 'ignored: the node has its own' });
      assert.deepEqual(sim.tokens.byGrant, { user_credentials: 1, refresh_token: 1 });
      const never = [
        sim.demo.clientSecret,
        sim.demo.password,
        ...sim.tokens.issuedAccess,
        Buffer.from(`${sim.demo.clientId}:${sim.demo.clientSecret}`).toString('base64'),
      ];
      for (const e of sim.log) {
        const url = `${e.path}?${new URLSearchParams(Object.entries(e.query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))).toString()}`;
        assert.deepEqual(findSecrets(url, never), [], url);
        for (const rt of sim.tokens.issuedRefresh) {
          if (url.includes(rt)) assert.deepEqual([e.method, e.path, e.query.refresh_token], ['POST', TOKEN_PATH, rt]);
        }
        for (const device of sim.demo.devices) {
          if (url.includes(device.token)) {
            assert.ok(e.path.startsWith('/external/api/'), url);
            assert.equal(e.query.token, device.token);
          }
        }
        assert.equal(e.query.client_secret, undefined);
        assert.equal(e.query.password, undefined);
      }
      const [grant] = tokenRequestsOf(sim.log);
      assert.deepEqual(grant.body, { userEmail: sim.demo.userEmail, password: sim.demo.password });
      for (const e of apiRequestsOf(sim.log).filter((x) => x.path.startsWith('/api/')))
        assert.match(e.headers.authorization ?? '', /^Bearer /);
    });
  });

  describe('a real Node-RED process (red.js, credentialSecret, context on disk, trace logging)', function () {
    this.timeout(60_000);
    let sim: Simulator;
    let red: RealNodeRed;
    let stopped: { code: number | null; ms: number } | undefined;
    const deviceToken = (): string => sim.demo.devices[1].token; // the device-update node's credential

    before(async function () {
      this.timeout(90_000);
      sim = await startSimulator();
      red = await startNodeRed();
      const { demo } = sim;
      await red.deploy([
        { id: 't1', type: 'tab', label: 'reliability' },
        {
          id: 'cfg',
          type: 'blynk-cloud-config',
          name: 'sim',
          server: sim.url,
          grantType: 'client_credentials',
          credentials: { clientId: demo.clientId, clientSecret: demo.clientSecret },
        },
        {
          id: 'tick',
          z: 't1',
          type: 'inject',
          props: [{ p: 'payload' }],
          repeat: '0.2',
          once: true,
          onceDelay: '0.1',
          payload: '42',
          payloadType: 'num',
          wires: [['n-get', 'n-update', 'n-write']],
        },
        {
          id: 'n-get',
          z: 't1',
          type: 'blynk-cloud-get-device',
          connection: 'cfg',
          deviceId: '101',
          deviceIdType: 'num',
          wires: [['fn-keep']],
        },
        {
          id: 'n-update',
          z: 't1',
          type: 'blynk-cloud-device-update',
          connection: 'cfg',
          pin: 'V5',
          pinType: 'str',
          credentials: { token: deviceToken() },
          wires: [['fn-keep', 'dbg']],
        },
        {
          id: 'n-write',
          z: 't1',
          type: 'blynk-cloud-write-datastream',
          connection: 'cfg',
          deviceId: '102',
          deviceIdType: 'num',
          dataStreamId: '6',
          dataStreamIdType: 'num',
          wires: [['fn-keep', 'dbg']],
        },
        {
          id: 'fn-keep',
          z: 't1',
          type: 'function',
          func: "flow.set('last-' + msg._msgid.slice(0, 2), RED.util.cloneMessage(msg));\nreturn msg;",
          outputs: 1,
          wires: [[]],
        },
        { id: 'c-all', z: 't1', type: 'catch', scope: null, uncaught: false, wires: [['fn-error', 'dbg']] },
        {
          id: 'fn-error',
          z: 't1',
          type: 'function',
          func: "flow.set('error-' + msg.error.source.id, msg);\nreturn msg;",
          outputs: 1,
          wires: [[]],
        },
        {
          id: 'dbg',
          z: 't1',
          type: 'debug',
          active: true,
          tosidebar: true,
          console: true,
          tostatus: false,
          complete: 'true',
          targetType: 'full',
          wires: [],
        },
      ]);
      // Traffic until the token was renewed (a revoked access token: 401, refresh, retry) and errors were caught.
      await waitFor(() => apiRequestsOf(sim.log).length >= 10, 'traffic', 30_000);
      sim.tokens.revokeAccessToken(sim.tokens.issuedAccess[0]);
      await waitFor(() => sim.tokens.byGrant.refresh_token === 1, 'a refresh', 30_000);
      // Every write fails until messages have run out of attempts and been caught: a fixed number of
      // 500s could be spread over several messages' first attempts and leave none failing.
      sim.faults.add({ match: { path: WRITE_PATH }, times: Infinity, action: { status: 500, body: 'write failed' } });
      await waitFor(() => apiRequestsOf(sim.log, WRITE_PATH).filter((e) => e.status === 500).length >= 6, 'caught errors', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the last attempts end; context flushes every second
      sim.faults.clear();
    });

    after(async () => {
      red?.cleanup();
      await sim?.close();
    });

    /** What must never be readable: OAuth secrets and tokens, and the device token stored as a credential. */
    const secrets = (): string[] => [
      sim.demo.clientSecret,
      sim.demo.password,
      Buffer.from(`${sim.demo.clientId}:${sim.demo.clientSecret}`).toString('base64'),
      ...sim.tokens.issuedAccess,
      ...sim.tokens.issuedRefresh,
      deviceToken(),
    ];

    it('E4 the flow export (GET /flows) and flows.json hold no secret; GET /credentials/blynk-cloud-config/:id gives only has_* flags for the secret fields', async () => {
      const exported = await red.get('/flows');
      assert.equal(exported.status, 200);
      assert.deepEqual(findSecrets(exported.text, secrets()), []);
      const creds = await red.get('/credentials/blynk-cloud-config/cfg');
      assert.equal(creds.status, 200);
      // Text credentials as they are; secret ones (clientSecret, password, …) only as has_<name>.
      const shown = JSON.parse(creds.text) as Record<string, unknown>;
      assert.equal(shown.clientId, sim.demo.clientId);
      assert.equal(shown.has_clientSecret, true);
      assert.equal(shown.has_password, false);
      assert.deepEqual(
        Object.keys(shown).filter((k) => !k.startsWith('has_') && !['clientId', 'userEmail'].includes(k)),
        [],
      );
      assert.deepEqual(findSecrets(creds.text, secrets()), []);
      const device = await red.get('/credentials/blynk-cloud-device-update/n-update');
      assert.deepEqual(JSON.parse(device.text), { has_token: true });
      const flows = red.files().find((f) => f.file === 'flows.json');
      assert.ok(flows && flows.text.includes('blynk-cloud-config'));
      assert.deepEqual(findSecrets(flows.text, secrets()), []);
    });

    /** SIGTERM while a get-device request hangs on the server; once (F9 measures it, E5 needs it). */
    async function stop(): Promise<{ code: number | null; ms: number }> {
      if (!stopped) {
        sim.faults.add({ match: { path: DEVICE_PATH }, times: Infinity, action: { delayMs: 60_000 } });
        const hung = sim.log.length;
        await waitFor(() => sim.log.slice(hung).some((e) => e.path === DEVICE_PATH), 'a request to hang', 10_000);
        stopped = await red.stop('SIGTERM');
      }
      return stopped;
    }

    it('F9 SIGTERM with a request hanging: the process stops promptly, exit code 0', async () => {
      stopped = await stop();
      console.log(`      F9: exited ${stopped.ms.toFixed(0)} ms after SIGTERM, code ${stopped.code}`);
      assert.equal(stopped.code, 0);
      assert.ok(stopped.ms < 5_000, `took ${stopped.ms} ms`);
      assert.doesNotMatch(red.output(), /Error stopping node|Timed out/i);
    });

    it('E5 tokens are never on disk: not in flows_cred.json (decrypted), the context store or any other file; the secrets are stored only encrypted', async () => {
      await stop();
      const files = red.files();
      const names = files.map((f) => f.file).sort();
      assert.ok(names.includes('flows_cred.json'));
      assert.ok(
        names.some((n) => n.startsWith('context/')),
        `no context on disk: ${names.join(', ')}`,
      );
      for (const { file, text } of files) assert.deepEqual(findSecrets(text, secrets()), [], file);
      // The decrypted store holds exactly the declared credentials: the secret, the device token, no token.
      const stored = red.credentials();
      assert.deepEqual(stored.cfg, { clientId: sim.demo.clientId, clientSecret: sim.demo.clientSecret });
      assert.deepEqual(stored['n-update'], { token: deviceToken() });
      const oauth = [...sim.tokens.issuedAccess, ...sim.tokens.issuedRefresh];
      assert.ok(oauth.length >= 4);
      assert.deepEqual(
        findSecrets(JSON.stringify(stored), oauth).filter((h) => h.startsWith('secret')),
        [],
      );
      // The context did get the messages (and the caught errors), just no token in them.
      const context = files
        .filter((f) => f.file.startsWith('context/'))
        .map((f) => f.text)
        .join('\n');
      const keys = [...context.matchAll(/^ {4}"([^"]+)":/gm)].map((m) => m[1]);
      assert.ok(keys.includes('error-n-write'), `context keys: ${keys.join(', ')}`);
      assert.ok(
        keys.some((k) => k.startsWith('last-')),
        `context keys: ${keys.join(', ')}`,
      );
    });

    it("E1 the real runtime's own output at trace level (Debug nodes printing whole msgs to the console included) shows no secret or token", async () => {
      await stop();
      const output = red.output();
      assert.match(output, /\[trace\]/);
      assert.match(output, /\[debug:dbg\]/);
      assert.deepEqual(findSecrets(output, secrets()), []);
    });
  });
});
