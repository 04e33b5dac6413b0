import { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { ApiCall, ApiResult, BlynkClient, BlynkError } from '../../blynk';
import { BlynkConfigNode } from './config-node';
import { TypedProperty } from './typed-property';

/** A saved flow node: besides its connection, the options of its own that the flow JSON holds. */
export interface FlowNodeDef extends NodeDef {
  connection?: string;
  [option: string]: unknown;
}

/** The node's credentials by name, as the editor edits them; each one is a string on the node. */
export type CredentialFields<C extends string> = Record<C, { type: 'text' | 'password' }>;

/** A flow node with credentials named `C`. */
export type FlowNode<C extends string = never> = Node<Partial<Record<C, string>>>;

/** What `run` gets besides the evaluated properties and the msg. */
export interface RunContext<C extends string = never> {
  node: FlowNode<C>;
  def: FlowNodeDef;
  config: BlynkConfigNode;
  client: BlynkClient;
  /** Aborted when the node closes. */
  signal: AbortSignal;
}

/** What `start` gets: the node, its config, and ways to evaluate and show without a message. */
export interface StartContext<P extends string = string, C extends string = never> {
  RED: NodeAPI;
  node: FlowNode<C>;
  def: FlowNodeDef;
  config: BlynkConfigNode | null;
  /** Aborted when the node closes. */
  signal: AbortSignal;
  /** The typed properties evaluated against `msg` (PropertyError if one cannot be). */
  evaluate(msg: NodeMessageInFlow): Promise<Record<P, unknown>>;
  /** Shows `status` unless messages are in flight (their `requesting` wins until they end). */
  showStatus(status: NodeStatus): void;
}

/** Node-level work beside the message path, e.g. polling; ended when the node closes. */
export interface NodeExtension {
  /** The status shown when no message is in flight, instead of the config node's. */
  idleStatus?(): NodeStatus;
  close(): void;
}

/**
 * Everything that differs between the flow nodes; the rest is `registerFlowNode`'s job. `P` names
 * the typed properties, `C` the credentials, `R` what `run`'s own requests answer.
 */
export interface FlowNodeSpec<P extends string, C extends string = never, R extends ApiResult = ApiResult> {
  type: string;
  /** `platform` calls need the config node's OAuth client; `device` calls only its server. */
  api: 'platform' | 'device';
  /** The typed properties the node reads, with the defaults of a flow saved without them. */
  properties: Record<P, TypedProperty>;
  credentials?: CredentialFields<C>;
  /**
   * Validates the evaluated properties and the msg (throws BlynkError before any request) and
   * returns the message's one call; a message that needs more (pin resolution, paging) makes its
   * requests with `ctx.client` and `ctx.signal` instead, and returns their result.
   */
  run(values: Record<P, unknown>, msg: NodeMessageInFlow, ctx: RunContext<C>): ApiCall | Promise<R>;
  /** Puts the result on the msg; `passOn` (the msg as it came, with `msg.statusCode`) when absent. */
  output?(msg: NodeMessage, result: ApiResult | R, def: FlowNodeDef): void;
  /** Adds to a failed msg before it goes to Catch nodes (e.g. the HTTP status). */
  failed?(msg: NodeMessageInFlow, error: BlynkError): void;
  /** Starts node-level work when the node starts (e.g. watch polling). */
  start?(ctx: StartContext<P, C>): NodeExtension | undefined;
  /**
   * Removes what must not travel further: called however the message ends, since a failed msg
   * goes on to Catch nodes too.
   */
  scrub?(msg: NodeMessageInFlow): void;
}
