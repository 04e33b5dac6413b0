import { NodeAPI } from 'node-red';
import { callAllPages, platformCall } from '../../blynk';
import { registerFlowNode } from '../lib/flow-node';
import { answerFor, passOn } from '../lib/answer';

/**
 * Any Platform API call with the connection's managed token: method, path (under `/api/`), query
 * and JSON body from the node or the msg; a Buffer body to `POST /api/upload` is sent as the
 * documented firmware upload form. `msg.payload` gets Blynk's parsed answer (credentials
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
    run: (values, msg, { def, client, signal }) => {
      // A Buffer to POST /api/upload is a firmware file, named by msg.filename (a read file node's).
      const call = platformCall(values.method, values.path, values.params, values.body, msg.filename);
      // The node's `allPages` option follows a paged list to its end.
      return def.allPages && call.method === 'GET' ? callAllPages(client, call, signal) : call;
    },
    output: (msg, result, def) => {
      msg.payload = answerFor(result.data, def);
      passOn(msg, result);
    },
    failed: (msg, error) => {
      if (error.status !== undefined) msg.statusCode = error.status;
    },
  });
};
