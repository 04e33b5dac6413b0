import { NodeAPI } from 'node-red';
import { ApiCall, BlynkError, deviceMetaRead, deviceRead, deviceReport, DeviceReadMode, isRecord, pinsOf } from '../../blynk';
import { deviceTokenParts, tokenFor } from '../lib/device-token';
import { FlowNodeDef, registerFlowNode } from '../lib/flow-node';
import { pollIntervalMs, startWatch } from '../lib/watch';

/** What the node reads: the Device API's reads, a metadata field, or the link to a report file. */
type ReadMode = DeviceReadMode | 'meta' | 'report';

/** The node's `read` option: one pin or several (also when absent), all values, the connection status, metadata, or a report. */
const modeOf = (def: FlowNodeDef): ReadMode =>
  def.read === 'all' || def.read === 'connected' || def.read === 'meta' || def.read === 'report' ? def.read : 'pins';

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;

/**
 * Blynk's answer as it came, except `isHardwareConnected`'s text `true`/`false`, which is a
 * boolean; with the node's `numbers` option, one pin's numeric text (`"21.50000"`), which is
 * a number (absent, as in a flow saved before the option: Blynk's text); a metadata field's
 * `value` of `{type, value}`; and a report's `link`. Several pins and all values come as JSON,
 * typed already.
 */
const readingOf = (def: FlowNodeDef, mode: ReadMode, data: unknown): unknown => {
  if (mode === 'connected') return data === true || String(data).trim().toLowerCase() === 'true';
  if (mode === 'meta') return isRecord(data) && 'value' in data ? data.value : data;
  if (mode === 'report') return isRecord(data) && typeof data.link === 'string' ? data.link : data;
  return def.numbers === true && typeof data === 'string' && NUMERIC.test(data) ? Number(data) : data;
};

/** The call of one read; a report takes its options from the node and its datastream from the pins. */
const readCall = (def: FlowNodeDef, token: unknown, values: Record<'pins' | 'metaField', unknown>): ApiCall => {
  const mode = modeOf(def);
  if (mode === 'meta') return deviceMetaRead(token, values.metaField);
  if (mode === 'report') {
    const { period, granularityType, sourceType, tzName, format, sendEvents } = def;
    return deviceReport(token, { period, granularityType, sourceType, tzName, format, sendEvents, datastream: values.pins });
  }
  return deviceRead(token, mode, values.pins);
};

/**
 * Device HTTPS API read with the device's auth token (the node's credential, else
 * `msg.deviceToken`): one pin, several, all values, whether the device is online, a metadata
 * field, or the link to a report file of its data. With the `watch` option it also polls every
 * `interval` seconds (node credential only; not for reports) and sends a new msg when the value changes.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-device-read',
    api: 'device',
    properties: { pins: { value: 'topic', type: 'msg' }, metaField: { value: '', type: 'str' } },
    ...deviceTokenParts,
    run: (values, msg, { node, def }) => readCall(def, tokenFor(node, msg), values),
    output: (msg, result, def) => {
      msg.payload = readingOf(def, modeOf(def), result.data);
    },
    start: (ctx) => {
      const { def, config } = ctx;
      const mode = modeOf(def);
      // A report is a file made on request, limited to 10 a day per device: never polled.
      if (!def.watch || mode === 'report') return undefined;
      const floor = config ? config.devicePollFloorMs() : 0;
      return startWatch(ctx, pollIntervalMs(def.interval, floor), async () => {
        const values = await ctx.evaluate({ _msgid: '' });
        const call = readCall(def, ctx.node.credentials?.token, values);
        if (!config) throw new BlynkError('NO_CONFIG');
        const result = await config.clientFor('device').call(call, ctx.signal);
        const topic = mode === 'pins' ? pinsOf(values.pins).join(',') : mode === 'meta' ? String(values.metaField) : mode;
        return { topic, value: readingOf(def, mode, result.data) };
      });
    },
  });
};
