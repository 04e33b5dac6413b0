import type { Request, RequestHandler, Response } from 'express';
import { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { sanitizeDetail } from '../../blynk/errors';
import { isRecord } from '../../blynk/validate';
import { WEBHOOK_MAX_BODY } from '../../blynk/webhook';
import { CATALOG, redRing, statusKey } from '../lib/i18n';
import { authFailure, type AuthFailure } from './auth';
import { parseBody, readBody } from './body';
import { forgetIssuer, issuerFor, tokenUrlHandler } from './token-url';
import { settingsOf, tokenPathOf, type WebhookInCredentials, type WebhookInDef } from './config';
import { deliveryOf, publicHeaders } from './message';
import { answer, otherRouteServes, removeRoute } from './route';

const TYPE = 'blynk-cloud-webhook-in';

type WebhookInNode = Node<WebhookInCredentials>;

/**
 * Serves a path on Node-RED's HTTP node server for Blynk's webhooks: checks the credential,
 * answers Blynk at once with an empty 200 (Blynk counts slow answers as failures) and then sends
 * the delivery into the flow. Refused requests send nothing.
 */
export = function register(RED: NodeAPI): void {
  function WebhookIn(this: WebhookInNode, def: NodeDef & WebhookInDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const settings = settingsOf(def, node.credentials ?? {});
    const t = (key: string, params: Record<string, string | number> = {}): string => RED._(`${CATALOG}.webhook.${key}`, params);
    if (!RED.httpNode || !settings.url) {
      node.status(redRing('not-configured'));
      node.warn(t(settings.url ? 'no-http-node' : 'no-url'));
      return;
    }
    if (settings.mode === 'none') node.warn(t('no-auth', { url: settings.url }));
    if (settings.incomplete) node.warn(t('incomplete-auth'));

    let closed = false;
    let count = 0;
    const tokens = settings.auth.oauth2 ? issuerFor(node.id, settings.auth.oauth2.clientId, settings.auth.oauth2.clientSecret) : undefined;
    // Logged once per change of reason, so a misconfigured or hostile sender cannot flood the log.
    let lastFailure: AuthFailure | undefined;

    const refuse = (res: Response, failure: AuthFailure): void => {
      if (failure !== lastFailure) node.warn(t(`refused.${failure}`, { url: settings.url }));
      lastFailure = failure;
      const challenge: Record<string, string> = settings.auth.basic
        ? { 'WWW-Authenticate': 'Basic realm="Node-RED Blynk webhook", charset="UTF-8"' }
        : settings.auth.oauth2
          ? { 'WWW-Authenticate': `Bearer realm="Node-RED Blynk webhook"${failure === 'bearer-wrong' ? ', error="invalid_token"' : ''}` }
          : {};
      answer(res, 401, challenge);
    };

    const deliver = (req: Request, payload: unknown): void => {
      const fields = isRecord(payload) ? payload : isRecord(req.query) ? (req.query as Record<string, unknown>) : {};
      const delivery = deliveryOf(fields);
      const topic =
        settings.topic ||
        (delivery.deviceId !== undefined && delivery.pin !== undefined
          ? `${delivery.deviceId}/${delivery.pin}`
          : delivery.deviceId !== undefined
            ? String(delivery.deviceId)
            : settings.url);
      const msg = {
        ...delivery,
        payload,
        topic,
        method: req.method,
        query: { ...(req.query as Record<string, unknown>) },
        headers: publicHeaders(req.headers, settings.auth.header?.name),
      } as NodeMessage;
      count++;
      node.status({
        fill: 'green',
        shape: 'dot',
        text: RED._(statusKey('webhook-delivered'), { count, time: new Date().toLocaleTimeString() }),
      });
      node.send(msg);
    };

    const handler: RequestHandler = (req, res, next) => {
      if (req.method !== settings.method) {
        if (otherRouteServes(RED.httpNode, settings.url, req.method, handler)) return next();
        return answer(res, 405, { Allow: settings.method });
      }
      void (async () => {
        const failure = settings.incomplete
          ? settings.auth.basic
            ? 'basic-wrong'
            : settings.auth.oauth2
              ? 'bearer-wrong'
              : 'header-wrong'
          : authFailure(settings.auth, req.headers, tokens);
        if (failure) return refuse(res, failure);
        if (lastFailure !== undefined) node.log(t('accepted-again'));
        lastFailure = undefined;
        // A body some middleware (httpNodeMiddleware) already parsed is taken as it is.
        const preParsed = (req as Request & { _body?: boolean })._body === true;
        const read = preParsed ? { raw: Buffer.alloc(0) } : await readBody(req, WEBHOOK_MAX_BODY);
        if ('aborted' in read) return;
        if ('tooLarge' in read) {
          answer(res, 413, { Connection: 'close' });
          req.resume(); // drained, not stored
          return;
        }
        const parsed = preParsed
          ? { payload: req.body as unknown, kind: 'json' as const }
          : parseBody(read.raw, req.headers['content-type']);
        if ('malformed' in parsed) return answer(res, 400);
        // Redeployed while the body arrived: the old flow is gone, Blynk is told to count a failure.
        if (closed) return answer(res, 503);
        answer(res, 200);
        deliver(req, parsed.kind === 'empty' ? { ...(req.query as Record<string, unknown>) } : parsed.payload);
      })().catch((err: unknown) => {
        answer(res, 500);
        node.error(t('failed', { detail: sanitizeDetail(err instanceof Error ? err.message : err) }));
      });
    };

    const tokenHandler = tokens && tokenUrlHandler({ node, settings, tokens, t, isOpen: () => !closed });
    RED.httpNode.all(settings.url, handler);
    if (tokenHandler) RED.httpNode.post(tokenPathOf(settings.url), tokenHandler);
    node.status({});

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      removeRoute(RED.httpNode, handler);
      if (tokenHandler) removeRoute(RED.httpNode, tokenHandler);
      if (removed) forgetIssuer(node.id);
      done();
    });
  }

  RED.nodes.registerType<WebhookInNode, NodeDef & WebhookInDef, unknown, WebhookInCredentials>(TYPE, WebhookIn, {
    credentials: {
      user: { type: 'text' },
      password: { type: 'password' },
      secret: { type: 'password' },
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
    },
  });
};
