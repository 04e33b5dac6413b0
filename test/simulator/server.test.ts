import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { call, clientToken } from './helpers';

describe('simulator: server', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.reset());
  after(() => sim.close());

  it('listens on a random port of 127.0.0.1 by default', () => {
    assert.ok(sim.port > 0);
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
  });

  it('answers 404 for unknown routes', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/api/v1/organization/profile'],
      ['GET', '/oauth2/token'],
    ]) {
      const r = await call(sim, method, path);
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { error: { message: 'Not found' } });
    }
  });

  it('answers 413 to bodies over 2 MB and keeps serving', async () => {
    const r = await call(sim, 'POST', '/api/v1/organization/device/datastream', { body: 'x'.repeat(2 * 1024 * 1024 + 1) });
    assert.equal(r.status, 413);
    assert.equal(sim.log[0].body, undefined);
    assert.equal((await call(sim, 'GET', '/nope')).status, 404);
  });

  it('survives malformed requests', async () => {
    const t = await clientToken(sim);
    const r = await call(sim, 'POST', '/api/v1/organization/device/datastreams?x=%E0%A4%A', {
      headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' },
      body: '\u0000{{{',
    });
    assert.equal(r.status, 400);
    // Raw garbage on the socket gets a 400 from Node's parser and does not crash the server.
    await new Promise<void>((resolve) => {
      const s = connect(sim.port, '127.0.0.1', () => s.end('NOT HTTP\r\n\r\n'));
      s.on('data', () => undefined);
      s.on('close', () => resolve());
    });
    assert.equal((await call(sim, 'GET', '/nope')).status, 404);
  });

  it('logs method, path, query, headers and parsed body, oldest first', async () => {
    await call(sim, 'POST', '/oauth2/token?grant_type=client_credentials&a=1&a=2&flag', {
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
      body: { hello: 'world' },
    });
    await call(sim, 'POST', '/nope', { body: 'plain text' });
    const [first, second] = sim.log;
    assert.equal(first.method, 'POST');
    assert.equal(first.path, '/oauth2/token');
    assert.deepEqual(first.query, { grant_type: 'client_credentials', a: ['1', '2'], flag: '' });
    assert.equal(first.headers.authorization, 'Basic Zm9vOmJhcg==');
    assert.deepEqual(first.body, { hello: 'world' });
    assert.equal(first.status, 400);
    assert.equal(second.body, 'plain text');
    assert.equal(second.status, 404);
    assert.ok(second.at >= first.at);
  });

  it('keeps at most logLimit entries, the newest ones', async () => {
    const small = await startSimulator({ logLimit: 3 });
    try {
      for (let i = 0; i < 5; i++) await call(small, 'GET', `/n${i}`);
      assert.deepEqual(
        small.log.map((e) => e.path),
        ['/n2', '/n3', '/n4'],
      );
    } finally {
      await small.close();
    }
  });

  it('reset() restores seeded values and forgets tokens, faults and the log', async () => {
    const t = await clientToken(sim);
    await call(sim, 'GET', `/external/api/update?token=${sim.demo.devices[0].token}&v1=50`);
    sim.faults.add({ match: {}, action: { status: 500 } });
    sim.reset();
    assert.equal(sim.state.value(101, 'v1'), 21.5);
    assert.equal(sim.faults.pending, 0);
    assert.deepEqual(sim.log, []);
    assert.equal(sim.tokens.requests, 0);
    assert.deepEqual(sim.tokens.issuedAccess, []);
    const r = await call(sim, 'GET', '/api/v1/organization/profile', { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(r.status, 401);
  });

  it('close() resolves with keep-alive sockets and in-flight delays open', async () => {
    const s = await startSimulator();
    s.faults.add({ match: {}, action: { delayMs: 60_000 } });
    const pending = new Promise<string>((resolve) => {
      const req = request(`${s.url}/nope`, { agent: false, headers: { connection: 'keep-alive' } }, () => resolve('answered'));
      req.on('error', () => resolve('reset'));
      req.end();
    });
    while (s.log.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await s.close();
    assert.equal(await pending, 'reset');
    assert.ok(Date.now() - started < 1000);
    await s.close(); // idempotent
  });

  it('rejects when the port is taken', async () => {
    await assert.rejects(startSimulator({ port: sim.port }), /EADDRINUSE/);
  });
});
