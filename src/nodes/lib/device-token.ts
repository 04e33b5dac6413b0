import { NodeMessageInFlow } from 'node-red';
import { CredentialFields, FlowNode } from './flow-node-spec';

/**
 * What every Device API node shares: the device's auth token is its `password` credential, else
 * `msg.deviceToken`; a token that came on the msg goes no further, neither down the flow nor to
 * Catch nodes.
 */
export const deviceTokenParts: { credentials: CredentialFields<'token'>; scrub(msg: NodeMessageInFlow): void } = {
  credentials: { token: { type: 'password' } },
  scrub: (msg) => {
    delete msg.deviceToken;
  },
};

/** The token a message's call uses: the node's own, else the one on the msg. */
export function tokenFor(node: FlowNode<'token'>, msg: NodeMessageInFlow): unknown {
  return node.credentials?.token || msg.deviceToken;
}
