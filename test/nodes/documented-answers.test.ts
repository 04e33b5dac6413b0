// Blynk's own example answers (test/fixtures/blynk-examples.json, each with its page) served by a
// stand-in server, through every node and every preset of the api node that has one: the msg must be
// what the node's help (locales/en-US/<type>.html) promises. Each example must also be an answer the
// contract (contract/*.json) accepts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeMessage } from 'node-red';
import { PRESETS } from '../../dist/blynk/presets';
import { answerErrors } from '../support/contract';
import { expectSent } from '../support/harness';
import { Recorded, Recorder, startRecorder } from '../support/recorder';
import { ALL_NODES, FlowNode, flowWith, helper } from '../support/runtime';

interface Example {
  id: string;
  route: string;
  status: number;
  text: string;
  served?: string;
  contentType?: string;
  source: { url: string; repo: string; commit: string; path: string };
  uses: string[];
  /** An example from an older page that lacks fields the current page marks required. */
  predates?: { url: string; missing: string[] };
}

const FIXTURES = JSON.parse(readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'blynk-examples.json'), 'utf8')) as {
  examples: Example[];
  noExample: Array<{ route: string; uses: string[] }>;
};
const EXAMPLES = FIXTURES.examples;

function example(id: string): Example {
  const e = EXAMPLES.find((x) => x.id === id);
  if (!e) throw new Error(`no fixture ${id}`);
  return e;
}

/** The answer as the stand-in server sends it: the docs' text (or its one-comma repair). */
const bodyOf = (e: Example): string => e.served ?? e.text;
const parsed = (e: Example): unknown => JSON.parse(bodyOf(e));

const ACCESS_TOKEN = 'documented-answers-access-Wk3p';
const DEVICE_TOKEN = 'documented-answers-device-Hq7r';
const CLIENT = { clientId: 'oa2-client-id_DocAnswers', clientSecret: 'doc-answers-secret-Zt5m' };

/** What the help says the package leaves out of msg.payload: device auth tokens (`token`, `deviceToken`). */
function withoutDeviceTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDeviceTokens);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'token' && k !== 'deviceToken') out[k] = withoutDeviceTokens(v);
    return out;
  }
  return value;
}

/** A msg as the flow sees it, without the runtime's `_msgid`. */
function shown(msg: NodeMessage): Record<string, unknown> {
  const { _msgid, ...rest } = msg as NodeMessage & Record<string, unknown>;
  void _msgid;
  return rest;
}

describe('Blynk documented example answers', function () {
  it('the fixtures name their source, and the routes without a documented example are listed', function () {
    assert.ok(EXAMPLES.length >= 20);
    for (const e of EXAMPLES) {
      assert.match(e.source.url, /^https:\/\/docs\.blynk\.io\/en\//, e.id);
      assert.match(e.source.commit, /^[0-9a-f]{40}$/, e.id);
      assert.ok(e.uses.length > 0, e.id);
    }
    assert.deepEqual(
      FIXTURES.noExample.map((n) => n.route),
      ['GET /api/v2/organization/device/datastreams'],
    );
  });

  describe('each example is an answer the contract accepts', function () {
    for (const e of EXAMPLES) {
      it(`${e.id}: ${e.route} ${e.status}${e.predates ? `, except the ${e.predates.missing.length} field(s) the current page added` : ''}`, function () {
        // An older example misses only what the current page (the contract's source) made required.
        const missing = answerErrors(e.route, e.status, e.contentType, bodyOf(e)).map((x) => {
          const m = /^must have required property '(\w+)'/.exec(x.message);
          return m ? `${x.field}/${m[1]}` : `${x.field}: ${x.message}`;
        });
        assert.deepEqual(missing, e.predates?.missing ?? []);
      });
    }
  });

  describe('through the nodes', function () {
    let rec: Recorder;
    /** path → the example the stand-in server answers there. */
    const routes = new Map<string, { status: number; type: string | null; body: string }>();

    before(async () => {
      rec = await startRecorder((req: Recorded) => {
        const path = req.url.split('?')[0];
        if (path === '/oauth2/token') {
          return { status: 200, body: JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }) };
        }
        const r = routes.get(`${req.method} ${path}`);
        return r ?? { status: 404, body: JSON.stringify({ error: { message: 'not served by this test' } }) };
      });
    });
    after(async () => {
      await rec.close();
    });
    beforeEach((done) => {
      routes.clear();
      rec.requests.length = 0;
      helper.startServer(done);
    });
    afterEach(async () => {
      await helper.unload();
      await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    });

    /** The documented status of the example served last: what a write node puts on msg.statusCode. */
    let servedStatus = 0;
    function serve(e: Example): void {
      routes.set(e.route, { status: e.status, type: e.contentType ?? null, body: bodyOf(e) });
      servedStatus = e.status;
    }

    async function load(node: FlowNode, token?: string): Promise<void> {
      const creds: Record<string, Record<string, string>> = { cfg: CLIENT };
      if (token) creds[node.id] = { token };
      await helper.load(ALL_NODES, flowWith(rec.url, node), creds);
    }

    /** The API requests the stand-in server got (token requests left out), as "METHOD path". */
    const apiCalls = (): string[] =>
      rec.requests.filter((r) => !r.url.startsWith('/oauth2/token')).map((r) => `${r.method} ${r.url.split('?')[0]}`);

    /**
     * Sends `msg` and asserts the node passed it on as it came, with Blynk's documented status on
     * `msg.statusCode` and without `deviceToken` (removed).
     */
    async function expectPassedOn(
      id: string,
      msg: NodeMessage & Record<string, unknown>,
      added: Record<string, unknown> = {},
    ): Promise<void> {
      const before = structuredClone(msg);
      delete before.deviceToken;
      const out = await expectSent(id, msg);
      assert.deepEqual(shown(out), { ...before, statusCode: servedStatus, ...added });
    }

    describe('blynk-cloud-get-device', function () {
      it('Get Device Info: msg.payload is the device as documented, less its auth token', async () => {
        const e = example('get-device-info');
        serve(e);
        await load({ id: 'n1', type: 'blynk-cloud-get-device' });
        const out = await expectSent('n1', { deviceId: 1, topic: 't' } as NodeMessage);
        const { token, ...rest } = parsed(e) as Record<string, unknown>;
        assert.equal(typeof token, 'string');
        assert.deepEqual(shown(out), { deviceId: 1, topic: 't', payload: rest });
        assert.deepEqual(apiCalls(), ['GET /api/v1/organization/device']);
      });

      it('Get Device Info with Keep credentials: msg.payload is the documented answer, token included', async () => {
        const e = example('get-device-info');
        serve(e);
        await load({ id: 'n1', type: 'blynk-cloud-get-device', keepCredentials: true });
        const out = await expectSent('n1', { deviceId: 1 } as NodeMessage);
        assert.deepEqual(out.payload, parsed(e));
      });
    });

    describe('blynk-cloud-api presets', function () {
      const presetOf = (use: string): string | undefined => /^blynk-cloud-api preset (.+)$/.exec(use)?.[1];
      for (const e of EXAMPLES) {
        for (const id of e.uses.map(presetOf).filter((x): x is string => x !== undefined)) {
          const preset = PRESETS.find((p) => p.id === id);
          it(`preset ${id} (${e.id}): msg.payload ${e.text === '' ? 'is an empty string' : 'is the documented answer less device tokens'}, msg.statusCode ${e.status}`, async () => {
            assert.ok(preset, `no preset ${id}`);
            assert.equal(`${preset.method} ${preset.path}`, e.route);
            serve(e);
            for (const keepCredentials of [false, true]) {
              await load({ id: 'n1', type: 'blynk-cloud-api', keepCredentials });
              const msg = {
                method: preset.method,
                path: preset.path,
                params: preset.params,
                payload: preset.body,
                marker: 1,
              } as NodeMessage;
              const out = await expectSent('n1', msg);
              const answer = e.text === '' ? '' : keepCredentials ? parsed(e) : withoutDeviceTokens(parsed(e));
              assert.deepEqual(
                shown(out),
                { method: preset.method, path: preset.path, params: preset.params, payload: answer, statusCode: e.status, marker: 1 },
                `keepCredentials ${keepCredentials}`,
              );
              await helper.unload();
            }
            assert.deepEqual(apiCalls(), [e.route, e.route]);
          });
        }
      }
    });

    describe('blynk-cloud-write-datastream', function () {
      it('by id (Update Datastream Value, 204): the msg passes on with its statusCode', async () => {
        serve(example('update-datastream-value'));
        await load({ id: 'n1', type: 'blynk-cloud-write-datastream' });
        await expectPassedOn('n1', { deviceId: 1, dataStreamId: 1, payload: 24.3 });
        assert.deepEqual(apiCalls(), ['POST /api/v1/organization/device/datastream']);
      });

      it('by pin (Update Datastream Value, 204): the msg passes on with its statusCode and the id the pin was written to', async () => {
        serve(example('update-datastream-value'));
        // The device's datastreams (v2) have no documented example answer; this one is the
        // dataStreamValues item of the documented Get Device Info answer (the same DataStreamValue shape).
        const item = (parsed(example('get-device-info')) as { dataStreamValues: unknown[] }).dataStreamValues[0];
        routes.set('GET /api/v2/organization/device/datastreams', { status: 200, type: 'application/json', body: JSON.stringify([item]) });
        assert.deepEqual(answerErrors('GET /api/v2/organization/device/datastreams', 200, 'application/json', JSON.stringify([item])), []);
        await load({ id: 'n1', type: 'blynk-cloud-write-datastream' });
        const { dataStreamId, pin } = item as { dataStreamId: number; pin: string };
        assert.equal(pin.toUpperCase(), 'V1');
        await expectPassedOn('n1', { deviceId: 1, dataStreamId: 'V1', payload: 24.3 }, { dataStreamIds: { V1: dataStreamId } });
        assert.deepEqual(apiCalls(), ['GET /api/v2/organization/device/datastreams', 'POST /api/v1/organization/device/datastream']);
      });

      it('an object payload (Update Multiple Datastreams Values, 204): the msg passes on with its statusCode', async () => {
        serve(example('update-multiple-datastreams'));
        await load({ id: 'n1', type: 'blynk-cloud-write-datastream' });
        await expectPassedOn('n1', { deviceId: 1, payload: { '1': 24.3, '2': 'ok' } });
        assert.deepEqual(apiCalls(), ['POST /api/v1/organization/device/datastreams']);
      });
    });

    describe('blynk-cloud-log-event', function () {
      it('Log a Device Event (204): the msg passes on with its statusCode', async () => {
        serve(example('log-a-device-event'));
        await load({ id: 'n1', type: 'blynk-cloud-log-event', eventCode: 'high_temp' });
        await expectPassedOn('n1', { deviceId: 1, payload: 'too hot' });
        assert.deepEqual(apiCalls(), ['POST /api/v1/organization/device/trigger-event']);
      });
    });

    describe('blynk-cloud-device-update', function () {
      it('one pin (Update Datastream Value, 200 without a body): the msg passes on with its statusCode', async () => {
        serve(example('device-update'));
        await load({ id: 'n1', type: 'blynk-cloud-device-update' }, DEVICE_TOKEN);
        await expectPassedOn('n1', { topic: 'V1', payload: 100 });
        assert.deepEqual(apiCalls(), ['GET /external/api/update']);
      });

      it('an object payload (Update Multiple Datastreams, 200 "OK"): the msg passes on without msg.deviceToken', async () => {
        serve(example('device-batch-update'));
        await load({ id: 'n1', type: 'blynk-cloud-device-update' });
        await expectPassedOn('n1', { payload: { V1: 1, V2: 'on' }, deviceToken: DEVICE_TOKEN });
        assert.deepEqual(apiCalls(), ['GET /external/api/batch/update']);
      });
    });

    describe('blynk-cloud-device-read', function () {
      it('one pin (Get Datastream Value, 200 "100.00000"): msg.payload is the value as text', async () => {
        serve(example('device-get-one'));
        await load({ id: 'n1', type: 'blynk-cloud-device-read' }, DEVICE_TOKEN);
        const out = await expectSent('n1', { topic: 'V1' } as NodeMessage);
        assert.deepEqual(shown(out), { topic: 'V1', payload: '100.00000' });
      });

      it('several pins (Get Multiple Datastream Values): msg.payload is the object keyed by pin, typed as Blynk sent it', async () => {
        const e = example('device-get-several');
        serve(e);
        await load({ id: 'n1', type: 'blynk-cloud-device-read' });
        const out = await expectSent('n1', { topic: 'V1,V2,V3,V4', deviceToken: DEVICE_TOKEN } as NodeMessage);
        assert.deepEqual(shown(out), { topic: 'V1,V2,V3,V4', payload: { v1: 1, v2: 2, v3: 3, v4: 'string pin' } });
        assert.deepEqual(out.payload, parsed(e));
      });

      it('all values (Get All Datastreams values): msg.payload is the documented object', async () => {
        const e = example('device-get-all');
        serve(e);
        await load({ id: 'n1', type: 'blynk-cloud-device-read', read: 'all' }, DEVICE_TOKEN);
        const out = await expectSent('n1', { topic: 'ignored' } as NodeMessage);
        assert.deepEqual(shown(out), { topic: 'ignored', payload: parsed(e) });
      });

      it('connection status (isHardwareConnected, 200 "true"): msg.payload is true', async () => {
        serve(example('device-connected'));
        await load({ id: 'n1', type: 'blynk-cloud-device-read', read: 'connected' }, DEVICE_TOKEN);
        const out = await expectSent('n1', {} as NodeMessage);
        assert.deepEqual(shown(out), { payload: true });
      });
    });

    describe('blynk-cloud-device-event', function () {
      it('Log Event (200 without a body): the msg passes on without msg.deviceToken', async () => {
        serve(example('device-log-event'));
        await load({ id: 'n1', type: 'blynk-cloud-device-event', eventCode: 'high_temp' });
        await expectPassedOn('n1', { payload: 'too hot', deviceToken: DEVICE_TOKEN });
        assert.deepEqual(apiCalls(), ['GET /external/api/logEvent']);
      });
    });

    describe('blynk-cloud-device-property', function () {
      it('Update Property (200 without a body): the msg passes on with its statusCode', async () => {
        serve(example('device-update-property'));
        await load({ id: 'n1', type: 'blynk-cloud-device-property', property: 'label' }, DEVICE_TOKEN);
        await expectPassedOn('n1', { topic: 'V1', payload: 'Kitchen' });
        assert.deepEqual(apiCalls(), ['GET /external/api/update/property']);
      });
    });
  });
});
