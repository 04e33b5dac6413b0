import { NodeAPI } from 'node-red';
import { pinWriteOf, writeByPin, writeDatastream, writeUsesPins } from '../../blynk';
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
    run: ({ deviceId, dataStreamId }, { payload }, { client, config, signal }) =>
      writeUsesPins(dataStreamId, payload)
        ? writeByPin(client, config.datastreamMap(), pinWriteOf(deviceId, dataStreamId, payload), signal)
        : writeDatastream(deviceId, dataStreamId, payload),
  });
};
