import { NodeAPI } from 'node-red';
import { deviceLogEvent } from '../../blynk';
import { deviceTokenParts, tokenFor } from '../lib/device-token';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Logs a device event through the Device HTTPS API (`logEvent`) with the device's auth token (the
 * node's credential, else `msg.deviceToken`); needs no OAuth client. The msg passes unchanged,
 * without `msg.deviceToken`.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-device-event',
    api: 'device',
    properties: {
      eventCode: { value: '', type: 'str' },
      description: { value: 'payload', type: 'msg' },
    },
    ...deviceTokenParts,
    run: (values, msg, { node }) => deviceLogEvent(tokenFor(node, msg), values.eventCode, values.description),
  });
};
