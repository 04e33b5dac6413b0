import { NodeAPI } from 'node-red';
import { BlynkError, DEFAULT_MQTT_QUEUE, DeviceConnection, DeviceConnectionState } from '../../blynk';
import { brokerUrl } from '../lib/broker';
import { DeviceConfigCredentials, DeviceConfigDef, DeviceConfigNode, DeviceUser, statusOfState } from '../lib/device-link';
import { localize, redRing, unexpected } from '../lib/i18n';

function queueSizeOf(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MQTT_QUEUE;
}

/**
 * Node-RED as one Blynk device over the Device MQTT API: one DeviceConnection shared by every
 * node that uses this config node, opened by the first and closed by the last (or on redeploy).
 */
export = function register(RED: NodeAPI): void {
  function BlynkCloudDevice(this: DeviceConfigNode, def: DeviceConfigDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const users = new Map<string, DeviceUser>();
    let connection: DeviceConnection | undefined;
    /** Why no connection can be made (no token, bad broker): shown until redeploy. */
    let setupError: BlynkError | undefined;
    /** The latest settled state (connecting aside), so an outage is logged once. */
    let lastState: DeviceConnectionState = 'idle';

    const broadcast = (state: DeviceConnectionState): void => {
      const status = setupError ? redRing('not-configured') : statusOfState(state);
      for (const user of users.values()) user.status(status);
    };

    const open = (): DeviceConnection | undefined => {
      try {
        const conn = new DeviceConnection({
          token: node.credentials?.token ?? '',
          server: brokerUrl(def.server, def.broker),
          maxQueue: queueSizeOf(def.queueSize),
        });
        conn.on('state', (change) => {
          // Only the current connection speaks: a closing one's 'closed' is not news to new users.
          if (connection === undefined || connection === conn) broadcast(change.state);
          if (change.state === 'connected') for (const user of users.values()) user.connected?.(conn);
          // Once per outage, not per retry; the library's errors never carry the token.
          if (change.error && change.state !== lastState && (change.state === 'refused' || change.state === 'offline')) {
            node.warn(localize(RED, change.error).message);
          }
          if (change.state !== 'connecting') lastState = change.state;
        });
        conn.on('warning', (warning) => node.warn(localize(RED, warning).message));
        conn.connect();
        return conn;
      } catch (err) {
        setupError = unexpected(err);
        node.error(localize(RED, setupError).message);
        return undefined;
      }
    };

    node.acquire = (user) => {
      users.set(user.id, user);
      if (!connection && !setupError) connection = open();
      user.status(setupError ? redRing('not-configured') : statusOfState(connection?.state ?? 'idle'));
      return connection;
    };

    node.setupError = () => setupError;

    node.release = async (user) => {
      users.delete(user.id);
      if (users.size > 0 || !connection) return;
      const closing = connection;
      connection = undefined;
      await closing.close();
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      const closing = connection;
      connection = undefined;
      void (closing ? closing.close() : Promise.resolve()).then(() => done());
    });
  }

  RED.nodes.registerType<DeviceConfigNode, DeviceConfigDef, unknown, DeviceConfigCredentials>('blynk-cloud-device', BlynkCloudDevice, {
    credentials: { token: { type: 'password' } },
  });
};
