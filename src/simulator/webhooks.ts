// Webhooks: the simulator calls a URL when a datastream is written or an event is logged, as
// Blynk does (docs/blynk-webhooks.md). Defined through the simulator-only admin route /sim/webhooks,
// `Simulator.webhooks`, or the CLI's --webhook: Blynk's Platform API webhook routes are not in
// contract/ yet.
import { RequestLog } from './request-log';
import http from 'node:http';
import https from 'node:https';
import { fillPlaceholders, WEBHOOK_MAX_BODY, WEBHOOK_METHODS, type WebhookMethod } from '../blynk/webhook';
import { apiError, first, json, noContent, toId, type Handler, type SimRequest } from './http';
import type { Store } from './store';
import type { DatastreamValue, DemoDatastream, DeviceState } from './types';

/** Trigger names of the Platform API's Webhook schema this simulator fires on. */
export const WEBHOOK_TRIGGERS = ['DEVICE_DATASTREAM_UPDATE', 'PRODUCT_DATASTREAM_UPDATE', 'DEVICE_LOG_EVENT', 'PRODUCT_LOG_EVENT'] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/** A webhook, with the Platform API schema's field names where it has them. */
export interface WebhookDefinition {
  name?: string;
  trigger: WebhookTrigger;
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
  authType?: 'NONE' | 'BASIC';
  username?: string;
  password?: string;
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
}

const CONTENT_TYPES = {
  JSON: 'application/json',
  URL_ENCODED_FORM: 'application/x-www-form-urlencoded',
  PLAIN_TEXT: 'text/plain',
} as const;
const TIMEOUT_MS = 5000;
const ATTEMPT_LOG = 1000;

/** Blynk: "Limit rate: 1 request per minute per webhook" (blynk.console/limits). */
export const WEBHOOK_RATE_PER_MINUTE = 1;

export function checkDefinition(v: unknown): WebhookDefinition | string {
  if (typeof v !== 'object' || v === null) return 'a webhook is a JSON object';
  const d = v as Partial<WebhookDefinition>;
  if (!WEBHOOK_TRIGGERS.includes(d.trigger as WebhookTrigger)) return `trigger must be one of ${WEBHOOK_TRIGGERS.join(', ')}`;
  if (typeof d.url !== 'string' || !/^https?:\/\//.test(d.url) || d.url.length > 1024)
    return 'url must be an http(s) URL of at most 1024 characters';
  if (d.method !== undefined && !WEBHOOK_METHODS.includes(d.method)) return `method must be one of ${WEBHOOK_METHODS.join(', ')}`;
  if (d.contentType !== undefined && !(d.contentType in CONTENT_TYPES)) return 'contentType must be JSON, URL_ENCODED_FORM or PLAIN_TEXT';
  if (d.trigger?.startsWith('DEVICE_') && typeof d.deviceId !== 'number') return 'a DEVICE_* trigger needs deviceId';
  return d as WebhookDefinition;
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
    const checked = checkDefinition(def);
    if (typeof checked === 'string') throw new Error(checked);
    const id = this.nextId++;
    this.hooks.set(id, { id, def: checked, calls: [] });
    return id;
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
