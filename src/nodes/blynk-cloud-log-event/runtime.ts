import { NodeAPI } from 'node-red';
import { triggerEvent } from '../../blynk';
import { forDevice } from '../lib/device-by-name';
import { registerFlowNode } from '../lib/flow-node';

/** Logs a device event through the Platform API (device by id or by name); the msg passes unchanged. */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-log-event',
    api: 'platform',
    properties: {
      deviceId: { value: 'deviceId', type: 'msg' },
      eventCode: { value: '', type: 'str' },
      description: { value: 'payload', type: 'msg' },
    },
    run: (values, _msg, ctx) => forDevice(values.deviceId, ctx, (id) => triggerEvent(id, values.eventCode, values.description)),
  });
};
