import { NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ApiResult, BlynkError } from '../../blynk';
import { deployedConfig } from './config-node';
import { statusDisplay } from './status-display';
import { localize, unexpected } from './i18n';
import { evaluateProperty, typedProperties } from './typed-property';
import { passOn } from './answer';
import { notSetError, PropertyError } from './property-error';
import { FlowNode, FlowNodeDef, FlowNodeSpec, NodeExtension, RunContext } from './flow-node-spec';

export * from './flow-node-spec';

type Done = (err?: Error) => void;

/**
 * Registers a flow node that handles each message with `spec.run`: it evaluates the typed
 * properties, refuses bad input before any request, sends the incoming msg on with the result,
 * reports failures with `done(err)` so Catch nodes see them, and on close aborts its requests and
 * ends the messages still pending.
 */
export function registerFlowNode<P extends string, C extends string = never, R extends ApiResult = ApiResult>(
  RED: NodeAPI,
  spec: FlowNodeSpec<P, C, R>,
): void {
  const output = spec.output ?? passOn;

  function BlynkFlowNode(this: FlowNode<C>, def: FlowNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const props = typedProperties(def, spec.properties);
    const namedProps = Object.entries(props);
    const config = deployedConfig(RED, def.connection);
    const abort = new AbortController();
    let runContext: RunContext<C> | undefined;
    /** Messages not yet ended, by their `done`: ended by their answer or by close, whichever comes first. */
    const pending = new Map<Done, NodeMessageInFlow>();

    /** Node-level work from `spec.start`, set once the handlers are in place (below). */
    let extension: NodeExtension | undefined;

    const display = statusDisplay(
      node,
      config,
      spec.api,
      () => pending.size > 0,
      () => extension,
    );
    config?.register(display.user, spec.api);
    // A (re)started node shows the connection as it is now: a red status from before a fix goes,
    // and a connection that cannot work (a bad server or path) says so at once.
    display.showIdle();

    /** The typed properties evaluated against `msg`; a failure becomes a PropertyError. */
    const evaluate = async (msg: NodeMessageInFlow): Promise<Record<P, unknown>> => {
      const values: Record<string, unknown> = {};
      try {
        for (const [name, prop] of namedProps) {
          const value = evaluateProperty(RED, prop, node, msg);
          values[name] = value instanceof Promise ? await value : value;
        }
      } catch (err: unknown) {
        throw new PropertyError(err);
      }
      return values;
    };

    /** The message's result: `spec.run`'s own, or the answer to the call it describes. */
    const resultOf = async (msg: NodeMessageInFlow): Promise<ApiResult | R> => {
      if (!config) throw new BlynkError('NO_CONFIG');
      const client = config.clientFor(spec.api);
      const values = await evaluate(msg);
      try {
        // One context per node: the config's client stays the same for the node's lifetime.
        if (runContext?.client !== client) runContext = { node, def, config, client, signal: abort.signal };
        const work = spec.run(values, msg, runContext);
        return work instanceof Promise ? await work : await client.call(work, abort.signal);
      } catch (err) {
        throw notSetError(err, props, values) ?? err;
      }
    };

    node.on('input', (msg: NodeMessageInFlow, send: (msg: NodeMessage) => void, done: Done) => {
      if (abort.signal.aborted) {
        spec.scrub?.(msg);
        done(localize(RED, new BlynkError('CLOSED')));
        return;
      }
      if (pending.size === 0) display.requesting();
      pending.set(done, msg);
      resultOf(msg).then(
        (result) => {
          if (!pending.delete(done)) return; // already ended by close
          spec.scrub?.(msg);
          output(msg, result, def);
          display.succeeded();
          send(msg);
          done();
        },
        (err: unknown) => {
          if (!pending.delete(done)) return;
          spec.scrub?.(msg);
          if (err instanceof PropertyError) {
            display.invalidInput();
            done(err);
            return;
          }
          const error = unexpected(err);
          spec.failed?.(msg, error);
          display.failed(error);
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
      evaluate,
      showStatus: display.showWhenIdle,
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
      config?.deregister(display.user);
      closed();
    });
  }

  if (spec.credentials) {
    RED.nodes.registerType(spec.type, BlynkFlowNode, { credentials: spec.credentials });
  } else {
    RED.nodes.registerType(spec.type, BlynkFlowNode);
  }
}
