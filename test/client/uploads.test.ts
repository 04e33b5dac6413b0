// Multipart uploads through the transport: the file arrives byte for byte, and every transport
// guarantee holds for a form as for JSON (redirect, timeout, abort, no secret in errors, size limit).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { BlynkError, deviceFileUpload, deviceTimestampedUpload, platformCall, Transport } from '../../dist/blynk';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { apiRequestsOf, assertSafeError, failure, useSimulator, waitFor } from './helpers';

const UPLOAD = '/external/api/upload';
const md5 = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');
/** Every byte value, so that a text decoding anywhere on the way would show. */
const binary = (size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + 3) % 256));

describe('client: multipart uploads', () => {
  const env = useSimulator();

  it('a device file arrives byte for byte as the form field upfile, with its name; the answer is its URL', async () => {
    const { sim } = env;
    const token = sim.demo.devices[0].token;
    const data = binary(70_000);
    const res = await env.client({ credentials: undefined }).call(deviceFileUpload(token, data, '/home/pi/logs/day 1.bin'));
    assert.equal(res.status, 200);
    const [file] = sim.state.files(101);
    assert.deepEqual([file.name, file.size, file.md5, file.type], ['day 1.bin', data.length, md5(data), 'application/octet-stream']);
    assert.equal(res.data, file.url);
    assert.match(String(res.data), /^http:\/\/127\.0\.0\.1:\d+\/device_uploads\/101\/[A-Za-z0-9_-]{32}\.bin$/);
    const [req] = apiRequestsOf(sim.log, UPLOAD);
    assert.match(req.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
    assert.deepEqual(req.query, { token });
  });

  it('a firmware file goes with type=FIRMWARE and the Bearer token; the answer has its path and firmware info', async () => {
    const { sim } = env;
    const tag = Buffer.from('blnkinf\0mcu\x001.2.3\0fw-type\0TMPL0001\0build\0Dec  3 2026 10:00:00\0\0', 'latin1');
    const data = Buffer.concat([binary(5000), tag, binary(100)]);
    const res = await env.client().call(platformCall('POST', '/api/upload', undefined, data, 'build/fw.ota.bin.gz'));
    assert.equal(res.status, 200);
    const answer = res.data as { path: string; firmwareInfo: Record<string, unknown> };
    assert.match(answer.path, /^\/static\/fw_\d+_1\.ota\.bin\.gz$/);
    assert.deepEqual(answer.firmwareInfo, {
      version: '1.2.3',
      fwType: 'TMPL0001',
      buildDate: 'Dec  3 2026 10:00:00',
      md5Hash: md5(data).toUpperCase(),
      sha256Hash: createHash('sha256').update(data).digest('base64'),
      type: 'MCU',
      fileSize: data.length,
    });
    assert.deepEqual(
      sim.state.firmware.map((f) => [f.name, f.size, f.uploadType, f.md5]),
      [['fw.ota.bin.gz', data.length, 'FIRMWARE', md5(data).toUpperCase()]],
    );
    const [req] = apiRequestsOf(sim.log, '/api/upload');
    assert.match(req.headers.authorization ?? '', /^Bearer /);
  });

  describe('transport guarantees', () => {
    let region: Simulator;
    before(async () => {
      region = await startSimulator();
    });
    afterEach(() => region.reset());
    after(() => region.close());

    it('a 308 to the region sends the whole form again there (a sent form is consumed)', async () => {
      const { sim } = env;
      const token = sim.demo.devices[0].token;
      sim.faults.add({ match: { path: UPLOAD }, action: { redirect: region.url } });
      const data = binary(300_000);
      const res = await env.client({ credentials: undefined }).call(deviceFileUpload(token, data, 'a.bin'));
      assert.equal(res.status, 200);
      assert.deepEqual(sim.state.files(101), []);
      assert.deepEqual(
        region.state.files(101).map((f) => [f.name, f.size, f.md5]),
        [['a.bin', data.length, md5(data)]],
      );
      assert.ok(String(res.data).startsWith(`${region.url}/device_uploads/101/`));
    });

    it('an upload slower than the timeout fails with TIMEOUT, its token in no part of the error', async () => {
      const { sim } = env;
      const token = sim.demo.devices[0].token;
      sim.faults.add({ match: { path: UPLOAD }, action: { delayMs: 1500 } });
      const client = env.client({ credentials: undefined, apiTimeoutMs: 300 });
      const err = await failure(() => client.call(deviceFileUpload(token, binary(10), 'a.bin')));
      assert.equal(err.code, 'TIMEOUT');
      assertSafeError(err, [token]);
    });

    it('an aborted upload ends with CLOSED at once', async () => {
      const { sim } = env;
      const token = sim.demo.devices[0].token;
      sim.faults.add({ match: { path: UPLOAD }, action: { delayMs: 1000 } });
      const controller = new AbortController();
      const started = Date.now();
      const pending = failure(() =>
        env.client({ credentials: undefined }).call(deviceFileUpload(token, binary(10), 'a.bin'), controller.signal),
      );
      await waitFor(() => apiRequestsOf(sim.log, UPLOAD).length === 1, 'the upload reached the simulator');
      controller.abort();
      const err = await pending;
      assert.equal(err.code, 'CLOSED');
      assert.ok(Date.now() - started < 900, 'the abort did not end the upload at once');
    });

    it('a file over the route limit is refused by the transport itself, before any request', async () => {
      const { sim } = env;
      const transport = new Transport(sim.url);
      try {
        const err = await failure(() =>
          transport.request({
            method: 'POST',
            path: UPLOAD,
            query: [['token', sim.demo.devices[0].token]],
            multipart: { file: { field: 'upfile', name: 'a.bin', type: 'application/octet-stream', data: binary(2049) }, maxBytes: 2048 },
            timeoutMs: 1000,
          }),
        );
        assert.deepEqual([err.code, err.details.length, err.details.detail], ['FILE_TOO_LARGE', 2049, '2048']);
        assert.deepEqual(sim.log, []);
      } finally {
        transport.close();
      }
    });

    it('the builders refuse files over the documented limits: 5 MB for a device, 10 MB for firmware', () => {
      const token = 'x'.repeat(32);
      const refused = (fn: () => unknown): BlynkError => {
        try {
          fn();
        } catch (err) {
          assert.ok(err instanceof BlynkError);
          return err;
        }
        assert.fail('not refused');
      };
      assert.equal(deviceFileUpload(token, Buffer.alloc(5 * 1024 * 1024), 'a.bin').multipart?.maxBytes, 5 * 1024 * 1024);
      assert.deepEqual(
        [refused(() => deviceFileUpload(token, Buffer.alloc(5 * 1024 * 1024 + 1), 'a.bin'))].map((e) => [e.code, e.details.length]),
        [['FILE_TOO_LARGE', 5 * 1024 * 1024 + 1]],
      );
      assert.equal(
        platformCall('POST', '/api/upload', undefined, Buffer.alloc(10 * 1024 * 1024), 'fw.bin').multipart?.maxBytes,
        10 * 1024 * 1024,
      );
      assert.equal(
        refused(() => platformCall('POST', '/api/upload', undefined, Buffer.alloc(10 * 1024 * 1024 + 1), 'fw.bin')).code,
        'FILE_TOO_LARGE',
      );
      assert.equal(refused(() => platformCall('POST', '/api/upload', undefined, Buffer.alloc(10), 'fw.exe')).code, 'INVALID_FILE');
      assert.equal(refused(() => platformCall('POST', '/api/upload', undefined, Buffer.alloc(10), undefined)).code, 'INVALID_FILE');
    });
  });
});

describe('client: the 2 MB request limit', () => {
  const env = useSimulator();

  it('a timestamped set whose JSON is over 2 MB is refused before sending; one just under goes', async () => {
    const { sim } = env;
    const token = sim.demo.devices[0].token;
    const now = Date.now();
    const client = env.client({ credentials: undefined });
    // 10,000 points of 300-character text: about 3.2 MB of JSON.
    const big = Array.from({ length: 10_000 }, (_, i) => [now - i, 'x'.repeat(300)]);
    const err = await failure(() => client.call(deviceTimestampedUpload(token, 'V2', big)));
    assert.equal(err.code, 'REQUEST_TOO_LARGE');
    assert.equal(err.details.detail, String(2 * 1024 * 1024));
    assert.ok((err.details.length ?? 0) > 3_000_000);
    assertSafeError(err, [token]);
    assert.deepEqual(sim.log, []);
    const fits = Array.from({ length: 5_000 }, (_, i) => [now - i, 'x'.repeat(300)]);
    assert.equal((await client.call(deviceTimestampedUpload(token, 'V2', fits))).status, 200);
    assert.equal(sim.state.value(101, 'v2'), 'x'.repeat(300));
  });
});
