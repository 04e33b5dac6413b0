// The authorization endpoint (Blynk does not document its path; `/oauth2/authorize` is assumed,
// beside the documented `/oauth2/token`) with a consent page, RFC 6749 §4.1 and RFC 7636 (PKCE).
// The simulator has no login: consent is given as the demo user. The page's buttons have the ids
// `allow` and `deny`, so that a browser test can click through it.
import { randomBytes } from 'node:crypto';
import { first, formOf, type Handler, type Reply, type SimRequest } from './http';
import type { TokenStore } from './oauth';

interface Deps {
  tokens: TokenStore;
  /** Whose consent the page gives. */
  userEmail: string;
}

/** A pending consent: what the authorization request asked for, until Allow or Deny. */
interface Ticket {
  clientId: string;
  redirectUri: string;
  state?: string;
  scope?: string;
  challenge?: string;
  expiresAt: number;
}

const TICKET_LIFETIME_MS = 10 * 60_000;
const MAX_TICKETS = 1000;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const page = (status: number, title: string, body: string): Reply => ({
  status,
  body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  type: 'text/html; charset=utf-8',
  headers: { 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' },
});

/** An error that must not be redirected (unknown client or redirect URI): RFC 6749 §4.1.2.1. */
const refusal = (message: string): Reply => page(400, 'Authorization request refused', `<p id="error">${escapeHtml(message)}</p>`);

function redirectTo(uri: string, params: Record<string, string | undefined>): Reply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } };
}

export function authorizeRoutes({ tokens, userEmail }: Deps): Record<string, Handler> {
  const tickets = new Map<string, Ticket>();

  const prune = (): void => {
    const now = Date.now();
    for (const [id, t] of tickets) if (now >= t.expiresAt) tickets.delete(id);
    while (tickets.size >= MAX_TICKETS) tickets.delete(tickets.keys().next().value as string);
  };

  const show = (req: SimRequest): Reply => {
    const q = req.query;
    const clientId = first(q, 'client_id');
    const redirectUri = first(q, 'redirect_uri');
    if (!clientId || !tokens.hasClient(clientId)) return refusal('Unknown client_id.');
    if (!redirectUri || !tokens.redirectAllowed(clientId, redirectUri)) return refusal('redirect_uri is not registered for this client.');
    const state = first(q, 'state');
    if (first(q, 'response_type') !== 'code') {
      return redirectTo(redirectUri, { error: 'unsupported_response_type', state });
    }
    const challenge = first(q, 'code_challenge');
    const method = first(q, 'code_challenge_method') ?? 'plain';
    if (challenge !== undefined && method !== 'S256') {
      return redirectTo(redirectUri, { error: 'invalid_request', error_description: 'Only S256 is supported.', state });
    }
    prune();
    const id = randomBytes(16).toString('base64url');
    const scope = first(q, 'scope') || undefined;
    tickets.set(id, { clientId, redirectUri, state, scope, challenge, expiresAt: Date.now() + TICKET_LIFETIME_MS });
    const asked = scope ? `<p>Scope: <code id="scope">${escapeHtml(scope)}</code></p>` : '';
    return page(
      200,
      'Authorize access to Blynk',
      `<p>Client <code id="client">${escapeHtml(clientId)}</code> asks to access the Blynk account of ${escapeHtml(userEmail)}.</p>${asked}` +
        `<form method="post" action="/oauth2/authorize"><input type="hidden" name="ticket" value="${escapeHtml(id)}">` +
        `<button type="submit" id="allow" name="decision" value="allow">Allow</button> ` +
        `<button type="submit" id="deny" name="decision" value="deny">Deny</button></form>`,
    );
  };

  const decide = (req: SimRequest): Reply => {
    const form = formOf(req.rawBody);
    const id = first(form, 'ticket') ?? '';
    const ticket = tickets.get(id);
    tickets.delete(id); // one decision per request
    if (!ticket || Date.now() >= ticket.expiresAt) return refusal('This consent page has expired; start the sign-in again.');
    if (first(form, 'decision') !== 'allow') {
      return redirectTo(ticket.redirectUri, { error: 'access_denied', error_description: 'The user denied access.', state: ticket.state });
    }
    const code = tokens.createCode({
      clientId: ticket.clientId,
      redirectUri: ticket.redirectUri,
      challenge: ticket.challenge,
      scope: ticket.scope,
      userEmail,
    });
    return redirectTo(ticket.redirectUri, { code, state: ticket.state });
  };

  return { 'GET /oauth2/authorize': show, 'POST /oauth2/authorize': decide };
}
