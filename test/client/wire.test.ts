// The wire under axios (undici): proxies from the environment as axios reads them, through a real
// forward/CONNECT proxy; multipart and Blob bodies; the sockets a connection holds.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { BlynkClient, deviceUpdate, getDevice, organizationProfile, Transport } from '../../dist/blynk';
import { splitUrl } from '../../dist/blynk/undici-adapter';
import { proxyFor } from '../../dist/blynk/wire';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badCertificates, trustableCertificate } from '../support/certificates';
import { openSocketsTo } from '../support/sockets';
import {
  apiRequestsOf,
  assertSafeError,
  bearerOf,
  demoCredentials,
  DEVICE_PATH,
  failure,
  FAST_RETRY,
  itD4,
  secretsOf,
  useSimulator,
  waitFor,
} from './helpers';

const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY'];

interface Proxy {
  url: string;
  /** What went through: `GET http://host/path` for a forwarded request, `CONNECT host:port` for a tunnel. */
  seen: string[];
  close(): Promise<void>;
}

/** A forward proxy for plain http (absolute-form requests) and a CONNECT tunnel for https. */
async function startProxy(): Promise<Proxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('client: the wire (undici under axios)', () => {
  const env = useSimulator();
  const saved = new Map<string, string | undefined>();

  beforeEach(() => {
    for (const name of PROXY_VARS) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  describe('proxies from the environment', () => {
    let proxy: Proxy;
    beforeEach(async () => {
      proxy = await startProxy();
    });
    afterEach(() => proxy.close());

    for (const name of ['HTTP_PROXY', 'http_proxy']) {
      it(`${name}: token and API calls go through the proxy, with their Authorization headers, and answer as direct ones`, async () => {
        const { sim } = env;
        process.env[name] = proxy.url;
        const client = env.client();
        const profile = await client.call(organizationProfile());
        assert.deepEqual([profile.status, (profile.data as { id?: number }).id], [200, 1001]);
        const device = await client.call(getDevice(101));
        assert.equal((device.data as { id?: number }).id, 101);
        assert.deepEqual(proxy.seen, [
          `POST ${sim.url}/oauth2/token?grant_type=client_credentials`,
          `GET ${sim.url}/api/v1/organization/profile`,
          `GET ${sim.url}${DEVICE_PATH}?deviceId=101`,
        ]);
        const [, ...calls] = sim.log;
        assert.deepEqual(calls.map(bearerOf), [sim.tokens.issuedAccess[0], sim.tokens.issuedAccess[0]]);
      });
    }

    for (const noProxy of ['127.0.0.1', '127.0.0.1:PORT', '.0.0.1', '*.0.0.1', '*', 'example.com, 127.0.0.1']) {
      it(`NO_PROXY "${noProxy}" sends to the simulator directly`, async () => {
        const { sim } = env;
        process.env.HTTP_PROXY = proxy.url;
        process.env.NO_PROXY = noProxy.replace('PORT', new URL(sim.url).port);
        const client = env.client();
        assert.equal((await client.call(organizationProfile())).status, 200);
        assert.deepEqual(proxy.seen, []);
        assert.equal(sim.log.length, 2);
      });
    }

    it('NO_PROXY for another port or host still proxies; lower-case no_proxy is read too', async () => {
      const { sim } = env;
      process.env.http_proxy = proxy.url;
      process.env.no_proxy = '127.0.0.1:1,localhost';
      const client = env.client();
      assert.equal((await client.call(organizationProfile())).status, 200);
      assert.equal(proxy.seen.length, 2);
      assert.equal(sim.log.length, 2);
    });

    it('HTTPS_PROXY does not apply to http, nor HTTP_PROXY to https (as axios reads them)', () => {
      process.env.HTTPS_PROXY = 'http://proxy.example:3128';
      assert.equal(proxyFor(new URL('http://127.0.0.1:1880')), '');
      assert.equal(proxyFor(new URL('https://fra1.blynk.cloud')), 'http://proxy.example:3128');
      delete process.env.HTTPS_PROXY;
      process.env.HTTP_PROXY = 'proxy.example:3128';
      assert.equal(proxyFor(new URL('https://fra1.blynk.cloud')), '');
      assert.equal(proxyFor(new URL('http://127.0.0.1:1880')), 'http://proxy.example:3128');
      process.env.NO_PROXY = '.blynk.cloud';
      process.env.HTTPS_PROXY = 'http://proxy.example:3128';
      assert.equal(proxyFor(new URL('https://fra1.blynk.cloud')), '');
      assert.equal(proxyFor(new URL('https://blynk.cloud')), 'http://proxy.example:3128');
    });

    it('the environment is read when a connection is made: a client made before HTTP_PROXY was set stays direct', async () => {
      const { sim } = env;
      const client = env.client();
      assert.equal((await client.call(organizationProfile())).status, 200);
      process.env.HTTP_PROXY = proxy.url;
      assert.equal((await client.call(getDevice(101))).status, 200);
      assert.deepEqual(proxy.seen, []);
      const later = env.client();
      assert.equal((await later.call(getDevice(101))).status, 200);
      assert.equal(proxy.seen.length, 2);
      assert.equal(sim.log.length, 5);
    });

    it('HTTPS_PROXY: https goes through a CONNECT tunnel and the server certificate is still verified (self-signed: TLS, nothing handled)', async function () {
      const pair = badCertificates()?.selfSigned;
      // No openssl: Node cannot make an X.509 certificate by itself.
      if (!pair) this.skip();
      let handled = 0;
      const server = https.createServer(pair, (_req, res) => {
        handled++;
        res.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      process.env.HTTPS_PROXY = `http://user:proxy-secret@${new URL(proxy.url).host}`;
      try {
        const client = env.track(
          new BlynkClient({ server: `https://127.0.0.1:${port}`, credentials: demoCredentials(env.sim), retry: FAST_RETRY }),
        );
        const err = await failure(() => client.call(organizationProfile()));
        assertSafeError(err, [...secretsOf(env.sim), 'proxy-secret', 'user:proxy-secret']);
        assert.deepEqual([err.code, err.details.detail], ['TLS', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
        assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${port}`]);
        assert.equal(handled, 0);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('a proxy that is down: NETWORK naming the server, not the proxy or its credentials', async () => {
      process.env.HTTP_PROXY = 'http://user:proxy-secret@127.0.0.1:1';
      const client = env.client({ retry: FAST_RETRY });
      const err = await failure(() => client.call(organizationProfile()));
      assertSafeError(err, [...secretsOf(env.sim), 'proxy-secret']);
      assert.deepEqual([err.code, err.details.detail, err.details.host], ['NETWORK', 'ECONNREFUSED', new URL(env.sim.url).host]);
    });
  });

  describe('bodies', () => {
    let server: http.Server;
    let origin: string;
    let received: Array<{ type: string | undefined; length: string | undefined; body: string }>;
    beforeEach(async () => {
      received = [];
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            type: req.headers['content-type'],
            length: req.headers['content-length'],
            body: Buffer.concat(chunks).toString(),
          });
          res.setHeader('Content-Type', 'application/json');
          res.end('{"ok":true}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("Node's FormData (a field and a file) is sent as multipart/form-data with its boundary and length", async () => {
      const transport = new Transport(origin);
      try {
        const form = new FormData();
        form.append('name', 'firmware');
        form.append('file', new Blob([Buffer.from('\x00\x01binary')], { type: 'application/octet-stream' }), 'fw.bin');
        // An explicit multipart type without a boundary (a common axios idiom) must not break the body.
        const res = await transport.request({
          method: 'POST',
          path: '/upload',
          body: form,
          headers: { 'Content-Type': 'multipart/form-data' },
          timeoutMs: 2_000,
        });
        assert.deepEqual(res, { status: 200, data: { ok: true } });
        const [{ type, length, body }] = received;
        const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type ?? '')?.[1];
        assert.ok(boundary, `content-type ${type}`);
        assert.equal(Number(length), Buffer.byteLength(body));
        assert.match(body, new RegExp(`^--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nfirmware\r\n`));
        assert.ok(
          body.includes(
            'Content-Disposition: form-data; name="file"; filename="fw.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01binary\r\n',
          ),
          body,
        );
        assert.ok(body.endsWith(`--${boundary}--\r\n`));
      } finally {
        transport.close();
      }
    });

    it('a Blob is sent as it is, with its type; JSON and text bodies as axios serialises them', async () => {
      const transport = new Transport(origin);
      try {
        await transport.request({ method: 'PUT', path: '/blob', body: new Blob(['a,b\n1,2'], { type: 'text/csv' }), timeoutMs: 2_000 });
        await transport.request({ method: 'POST', path: '/json', body: { v: [1, 'ü'] }, timeoutMs: 2_000 });
        await transport.request({
          method: 'POST',
          path: '/text',
          body: 'plain ü',
          headers: { 'Content-Type': 'text/plain' },
          timeoutMs: 2_000,
        });
        assert.deepEqual(received, [
          { type: 'text/csv', length: '7', body: 'a,b\n1,2' },
          { type: 'application/json', length: String(Buffer.byteLength('{"v":[1,"ü"]}')), body: '{"v":[1,"ü"]}' },
          { type: 'text/plain', length: String(Buffer.byteLength('plain ü')), body: 'plain ü' },
        ]);
      } finally {
        transport.close();
      }
    });
  });

  it('the adapter takes origin and path from a URL as URL parses it, plain or not', () => {
    for (const text of [
      'http://127.0.0.1:1880/api/v1/organization/device?deviceId=101',
      'https://fra1.blynk.cloud/external/api/get?token=abc&v1&v2',
      'https://blynk.cloud/x?q=%20a%7E',
      'https://blynk.cloud/a/./b',
      'https://blynk.cloud/a/%2e%2E/b',
      'http://LOCALHOST:80/x',
      'http://localhost:80/x',
      'https://blynk.cloud:443/x',
      "https://blynk.cloud/x?q=a'b",
      'http://[::1]:1/x',
      'https://blynk.cloud/x y',
      'https://blynk.cloud/%zz',
    ]) {
      const url = new URL(text);
      assert.deepEqual(splitUrl(text, undefined), { origin: url.origin, path: url.pathname + url.search }, text);
    }
  });

  describe('TLS with NODE_EXTRA_CA_CERTS', () => {
    it("a server whose certificate is trusted only through NODE_EXTRA_CA_CERTS answers; without it, TLS (Node's own CAs only)", async function () {
      this.timeout(30_000);
      const pair = trustableCertificate();
      // No openssl: Node cannot make an X.509 certificate by itself.
      if (!pair) this.skip();
      const server = https.createServer(pair, (_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end('{"trusted":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const dir = mkdtempSync(join(tmpdir(), 'blynk-ca-'));
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, pair.cert);
      // A fresh process: Node reads NODE_EXTRA_CA_CERTS once, at start-up.
      const script = `
        const { Transport } = require(${JSON.stringify(join(__dirname, '../../dist/blynk'))});
        const t = new Transport('https://127.0.0.1:${(server.address() as AddressInfo).port}');
        t.request({ method: 'GET', path: '/x', timeoutMs: 5000 })
          .then((r) => ({ status: r.status, data: r.data }), (e) => ({ code: e.code, detail: e.details.detail }))
          .then((out) => { t.close(); process.stdout.write(JSON.stringify(out)); });`;
      const run = (extra: Record<string, string>) =>
        new Promise<unknown>((resolve, reject) => {
          const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
          if (!extra.NODE_EXTRA_CA_CERTS) delete env.NODE_EXTRA_CA_CERTS;
          execFile(process.execPath, ['-e', script], { env }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
        });
      try {
        assert.deepEqual(await run({ NODE_EXTRA_CA_CERTS: ca }), { status: 200, data: { trusted: true } });
        assert.deepEqual(await run({}), { code: 'TLS', detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('sockets', () => {
    it('one socket per request in flight at most, reused by sequential calls; none left after close()', async () => {
      const { sim } = env;
      assert.equal(openSocketsTo(sim.url), 0);
      const client = env.client();
      await client.call(organizationProfile());
      for (let i = 0; i < 5; i++) await client.call(deviceUpdate(sim.demo.devices[0].token, 'V1', i));
      assert.deepEqual([openSocketsTo(sim.url), client.transport.wire.openSockets], [1, 1]);
      sim.faults.add({ match: { path: DEVICE_PATH }, times: 8, action: { delayMs: 100 } });
      await Promise.all(Array.from({ length: 8 }, (_, i) => client.call(getDevice(101 + (i % 2)))));
      for (let i = 0; i < 20; i++) await client.call(deviceUpdate(sim.demo.devices[0].token, 'V1', i));
      assert.deepEqual([openSocketsTo(sim.url), client.transport.wire.openSockets], [8, 8]);
      assert.equal(apiRequestsOf(sim.log).length, 34);
      client.close();
      await waitFor(() => openSocketsTo(sim.url) === 0, 'no socket to the simulator after close()');
    });
  });

  itD4(env);
});
