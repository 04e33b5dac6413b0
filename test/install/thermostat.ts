// The thermostat example (examples/05 …), its nodes found by type and wiring, not by id: the
// injects a user clicks and the debug nodes that show what happened.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../scripts/lib/node-red';

export const FILE = '05 - Thermostat - read device, write datastreams, log an event.json';

interface FlowNode {
  id: string;
  type: string;
  name?: string;
  payload?: unknown;
  wires?: string[][];
}

const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', FILE), 'utf8')) as FlowNode[];

function only(list: FlowNode[], what: string): FlowNode {
  if (list.length !== 1) throw new Error(`${FILE}: expected one ${what}, found ${list.length}`);
  return list[0];
}
const ofType = (type: string): FlowNode =>
  only(
    nodes.filter((n) => n.type === type),
    type,
  );
const wiredTo = (from: FlowNode, type: string): FlowNode[] =>
  nodes.filter((n) => n.type === type && (from.wires ?? []).flat().includes(n.id));
const wiringInto = (to: FlowNode, type: string): FlowNode[] =>
  nodes.filter((n) => n.type === type && (n.wires ?? []).flat().includes(to.id));

const update = ofType('blynk-cloud-device-update');
const get = ofType('blynk-cloud-get-device');

export const thermostat = {
  name: FILE.replace(/\.json$/, ''),
  /** The inject that makes the device report 31 °C (through the device update node). */
  hot: only(
    wiringInto(update, 'inject').filter((n) => Number(n.payload) === 31),
    'inject of 31 into the device update node',
  ).id,
  /** The inject that runs the thermostat (into the get device node). */
  checkNow: only(wiringInto(get, 'inject'), 'inject into the get device node').id,
  /** The debug nodes after the device update, the write and the log event nodes. */
  reported: only(wiredTo(update, 'debug'), 'debug after the device update node').id,
  written: only(wiredTo(ofType('blynk-cloud-write-datastream'), 'debug'), 'debug after the write node').id,
  logged: only(wiredTo(ofType('blynk-cloud-log-event'), 'debug'), 'debug after the log event node').id,
};
