// Topic names of the Device MQTT API (docs/blynk-mqtt-api.md §Topics).
import { BlynkError } from '../errors';
import { quoteValue } from '../validate';

/** The topic filter subscribed on every clean connection (docs: "standard practice … downlink/#"). */
export const DOWNLINK_FILTER = 'downlink/#';

/**
 * A datastream, property, metadata or event name as one topic level. Names may hold spaces
 * ("Device On", "Serial Number" in Blynk's examples); a `/` would split the level and `+`, `#`
 * or NUL are not allowed in an MQTT topic name (MQTT 3.1.1 §4.7), so those are refused.
 */
export function topicName(kind: 'datastream' | 'property' | 'meta' | 'event', value: unknown): string {
  // NUL separates the values of a multi-value message, so a name may not contain it.
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value === '' || /[/+#\u0000]/.test(value)) {
    throw new BlynkError('INVALID_TOPIC_NAME', { value: quoteValue(value), detail: kind });
  }
  return value;
}

export const uplink = {
  datastream: (name: string) => `ds/${topicName('datastream', name)}`,
  timestamped: (name: string) => `ds/${topicName('datastream', name)}/timestamped_batch`,
  erase: (name: string) => `ds/${topicName('datastream', name)}/erase`,
  property: (name: string, property: string) => `ds/${topicName('datastream', name)}/prop/${topicName('property', property)}`,
  eraseProperty: (name: string, property: string) => `${uplink.property(name, property)}/erase`,
  event: (code: string) => `event/${topicName('event', code)}`,
  meta: (name: string) => `meta/${topicName('meta', name)}`,
  batch: 'batch_ds',
  info: 'info/mcu',
  getDatastreams: 'get/ds',
  getAllDatastreams: 'get/ds/all',
  getMeta: 'get/meta',
  getTime: 'get/utc/all/json',
  getLocation: 'get/loc/all',
} as const;

/** The names of a `get/ds` or `get/meta` request: "separated by comma", so no name may hold one. */
export function nameList(kind: 'datastream' | 'meta', names: unknown): string {
  const list = Array.isArray(names) ? names : [names];
  if (list.length === 0) throw new BlynkError('INVALID_TOPIC_NAME', { value: quoteValue(names), detail: kind });
  for (const name of list) {
    if (typeof name !== 'string' || name.includes(','))
      throw new BlynkError('INVALID_TOPIC_NAME', { value: quoteValue(name), detail: kind });
    topicName(kind, name);
  }
  return list.join(',');
}

/**
 * The names of a `get/ds` or `get/meta` request as a flow gives them: an array of names, or one
 * text with the names separated by comma (as the payload is, e.g. `Serial Number,Time Zone`);
 * blanks around each name are dropped. An empty name, or one Blynk could not take as a topic
 * level, is refused.
 */
export function requestNamesOf(kind: 'datastream' | 'meta', value: unknown): string[] {
  const list: unknown[] = typeof value === 'string' ? value.split(',').map((name) => name.trim()) : Array.isArray(value) ? value : [value];
  nameList(kind, list);
  return list as string[];
}

/** What a downlink topic says, before its payload is read. */
export type DownlinkTopic =
  | { kind: 'datastream'; name: string }
  | { kind: 'meta'; name: string }
  | { kind: 'time' | 'location' | 'ota' | 'ping' | 'reboot' | 'reconfigure' | 'redirect' | 'diag' }
  | { kind: 'other' };

const FIXED: Record<string, DownlinkTopic> = {
  'downlink/utc/all/json': { kind: 'time' },
  'downlink/loc/all': { kind: 'location' },
  'downlink/ota/json': { kind: 'ota' },
  'downlink/ping': { kind: 'ping' },
  'downlink/reboot': { kind: 'reboot' },
  'downlink/reconfigure': { kind: 'reconfigure' },
  'downlink/redirect': { kind: 'redirect' },
  'downlink/diag': { kind: 'diag' },
};

export function parseDownlinkTopic(topic: string): DownlinkTopic {
  const fixed = FIXED[topic];
  if (fixed) return fixed;
  // Undocumented: deeper levels under downlink/ds/; the whole rest is taken as the name.
  if (topic.startsWith('downlink/ds/') && topic.length > 12) return { kind: 'datastream', name: topic.slice(12) };
  if (topic.startsWith('downlink/meta/') && topic.length > 14) return { kind: 'meta', name: topic.slice(14) };
  return { kind: 'other' };
}
