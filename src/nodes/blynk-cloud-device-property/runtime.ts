import { NodeAPI } from 'node-red';
import { deviceProperty } from '../../blynk';
import { deviceTokenParts, tokenFor } from '../lib/device-token';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Sets a widget property of a pin (`label`, `color`, `isDisabled`, …) through the Device HTTPS
 * API with the device's auth token (the node's credential, else `msg.deviceToken`). An array value
 * sets a multi-value property (`labels`). The msg passes unchanged, without `msg.deviceToken`.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-device-property',
    api: 'device',
    properties: {
      pin: { value: 'topic', type: 'msg' },
      property: { value: 'label', type: 'str' },
      value: { value: 'payload', type: 'msg' },
    },
    ...deviceTokenParts,
    run: (values, msg, { node }) => deviceProperty(tokenFor(node, msg), values.pin, values.property, values.value),
  });
};
