import { NodeAPI } from 'node-red';
import { callAllPages, PagedResult, platformCall } from '../../blynk';
import { registerFlowNode } from '../lib/flow-node';
import { answerFor, KeepCredentialsDef } from '../lib/answer';

interface ApiDef extends KeepCredentialsDef {
  allPages?: boolean;
}

/**
 * Any Platform API call with the connection's managed token: method, path (under `/api/`), query
 * and JSON body from the node or the msg. `msg.payload` gets Blynk's parsed answer (credentials
 * taken out unless the node keeps them) and `msg.statusCode` its status; a paged list can be followed to the end.
 */
export = function register(RED: NodeAPI): void {
  registerFlowNode(RED, {
    type: 'blynk-cloud-api',
    api: 'platform',
    properties: {
      method: { value: 'method', type: 'msg' },
      path: { value: 'path', type: 'msg' },
      params: { value: 'params', type: 'msg' },
      body: { value: 'payload', type: 'msg' },
    },
    build: (values) => platformCall(values.method, values.path, values.params, values.body),
    execute: (values, _msg, ctx) => {
      if (!(ctx.def as ApiDef).allPages) return undefined;
      const call = platformCall(values.method, values.path, values.params, values.body);
      return call.method === 'GET' ? callAllPages(ctx.client, call, ctx.signal) : ctx.client.call(call, ctx.signal);
    },
    output: (msg, result, def) => {
      msg.payload = answerFor(result.data, def);
      (msg as { statusCode?: number }).statusCode = result.status;
      if ('pages' in result) {
        const { pages, truncated } = result as PagedResult;
        Object.assign(msg, { pages, truncated });
      }
    },
    failed: (msg, error) => {
      if (error.status !== undefined) (msg as { statusCode?: number }).statusCode = error.status;
    },
  });
};
