// G1 at its root: the transport is the one place that decides where a request goes. Whatever a
// path holds, a request that would leave the connection's server is refused before it is sent,
// and one whose path only looks odd stays on the server.
import { strict as assert } from 'node:assert';
import { BlynkError, Transport, urlOn } from '../../dist/blynk';
import { offServerPaths, Recorder, startRecorder } from '../support/recorder';
import { demoBasic, failure, TOKEN_PATH, useSimulator } from './helpers';

describe('client: no path moves a request off its server (G1)', () => {
  const env = useSimulator();
  let rec: Recorder;
  beforeEach(async () => {
    rec = await startRecorder();
  });
  afterEach(() => rec.close());

  /**
   * The forms that would reach the recorder, or another host, if the URL were joined as text
   * (`//host` is not one: after a host, http(s) URLs read it as a path).
   */
  const moving = (port: number): string[] => [
    `:${port}/steal`,
    `@127.0.0.1:${port}/steal`,
    `.localhost:${port}/steal`,
    `\\\\127.0.0.1:${port}/steal`,
    `%40127.0.0.1:${port}/steal`,
    `${TOKEN_PATH}?x=@127.0.0.1:${port}`,
    `${TOKEN_PATH}#@127.0.0.1:${port}`,
  ];

  it('G1 refuses every moving form with OFF_SERVER, on a server with and without a port: nothing sent anywhere', async () => {
    for (const server of ['http://127.0.0.1', env.sim.url]) {
      const transport = new Transport(server);
      try {
        for (const path of moving(rec.port)) {
          const err = await failure(() =>
            transport.request({ method: 'POST', path, headers: { Authorization: demoBasic(env.sim) }, timeoutMs: 2_000 }),
          );
          assert.ok(err instanceof BlynkError, `${server} ${path}`);
          assert.equal(err.code, 'OFF_SERVER', `${server} ${path}`);
          assert.equal(err.details.server, new URL(server).origin);
        }
      } finally {
        transport.close();
      }
    }
    assert.deepEqual(rec.requests, []);
    assert.deepEqual(env.sim.log, []);
  });

  it('G1 a path that only looks odd stays on the server (backslash, encoded slashes, dot segments)', async () => {
    const transport = new Transport(env.sim.url);
    try {
      for (const path of offServerPaths(rec.port).filter((p) => !moving(rec.port).includes(p))) {
        const res = await transport.request({ method: 'GET', path, timeoutMs: 2_000 });
        assert.equal(res.status, 404, path);
      }
    } finally {
      transport.close();
    }
    assert.deepEqual(rec.requests, []);
    assert.deepEqual(
      env.sim.log.map((e) => e.path),
      [`//127.0.0.1:${rec.port}/steal`, `//127.0.0.1:${rec.port}/steal`, `/%2F%2F127.0.0.1:${rec.port}/steal`, '/steal'],
    );
  });

  it('G1 a plain path is joined as a parse of the whole URL gives it, and every other path still goes through the parse', () => {
    for (const server of ['http://127.0.0.1', 'https://blynk.cloud:443', env.sim.url]) {
      const origin = new URL(server);
      const parsed = (path: string): string => {
        const url = new URL(origin.origin + path);
        return url.origin + url.pathname;
      };
      for (const path of ['/api/v1/organization/device', '/external/api/update', '/a_b/c-d/~e/F9', '/x']) {
        assert.equal(urlOn(origin, path), parsed(path), path);
        assert.equal(urlOn(origin, path, [['token', 'a b'], ['v1']]), `${parsed(path)}?token=a%20b&v1`, path);
      }
      // Parsed: dot segments resolved, escapes kept, an empty segment kept.
      assert.equal(urlOn(origin, '/api/./v1/../device'), `${origin.origin}/api/device`);
      assert.equal(urlOn(origin, '/a%2Fb'), `${origin.origin}/a%2Fb`);
      assert.equal(urlOn(origin, '/a//b/'), `${origin.origin}/a//b/`);
      for (const path of moving(1234)) assert.throws(() => urlOn(origin, path), { code: 'OFF_SERVER' }, path);
    }
  });
});
