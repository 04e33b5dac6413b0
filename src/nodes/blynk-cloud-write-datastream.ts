import { NodeAPI } from 'node-red';
import { writeDatastream } from '../blynk';
import { registerFlowNode } from './lib/flow-node';

/** Writes `msg.payload` to a datastream, or an object of them in one request; the msg passes unchanged. */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-write-datastream',
    api: 'platform',
    properties: {
      deviceId: { value: 'deviceId', type: 'msg' },
      dataStreamId: { value: 'dataStreamId', type: 'msg' },
    },
    build: (values, msg) => writeDatastream(values.deviceId, values.dataStreamId, msg.payload),
    output: () => undefined,
  });
};
