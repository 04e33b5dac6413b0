import { NodeAPI } from 'node-red';
import { triggerEvent } from '../../blynk';
import { registerFlowNode } from '../lib/flow-node';

/** Logs a device event through the Platform API; the msg passes unchanged. */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-log-event',
    api: 'platform',
    properties: {
      deviceId: { value: 'deviceId', type: 'msg' },
      eventCode: { value: '', type: 'str' },
      description: { value: 'payload', type: 'msg' },
    },
    run: (values) => triggerEvent(values.deviceId, values.eventCode, values.description),
  });
};
