import { NodeAPI } from 'node-red';
import { getDevice } from '../../blynk';
import { answerFor } from '../lib/answer';
import { forDevice } from '../lib/device-by-name';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Device info from the Platform API: `msg.payload` is the device object as Blynk returns it, less
 * the device's auth token unless the node keeps credentials. The device is given by id, or by name
 * (looked up and cached by the connection).
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-get-device',
    api: 'platform',
    properties: { deviceId: { value: 'deviceId', type: 'msg' } },
    run: (values, _msg, ctx) => forDevice(values.deviceId, ctx, getDevice),
    output: (msg, result, def) => {
      msg.payload = answerFor(result.data, def);
    },
  });
};
