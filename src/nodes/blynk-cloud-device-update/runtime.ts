import { NodeAPI } from 'node-red';
import { deviceFileUpload, deviceMetaUpdate, deviceTimestampedUpload, deviceUpdate } from '../../blynk';
import { passOn } from '../lib/answer';
import { deviceTokenParts, tokenFor } from '../lib/device-token';
import { FlowNodeDef, registerFlowNode } from '../lib/flow-node';

/** What the node writes: pins (also when absent), readings with their own times, a metadata field, or a file. */
type WriteMode = 'pins' | 'timestamped' | 'meta' | 'file';

const modeOf = (def: FlowNodeDef): WriteMode =>
  def.write === 'timestamped' || def.write === 'meta' || def.write === 'file' ? def.write : 'pins';

/**
 * Device HTTPS API update with the device's auth token (the node's credential, else
 * `msg.deviceToken`); needs no OAuth client. Writes pins (one value or an object of them),
 * buffered readings with their own times to one pin, a metadata field, or uploads a file (the
 * file's URL becomes msg.payload). The msg passes on (or to Catch nodes) without `msg.deviceToken`.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-device-update',
    api: 'device',
    properties: {
      pin: { value: 'topic', type: 'msg' },
      metaField: { value: '', type: 'str' },
      filename: { value: 'filename', type: 'msg' },
    },
    ...deviceTokenParts,
    run: (values, msg, { node, def }) => {
      const token = tokenFor(node, msg);
      switch (modeOf(def)) {
        case 'timestamped':
          return deviceTimestampedUpload(token, values.pin, msg.payload);
        case 'meta':
          return deviceMetaUpdate(token, values.metaField, msg.payload);
        case 'file':
          return deviceFileUpload(token, msg.payload, values.filename);
        default:
          return deviceUpdate(token, values.pin, msg.payload);
      }
    },
    output: (msg, result, def) => {
      passOn(msg, result);
      // The upload answers with the file's URL as text.
      if (modeOf(def) === 'file') msg.payload = typeof result.data === 'string' ? result.data.trim() : result.data;
    },
  });
};
