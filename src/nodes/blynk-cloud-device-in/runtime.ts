import { Node, NodeAPI, NodeMessage } from 'node-red';
import { DeviceConnection, Downlink } from '../../blynk';
import { joinDevice, DeviceUserDef } from '../lib/device-user';
import { nameListOf } from '../lib/device-names';
import { localize, unexpected } from '../lib/i18n';

interface DeviceInDef extends DeviceUserDef {
  /** Comma-separated datastream names; empty = all. */
  datastreams?: string;
  /** Ask for the current values on every (re)connection. */
  current?: boolean;
  /** Also pass on the other downlinks (meta, time, location, ota, ping, reboot …). */
  others?: boolean;
}

/** The msg for a downlink, or undefined when this node does not pass it on. */
function messageOf(d: Downlink, wanted: ReadonlySet<string>, others: boolean): NodeMessage | undefined {
  if (d.kind === 'datastream') {
    if (wanted.size > 0 && !wanted.has(d.name)) return undefined;
    return { topic: d.name, payload: d.value };
  }
  if (!others) return undefined;
  const msg: NodeMessage & { name?: string } = { topic: d.kind, payload: 'value' in d ? d.value : d.payload };
  if (d.kind === 'meta') msg.name = d.name;
  return msg;
}

/** Datastream values (and optionally other downlinks) Blynk sends to the device, one msg each. */
export = function register(RED: NodeAPI): void {
  function BlynkCloudDeviceIn(this: Node, def: DeviceInDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const names = nameListOf(def.datastreams);
    const wanted = new Set(names);
    const others = def.others === true;

    const askCurrent = (conn: DeviceConnection): void => {
      if (def.current !== true) return;
      const asked = names.length > 0 ? conn.requestValues(names) : conn.requestAllValues();
      asked.catch((err: unknown) => node.warn(localize(RED, unexpected(err)).message));
    };
    const onDownlink = (d: Downlink): void => {
      const msg = messageOf(d, wanted, others);
      if (msg) node.send(msg);
    };

    const link = joinDevice(RED, node, def, { connected: askCurrent });
    link.connection?.on('downlink', onDownlink);
    // Joined while already connected: the connection's own 'connected' came before this node.
    if (link.connection?.state === 'connected') askCurrent(link.connection);

    node.on('close', (_removed: boolean, done: () => void) => {
      link.connection?.off('downlink', onDownlink);
      void link.release().then(() => done());
    });
  }
  RED.nodes.registerType('blynk-cloud-device-in', BlynkCloudDeviceIn);
};
