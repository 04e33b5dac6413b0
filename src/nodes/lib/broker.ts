import { parseServer } from '../../blynk';

/** How the device config node reaches Blynk's broker: TLS on 8883, TLS WebSocket on 443, or by hand. */
const BROKER_TLS = '';
const BROKER_WSS = 'wss';

/**
 * The broker URL for a region server and the `broker` setting: empty → `mqtts://<host>:8883`,
 * `wss` → `wss://<host>:443/mqtt` (networks that block 8883), anything else is the URL itself
 * (DeviceConnection refuses plain mqtt:// to anything but a loopback host).
 */
export function brokerUrl(server: string | undefined, broker: string | undefined): string {
  const setting = (broker ?? '').trim();
  if (setting !== BROKER_TLS && setting !== BROKER_WSS) return setting;
  const url = parseServer(server);
  // The simulator (http://127.0.0.1:<port>) has no derived broker port: its broker is set by hand.
  return setting === BROKER_WSS ? `wss://${url.hostname}:443/mqtt` : `mqtts://${url.hostname}:8883`;
}
