import { NodeMessage } from 'node-red';
import { ApiResult, withoutCredentials } from '../../blynk';
import { FlowNodeDef } from './flow-node-spec';

/** Blynk's answer as it goes on msg.payload: without credentials unless the node keeps them. */
export function answerFor(data: unknown, def: FlowNodeDef): unknown {
  // The node's `keepCredentials` option; off (also when absent): device tokens, client secrets and the like are taken out.
  return def.keepCredentials === true ? data : withoutCredentials(data);
}

/**
 * The output of most nodes: the msg as it came, with the HTTP status of Blynk's answer (as core
 * `http request` sets it) and what the node's own requests found besides (a write by pin's
 * `dataStreamIds`, a paged read's `pages` and `truncated`).
 */
export function passOn(msg: NodeMessage, result: ApiResult): void {
  const { status, data: _answer, ...found } = result;
  msg.statusCode = status;
  Object.assign(msg, found);
}
