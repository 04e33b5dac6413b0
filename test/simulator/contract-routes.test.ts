// The simulator's generic routes (src/simulator/contract-routes.ts): every Platform operation of
// contract/ without a handler of its own is guarded like the others (Bearer, rate limit), checks
// the request against the documented schema, and answers to the documented 2xx schema (which the
// root hook's contract check validates on every exchange).
import { strict as assert } from 'node:assert';
import { PRESETS } from '../../dist/blynk';
import type { Simulator } from '../../dist/simulator';
import { call, useAuthedSimulator } from './helpers';

describe('simulator: generic routes from the contract', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  useAuthedSimulator((s, a) => {
    sim = s;
    auth = a;
  });

  const message = (json: unknown): string => (json as { error: { message: string } }).error.message;

  it('serves every Platform operation of the contract, and keeps the dedicated handlers', async () => {
    const missing = PRESETS.map((p) => `${p.method} ${p.path}`).filter((route) => !sim.routes.includes(route));
    assert.deepEqual(missing, []);
    // A dedicated handler answers from the simulator's state, not from the docs' examples.
    const device = await call(sim, 'GET', '/api/v1/organization/device?deviceId=102', { headers: auth });
    assert.deepEqual([device.status, (device.json as { name: string }).name], [200, 'Garage']);
  });

  it('a paged list answers {content, totalElements} built from the documented schema', async () => {
    const page = await call(sim, 'GET', '/api/v1/organization/search/users?query=John&page=0&size=20', { headers: auth });
    assert.equal(page.status, 200);
    const body = page.json as { content: unknown[]; totalElements: number };
    assert.ok(Array.isArray(body.content) && body.content.length === 1, JSON.stringify(body));
    assert.equal(body.totalElements, 1);
  });

  it('checks the request as the package does: 400 in Blynk error shape naming the field', async () => {
    const missing = await call(sim, 'GET', '/api/v1/organization/user', { headers: auth });
    assert.deepEqual([missing.status, message(missing.json)], [400, 'Bad request - query.userId is required.']);
    const wrong = await call(sim, 'GET', '/api/v1/organization/user?userId=abc', { headers: auth });
    assert.deepEqual([wrong.status, message(wrong.json)], [400, 'Bad request - query.userId must be integer.']);
    const ok = await call(sim, 'GET', '/api/v1/organization/user?userId=7', { headers: auth });
    assert.equal(ok.status, 200);
  });

  it('refuses without a valid Bearer token (401) and over the organisation limit (429), as the other Platform routes', async () => {
    const none = await call(sim, 'GET', '/api/v1/organization/tags');
    assert.deepEqual([none.status, message(none.json)], [401, 'Authorization header with a Bearer token is required.']);
    const bad = await call(sim, 'GET', '/api/v1/organization/tags', { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
    sim.setLimits({ orgRequestsPerMinute: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sim, 'GET', '/api/v1/organization/tags', { headers: auth })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    sim.setLimits({});
  });
});
