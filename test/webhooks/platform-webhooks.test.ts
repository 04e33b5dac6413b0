// The simulator's Platform API webhook routes (contract/webhooks.json): one registry with
// /sim/webhooks, so that a webhook created through the API fires on writes and logged events.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { bearer, call, clientToken } from '../simulator/helpers';
import { until } from '../support/webhook-rig';

const DEVICE = { id: 101, token: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ' };
const OTHER = { id: 102, token: 'njeVSg0-F1Ui1-PHnulaACQVpyCAEeVz' };

interface Received {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

describe('simulator: Platform API webhook routes', function () {
  let sim: Simulator;
  let auth: Record<string, string>;
  let server: http.Server;
  let target: string;
  const received: Received[] = [];

  before(async () => {
    sim = await startSimulator({ webhookRatePerMinute: 100 });
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(async () => {
    sim.reset();
    received.length = 0;
    auth = bearer((await clientToken(sim)).access_token);
  });
  after(async () => {
    await sim.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const api = (method: string, path: string, body?: unknown) => call(sim, method, path, { headers: auth, body });
  const message = (json: unknown): string => (json as { error: { message: string } }).error.message;
  const hook = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'Greenhouse temperature',
    trigger: 'DEVICE_DATASTREAM_UPDATE',
    dataTrigger: { deviceId: DEVICE.id, dataStreamId: 2 },
    url: `${target}/hook`,
    method: 'POST',
    contentType: 'JSON',
    authType: 'BASIC',
    username: 'hook',
    password: 'hook-password-1',
    body: '{"deviceId":"{device_id}","value":"{device_pinValue}"}',
    ...extra,
  });
  const write = (token: string, pin: string, value: string) => call(sim, 'GET', `/external/api/update?token=${token}&${pin}=${value}`);

  it('create answers the Webhook (no password), stores the definition, and a datastream write calls it with Basic auth', async () => {
    const created = await api('POST', '/api/v1/organization/webhook/create', hook());
    assert.equal(created.status, 200);
    const view = created.json as Record<string, unknown>;
    assert.equal(typeof view.id, 'number');
    assert.deepEqual(
      [view.name, view.trigger, view.dataTrigger, view.method, view.contentType, view.authType, view.status, view.attemptCount],
      ['Greenhouse temperature', 'DEVICE_DATASTREAM_UPDATE', { deviceId: 101, dataStreamId: 2 }, 'POST', 'JSON', 'BASIC', 'ENABLED', 0],
    );
    assert.equal('password' in view, false);
    assert.equal(created.text.includes('hook-password-1'), false);
    const stored = sim.webhooks.definition(view.id as number);
    assert.equal(stored?.deviceId, 101);
    assert.equal(stored?.dataStreamId, 2);
    assert.equal(stored?.username, 'hook');
    assert.equal(stored?.password, 'hook-password-1');

    // Another datastream and another device do not fire; V1 (id 2) of device 101 does.
    assert.equal((await write(DEVICE.token, 'v5', '50')).status, 200);
    assert.equal((await write(OTHER.token, 'v1', '30')).status, 200);
    assert.equal((await write(DEVICE.token, 'v1', '23.5')).status, 200);
    await until(() => received.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(received.length, 1);
    assert.equal(received[0].method, 'POST');
    assert.equal(received[0].url, '/hook');
    assert.equal(received[0].contentType, 'application/json');
    assert.equal(received[0].authorization, `Basic ${Buffer.from('hook:hook-password-1').toString('base64')}`);
    assert.deepEqual(JSON.parse(received[0].body), { deviceId: '101', value: '23.5' });
    const after = (await api('GET', `/api/v1/organization/webhook?webhookId=${String(view.id)}`)).json as Record<string, unknown>;
    assert.equal(after.attemptCount, 1);
    assert.equal(typeof after.lastTriggeredTs, 'number');
  });

  it('update keeps the id and takes the new fields; delete answers 204, then 404', async () => {
    const id = ((await api('POST', '/api/v1/organization/webhook/create', hook())).json as { id: number }).id;
    const updated = await api(
      'PUT',
      `/api/v1/organization/webhook?webhookId=${id}`,
      hook({ name: 'Humidity', dataTrigger: { deviceId: 101, dataStreamId: 6 } }),
    );
    assert.equal(updated.status, 200);
    assert.deepEqual([(updated.json as { id: number }).id, (updated.json as { name: string }).name], [id, 'Humidity']);
    assert.equal(sim.webhooks.definition(id)?.dataStreamId, 6);
    const list = (await api('GET', '/api/v1/organization/webhooks')).json as Array<{ id: number }>;
    assert.deepEqual(
      list.map((w) => w.id),
      [id],
    );
    await write(DEVICE.token, 'v1', '20');
    await write(DEVICE.token, 'v5', '61');
    await until(() => received.length === 1);
    assert.deepEqual(JSON.parse(received[0].body), { deviceId: '101', value: '61' });

    assert.equal((await api('DELETE', `/api/v1/organization/webhook?webhookId=${id}`)).status, 204);
    const gone = await api('GET', `/api/v1/organization/webhook?webhookId=${id}`);
    assert.equal(gone.status, 404);
    assert.match(message(gone.json), /not found/);
    assert.equal((await api('DELETE', `/api/v1/organization/webhook?webhookId=${id}`)).status, 404);
  });

  it('one registry: /sim/webhooks lists what the Platform API created, and the Platform API lists what /sim/webhooks defined', async () => {
    const id = ((await api('POST', '/api/v1/organization/webhook/create', hook())).json as { id: number }).id;
    const sims = (await call(sim, 'GET', '/sim/webhooks')).json as { webhooks: Array<{ id: number; password?: string }> };
    assert.deepEqual(
      sims.webhooks.map((w) => [w.id, w.password]),
      [[id, '********']],
    );
    const defined = await call(sim, 'POST', '/sim/webhooks', {
      body: { trigger: 'PRODUCT_DATASTREAM_UPDATE', templateId: 77, url: `${target}/sim`, body: '{}' },
    });
    assert.equal(defined.status, 201);
    const list = (await api('GET', '/api/v1/organization/webhooks')).json as Array<{ id: number; trigger: string; dataTrigger: unknown }>;
    assert.deepEqual(
      list.map((w) => [w.trigger, w.dataTrigger]),
      [
        ['DEVICE_DATASTREAM_UPDATE', { deviceId: 101, dataStreamId: 2 }],
        ['PRODUCT_DATASTREAM_UPDATE', { templateId: 77 }],
      ],
    );
  });

  it('log-event and template triggers fire as the registry matches them; other triggers are stored but never fire', async () => {
    await api(
      'POST',
      '/api/v1/organization/webhook/create',
      hook({
        trigger: 'DEVICE_LOG_EVENT',
        dataTrigger: { deviceId: 101, eventCode: 'door_open' },
        url: `${target}/event`,
        authType: 'NONE',
      }),
    );
    await api(
      'POST',
      '/api/v1/organization/webhook/create',
      hook({
        trigger: 'PRODUCT_DATASTREAM_UPDATE',
        dataTrigger: { templateId: 77, dataStreamId: 3 },
        url: `${target}/template`,
        authType: 'NONE',
      }),
    );
    const added = await api(
      'POST',
      '/api/v1/organization/webhook/create',
      hook({ trigger: 'DEVICE_ADDED', dataTrigger: undefined, url: `${target}/added`, authType: 'NONE' }),
    );
    assert.equal(added.status, 200);
    assert.equal((await call(sim, 'GET', `/external/api/logEvent?token=${DEVICE.token}&code=high_temp`)).status, 200);
    assert.equal((await call(sim, 'GET', `/external/api/logEvent?token=${DEVICE.token}&code=door_open`)).status, 200);
    assert.equal((await write(OTHER.token, 'v2', 'hello')).status, 200);
    await until(() => received.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(received.map((r) => r.url).sort(), ['/event', '/template']);
    assert.equal(received.find((r) => r.url === '/template')?.authorization, undefined);
  });

  it('bad input answers 400 with the documented error shape; no token 401; another organisation 404', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [hook({ trigger: 'SOMETHING' }), /trigger must be one of/],
      [hook({ url: `https://example.com/${'x'.repeat(520)}` }), /url must be a string of at most 512/],
      [hook({ body: 'x'.repeat(1025) }), /body must be a string of at most 1024/],
      [hook({ method: 'TRACE' }), /method must be one of/],
      [hook({ authType: 'DIGEST' }), /authType must be NONE, BASIC or OAUTH2/],
      [hook({ dataTrigger: { deviceId: -1 } }), /non-negative integers/],
      [hook({ dataTrigger: {} }), /needs deviceId/],
      [hook({ failureReceivers: Array.from({ length: 11 }, (_, i) => i) }), /failureReceivers/],
    ];
    for (const [body, reason] of cases) {
      const r = await api('POST', '/api/v1/organization/webhook/create', body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(message(r.json), reason);
    }
    assert.equal((await call(sim, 'POST', '/api/v1/organization/webhook/create', { headers: auth, body: '{nope' })).status, 400);
    assert.equal((await api('GET', '/api/v1/organization/webhook?webhookId=x')).status, 400);
    assert.equal((await api('GET', '/api/v1/organization/webhook')).status, 400);
    assert.equal((await api('PUT', '/api/v1/organization/webhook?webhookId=99', hook())).status, 404);
    assert.equal((await api('GET', '/api/v1/organization/webhooks?orgId=5')).status, 404);
    assert.equal((await api('POST', '/api/v1/organization/webhook/create?orgId=5', hook())).status, 404);
    assert.equal((await call(sim, 'GET', '/api/v1/organization/webhooks')).status, 401);
    assert.equal(sim.webhooks.list().length, 0);
  });
});
