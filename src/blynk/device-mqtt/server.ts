// Broker addresses of the Device MQTT API (docs/blynk-mqtt-api.md §Connection).
import { BlynkError } from '../errors';
import { isBlynkHost, isLoopback } from '../server-url';

/** Blynk's broker over TLS on its documented port. */
export const DEFAULT_MQTT_SERVER = 'mqtts://blynk.cloud:8883';

const DEFAULT_PORTS: Record<string, number> = { 'mqtts:': 8883, 'mqtt:': 1883, 'wss:': 443, 'ws:': 80 };
const SECURE = new Set(['mqtts:', 'wss:']);

/**
 * A broker URL as MQTT.js takes it. Accepts `mqtts://host[:port]`, `wss://host[:port]/mqtt`, or
 * the connection's `https://host` (→ `mqtts://host:8883`). Plain `mqtt://` and `ws://` only to a
 * loopback host, as plain http today: the token is the MQTT password and must not cross a network
 * unencrypted. WebSocket URLs get Blynk's path `/mqtt` when they have none.
 */
export function parseMqttServer(server: string | undefined): URL {
  const text = (server ?? '').trim() || DEFAULT_MQTT_SERVER;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BlynkError('INVALID_MQTT_SERVER', { server: text });
  }
  if (url.protocol === 'https:') url = new URL(`mqtts://${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:8883`);
  const known = url.protocol in DEFAULT_PORTS;
  const allowed = SECURE.has(url.protocol) || (known && isLoopback(url.hostname));
  if (!allowed || !url.hostname || url.username || url.password) {
    throw new BlynkError('INVALID_MQTT_SERVER', { server: `${url.protocol}//${url.host}` });
  }
  const port = url.port || String(DEFAULT_PORTS[url.protocol]);
  const ws = url.protocol === 'wss:' || url.protocol === 'ws:';
  const path = ws ? (url.pathname === '/' || url.pathname === '' ? '/mqtt' : url.pathname) : '';
  return new URL(
    `${url.protocol}//${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${port}${path}`,
  );
}

/** The broker address as shown to users: no path, no credentials. */
export function brokerLabel(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * Whether Blynk's redirect (`downlink/redirect`) may be followed with the token: to a Blynk host
 * over TLS (mqtts or wss), or between loopback hosts (the simulator's "regions"). Anything else
 * would hand the token to a host the user never chose.
 */
export function mayFollowMqttRedirect(from: URL, to: URL): boolean {
  if (SECURE.has(to.protocol) && isBlynkHost(to.hostname)) return true;
  // The configured host itself (a private Blynk server) may move the client to another port.
  if (SECURE.has(to.protocol) && to.hostname === from.hostname) return true;
  return isLoopback(from.hostname) && isLoopback(to.hostname);
}
