import { NodeAPI } from 'node-red';
import { PinWriteResult, pinWriteOf, writeByPin, writeDatastream, writeUsesPins } from '../../blynk';
import { statusCodeOf } from '../lib/answer';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Writes `msg.payload` to a datastream, or an object of them in one request; the msg passes on
 * with `msg.statusCode`. A pin (`V1`) instead of an id, or as a key of the object, is mapped to
 * its id through the device's own datastreams (cached by the connection), and `msg.dataStreamIds`
 * says which.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-write-datastream',
    api: 'platform',
    properties: {
      deviceId: { value: 'deviceId', type: 'msg' },
      dataStreamId: { value: 'dataStreamId', type: 'msg' },
    },
    build: (values, msg) => writeDatastream(values.deviceId, values.dataStreamId, msg.payload),
    execute: (values, msg, ctx) =>
      writeUsesPins(values.dataStreamId, msg.payload)
        ? writeByPin(ctx.client, ctx.config.datastreamMap(), pinWriteOf(values.deviceId, values.dataStreamId, msg.payload), ctx.signal)
        : undefined,
    output: (msg, result) => {
      statusCodeOf(msg, result);
      // A write by pin also says where it went.
      if ('dataStreamIds' in result) Object.assign(msg, { dataStreamIds: (result as PinWriteResult).dataStreamIds });
    },
  });
};
