// A real HTTP server over Node-RED's httpNode app (the helper builds it but does not listen on it),
// so that webhook nodes are called over sockets as Blynk calls them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { NodeAPI, NodeInitializer, NodeMessage } from 'node-red';
import { waitFor } from '../../scripts/lib/wait';
import { ALL_NODES, FlowNode, helper, NODE_TYPES } from './runtime';

export interface WebhookRig {
  /** http://127.0.0.1:<port> of the httpNode app. */
  url: string;
  /** Messages that reached the sink, in order. */
  messages: NodeMessage[];
  /** The httpNode app, for routes of other nodes on the same path. */
  app: Express;
  close(): Promise<void>;
}

/** Loads `flow` (nodes wired to a helper node `sinkId`) and serves the httpNode app. */
export async function loadWebhookFlow(
  flow: FlowNode[],
  credentials: Record<string, Record<string, string>> = {},
  sinkId = 'sink',
): Promise<WebhookRig> {
  let app: Express | undefined;
  // The package's initializers, the first one also keeping the httpNode app it is given.
  const initializers = ALL_NODES.map((init, i): NodeInitializer =>
    i === NODE_TYPES.indexOf('blynk-cloud-webhook-in')
      ? (RED: NodeAPI) => {
          app = RED.httpNode;
          return init(RED);
        }
      : init,
  );
  await helper.load(initializers, flow, credentials);
  if (!app) throw new Error('the webhook node was not loaded');
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const messages: NodeMessage[] = [];
  helper.getNode(sinkId).on('input', (msg: NodeMessage) => messages.push(msg));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    app,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits until `check` holds, or fails after `ms` (the suite's waitFor, with a webhook's shorter default). */
export function until(check: () => boolean, ms = 3000): Promise<unknown> {
  return waitFor(check, 'a webhook delivery', ms);
}
