import { Node, NodeAPI, NodeDef } from 'node-red';
import { DeviceConnection } from '../../blynk';
import { DeviceConfigNode, DeviceUser } from './device-link';
import { redRing } from './i18n';

export interface DeviceUserDef extends NodeDef {
  /** The `blynk-cloud-device` config node. */
  connection?: string;
}

/** A flow node's link to its device connection: the shared connection, and release on close. */
export interface DeviceLink {
  connection: DeviceConnection | undefined;
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
    return { connection: undefined, release: () => Promise.resolve() };
  }
  const user: DeviceUser = { id: node.id, status: (status) => node.status(status), ...extra };
  const connection = config.acquire(user);
  return { connection, release: () => config.release(user) };
}
