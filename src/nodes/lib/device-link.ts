import { Node, NodeDef, NodeStatus } from 'node-red';
import { BlynkError, DeviceConnection, DeviceConnectionState } from '../../blynk';
import { CONNECTED, CONNECTING, redRing } from './i18n';

export interface DeviceConfigDef extends NodeDef {
  /** Region server (`https://<region>.blynk.cloud`), as the Platform connection stores it. */
  server?: string;
  /** '' = mqtts://<host>:8883, 'wss' = wss://<host>:443/mqtt, else a broker URL. */
  broker?: string;
  /** Messages kept while offline (default 100). */
  queueSize?: number | string;
}

export interface DeviceConfigCredentials {
  token?: string;
}

/** A flow node using the device connection: it shows the connection's state. */
export interface DeviceUser {
  id: string;
  status(status: NodeStatus): void;
  /** Called on every (re)connection, e.g. to ask for current values. */
  connected?(connection: DeviceConnection): void;
}

/** What flow nodes see of a `blynk-cloud-device` config node. */
export interface DeviceConfigNode extends Node<DeviceConfigCredentials> {
  /** Registers a user and opens the shared connection with the first; undefined if it cannot be made. */
  acquire(user: DeviceUser): DeviceConnection | undefined;
  /** The last user to leave closes the connection (awaited, so no socket or timer is left). */
  release(user: DeviceUser): Promise<void>;
  /** Why no connection could be made (no token, an unusable broker), until redeploy. */
  setupError(): BlynkError | undefined;
}

/** The status every user shows for a connection state (texts are catalogue keys). */
export function statusOfState(state: DeviceConnectionState): NodeStatus {
  switch (state) {
    case 'connected':
      return CONNECTED;
    case 'connecting':
      return CONNECTING;
    case 'refused':
      return redRing('refused');
    case 'offline':
      return redRing('offline');
    default:
      return {};
  }
}
