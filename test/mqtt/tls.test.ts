// mqtts:// to the simulator's broker behind a TLS proxy: certificate checks, TLS errors.
import { strict as assert } from 'node:assert';
import { connect as netConnect, type Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { badCertificates } from '../support/certificates';
import { deepText, reached, record, until, type Recorded } from './helpers';

describe('device MQTT: TLS', function () {
  const certs = badCertificates();
  let sim: Simulator;
  let proxy: Server;
  let server: string;
  const sockets = new Set<Socket>();
  let open: Recorded[] = [];

  before(async function () {
    if (!certs) return this.skip(); // no openssl on this machine
    sim = await startSimulator();
    const broker = await sim.mqtt();
    proxy = createServer({ key: certs.selfSigned.key, cert: certs.selfSigned.cert }, (socket) => {
      const up = netConnect(broker.port, '127.0.0.1');
      for (const s of [socket, up]) {
        sockets.add(s);
        s.once('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      socket.pipe(up).pipe(socket);
      socket.once('close', () => up.destroy());
      up.once('close', () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    const address = proxy.address();
    server = `mqtts://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(async () => {
    await Promise.all(open.map((r) => r.conn.close()));
    open = [];
  });
  after(async () => {
    if (!certs) return;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await sim.close();
  });

  it('an untrusted certificate is a TLS error: offline and retrying, the token nowhere', async () => {
    const token = sim.demo.devices[0].token;
    const r = record({ server, token, backoff: { initialMs: 40, maxMs: 40 } });
    open.push(r);
    r.conn.connect();
    await reached(r, 'offline', 2);
    const error = r.states.find((s) => s.state === 'offline')?.error;
    assert.equal(error?.code, 'TLS');
    assert.ok(!r.states.some((s) => s.state === 'connected'));
    assert.ok(!r.text().includes(token) && !deepText(error).includes(token));
  });

  it('with the check turned off for a private broker, the device connects over TLS', async () => {
    const r = record({ server, token: sim.demo.devices[1].token, tls: { rejectUnauthorized: false } });
    open.push(r);
    r.conn.connect();
    await reached(r, 'connected');
    await r.conn.write('Temperature', 19.25);
    await until(() => sim.state.value(102, 'v1') === 19.25, 'value over TLS');
  });
});
