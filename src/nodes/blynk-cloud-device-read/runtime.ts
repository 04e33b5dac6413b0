import { NodeAPI } from 'node-red';
import { BlynkError, deviceRead, DeviceReadMode, pinsOf } from '../../blynk';
import { deviceTokenParts, tokenFor } from '../lib/device-token';
import { FlowNodeDef, registerFlowNode } from '../lib/flow-node';
import { pollIntervalMs, startWatch } from '../lib/watch';

/** The node's `read` option: one pin or several (also when absent), all values, or whether the device is online. */
const modeOf = (def: FlowNodeDef): DeviceReadMode => (def.read === 'all' || def.read === 'connected' ? def.read : 'pins');

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;

/**
 * Blynk's answer as it came, except `isHardwareConnected`'s text `true`/`false`, which is a
 * boolean, and, with the node's `numbers` option, one pin's numeric text (`"21.50000"`), which is
 * a number (absent, as in a flow saved before the option: Blynk's text). Several pins and all
 * values come as JSON, typed already.
 */
const readingOf = (def: FlowNodeDef, mode: DeviceReadMode, data: unknown): unknown => {
  if (mode === 'connected') return data === true || String(data).trim().toLowerCase() === 'true';
  return def.numbers === true && typeof data === 'string' && NUMERIC.test(data) ? Number(data) : data;
};

/**
 * Device HTTPS API read with the device's auth token (the node's credential, else
 * `msg.deviceToken`): one pin, several, all values, or whether the device is online. With the
 * `watch` option it also polls every `interval` seconds (node credential only) and sends a new msg
 * when the value changes.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-device-read',
    api: 'device',
    properties: { pins: { value: 'topic', type: 'msg' } },
    ...deviceTokenParts,
    run: (values, msg, { node, def }) => deviceRead(tokenFor(node, msg), modeOf(def), values.pins),
    output: (msg, result, def) => {
      msg.payload = readingOf(def, modeOf(def), result.data);
    },
    start: (ctx) => {
      const { def, config } = ctx;
      if (!def.watch) return undefined;
      const mode = modeOf(def);
      const floor = config ? config.devicePollFloorMs() : 0;
      return startWatch(ctx, pollIntervalMs(def.interval, floor), async () => {
        const values = await ctx.evaluate({ _msgid: '' });
        const call = deviceRead(ctx.node.credentials?.token, mode, values.pins);
        if (!config) throw new BlynkError('NO_CONFIG');
        const result = await config.clientFor('device').call(call, ctx.signal);
        return { topic: mode === 'pins' ? pinsOf(values.pins).join(',') : mode, value: readingOf(def, mode, result.data) };
      });
    },
  });
};
