import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Node } from 'node-red';
import { sanitizeDetail } from '../../blynk/errors';
import { isRecord } from '../../blynk/validate';
import { WEBHOOK_MAX_BODY } from '../../blynk/webhook';
import { isTokenClient, TokenIssuer, tokenClientOf } from './auth';
import { parseBody, readBody } from './body';
import { tokenPathOf, type WebhookInSettings } from './config';
import { answer } from './route';

/**
 * Each node's token issuer, kept across a redeploy with the same client (tokens Blynk holds stay
 * good), dropped when the node is removed or its client changes.
 */
const issuers = new Map<string, { client: string; issuer: TokenIssuer }>();

export function issuerFor(id: string, clientId: string, clientSecret: string): TokenIssuer {
  const client = createHash('sha256').update(`${clientId}\u0000${clientSecret}`).digest('base64url');
  const kept = issuers.get(id);
  if (kept && kept.client === client) return kept.issuer;
  const issuer = new TokenIssuer();
  issuers.set(id, { client, issuer });
  return issuer;
}

export function forgetIssuer(id: string): void {
  issuers.delete(id);
}

interface TokenUrl {
  node: Node;
  settings: WebhookInSettings;
  tokens: TokenIssuer;
  t: (key: string, params?: Record<string, string | number>) => string;
  /** False once the node is closing. */
  isOpen: () => boolean;
}

/** The form fields of a token request: URL-encoded as RFC 6749 asks, or JSON (Blynk's is undocumented). */
function formOf(raw: Buffer, contentType: string | undefined): URLSearchParams {
  const type = String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type !== 'application/json') return new URLSearchParams(raw.toString('utf8'));
  const parsed = parseBody(raw, 'application/json');
  const fields = 'payload' in parsed && isRecord(parsed.payload) ? parsed.payload : {};
  return new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
}

/**
 * The token URL (client credentials grant, RFC 6749 §4.4): a short-lived access token for the
 * configured client only. Answers no-store JSON, as §5.1 asks; errors as §5.2.
 */
export function tokenUrlHandler({ node, settings, tokens, t, isOpen }: TokenUrl): RequestHandler {
  // Logged once until a token is issued again, as refused deliveries are.
  let refused = false;
  return (req, res) => {
    const oauthError = (status: number, error: string, headers: Record<string, string> = {}): void => {
      if (!res.headersSent)
        res
          .status(status)
          .set({ 'Cache-Control': 'no-store', ...headers })
          .json({ error });
    };
    void (async () => {
      const read = await readBody(req, WEBHOOK_MAX_BODY);
      if ('aborted' in read) return;
      if ('tooLarge' in read) return answer(res, 413, { Connection: 'close' });
      const form = formOf(read.raw, req.headers['content-type']);
      // Blynk's token request is undocumented: a grant type in the query is taken too.
      const grant = form.get('grant_type') ?? (typeof req.query.grant_type === 'string' ? req.query.grant_type : null);
      if (!isOpen() || settings.incomplete) return oauthError(503, 'temporarily_unavailable');
      if (!isTokenClient(settings.auth, tokenClientOf(req.headers, form))) {
        if (!refused) node.warn(t('refused.token-client', { url: tokenPathOf(settings.url) }));
        refused = true;
        return oauthError(401, 'invalid_client', { 'WWW-Authenticate': 'Basic realm="Node-RED Blynk webhook token"' });
      }
      refused = false;
      if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
      res
        .status(200)
        .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
        .json({ access_token: tokens.issue(), token_type: 'Bearer', expires_in: tokens.lifetimeSec });
    })().catch((err: unknown) => {
      answer(res, 500);
      node.error(t('failed', { detail: sanitizeDetail(err instanceof Error ? err.message : err) }));
    });
  };
}
