import { NodeAPI } from 'node-red';
import { deviceUpdate } from '../blynk';
import { registerFlowNode } from './lib/flow-node';

interface DeviceCredentials {
  token?: string;
}

/**
 * Device HTTPS API update with the device's auth token (the node's credential, else
 * `msg.deviceToken`); needs no OAuth client. The msg passes on (or to Catch nodes) without
 * `msg.deviceToken`.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode<DeviceCredentials>(RED, {
    type: 'blynk-cloud-device-update',
    api: 'device',
    properties: { pin: { value: 'topic', type: 'msg' } },
    credentials: { token: { type: 'password' } },
    build: (values, msg, node) => deviceUpdate(node.credentials?.token || msg.deviceToken, values.pin, msg.payload),
    // A token that came on the msg goes no further: neither down the flow nor to Catch nodes.
    scrub: (msg) => {
      delete msg.deviceToken;
    },
    output: () => undefined,
  });
};
