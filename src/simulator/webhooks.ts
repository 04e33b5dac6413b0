// Webhooks: the simulator calls a URL when a datastream is written or an event is logged, as
// Blynk does (docs/blynk-webhooks.md). One registry, defined through the Platform API's webhook
// routes (contract/webhooks.json), the simulator-only admin route /sim/webhooks,
// `Simulator.webhooks`, or the CLI's --webhook.
import { RequestLog } from './request-log';
import http from 'node:http';
import https from 'node:https';
import { fillPlaceholders, WEBHOOK_MAX_BODY, WEBHOOK_METHODS, type WebhookMethod } from '../blynk/webhook';
import { apiError, first, json, noContent, toId, type Handler, type Reply, type SimRequest } from './http';
import type { Store } from './store';
import type { DatastreamValue, DemoDatastream, DeviceState } from './types';

/** Trigger names of the Platform API's Webhook schema this simulator fires on. */
export const WEBHOOK_TRIGGERS = ['DEVICE_DATASTREAM_UPDATE', 'PRODUCT_DATASTREAM_UPDATE', 'DEVICE_LOG_EVENT', 'PRODUCT_LOG_EVENT'] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/** Every trigger of the Webhook schema's enum: the Platform routes store them all, the simulator fires only WEBHOOK_TRIGGERS. */
export const PLATFORM_TRIGGERS = [
  'NEW_USER',
  'DELETED_USER',
  'UPDATED_USER',
  'DEVICE_ADDED',
  'DEVICE_DELETED',
  'DEVICE_DATASTREAM_UPDATE',
  'PRODUCT_DATASTREAM_UPDATE',
  'GLOBAL_PRODUCT_DATASTREAM_UPDATE',
  'DEVICE_LOG_EVENT',
  'PRODUCT_LOG_EVENT',
  'GLOBAL_PRODUCT_LOG_EVENT',
  'FIRST_DEVICE_CONNECTION_IN_ORG',
  'ORGANIZATION_ADDED',
] as const;
export type PlatformTrigger = (typeof PLATFORM_TRIGGERS)[number];

/** A webhook, with the Platform API schema's field names where it has them. */
export interface WebhookDefinition {
  name?: string;
  trigger: PlatformTrigger;
  /** DEVICE_* triggers: the device; PRODUCT_* triggers: any device of the template (templateId, else all). */
  deviceId?: number;
  templateId?: number;
  /** Datastream triggers: only this datastream (id), else any. */
  dataStreamId?: number;
  /** Event triggers: only this event code, else any. */
  eventCode?: string;
  url: string;
  method?: WebhookMethod;
  contentType?: 'JSON' | 'URL_ENCODED_FORM' | 'PLAIN_TEXT';
  body?: string;
  formBody?: Record<string, string>;
  headers?: Record<string, string>;
  authType?: 'NONE' | 'BASIC' | 'OAUTH2';
  /** BASIC credentials: the schema names no field for them (undocumented); the simulator's own names. */
  username?: string;
  password?: string;
  /** Documented fields the simulator keeps and answers as they came. */
  failureReceivers?: number[];
  oAuth2Request?: Record<string, unknown>;
}

export interface WebhookAttempt {
  webhookId: number;
  at: number;
  method: string;
  url: string;
  /** HTTP status of the answer; 0 when there was none (see `error`). */
  status: number;
  error?: 'rate-limited' | 'too-large' | 'network' | 'timeout';
}

interface Stored {
  id: number;
  def: WebhookDefinition;
  calls: number[]; // times of calls in the last minute
  createdAt: number;
  lastModifiedTs: number;
  lastTriggeredTs?: number;
  attemptCount: number;
}

const AUTH_TYPES = ['NONE', 'BASIC', 'OAUTH2'] as const;
/** Webhook schema: url `maxLength` 512, body `maxLength` 1024, at most 10 failure receivers. */
const MAX_URL = 512;
const MAX_BODY_TEMPLATE = 1024;
const MAX_FAILURE_RECEIVERS = 10;

const CONTENT_TYPES = {
  JSON: 'application/json',
  URL_ENCODED_FORM: 'application/x-www-form-urlencoded',
  PLAIN_TEXT: 'text/plain',
} as const;
const TIMEOUT_MS = 5000;
const ATTEMPT_LOG = 1000;

/** Blynk: "Limit rate: 1 request per minute per webhook" (blynk.console/limits). */
export const WEBHOOK_RATE_PER_MINUTE = 1;

export function checkDefinition(v: unknown, triggers: readonly PlatformTrigger[] = WEBHOOK_TRIGGERS): WebhookDefinition | string {
  if (typeof v !== 'object' || v === null) return 'a webhook is a JSON object';
  const d = v as Partial<WebhookDefinition>;
  if (!triggers.includes(d.trigger as PlatformTrigger)) return `trigger must be one of ${triggers.join(', ')}`;
  if (typeof d.url !== 'string' || !/^https?:\/\//.test(d.url) || d.url.length > 1024)
    return 'url must be an http(s) URL of at most 1024 characters';
  if (d.method !== undefined && !WEBHOOK_METHODS.includes(d.method)) return `method must be one of ${WEBHOOK_METHODS.join(', ')}`;
  if (d.contentType !== undefined && !(d.contentType in CONTENT_TYPES)) return 'contentType must be JSON, URL_ENCODED_FORM or PLAIN_TEXT';
  if (d.authType !== undefined && !AUTH_TYPES.includes(d.authType)) return 'authType must be NONE, BASIC or OAUTH2';
  if ((d.trigger === 'DEVICE_DATASTREAM_UPDATE' || d.trigger === 'DEVICE_LOG_EVENT') && typeof d.deviceId !== 'number')
    return 'a DEVICE_* trigger needs deviceId';
  return d as WebhookDefinition;
}

const optionalId = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
const optionalText = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Platform API Webhook (create or update body) as the registry's definition, or why not. The
 * inner shape of `dataTrigger` is undocumented: the simulator reads `deviceId`, `templateId`,
 * `dataStreamId` and `eventCode` there (its own names, as the package sends them), and
 * `username`/`password` for BASIC (the schema names no field for them).
 */
export function fromPlatform(v: unknown): WebhookDefinition | string {
  if (!isObject(v)) return 'a webhook is a JSON object';
  if (!PLATFORM_TRIGGERS.includes(v.trigger as PlatformTrigger)) return `trigger must be one of ${PLATFORM_TRIGGERS.join(', ')}`;
  if (typeof v.url !== 'string' || v.url.length > MAX_URL) return `url must be a string of at most ${MAX_URL} characters`;
  if (!optionalText(v.name)) return 'name must be a string';
  if (v.body !== undefined && (typeof v.body !== 'string' || v.body.length > MAX_BODY_TEMPLATE))
    return `body must be a string of at most ${MAX_BODY_TEMPLATE} characters`;
  if (v.formBody !== undefined && !(isObject(v.formBody) && Object.values(v.formBody).every((x) => typeof x === 'string')))
    return 'formBody must be an object of strings';
  if (v.dataTrigger !== undefined && !isObject(v.dataTrigger)) return 'dataTrigger must be an object';
  const dt = isObject(v.dataTrigger) ? v.dataTrigger : {};
  if (!optionalId(dt.deviceId) || !optionalId(dt.templateId) || !optionalId(dt.dataStreamId))
    return 'dataTrigger ids must be non-negative integers';
  if (!optionalText(dt.eventCode)) return 'dataTrigger.eventCode must be a string';
  if (!optionalText(v.username) || !optionalText(v.password)) return 'username and password must be strings';
  const receivers = v.failureReceivers;
  if (
    receivers !== undefined &&
    !(Array.isArray(receivers) && receivers.length <= MAX_FAILURE_RECEIVERS && receivers.every(Number.isInteger))
  )
    return `failureReceivers must be at most ${MAX_FAILURE_RECEIVERS} user ids`;
  if (v.oAuth2Request !== undefined && !isObject(v.oAuth2Request)) return 'oAuth2Request must be an object';
  const def: Record<string, unknown> = {
    name: v.name,
    trigger: v.trigger,
    deviceId: dt.deviceId,
    templateId: dt.templateId,
    dataStreamId: dt.dataStreamId,
    eventCode: dt.eventCode,
    url: v.url,
    method: v.method,
    contentType: v.contentType,
    body: v.body,
    formBody: v.formBody,
    authType: v.authType,
    username: v.username,
    password: v.password,
    failureReceivers: receivers,
    oAuth2Request: v.oAuth2Request,
  };
  for (const k of Object.keys(def)) if (def[k] === undefined) delete def[k];
  return checkDefinition(def, PLATFORM_TRIGGERS);
}

function valueText(v: DatastreamValue): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** What happened, as Blynk's placeholders see it. */
interface Occurrence {
  device: DeviceState;
  ds?: DemoDatastream;
  value?: DatastreamValue;
  event?: { code: string; name?: string; description?: string };
  at: number;
}

export class Webhooks {
  private readonly hooks = new Map<number, Stored>();
  private nextId = 1;
  private readonly log = new RequestLog<WebhookAttempt>(ATTEMPT_LOG);
  private readonly inFlight = new Set<http.ClientRequest>();
  ratePerMinute: number;

  constructor(
    private readonly store: Store,
    ratePerMinute = WEBHOOK_RATE_PER_MINUTE,
  ) {
    this.ratePerMinute = ratePerMinute;
    store.onWrite((device, ds, value) => this.fire({ device, ds, value, at: Date.now() }));
    store.onEvent((device, event) => this.fire({ device, event, at: event.at }));
  }

  add(def: WebhookDefinition): number {
    const checked = checkDefinition(def, PLATFORM_TRIGGERS);
    if (typeof checked === 'string') throw new Error(checked);
    const id = this.nextId++;
    const now = Date.now();
    this.hooks.set(id, { id, def: checked, calls: [], createdAt: now, lastModifiedTs: now, attemptCount: 0 });
    return id;
  }

  /** Replaces a webhook's definition, keeping its id, counters and rate window; false when there is none. */
  replace(id: number, def: WebhookDefinition): boolean {
    const hook = this.hooks.get(id);
    if (!hook) return false;
    hook.def = def;
    hook.lastModifiedTs = Date.now();
    return true;
  }

  /** The definition as it is stored, credentials included (for tests and the simulator's own use). */
  definition(id: number): WebhookDefinition | undefined {
    const hook = this.hooks.get(id);
    return hook ? structuredClone(hook.def) : undefined;
  }

  /** A webhook as the Platform API's Webhook schema shows it: never the password. */
  private view(hook: Stored): Record<string, unknown> {
    const { def } = hook;
    const dataTrigger = Object.fromEntries(
      Object.entries({
        deviceId: def.deviceId,
        templateId: def.templateId,
        dataStreamId: def.dataStreamId,
        eventCode: def.eventCode,
      }).filter(([, v]) => v !== undefined),
    );
    const out: Record<string, unknown> = {
      id: hook.id,
      name: def.name ?? '',
      trigger: def.trigger,
      dataTrigger,
      url: def.url,
      method: def.method ?? 'POST',
      contentType: def.contentType ?? 'JSON',
      authType: def.authType ?? 'NONE',
      body: def.body ?? '',
      status: 'ENABLED',
      attemptCount: hook.attemptCount,
      createdAt: hook.createdAt,
      lastModifiedTs: hook.lastModifiedTs,
    };
    if (def.formBody) out.formBody = def.formBody;
    if (def.failureReceivers) out.failureReceivers = def.failureReceivers;
    if (hook.lastTriggeredTs !== undefined) out.lastTriggeredTs = hook.lastTriggeredTs;
    return out;
  }

  /**
   * The Platform API's webhook routes (contract/webhooks.json), behind the Platform routes' Bearer
   * check: `authed` is theirs. Validation errors answer the documented `{"error":{"message"}}`.
   */
  platformRoutes(authed: (h: (req: SimRequest) => Reply) => Handler, orgId: number): Record<string, Handler> {
    const orgMismatch = (req: SimRequest): Reply | undefined => {
      const raw = first(req.query, 'orgId');
      if (raw === undefined) return undefined;
      return toId(raw) === orgId ? undefined : apiError(404, `Organization ${raw.slice(0, 20)} is not found or access denied.`);
    };
    const withHook = (req: SimRequest, fn: (hook: Stored) => Reply): Reply => {
      const id = toId(first(req.query, 'webhookId'));
      if (id === undefined) return apiError(400, 'Bad request - Invalid webhookId.');
      const hook = this.hooks.get(id);
      return hook ? fn(hook) : apiError(404, `Webhook with identifier ${id} is not found.`);
    };
    const definitionOf = (req: SimRequest): WebhookDefinition | Reply => {
      if (req.jsonError || !isObject(req.json)) return apiError(400, 'Bad request - Invalid JSON body.');
      const def = fromPlatform(req.json);
      return typeof def === 'string' ? apiError(400, `Bad request - ${def}.`) : def;
    };
    return {
      'GET /api/v1/organization/webhooks': authed(
        (req) =>
          orgMismatch(req) ??
          json(
            200,
            [...this.hooks.values()].map((h) => this.view(h)),
          ),
      ),
      'GET /api/v1/organization/webhook': authed((req) => withHook(req, (hook) => json(200, this.view(hook)))),
      'POST /api/v1/organization/webhook/create': authed((req) => {
        const refused = orgMismatch(req);
        if (refused) return refused;
        const def = definitionOf(req);
        if ('status' in def) return def;
        const id = this.add(def);
        return json(200, this.view(this.hooks.get(id) as Stored));
      }),
      'PUT /api/v1/organization/webhook': authed((req) =>
        withHook(req, (hook) => {
          const def = definitionOf(req);
          if ('status' in def) return def;
          this.replace(hook.id, def);
          return json(200, this.view(hook));
        }),
      ),
      'DELETE /api/v1/organization/webhook': authed((req) =>
        withHook(req, (hook) => {
          this.remove(hook.id);
          return noContent();
        }),
      ),
    };
  }

  remove(id: number): boolean {
    return this.hooks.delete(id);
  }

  list(): Array<{ id: number } & WebhookDefinition> {
    // Header values and the password may be credentials: listed masked.
    const mask = (def: WebhookDefinition): Partial<WebhookDefinition> => ({
      ...(def.password ? { password: '********' } : {}),
      ...(def.headers ? { headers: Object.fromEntries(Object.keys(def.headers).map((k) => [k, '********'])) } : {}),
    });
    return [...this.hooks.values()].map((h) => ({ id: h.id, ...h.def, ...mask(h.def) }));
  }

  /** Every call attempt, oldest first (never with the credential). */
  attempts(): WebhookAttempt[] {
    return this.log.entries();
  }

  clear(): void {
    this.hooks.clear();
    this.log.clear();
  }

  /** Ends calls under way (the server is closing). */
  close(): void {
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }

  /** The admin routes: POST (create), GET (list with attempts), DELETE ?id= (remove). */
  routes(): Record<string, Handler> {
    return {
      'POST /sim/webhooks': (req: SimRequest) => {
        if (req.jsonError) return apiError(400, 'Body is not JSON.');
        const checked = checkDefinition(req.json);
        if (typeof checked === 'string') return apiError(400, checked);
        return json(201, { id: this.add(checked) });
      },
      'GET /sim/webhooks': () => json(200, { webhooks: this.list(), attempts: this.attempts() }),
      'DELETE /sim/webhooks': (req: SimRequest) => {
        const id = toId(first(req.query, 'id'));
        return id !== undefined && this.remove(id) ? noContent() : apiError(404, 'No such webhook.');
      },
    };
  }

  private matches(def: WebhookDefinition, o: Occurrence): boolean {
    // Stored but never fired: user, lifecycle and GLOBAL_* triggers (which templates GLOBAL_ covers is undocumented).
    if (!WEBHOOK_TRIGGERS.includes(def.trigger as WebhookTrigger)) return false;
    const isEvent = def.trigger.endsWith('LOG_EVENT');
    if (isEvent !== (o.event !== undefined)) return false;
    if (
      def.trigger.startsWith('DEVICE_')
        ? def.deviceId !== o.device.id
        : def.templateId !== undefined && def.templateId !== o.device.templateId
    )
      return false;
    if (o.ds && def.dataStreamId !== undefined && def.dataStreamId !== o.ds.id) return false;
    if (o.event && def.eventCode !== undefined && def.eventCode !== o.event.code) return false;
    return true;
  }

  private fire(o: Occurrence): void {
    for (const hook of this.hooks.values()) if (this.matches(hook.def, o)) this.call(hook, o);
  }

  /** Blynk's documented placeholders, plus event_* (the simulator's own: Blynk documents none for events). */
  private placeholders(o: Occurrence): Record<string, string> {
    const { device } = o;
    const demo = this.store.demo;
    const values: Record<string, string> = {
      device_id: String(device.id),
      device_name: device.name,
      device_productName: demo.template.name,
      device_orgName: demo.org.name,
      device_tags: '',
      timestamp_unix: String(o.at),
      timestamp_iso8601: new Date(o.at).toISOString(),
    };
    if (o.ds) {
      values.device_pin = o.ds.pin.toUpperCase();
      values.device_dataStreamId = String(o.ds.id);
      values.device_pinValue = o.value === undefined ? '' : valueText(o.value);
    }
    for (const ds of demo.template.datastreams) {
      const v = device.values.get(ds.id);
      if (v) values[`device_dataStream_${ds.id}`] = valueText(v.value);
    }
    for (const m of device.metaFields) values[`device_metadata_${m.id}`] = m.value;
    if (o.event) {
      values.event_code = o.event.code;
      values.event_name = o.event.name ?? '';
      values.event_description = o.event.description ?? '';
    }
    return values;
  }

  private record(attempt: WebhookAttempt): void {
    this.log.push(attempt);
  }

  private call(hook: Stored, o: Occurrence): void {
    const { def } = hook;
    const values = this.placeholders(o);
    const url = fillPlaceholders(def.url, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, encodeURIComponent(v)])));
    const method = def.method ?? 'POST';
    const base = { webhookId: hook.id, at: Date.now(), method, url };
    hook.calls = hook.calls.filter((t) => t > base.at - 60_000);
    if (hook.calls.length >= this.ratePerMinute) return this.record({ ...base, status: 0, error: 'rate-limited' });
    const contentType = def.contentType ?? 'JSON';
    const body =
      contentType === 'URL_ENCODED_FORM'
        ? new URLSearchParams(Object.entries(def.formBody ?? {}).map(([k, v]) => [k, fillPlaceholders(v, values)])).toString()
        : fillPlaceholders(def.body ?? '', values);
    if (Buffer.byteLength(body) > WEBHOOK_MAX_BODY) return this.record({ ...base, status: 0, error: 'too-large' });
    hook.calls.push(base.at);
    hook.attemptCount++;
    hook.lastTriggeredTs = base.at;
    const headers: Record<string, string | number> = {
      ...def.headers,
      'Content-Type': CONTENT_TYPES[contentType],
      'Content-Length': Buffer.byteLength(body),
      'User-Agent': 'blynk-cloud-simulator',
    };
    if (def.authType === 'BASIC')
      headers.Authorization = `Basic ${Buffer.from(`${def.username ?? ''}:${def.password ?? ''}`).toString('base64')}`;
    const attempt: WebhookAttempt = { ...base, status: 0 };
    this.record(attempt);
    const transport = url.startsWith('https:') ? https : http;
    const req = transport.request(url, { method, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      attempt.status = res.statusCode ?? 0;
      res.resume();
    });
    this.inFlight.add(req);
    req.on('close', () => this.inFlight.delete(req));
    req.on('timeout', () => {
      attempt.error = 'timeout';
      req.destroy();
    });
    req.on('error', () => {
      attempt.error ??= 'network';
    });
    req.end(body);
  }
}
