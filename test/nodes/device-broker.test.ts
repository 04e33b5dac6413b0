// The device config node's broker setting, and the out node's choice of publish by payload shape.
import assert from 'node:assert/strict';
import { BlynkError } from '../../dist/blynk';
import { brokerUrl } from '../../dist/nodes/lib/broker';
import { nameListOf } from '../../dist/nodes/lib/device-names';

describe('device MQTT: broker from the region, and the datastream list', function () {
  it('derives mqtts://<host>:8883 (default) or wss://<host>:443/mqtt from the region server', () => {
    assert.equal(brokerUrl('https://fra1.blynk.cloud', ''), 'mqtts://fra1.blynk.cloud:8883');
    assert.equal(brokerUrl('https://fra1.blynk.cloud/', undefined), 'mqtts://fra1.blynk.cloud:8883');
    assert.equal(brokerUrl('', ''), 'mqtts://blynk.cloud:8883');
    assert.equal(brokerUrl('https://ny3.blynk.cloud', 'wss'), 'wss://ny3.blynk.cloud:443/mqtt');
  });

  it('takes a broker set by hand as it is (DeviceConnection checks it)', () => {
    assert.equal(brokerUrl('https://blynk.cloud', ' mqtt://127.0.0.1:18883 '), 'mqtt://127.0.0.1:18883');
  });

  it('refuses a region server over plain http to a remote host', () => {
    assert.throws(
      () => brokerUrl('http://example.com', ''),
      (err: unknown) => err instanceof BlynkError && err.code === 'INVALID_SERVER',
    );
  });

  it('reads a comma-separated list of names, empty = all', () => {
    assert.deepEqual(nameListOf(' Switch, Mode ,,'), ['Switch', 'Mode']);
    assert.deepEqual(nameListOf(''), []);
    assert.deepEqual(nameListOf(undefined), []);
  });
});
