import { Request, Response } from 'express';
import { NodeAPI } from 'node-red';
import { ApiCall, BlynkError, ORG, sanitizeDetail } from '../../blynk';
import { withoutCredentials } from '../../blynk/answer-credentials';
import { isRecord } from '../../blynk/validate';
import {
  HEADER_NAME,
  RECOMMENDED_TEMPLATE,
  SETUP_TRIGGERS,
  WEBHOOK_METHODS,
  WEBHOOK_NAME,
  webhookUrlOf,
  type SetupTrigger,
  type WebhookMethod,
} from '../../blynk/webhook';
import { editorPost } from './admin-routes';
import { deployedConfig } from './config-node';
import { said, saidError, unexpected, type Said } from './i18n';
import { stringOrEmpty } from './test-connection';

/** Node-RED's placeholder for a password credential that is stored but not shown. */
const STORED = '__PWRD__';
const WEBHOOK_IN = 'blynk-cloud-webhook-in';
/** An HTTP path Express can serve, as the webhook in dialog checks it. */
const URL_PATH = /^\/[^\s?#]*$/;
const EVENT_CODE = /^[A-Za-z0-9 _]{1,50}$/;
const MAX_INT32 = 2147483647;

/** What the webhook in dialog sends: its current fields, deployed or not. */
interface SetupRequest {
  id?: unknown;
  config?: unknown;
  baseUrl?: unknown;
  trigger?: unknown;
  target?: unknown;
  source?: unknown;
  name?: unknown;
  method?: unknown;
  url?: unknown;
  auth?: unknown;
  headerName?: unknown;
  user?: unknown;
  password?: unknown;
  webhookId?: unknown;
}

/** A positive int32 from a number or its decimal text, else undefined. */
function idOf(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : stringOrEmpty(value).trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= MAX_INT32 ? n : undefined;
}

/** What goes to Blynk, and the secrets it carries. */
interface Plan {
  body: Record<string, unknown>;
  secrets: string[];
  existing?: number;
  /** The node authenticates with a header the API cannot set (the Webhook schema has no headers field). */
  header?: string;
}

class InputError extends Error {
  constructor(readonly said: Said) {
    super(said.message);
  }
}

/**
 * The Basic password: the one typed in the dialog, else the stored credential of the deployed
 * webhook in node itself (read here, never sent to the editor).
 */
function passwordOf(RED: NodeAPI, body: SetupRequest): string {
  const typed = stringOrEmpty(body.password);
  if (typed !== '' && typed !== STORED) return typed;
  const id = stringOrEmpty(body.id);
  const node = id ? RED.nodes.getNode(id) : null;
  if (!node || node.type !== WEBHOOK_IN) return '';
  return (RED.nodes.getCredentials(id) as { password?: string } | undefined)?.password ?? '';
}

/** Checks every field before anything is sent; the first bad one is the answer. */
function planOf(RED: NodeAPI, body: SetupRequest): Plan {
  const bad = (key: string, params: Record<string, string | number> = {}): never => {
    throw new InputError(said(RED, `webhook-setup.errors.${key}`, params));
  };
  const path = stringOrEmpty(body.url).trim();
  if (!URL_PATH.test(path)) bad('path');
  const method = stringOrEmpty(body.method || 'POST').toUpperCase();
  if (!(WEBHOOK_METHODS as readonly string[]).includes(method)) bad('method');
  const root = typeof RED.settings.httpNodeRoot === 'string' ? RED.settings.httpNodeRoot : '';
  const target = webhookUrlOf(stringOrEmpty(body.baseUrl), root, path);
  if ('reason' in target) bad(target.reason === 'base' ? 'base-url' : 'url-too-long');
  const trigger = stringOrEmpty(body.trigger);
  if (!(SETUP_TRIGGERS as readonly string[]).includes(trigger)) bad('trigger');
  const which = idOf(body.target);
  const isTemplate = trigger === 'PRODUCT_DATASTREAM_UPDATE';
  if (which === undefined) bad(isTemplate ? 'template' : 'device');
  const dataTrigger: Record<string, unknown> = isTemplate ? { templateId: which } : { deviceId: which };
  const source = typeof body.source === 'number' ? String(body.source) : stringOrEmpty(body.source).trim();
  if (trigger === 'DEVICE_LOG_EVENT') {
    const code = source;
    if (!EVENT_CODE.test(code)) bad('event');
    dataTrigger.eventCode = code;
  } else {
    const stream = idOf(source);
    if (stream === undefined) bad('datastream');
    dataTrigger.dataStreamId = stream;
  }
  const name = stringOrEmpty(body.name).trim();
  if (!WEBHOOK_NAME.test(name)) bad('name');
  const rawExisting = body.webhookId;
  const existing = rawExisting === undefined || rawExisting === null || rawExisting === '' ? undefined : idOf(rawExisting);
  if (existing === undefined && rawExisting !== undefined && rawExisting !== null && rawExisting !== '') bad('webhook-id');

  const auth = stringOrEmpty(body.auth) || 'basic';
  // The Webhook schema documents oAuth2Request only as an object: nothing to fill it with.
  if (auth === 'oauth2') bad('oauth2', { tokenUrl: `${(target as { url: string }).url.replace(/\/+$/, '')}/token` });
  const out: Record<string, unknown> = {
    name,
    trigger: trigger as SetupTrigger,
    // dataTrigger's inner shape is undocumented: the ids under the names the Platform API uses elsewhere.
    dataTrigger,
    url: (target as { url: string }).url,
    method: method as WebhookMethod,
    contentType: 'JSON',
    body: RECOMMENDED_TEMPLATE,
    authType: 'NONE',
  };
  const secrets: string[] = [];
  if (auth === 'basic' || auth === 'both') {
    const user = stringOrEmpty(body.user);
    const password = passwordOf(RED, body);
    if (user === '' || password === '') bad('basic');
    // The Webhook schema names no fields for the Basic pair (undocumented): the usual names.
    Object.assign(out, { authType: 'BASIC', username: user, password });
    secrets.push(password);
  }
  const headerName = stringOrEmpty(body.headerName).trim();
  const header = (auth === 'header' || auth === 'both') && HEADER_NAME.test(headerName) ? headerName : undefined;
  return { body: out, secrets, ...(existing !== undefined ? { existing } : {}), ...(header ? { header } : {}) };
}

function createCall(plan: Plan): ApiCall {
  return { api: 'platform', method: 'POST', path: `${ORG}/webhook/create`, body: plan.body, idempotent: false, secrets: plan.secrets };
}

function updateCall(plan: Plan, id: number): ApiCall {
  return {
    api: 'platform',
    method: 'PUT',
    path: `${ORG}/webhook`,
    query: [['webhookId', String(id)]],
    body: plan.body,
    idempotent: true,
    secrets: plan.secrets,
  };
}

/**
 * Every occurrence of a secret in the answer's text replaced: the last guard before the editor
 * (the transport already redacts the request's password and Bearer token wherever Blynk echoes them).
 */
function scrubbed(value: unknown, secrets: readonly string[]): unknown {
  let text = JSON.stringify(value);
  for (const s of secrets) if (s) text = text.split(JSON.stringify(s).slice(1, -1)).join('[redacted]');
  return JSON.parse(text) as unknown;
}

/**
 * `POST /blynk-cloud/webhook-setup`: creates the Blynk webhook that calls a webhook in node (or
 * updates the one it created before) through a deployed connection's client (its token, pacing
 * and retries). The answer is the webhook's id and name, or a localized reason: never a token or
 * a password, even if Blynk echoes one.
 */
export function registerWebhookSetup(RED: NodeAPI): void {
  RED.httpAdmin.post('/blynk-cloud/webhook-setup', ...editorPost(RED), (req: Request, res: Response) => {
    const body = (req.body ?? {}) as SetupRequest;
    res.setHeader('Cache-Control', 'no-store');
    const deployed = deployedConfig(RED, stringOrEmpty(body.config));
    let plan: Plan;
    try {
      if (!deployed) throw new InputError(said(RED, 'webhook-setup.errors.not-deployed'));
      plan = planOf(RED, body);
    } catch (err) {
      const reason = err instanceof InputError ? err.said : saidError(RED, unexpected(err));
      return void res.json({ ok: false, code: 'INVALID_INPUT', ...reason });
    }
    const send = async (): Promise<{ data: unknown; updated: boolean }> => {
      const client = deployed.clientFor('platform');
      if (plan.existing !== undefined) {
        try {
          return { data: (await client.call(updateCall(plan, plan.existing))).data, updated: true };
        } catch (err) {
          // Deleted in Blynk.Console since: created anew.
          if (!(err instanceof BlynkError && err.code === 'NOT_FOUND')) throw err;
        }
      }
      return { data: (await client.call(createCall(plan))).data, updated: false };
    };
    const answer = (value: Record<string, unknown>): void => void res.json(scrubbed(value, plan.secrets));
    send().then(
      ({ data, updated }) => {
        const d = withoutCredentials(data);
        const id = isRecord(d) ? idOf(d.id) : undefined;
        if (id === undefined) {
          return answer({ ok: false, code: 'HTTP_ERROR', ...said(RED, 'webhook-setup.errors.bad-answer') });
        }
        const name = isRecord(d) && typeof d.name === 'string' ? sanitizeDetail(d.name) : String(plan.body.name);
        answer({ ok: true, updated, webhook: { id, name }, ...(plan.header ? { header: plan.header } : {}) });
      },
      (err: unknown) => {
        const error = unexpected(err);
        const detail = error.details.detail ?? error.code;
        const keys: Record<string, string> = {
          BAD_REQUEST: 'bad-request',
          FORBIDDEN: 'forbidden',
          NOT_FOUND: 'not-found',
          RATE_LIMITED: 'rate-limited',
          SERVER_ERROR: 'server-error',
        };
        const k = keys[error.code];
        answer({ ok: false, code: error.code, ...(k ? said(RED, `webhook-setup.errors.${k}`, { detail }) : saidError(RED, error)) });
      },
    );
  });
}
