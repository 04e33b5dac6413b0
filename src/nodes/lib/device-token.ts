import { Node, NodeMessageInFlow } from 'node-red';

/** The Device API nodes' credentials: the device's auth token. */
export interface DeviceCredentials {
  token?: string;
}

/**
 * What every Device API node shares: the device's auth token is its `password` credential, else
 * `msg.deviceToken`; a token that came on the msg goes no further, neither down the flow nor to
 * Catch nodes.
 */
export const deviceToken = {
  credentials: { token: { type: 'password' } },
  scrub: (msg: NodeMessageInFlow): void => {
    delete msg.deviceToken;
  },
} as const;

/** The token a message's call uses: the node's own, else the one on the msg. */
export function tokenFor(node: Node<DeviceCredentials>, msg: NodeMessageInFlow): unknown {
  return node.credentials?.token || msg.deviceToken;
}
