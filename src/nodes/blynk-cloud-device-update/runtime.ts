import { NodeAPI } from 'node-red';
import { deviceUpdate } from '../../blynk';
import { deviceTokenParts, tokenFor } from '../lib/device-token';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Device HTTPS API update with the device's auth token (the node's credential, else
 * `msg.deviceToken`); needs no OAuth client. The msg passes on (or to Catch nodes) without
 * `msg.deviceToken`.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-device-update',
    api: 'device',
    properties: { pin: { value: 'topic', type: 'msg' } },
    ...deviceTokenParts,
    run: (values, msg, { node }) => deviceUpdate(tokenFor(node, msg), values.pin, msg.payload),
  });
};
