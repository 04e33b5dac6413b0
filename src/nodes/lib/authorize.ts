// Authorization code grant for the config node (RFC 6749 §4.1, PKCE RFC 7636, RFC 9700 §2.1), and
// "Create OAuth client" (POST /api/v1/organization/oauth/clients/create, from Blynk's OpenAPI description).
//
//   POST /blynk-cloud/authorize/start     (editor, admin permission) → the authorization URL
//   GET  /blynk-cloud/authorize/callback  (the browser window, redirected by Blynk) → result page
//   GET  /blynk-cloud/authorize/status    (editor, admin permission) → how the last sign-in ended
//   POST /blynk-cloud/oauth-clients       (editor, admin permission) → a new OAuth client, once
//
// The callback cannot carry the editor's admin token (Blynk's redirect is a plain navigation), so it
// is protected by the `state` instead: unguessable, single use, minutes long, bound to one config
// node, to the browser that started it (an HttpOnly cookie) and, with adminAuth, to the editor user.
import { createHash, randomBytes } from 'node:crypto';
import { Request, Response } from 'express';
import { NodeAPI } from 'node-red';
import {
  BlynkError,
  DEFAULT_TOKEN_PATH,
  DiscoveredEndpoints,
  discoverEndpoints,
  endpointPathOf,
  parseServer,
  sanitizeDetail,
  serverMessageOf,
  Transport,
  basicAuth,
  urlOn,
} from '../../blynk';
import { scopeQuery } from '../../blynk/grants/scope';
import type { QueryEntries } from '../../blynk/transport';
import { editorPost } from './admin-routes';
import { credentialsOf, deployedConfig, storeRefreshToken } from './config-node';
import { CATALOG, localize, Said, said, saidError, unexpected } from './i18n';
import { credentialsFrom, stringOrEmpty } from './test-connection';

/** Blynk does not document its authorization page; this is the path beside /oauth2/token. */
const DEFAULT_AUTHORIZE_PATH = '/oauth2/authorize';
/** How long a sign-in may take from the button to the callback. */
const STATE_LIFETIME_MS = 5 * 60_000;
/** Pending sign-ins kept at most (one per config node; this bounds memory against a runaway editor). */
const MAX_PENDING = 50;
const COOKIE = 'blynk-cloud-signin';
const CALLBACK = 'blynk-cloud/authorize/callback';

interface Pending {
  nodeId: string;
  /** The editor user (adminAuth), '' without adminAuth. */
  user: string;
  /** Random value also set as an HttpOnly cookie in the editor's browser. */
  binding: string;
  verifier: string;
  redirectUri: string;
  server: string;
  clientId: string;
  clientSecret: string;
  tokenPath: string;
  expiresAt: number;
  used: boolean;
}

type Outcome = { state: 'pending' | 'ok' | 'failed'; user: string; said?: Said; scope?: string };

/**
 * A path that may stand in a cookie's `Path` attribute as it is: no `;` or `,` to end the
 * attribute, no space or control character (RFC 6265 §4.1.1 path-value).
 */
const COOKIE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+=:@/%]*$/;

const random = (): string => randomBytes(32).toString('base64url');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function userOf(req: Request): string {
  const user = (req as Request & { user?: { username?: unknown } }).user;
  return typeof user?.username === 'string' ? user.username : '';
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The callback URL: the one the dialog computed from the editor's own address (right behind a
 * reverse proxy), if it is an http(s) URL of this route, else derived from this request.
 */
function redirectUriOf(req: Request, typed: string): URL | undefined {
  const callback = (url: URL | undefined): URL | undefined =>
    url &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.pathname.endsWith(`/${CALLBACK}`) &&
    COOKIE_PATH.test(url.pathname) &&
    !url.search &&
    !url.hash &&
    !url.username &&
    !url.password
      ? url
      : undefined;
  const base = req.originalUrl.replace(/blynk-cloud\/authorize\/start.*$/, '');
  return callback(parseUrl(typed)) ?? callback(parseUrl(`${req.protocol}://${req.get('host') ?? 'localhost'}${base}${CALLBACK}`));
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * The paths a sign-in uses: the ones typed in the dialog; for one left empty, the one the server's
 * metadata names (RFC 8414), else Blynk's token path and the assumed authorize path beside it.
 */
async function pathsFor(
  server: URL,
  typed: { authorizePath: string; tokenPath: string },
): Promise<{ authorizePath: string; tokenPath: string; discovered: DiscoveredEndpoints }> {
  const discovered = typed.authorizePath && typed.tokenPath ? {} : await discoverEndpoints(server);
  return {
    authorizePath: typed.authorizePath || discovered.authorizePath || DEFAULT_AUTHORIZE_PATH,
    tokenPath: typed.tokenPath || discovered.tokenPath || DEFAULT_TOKEN_PATH,
    discovered,
  };
}

/** A runtime string from the package's catalogue. */
type Translate = (key: string, params?: Record<string, string | number>) => string;

export function registerAuthorize(RED: NodeAPI, now: () => number = () => Date.now()): void {
  const pending = new Map<string, Pending>();
  const outcomes = new Map<string, Outcome>();
  const t: Translate = (key, params) => RED._(`${CATALOG}.${key}`, params);

  const prune = (): void => {
    const at = now();
    for (const [state, p] of pending) if (at >= p.expiresAt + STATE_LIFETIME_MS) pending.delete(state);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
  };

  RED.httpAdmin.post('/blynk-cloud/authorize/start', ...editorPost(RED), (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const nodeId = stringOrEmpty(body.id);
    const fail = (reason: Said): void => void res.json({ ok: false, ...reason });
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) return fail(said(RED, 'signin.errors.no-node'));
    let server: URL;
    let typed: { authorizePath: string; tokenPath: string };
    try {
      server = parseServer(stringOrEmpty(body.server));
      typed = { authorizePath: endpointPathOf(body.authorizePath, ''), tokenPath: endpointPathOf(body.tokenPath, '') };
    } catch (err) {
      return fail(saidError(RED, unexpected(err)));
    }
    const redirect = redirectUriOf(req, stringOrEmpty(body.redirectUri));
    if (!redirect) return fail(said(RED, 'signin.errors.bad-redirect'));
    // Secrets the dialog did not retype come from the deployed node, only for the same server.
    let clientId: string;
    let clientSecret: string;
    try {
      ({ clientId, clientSecret } = credentialsOf('authorization_code', credentialsFrom(RED, body)));
    } catch (err) {
      return fail(saidError(RED, unexpected(err)));
    }
    if (!clientId || !clientSecret) return fail(saidError(RED, new BlynkError('NO_OAUTH_CLIENT')));
    void pathsFor(server, typed)
      .then(({ authorizePath, tokenPath, discovered }) => {
        prune();
        // One sign-in per node at a time: a new one makes an older window's state worthless.
        for (const [state, p] of pending) if (p.nodeId === nodeId && !p.used) pending.delete(state);
        const state = random();
        const verifier = random();
        const binding = random();
        const redirectUri = redirect.toString();
        const user = userOf(req);
        pending.set(state, {
          nodeId,
          user,
          binding,
          verifier,
          redirectUri,
          server: server.origin,
          clientId,
          clientSecret,
          tokenPath,
          expiresAt: now() + STATE_LIFETIME_MS,
          used: false,
        });
        outcomes.set(nodeId, { state: 'pending', user });
        const query: QueryEntries = [
          ['response_type', 'code'],
          ['client_id', clientId],
          ['redirect_uri', redirectUri],
          ['state', state],
          // PKCE S256: a server without PKCE ignores the two parameters (RFC 6749 §3.1 unknown parameters).
          ['code_challenge', createHash('sha256').update(verifier).digest('base64url')],
          ['code_challenge_method', 'S256'],
          ...scopeQuery(stringOrEmpty(body.scope)),
        ];
        res.setHeader(
          'Set-Cookie',
          `${COOKIE}=${binding}; Path=${redirect.pathname}; Max-Age=${STATE_LIFETIME_MS / 1000}; HttpOnly; SameSite=Lax${req.secure ? '; Secure' : ''}`,
        );
        res.setHeader('Cache-Control', 'no-store');
        res.json({ ok: true, url: urlOn(server, authorizePath, query), redirectUri, expiresIn: STATE_LIFETIME_MS / 1000, discovered });
      })
      .catch((err: unknown) => fail(saidError(RED, unexpected(err))));
  });

  RED.httpAdmin.get('/blynk-cloud/authorize/callback', (req: Request, res: Response) => {
    const q = req.query as Record<string, unknown>;
    const state = stringOrEmpty(q.state);
    const record = state ? pending.get(state) : undefined;
    const page = (ok: boolean, message: string, nodeId?: string): void => {
      const title = t(ok ? 'signin.page.success' : 'signin.page.failure');
      // `<` escaped so the JSON cannot end the script element.
      const data = JSON.stringify({ type: 'blynk-cloud-signin', ok, id: nodeId ?? null }).replace(/</g, '\\u003c');
      res.status(ok ? 200 : 400);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      const path = `${req.baseUrl || ''}/${CALLBACK}`;
      if (COOKIE_PATH.test(path)) res.setHeader('Set-Cookie', `${COOKIE}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Lax`);
      res.end(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>` +
          `<h1 id="blynk-cloud-signin-result" data-ok="${ok}">${escapeHtml(title)}</h1><p id="blynk-cloud-signin-message">${escapeHtml(message)}</p>` +
          `<p>${escapeHtml(t(ok ? 'signin.page.deploy' : 'signin.page.retry'))}</p><p>${escapeHtml(t('signin.page.close'))}</p>` +
          `<script>(function(){var r=${data};try{if(window.opener){window.opener.postMessage(r,location.origin);}}catch(e){}` +
          `setTimeout(function(){window.close();},${ok ? 1500 : 8000});})();</script></body></html>`,
      );
    };
    // A replay must not overwrite how the real sign-in ended.
    const fresh = record !== undefined && !record.used;
    const refuse = (key: string, params?: Record<string, string>): void => {
      const reason = said(RED, `signin.errors.${key}`, params);
      if (record && fresh) outcomes.set(record.nodeId, { state: 'failed', user: record.user, said: reason });
      page(false, reason.message, record?.nodeId);
    };
    // Each check refuses with nothing stored. A known state is spent by its first use, whatever
    // the outcome, so it cannot be replayed.
    if (!record) return refuse('no-pending');
    if (record.used) return refuse('replayed');
    record.used = true;
    // The secret is needed once more, for the exchange; the record forgets it now.
    const secret = record.clientSecret;
    record.clientSecret = '';
    if (now() >= record.expiresAt) return refuse('expired');
    if (cookieOf(req, COOKIE) !== record.binding) return refuse('other-browser');
    const error = stringOrEmpty(q.error);
    if (error) return refuse(error === 'access_denied' ? 'denied' : 'authorize-error', { detail: sanitizeDetail(error) });
    const code = stringOrEmpty(q.code);
    if (!code) return refuse('no-code');
    exchange(record, secret ?? '', code).then(
      ({ refreshToken, scope }) => {
        storeRefreshToken(RED, record.nodeId, refreshToken);
        const deployed = deployedConfig(RED, record.nodeId);
        if (deployed?.grantType === 'authorization_code') deployed.signIn?.(refreshToken);
        outcomes.set(record.nodeId, { state: 'ok', user: record.user, ...(scope ? { scope } : {}) });
        page(true, t('signin.page.signed-in'), record.nodeId);
      },
      (err: unknown) => refuse('exchange', { detail: err instanceof BlynkError ? localize(RED, err).message : 'error' }),
    );
  });

  RED.httpAdmin.get(
    '/blynk-cloud/authorize/status',
    RED.auth.needsPermission('blynk-cloud-config.write'),
    (req: Request, res: Response) => {
      const id = stringOrEmpty((req.query as Record<string, unknown>).id);
      const outcome = outcomes.get(id);
      const stored = Boolean(id && (RED.nodes.getCredentials(id) as { refreshToken?: string } | undefined)?.refreshToken);
      res.setHeader('Cache-Control', 'no-store');
      // Another editor user's sign-in is not theirs to see (adminAuth only; without it '' === '').
      if (!outcome || outcome.user !== userOf(req)) return void res.json({ state: 'none', signedIn: stored });
      res.json({ state: outcome.state, signedIn: stored, ...(outcome.said ?? {}), ...(outcome.scope ? { scope: outcome.scope } : {}) });
    },
  );

  registerCreateClient(RED);
}

/** Exchanges the code once: Basic client authentication, form body (RFC 6749 §4.1.3). */
async function exchange(record: Pending, clientSecret: string, code: string): Promise<{ refreshToken: string; scope?: string }> {
  const transport = new Transport(record.server);
  try {
    const form = new URLSearchParams([
      ['grant_type', 'authorization_code'],
      ['code', code],
      ['redirect_uri', record.redirectUri],
      ['code_verifier', record.verifier],
    ]).toString();
    const res = await transport.request({
      method: 'POST',
      path: record.tokenPath,
      body: form,
      headers: { Authorization: basicAuth(record.clientId, clientSecret), 'Content-Type': 'application/x-www-form-urlencoded' },
      timeoutMs: 10_000,
      secrets: [code, record.verifier],
      issuesTokens: true,
    });
    const data = (res.data && typeof res.data === 'object' ? res.data : {}) as Record<string, unknown>;
    if (res.status < 200 || res.status >= 300) {
      const detail = serverMessageOf(res.data) || `HTTP ${res.status}`;
      throw new BlynkError('TOKEN_REJECTED', { status: res.status, detail });
    }
    if (typeof data.access_token !== 'string' || typeof data.refresh_token !== 'string' || !data.refresh_token) {
      throw new BlynkError('TOKEN_BAD_RESPONSE', { detail: 'refresh_token missing' });
    }
    return { refreshToken: data.refresh_token, ...(typeof data.scope === 'string' ? { scope: data.scope } : {}) };
  } finally {
    transport.close();
  }
}

const MAX_NAME = 64;
const MAX_REDIRECT_URLS = 10;
const MAX_URL = 1024;

/**
 * `POST /blynk-cloud/oauth-clients`: creates an OAuth client with the deployed connection's token.
 * The one place a secret goes to the browser: the user must copy it, and Blynk shows it only once.
 */
function registerCreateClient(RED: NodeAPI): void {
  RED.httpAdmin.post('/blynk-cloud/oauth-clients', ...editorPost(RED), (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.setHeader('Cache-Control', 'no-store');
    const fail = (code: string, reason: Said): void => void res.json({ ok: false, code, ...reason });
    const name = stringOrEmpty(body.name).trim();
    if (name.length < 1 || name.length > MAX_NAME) return fail('INVALID_INPUT', said(RED, 'oauth-client.errors.name', { max: MAX_NAME }));
    const rawOrg = body.orgId === undefined || body.orgId === null ? '' : String(body.orgId).trim();
    const orgId = rawOrg === '' ? undefined : Number(rawOrg);
    if (orgId !== undefined && !(Number.isInteger(orgId) && orgId > 0 && orgId <= 2147483647)) {
      return fail('INVALID_INPUT', said(RED, 'oauth-client.errors.org', { value: sanitizeDetail(rawOrg) }));
    }
    const urls = Array.isArray(body.redirectUrls) ? body.redirectUrls.map((u) => stringOrEmpty(u).trim()).filter((u) => u !== '') : [];
    if (body.redirectUrls !== undefined && !Array.isArray(body.redirectUrls))
      return fail('INVALID_INPUT', said(RED, 'oauth-client.errors.urls', { max: MAX_REDIRECT_URLS }));
    if (urls.length > MAX_REDIRECT_URLS) return fail('INVALID_INPUT', said(RED, 'oauth-client.errors.urls', { max: MAX_REDIRECT_URLS }));
    for (const url of urls) {
      if (url.length > MAX_URL || !URL.canParse(url)) {
        return fail('INVALID_INPUT', said(RED, 'oauth-client.errors.url', { value: sanitizeDetail(url.slice(0, 80)), max: MAX_URL }));
      }
    }
    const deployed = deployedConfig(RED, stringOrEmpty(body.id));
    if (!deployed) return fail('NO_CONFIG', said(RED, 'oauth-client.errors.not-deployed'));
    let call;
    try {
      call = deployed.clientFor('platform').call({
        api: 'platform',
        method: 'POST',
        path: '/api/v1/organization/oauth/clients/create',
        body: { ...(orgId !== undefined ? { orgId } : {}), name, redirectUrls: urls },
        idempotent: false,
      });
    } catch (err) {
      call = Promise.reject(err);
    }
    call.then(
      ({ data }) => {
        const d = (data ?? {}) as Record<string, unknown>;
        if (typeof d.clientId !== 'string' || typeof d.secret !== 'string') {
          return fail('HTTP_ERROR', said(RED, 'oauth-client.errors.bad-answer'));
        }
        res.json({
          ok: true,
          client: {
            clientId: d.clientId,
            secret: d.secret,
            name: d.name,
            orgId: d.orgId,
            redirectUrls: Array.isArray(d.redirectUrls) ? d.redirectUrls : urls,
          },
        });
      },
      (err: unknown) => {
        const error = unexpected(err);
        const detail = error.details.detail ?? error.code;
        const key: Record<string, string> = {
          BAD_REQUEST: 'bad-request',
          FORBIDDEN: 'forbidden',
          NOT_FOUND: 'not-found',
          RATE_LIMITED: 'rate-limited',
          SERVER_ERROR: 'server-error',
        };
        const k = key[error.code];
        fail(error.code, k ? said(RED, `oauth-client.errors.${k}`, { detail }) : saidError(RED, error));
      },
    );
  });
}
