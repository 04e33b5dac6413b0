import { NodeAPI } from 'node-red';
import { pinWriteOf, writeByPin, writeDatastream, writeUsesPins } from '../../blynk';
import { forDevice } from '../lib/device-by-name';
import { registerFlowNode } from '../lib/flow-node';

/**
 * Writes `msg.payload` to a datastream, or an object of them in one request; the msg passes on
 * with `msg.statusCode`. A pin (`V1`) instead of an id, or as a key of the object, is mapped to
 * its id through the device's own datastreams (cached by the connection), and `msg.dataStreamIds`
 * says which. The device is given by id, or by name (looked up and cached by the connection).
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-write-datastream',
    api: 'platform',
    properties: {
      deviceId: { value: 'deviceId', type: 'msg' },
      dataStreamId: { value: 'dataStreamId', type: 'msg' },
    },
    run: ({ deviceId, dataStreamId }, { payload }, ctx) => {
      const byPin = writeUsesPins(dataStreamId, payload);
      return forDevice(
        deviceId,
        ctx,
        (id) =>
          byPin
            ? writeByPin(ctx.client, ctx.config.datastreamMap(), pinWriteOf(id, dataStreamId, payload), ctx.signal)
            : writeDatastream(id, dataStreamId, payload),
        (id) => (byPin ? pinWriteOf(id, dataStreamId, payload) : writeDatastream(id, dataStreamId, payload)),
      );
    },
  });
};
