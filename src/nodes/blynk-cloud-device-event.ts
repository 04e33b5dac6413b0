import { NodeAPI } from 'node-red';
import { deviceLogEvent } from '../blynk';
import { registerFlowNode } from './lib/flow-node';

interface DeviceCredentials {
  token?: string;
}

/**
 * Logs a device event through the Device HTTPS API (`logEvent`) with the device's auth token (the
 * node's credential, else `msg.deviceToken`); needs no OAuth client. The msg passes unchanged,
 * without `msg.deviceToken`.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode<DeviceCredentials>(RED, {
    type: 'blynk-cloud-device-event',
    api: 'device',
    properties: {
      eventCode: { value: '', type: 'str' },
      description: { value: 'payload', type: 'msg' },
    },
    credentials: { token: { type: 'password' } },
    build: (values, msg, node) => deviceLogEvent(node.credentials?.token || msg.deviceToken, values.eventCode, values.description),
    scrub: (msg) => {
      delete msg.deviceToken;
    },
    output: () => undefined,
  });
};
