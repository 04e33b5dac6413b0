import { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { BlynkError } from '../../blynk';
import { DeviceUserDef, joinDevice } from '../lib/device-user';
import { localize, unexpected } from '../lib/i18n';
import { PropertyError } from '../lib/property-error';
import { evaluateProperty, typedProperties } from '../lib/typed-property';
import { isOutAction, OutAction, WITHOUT_NAME } from './actions';
import { publish } from './publish';

interface DeviceOutDef extends DeviceUserDef {
  action?: string;
  /** Typed properties: `datastream`/`datastreamType`, `property`/`propertyType`. */
  [option: string]: unknown;
}

type Done = (err?: Error) => void;

/** msg.payload to the device's datastreams (or events, widget properties, metadata) over MQTT, or the device's own requests. */
export = function register(RED: NodeAPI): void {
  function BlynkCloudDeviceOut(this: Node, def: DeviceOutDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const action: OutAction = isOutAction(def.action) ? def.action : 'write';
    const props = typedProperties(def, { datastream: { value: 'topic', type: 'msg' }, property: { value: 'color', type: 'str' } });
    const link = joinDevice(RED, node, def);
    /** Messages not yet ended: a close ends them with CLOSED, their later outcome is ignored. */
    const pending = new Set<Done>();

    const evaluate = async (name: string, msg: NodeMessageInFlow): Promise<unknown> => {
      try {
        return await evaluateProperty(RED, props[name], node, msg);
      } catch (err) {
        throw new PropertyError(err);
      }
    };

    const send = async (msg: NodeMessageInFlow): Promise<void> => {
      const conn = link.connection;
      if (!conn) throw link.missing();
      const name = WITHOUT_NAME.includes(action) ? undefined : await evaluate('datastream', msg);
      const property = action === 'property' || action === 'eraseProperty' ? await evaluate('property', msg) : undefined;
      // A batch names its datastreams itself.
      await publish(conn, action, name, property, msg.payload);
    };

    node.on('input', (msg: NodeMessageInFlow, _send: unknown, done: Done) => {
      pending.add(done);
      send(msg).then(
        () => {
          if (pending.delete(done)) done();
        },
        (err: unknown) => {
          if (!pending.delete(done)) return;
          done(err instanceof PropertyError ? err : localize(RED, unexpected(err)));
        },
      );
    });

    node.on('close', (_removed: boolean, closed: () => void) => {
      const error = localize(RED, new BlynkError('CLOSED'));
      for (const done of pending) done(error);
      pending.clear();
      void link.release().then(() => closed());
    });
  }
  RED.nodes.registerType('blynk-cloud-device-out', BlynkCloudDeviceOut);
};
