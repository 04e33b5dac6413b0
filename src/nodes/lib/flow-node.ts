import { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { ApiCall, ApiResult, BlynkClient, BlynkError, BlynkErrorCode, quoteValue } from '../../blynk';
import { BlynkConfigNode, ConfigUser, deployedConfig } from './config-node';
import { failureRing, isConnectionFailure, localize, redRing, sameStatus, statusKey, unexpected } from './i18n';
import { evaluate, TypedProperty, typedProperty } from './typed-property';

export interface FlowNodeDef extends NodeDef {
  connection?: string;
}

/** What `execute` gets besides the evaluated properties and the msg. */
export interface ExecuteContext<Creds extends object = object> {
  node: Node<Creds>;
  def: FlowNodeDef;
  config: BlynkConfigNode;
  client: BlynkClient;
  signal: AbortSignal;
}

/** What `start` gets: the node, its config, and ways to evaluate and show without a message. */
export interface NodeContext<Creds extends object = object> {
  RED: NodeAPI;
  node: Node<Creds>;
  def: FlowNodeDef;
  config: BlynkConfigNode | null;
  /** Aborted when the node closes. */
  signal: AbortSignal;
  /** The typed properties evaluated against `msg` (PropertyError if one cannot be). */
  evaluate(msg: NodeMessageInFlow): Promise<Record<string, unknown>>;
  /** Shows `status` unless messages are in flight (their `requesting` wins until they end). */
  showStatus(status: NodeStatus): void;
}

/** Node-level work beside the message path, e.g. polling; ended when the node closes. */
export interface NodeExtension {
  /** The status shown when no message is in flight, instead of the config node's. */
  idleStatus?(): NodeStatus;
  close(): void;
}

/** Everything that differs between the flow nodes; the rest is `registerFlowNode`'s job. */
export interface FlowNodeSpec<Creds extends object = object> {
  type: string;
  /** `platform` calls need the config node's OAuth client; `device` calls only its server. */
  api: 'platform' | 'device';
  /** The typed properties the node reads, with the defaults of a flow saved without them. */
  properties: Record<string, TypedProperty>;
  credentials?: Record<keyof Creds & string, { type: 'text' | 'password' }>;
  /** Validates the evaluated properties and the msg, and describes the call (throws BlynkError). */
  build(values: Record<string, unknown>, msg: NodeMessageInFlow, node: Node<Creds>, def: FlowNodeDef): ApiCall;
  /**
   * For a message that needs more than the one call `build` describes (pin resolution, paging):
   * returns its result, or undefined to take the `build` way. It must validate before its first request.
   */
  execute?(values: Record<string, unknown>, msg: NodeMessageInFlow, ctx: ExecuteContext<Creds>): Promise<ApiResult> | undefined;
  /** Puts the result on the msg; `msg.payload = data` when absent. */
  output?(msg: NodeMessage, result: ApiResult, def: FlowNodeDef): void;
  /** Adds to a failed msg before it goes to Catch nodes (e.g. the HTTP status). */
  failed?(msg: NodeMessageInFlow, error: BlynkError): void;
  /** Starts node-level work when the node starts (e.g. watch polling). */
  start?(ctx: NodeContext<Creds>): NodeExtension | undefined;
  /**
   * Removes what must not travel further: called however the message ends, since a failed msg
   * goes on to Catch nodes too.
   */
  scrub?(msg: NodeMessageInFlow): void;
}

type Done = (err?: Error) => void;

const REQUESTING: NodeStatus = { fill: 'blue', shape: 'dot', text: statusKey('requesting') };

/** Typed property types whose name says where a value comes from (`msg.deviceId`, `flow.pin`). */
const NAMED_TYPES: ReadonlySet<string> = new Set(['msg', 'flow', 'global', 'env']);

/** The node properties an input error can be about. */
const INPUT_OF: Partial<Record<BlynkErrorCode, readonly string[]>> = {
  INVALID_DEVICE_ID: ['deviceId'],
  INVALID_DATASTREAM_ID: ['dataStreamId'],
  INVALID_PIN: ['pin', 'pins', 'dataStreamId'],
  INVALID_EVENT_CODE: ['eventCode'],
};

/**
 * A typed property Node-RED could not evaluate (a JSONata syntax error, a bad msg path): its own
 * message says why, which beats any Blynk error. Shown, like a localised error, without its name.
 */
class PropertyError extends Error {
  constructor(cause: unknown) {
    // JSONata throws plain objects ({ code, position, message }), not Errors.
    const message = (cause as { message?: unknown } | null)?.message;
    super(typeof message === 'string' ? message : String(cause));
    this.name = 'PropertyError';
  }

  override toString(): string {
    return this.message;
  }
}

/**
 * Registers a flow node that makes one Blynk call per message: it evaluates the typed
 * properties, refuses bad input before any request, sends the incoming msg on with the result,
 * reports failures with `done(err)` so Catch nodes see them, and on close aborts its requests and
 * ends the messages still pending.
 */
export function registerFlowNode<Creds extends object>(RED: NodeAPI, spec: FlowNodeSpec<Creds>): void {
  const names = Object.keys(spec.properties);

  function BlynkFlowNode(this: Node<Creds>, def: FlowNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const props = names.map((name) => typedProperty(def, name, spec.properties[name]));
    const config = deployedConfig(RED, def.connection);
    const abort = new AbortController();
    let executeContext: ExecuteContext<Creds> | undefined;
    /** Messages not yet ended, by their `done`. */
    const pending = new Map<Done, NodeMessageInFlow>();
    let busy = 0;

    /** Node-level work from `spec.start`, set once the handlers are in place (below). */
    let extension: NodeExtension | undefined;

    // The config node shows news of the connection on its users; while a request is in flight, the
    // node keeps saying so, and shows the connection's state once idle (`statusFor`). A node with an
    // idle status of its own (watching) keeps that one, and so does one whose latest outcome was its
    // own failure (bad input, not found) until it does better.
    let ownFailure = false;
    /** The status on show: the same one again (news that reached this node itself) is not repeated. */
    let shown: NodeStatus | undefined;
    const setStatus = (status: NodeStatus): void => {
      if (shown && sameStatus(shown, status)) return;
      shown = status;
      node.status(status);
    };
    const user: ConfigUser = {
      id: node.id,
      status: (status: NodeStatus) => {
        if (busy === 0 && !extension?.idleStatus && !ownFailure) setStatus(status);
      },
    };
    const idleStatus = (): NodeStatus => extension?.idleStatus?.() ?? (config ? config.statusFor(spec.api) : {});
    config?.register(user, spec.api);
    // A (re)started node shows the connection as it is now: a red status from before a fix goes,
    // and a connection that cannot work (a bad server or path) says so at once.
    setStatus(idleStatus());

    /** The typed properties evaluated against `msg`; a failure becomes a PropertyError. */
    const evaluateAll = async (msg: NodeMessageInFlow): Promise<Record<string, unknown>> => {
      const values: Record<string, unknown> = {};
      try {
        for (let i = 0; i < names.length; i++) {
          const value = evaluate(RED, props[i], node, msg);
          values[names[i]] = value instanceof Promise ? await value : value;
        }
      } catch (err: unknown) {
        throw new PropertyError(err);
      }
      return values;
    };

    const run = async (msg: NodeMessageInFlow): Promise<ApiResult> => {
      if (!config) throw new BlynkError('NO_CONFIG');
      const client = config.clientFor(spec.api);
      const values = await evaluateAll(msg);
      try {
        if (spec.execute) {
          // One context per node: the config's client stays the same for the node's lifetime.
          if (executeContext?.client !== client) executeContext = { node, def, config, client, signal: abort.signal };
          const result = spec.execute(values, msg, executeContext);
          if (result) return await result;
        }
        const call = spec.build(values, msg, node, def);
        return await client.call(call, abort.signal);
      } catch (err) {
        throw notSet(err, values) ?? err;
      }
    };

    /**
     * The commonest mistake, a message or context property that is not set (`msg.deviceId`), named
     * as the node reads it: only when the refused value is that unset one (not a key of a batch).
     */
    const notSet = (err: unknown, values: Record<string, unknown>): BlynkError | undefined => {
      if (!(err instanceof BlynkError)) return undefined;
      for (const name of INPUT_OF[err.code] ?? []) {
        const i = names.indexOf(name);
        const value = values[name];
        const unset = value === undefined || value === null || value === '';
        if (i >= 0 && unset && NAMED_TYPES.has(props[i].type) && err.details.value === quoteValue(value)) {
          return new BlynkError('INPUT_NOT_SET', { value: `${props[i].type}.${props[i].value}` });
        }
      }
      return undefined;
    };

    const settle = (done: Done): boolean => {
      if (!pending.delete(done)) return false; // already ended by close
      busy--;
      return true;
    };

    node.on('input', (msg: NodeMessageInFlow, send: (msg: NodeMessage) => void, done: Done) => {
      if (abort.signal.aborted) {
        spec.scrub?.(msg);
        done(localize(RED, new BlynkError('CLOSED')));
        return;
      }
      pending.set(done, msg);
      if (busy++ === 0) setStatus(REQUESTING);
      run(msg).then(
        (result) => {
          if (!settle(done)) return;
          spec.scrub?.(msg);
          if (spec.output) spec.output(msg, result, def);
          else msg.payload = result.data;
          ownFailure = false;
          config?.report(spec.api);
          if (busy === 0) setStatus(idleStatus());
          send(msg);
          done();
        },
        (err: unknown) => {
          if (!settle(done)) return;
          spec.scrub?.(msg);
          if (err instanceof PropertyError) {
            ownFailure = true;
            setStatus(redRing('invalid-input'));
            done(err);
            return;
          }
          const error = unexpected(err);
          spec.failed?.(msg, error);
          ownFailure = !isConnectionFailure(error);
          if (!ownFailure) config?.report(spec.api, error);
          setStatus(failureRing(error));
          done(localize(RED, error, spec));
        },
      );
    });

    extension = spec.start?.({
      RED,
      node,
      def,
      config,
      signal: abort.signal,
      evaluate: evaluateAll,
      showStatus: (status) => {
        if (busy === 0) setStatus(status);
      },
    });

    node.on('close', (_removed: boolean, closed: () => void) => {
      abort.abort();
      extension?.close();
      const error = localize(RED, new BlynkError('CLOSED'));
      for (const [done, msg] of pending) {
        spec.scrub?.(msg);
        done(error);
      }
      pending.clear();
      config?.deregister(user);
      closed();
    });
  }

  if (spec.credentials) {
    RED.nodes.registerType(spec.type, BlynkFlowNode, { credentials: spec.credentials });
  } else {
    RED.nodes.registerType(spec.type, BlynkFlowNode);
  }
}
