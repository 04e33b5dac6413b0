import helper from 'node-red-node-test-helper';
import { NodeInitializer, NodeMessage } from 'node-red';
import { startSimulator, Simulator } from '../../dist/simulator';

/** Every node type of package.json's `node-red.nodes`, config node first. */
export const NODE_TYPES: string[] = Object.keys(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../package.json') as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes,
);

/** The package's node modules, as Node-RED loads them from the built tree. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ALL_NODES = NODE_TYPES.map((type) => require(`../../dist/nodes/${type}`) as NodeInitializer);

helper.init(require.resolve('node-red'));

export { helper };

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A tab, a config node pointing at `server`, the node under test wired to a sink, and a Catch. */
export function flowWith(server: string, node: FlowNode, configExtra: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'cfg', type: 'blynk-cloud-config', server, grantType: 'client_credentials', ...configExtra },
    { z: 'tab', wires: [['sink']], connection: 'cfg', ...node },
    { id: 'sink', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

export interface Outcome {
  sent?: NodeMessage;
  caught?: NodeMessage & { error: { message: string; code?: string; source: { id: string } } };
}

/** Sends `msg` into node `id` and resolves with what reached the sink or the Catch node. */
export function exchange(id: string, msg: NodeMessage, timeoutMs = 10_000): Promise<Outcome> {
  const sink = helper.getNode('sink');
  const caught = helper.getNode('caught');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish({}, new Error('no output and no error within the timeout')), timeoutMs);
    const onSent = (m: NodeMessage): void => finish({ sent: m });
    const onCaught = (m: NodeMessage): void => finish({ caught: m as Outcome['caught'] });
    function finish(outcome: Outcome, err?: Error): void {
      clearTimeout(timer);
      sink.removeListener('input', onSent);
      caught.removeListener('input', onCaught);
      if (err) reject(err);
      else resolve(outcome);
    }
    // Not once(): Node-RED keeps 'input' handlers apart from EventEmitter's, so removing a once()
    // wrapper by its inner function leaves it registered, and the stale wrapper then unregisters
    // itself while the runtime iterates over the handlers, skipping the next exchange's.
    sink.on('input', onSent);
    caught.on('input', onCaught);
    helper.getNode(id).receive(msg);
  });
}

export async function withSimulator(): Promise<Simulator> {
  return startSimulator({});
}
