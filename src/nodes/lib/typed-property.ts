import { Node, NodeAPI, NodeMessage } from 'node-red';

/** A node property edited with a typedInput: the value in `X`, its type in `XType`. */
export interface TypedProperty {
  value: string;
  type: string;
}

/** Types Node-RED evaluates without a callback; the others (context stores, JSONata) may be async. */
const SYNC_TYPES = new Set(['msg', 'str', 'num', 'bool', 'json', 'env', 'date']);

/** The typed property `name` of a saved node, or its documented default when the flow predates it. */
export function typedProperty(def: Readonly<Record<string, unknown>>, name: string, fallback: TypedProperty): TypedProperty {
  const value = def[name];
  const type = def[`${name}Type`];
  return {
    value: typeof value === 'string' ? value : value === undefined || value === null ? fallback.value : String(value),
    type: typeof type === 'string' && type ? type : fallback.type,
  };
}

/** Each typed property of a saved node by name, with the defaults of a flow saved without it. */
export function typedProperties(
  def: Readonly<Record<string, unknown>>,
  fallbacks: Readonly<Record<string, TypedProperty>>,
): Record<string, TypedProperty> {
  const props: Record<string, TypedProperty> = {};
  for (const [name, fallback] of Object.entries(fallbacks)) props[name] = typedProperty(def, name, fallback);
  return props;
}

/** Evaluates a typed property against a message, synchronously when its type allows. */
export function evaluateProperty(RED: NodeAPI, prop: TypedProperty, node: Node, msg: NodeMessage): unknown {
  if (prop.type === 'msg') return RED.util.getMessageProperty(msg, prop.value);
  if (SYNC_TYPES.has(prop.type)) return RED.util.evaluateNodeProperty(prop.value, prop.type, node, msg);
  return new Promise<unknown>((resolve, reject) => {
    RED.util.evaluateNodeProperty(prop.value, prop.type, node, msg, (err, result: unknown) => {
      if (err) reject(err);
      else resolve(result);
    });
  });
}
