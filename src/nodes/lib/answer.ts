import { NodeMessage } from 'node-red';
import { ApiResult, withoutCredentials } from '../../blynk';
import { FlowNodeDef } from './flow-node';

/** A node whose answers may keep Blynk's credential fields, when its user ticks the option. */
export interface KeepCredentialsDef extends FlowNodeDef {
  /** Off (also when absent): device tokens, client secrets and the like are taken out. */
  keepCredentials?: boolean;
}

/** Blynk's answer as it goes on msg.payload: without credentials unless the node keeps them. */
export function answerFor(data: unknown, def: KeepCredentialsDef): unknown {
  return def.keepCredentials === true ? data : withoutCredentials(data);
}

/** A write's output: the msg as it came, with the HTTP status of Blynk's answer (as core `http request` sets it). */
export function statusCodeOf(msg: NodeMessage, result: ApiResult): void {
  (msg as { statusCode?: number }).statusCode = result.status;
}
