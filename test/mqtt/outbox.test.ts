// The MQTT outbox: order, pacing (fake timers), retry of an unsent message, size limit.
import { strict as assert } from 'node:assert';
import * as sinon from 'sinon';
import { BlynkError } from '../../dist/blynk';
import { Outbox, type Outgoing } from '../../dist/blynk/device-mqtt/outbox';

describe('device MQTT: outbox', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => clock.restore());

  const box = (maxQueue = 10) => new Outbox({ maxQueue, limit: 10, periodMs: 1000, now: () => clock.now });

  it('sends in order, one every 100 ms under a 10-per-second limit', async () => {
    const outbox = box();
    const sent: [string, number][] = [];
    outbox.attach(async (m: Outgoing) => (sent.push([m.payload, clock.now]), true));
    const done = ['a', 'b', 'c', 'd'].map((p) => outbox.add('ds/x', p));
    await clock.tickAsync(350);
    await Promise.all(done);
    assert.deepEqual(sent, [
      ['a', 0],
      ['b', 100],
      ['c', 200],
      ['d', 300],
    ]);
    outbox.close(new BlynkError('CLOSED'));
  });

  it('keeps a message the socket refused and sends it once after the next attach', async () => {
    const outbox = box();
    const sent: string[] = [];
    outbox.attach(async () => false);
    const done = outbox.add('ds/x', 'only');
    await clock.tickAsync(10);
    assert.equal(outbox.length, 1);
    outbox.attach(async (m: Outgoing) => (sent.push(m.payload), true));
    await clock.tickAsync(200);
    await done;
    assert.deepEqual(sent, ['only']);
    assert.equal(outbox.length, 0);
    outbox.close(new BlynkError('CLOSED'));
  });

  it('refuses beyond its size, lets info/mcu go first past it, and close refuses the rest', async () => {
    const outbox = box(2);
    const kept = [outbox.add('ds/x', '1'), outbox.add('ds/x', '2')].map((p) => p.catch((e: unknown) => e));
    await assert.rejects(outbox.add('ds/x', '3'), (e: unknown) => e instanceof BlynkError && e.code === 'MQTT_QUEUE_FULL');
    const info = outbox.add('info/mcu', '{}', true).catch((e: unknown) => e);
    assert.equal(outbox.length, 3);
    outbox.close(new BlynkError('CLOSED'));
    for (const e of await Promise.all([...kept, info])) assert.ok(e instanceof BlynkError && e.code === 'CLOSED');
    assert.equal(clock.countTimers(), 0);
  });
});
