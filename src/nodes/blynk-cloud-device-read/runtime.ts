import { NodeAPI } from 'node-red';
import { BlynkError, deviceRead, DeviceReadMode, pinsOf } from '../../blynk';
import { DeviceCredentials, deviceToken, tokenFor } from '../lib/device-token';
import { FlowNodeDef, registerFlowNode } from '../lib/flow-node';
import { pollIntervalMs, startWatch } from '../lib/watch';

interface ReadDef extends FlowNodeDef {
  read?: string;
  /** A single pin's numeric text as a number; absent (a flow saved before the option), Blynk's text. */
  numbers?: boolean;
  watch?: boolean;
  interval?: number | string;
}

const modeOf = (def: FlowNodeDef): DeviceReadMode => {
  const read = (def as ReadDef).read;
  return read === 'all' || read === 'connected' ? read : 'pins';
};

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;

/**
 * Blynk's answer as it came, except `isHardwareConnected`'s text `true`/`false`, which is a
 * boolean, and, with `numbers`, one pin's numeric text (`"21.50000"`), which is a number. Several
 * pins and all values come as JSON, typed already.
 */
const valueOf = (def: ReadDef, mode: DeviceReadMode, data: unknown): unknown => {
  if (mode === 'connected') return data === true || String(data).trim().toLowerCase() === 'true';
  return def.numbers === true && typeof data === 'string' && NUMERIC.test(data) ? Number(data) : data;
};

/**
 * Device HTTPS API read with the device's auth token (the node's credential, else
 * `msg.deviceToken`): one pin, several, all values, or whether the device is online. In watch mode
 * it also polls (node credential only) and sends a new msg when the value changes.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode<DeviceCredentials>(RED, {
    type: 'blynk-cloud-device-read',
    api: 'device',
    properties: { pins: { value: 'topic', type: 'msg' } },
    ...deviceToken,
    build: (values, msg, node, def) => deviceRead(tokenFor(node, msg), modeOf(def), values.pins),
    output: (msg, result, def) => {
      msg.payload = valueOf(def as ReadDef, modeOf(def), result.data);
    },
    start: (ctx) => {
      const def = ctx.def as ReadDef;
      if (!def.watch) return undefined;
      const mode = modeOf(def);
      const floor = ctx.config ? ctx.config.devicePollFloorMs() : 0;
      return startWatch(ctx, pollIntervalMs(def.interval, floor), async () => {
        const values = await ctx.evaluate({ _msgid: '' });
        const call = deviceRead(ctx.node.credentials?.token, mode, values.pins);
        if (!ctx.config) throw new BlynkError('NO_CONFIG');
        const result = await ctx.config.clientFor('device').call(call, ctx.signal);
        return { topic: mode === 'pins' ? pinsOf(values.pins).join(',') : mode, value: valueOf(def, mode, result.data) };
      });
    },
  });
};
