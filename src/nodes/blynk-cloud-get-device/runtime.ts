import { NodeAPI } from 'node-red';
import { getDevice } from '../../blynk';
import { answerFor } from '../lib/answer';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Device info from the Platform API: `msg.payload` is the device object as Blynk returns it, less
 * the device's auth token unless the node keeps credentials.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-get-device',
    api: 'platform',
    properties: { deviceId: { value: 'deviceId', type: 'msg' } },
    run: (values) => getDevice(values.deviceId),
    output: (msg, result, def) => {
      msg.payload = answerFor(result.data, def);
    },
  });
};
