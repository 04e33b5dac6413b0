import { Node, NodeAPI, NodeDef } from 'node-red';
import { BlynkError, DeviceConnection } from '../../blynk';
import { DeviceConfigNode, DeviceUser } from './device-link';
import { redRing } from './i18n';

export interface DeviceUserDef extends NodeDef {
  /** The `blynk-cloud-device` config node. */
  connection?: string;
}

/** A flow node's link to its device connection: the shared connection, and release on close. */
export interface DeviceLink {
  connection: DeviceConnection | undefined;
  /** Why there is no connection: no config node selected, no token, an unusable broker. */
  missing(): BlynkError;
  release(): Promise<void>;
}

/**
 * Joins `node` to its `blynk-cloud-device` config node (status follows the connection); without
 * one, the node shows "not configured".
 */
export function joinDevice(RED: NodeAPI, node: Node, def: DeviceUserDef, extra: Partial<DeviceUser> = {}): DeviceLink {
  const config = def.connection ? (RED.nodes.getNode(def.connection) as DeviceConfigNode | null) : null;
  if (!config) {
    node.status(redRing('not-configured'));
    return { connection: undefined, missing: () => new BlynkError('NO_CONFIG'), release: () => Promise.resolve() };
  }
  const user: DeviceUser = { id: node.id, status: (status) => node.status(status), ...extra };
  const connection = config.acquire(user);
  return { connection, missing: () => config.setupError() ?? new BlynkError('NO_CONFIG'), release: () => config.release(user) };
}
