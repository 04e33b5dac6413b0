// Platform HTTPS API: Bearer token, ids in the query, JSON bodies, 204 on writes.
import { randomBytes } from 'node:crypto';
import { all, apiError, first, json, noContent, toId, type Handler, type Reply, type SimRequest } from './http';
import type { RateLimiter } from './limits';
import type { TokenStore } from './oauth';
import type { Store } from './store';
import type { DatastreamValue, DemoDatastream, DeviceState, StoredValue } from './types';
import { coerceValue } from './values';
import type { Webhooks } from './webhooks';

interface Deps {
  store: Store;
  tokens: TokenStore;
  limiter: RateLimiter;
  webhooks: Webhooks;
}

const MAX_EVENT_TEXT = 1024; // code + description, as Blynk documents for events
// blynkkk/docs changelog.md, May 20, 2026: "Increased datapoints import per device per day from 10k to
// 100k" (the import page counts every set sent that day, in one batch or several).
const MAX_IMPORT_POINTS_PER_DAY = 100_000;
const DAY_MS = 24 * 3600 * 1000;
// blynkkk/docs changelog.md, Apr 20, 2026: "Extended the minimum timestamp in the import handler from
// 1 to 3 months" (calendar months back from now).
const IMPORT_MAX_AGE_MONTHS = 3;

/** The oldest timestamp an import accepts at `now`. */
export function oldestImportTs(now: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - IMPORT_MAX_AGE_MONTHS);
  return d.getTime();
}

/** `page` (0-based) and `size` (1–1000, as documented) from the query, or a 400. */
function pageOf(query: SimRequest['query'], defaultSize: number): { page: number; size: number } | Reply {
  const rawSize = first(query, 'size');
  const size = rawSize === undefined ? defaultSize : toId(rawSize);
  if (size === undefined || size < 1 || size > 1000) return apiError(400, 'Bad request - size should be from 1 to 1000.');
  const rawPage = first(query, 'page');
  const page = rawPage === undefined ? 0 : toId(rawPage);
  if (page === undefined) return apiError(400, 'Bad request - Invalid page.');
  return { page, size };
}

function pageReply<T>(list: T[], query: SimRequest['query'], defaultSize: number): Reply {
  const paging = pageOf(query, defaultSize);
  if ('status' in paging) return paging;
  const { page, size } = paging;
  return json(200, { content: list.slice(page * size, page * size + size), totalElements: list.length });
}

/** Template datastream `type` (template-datastreams page) of the simulator's data types. */
const TEMPLATE_TYPE = { Integer: 'INT', Double: 'DOUBLE', String: 'STRING', Location: 'LOCATION', Enum: 'ENUM' } as const;

/** Bearer check and the per-organisation limit, in front of every Platform API route. */
export function bearerAuth(tokens: TokenStore, limiter: RateLimiter, orgId: number) {
  return (h: (req: SimRequest, token: string) => Reply): Handler =>
    (req) => {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!m) return apiError(401, 'Authorization header with a Bearer token is required.');
      const check = tokens.checkAccess(m[1]);
      if (check === 'expired') return apiError(401, 'Access token is expired.');
      if (check === 'invalid') return apiError(401, 'Invalid access token.');
      if (!limiter.allowOrg(orgId)) return apiError(429, 'Too many requests');
      return h(req, m[1]);
    };
}

export function platformRoutes({ store, tokens, limiter, webhooks }: Deps): Record<string, Handler> {
  const { demo } = store;
  /** Points imported per device on the current UTC day (a new DeviceState after reset starts at 0). */
  const imported = new WeakMap<DeviceState, { day: number; count: number }>();
  const orgId = demo.org.id;
  const createdAt = Date.now();

  const authed = bearerAuth(tokens, limiter, orgId);

  /**
   * Create OAuth client (Blynk's OpenAPI description, `createOAuthClient`): name 1–64, at most 10 redirect URIs of
   * at most 1024 characters, `orgId` defaults to the token's organisation; a user-scoped token needs
   * developer mode (403). The new client works at the token endpoint at once.
   */
  const createOAuthClient = (req: SimRequest, bearer: string): Reply =>
    withBody(req, (b) => {
      const user = tokens.userOf(bearer);
      if (user !== undefined && !tokens.isDeveloper(user)) return apiError(403, 'Developer mode is required to create OAuth clients.');
      const { name, redirectUrls } = b;
      if (typeof name !== 'string' || name.length < 1 || name.length > 64) return apiError(400, 'name must be 1 to 64 characters long.');
      if (redirectUrls !== undefined && !Array.isArray(redirectUrls)) return apiError(400, 'redirectUrls must be an array.');
      const urls = (redirectUrls ?? []) as unknown[];
      if (urls.length > 10) return apiError(400, 'At most 10 redirect URLs are allowed.');
      for (const u of urls) {
        if (typeof u !== 'string' || u.length > 1024 || !URL.canParse(u))
          return apiError(400, `Invalid redirect URL: ${String(u).slice(0, 100)}`);
      }
      if (b.orgId !== undefined && b.orgId !== orgId)
        return apiError(404, `Organization ${String(b.orgId)} is not found or access denied.`);
      const clientId = `oa2-client-id_${randomBytes(9).toString('base64url')}`;
      const secret = randomBytes(18).toString('base64url');
      tokens.addClientWithRedirects(clientId, secret, urls as string[]);
      return json(201, { orgId, name, clientId, secret, redirectUrls: urls });
    });

  /** Resolve `deviceId` (query or body) or answer the documented error. */
  const withDevice = (raw: unknown, fn: (d: DeviceState) => Reply): Reply => {
    const id = toId(raw);
    if (id === undefined) return apiError(400, 'Bad request - Invalid deviceId.');
    const d = store.device(id);
    return d ? fn(d) : apiError(404, `Device with identifier ${id} is not found or belong to another organization.`);
  };

  /** JSON object body or a 400. */
  const withBody = (req: SimRequest, fn: (b: Record<string, unknown>) => Reply): Reply => {
    const b = req.json;
    if (req.jsonError || typeof b !== 'object' || b === null || Array.isArray(b)) {
      return apiError(400, 'Bad request - Invalid JSON body.');
    }
    return fn(b as Record<string, unknown>);
  };

  const streamNotFound = (id: unknown): Reply => apiError(404, `Data stream with identifier ${String(id)} is not found!`);

  /** The stream a `dataStreamId` (query text or JSON body value) names, or an error reply. */
  const streamOfId = (raw: unknown): DemoDatastream | Reply => {
    const id = toId(raw);
    if (id === undefined) return apiError(400, 'Bad request - Invalid dataStreamId.');
    return store.stream(id) ?? streamNotFound(id);
  };

  const streamValue = (d: DeviceState, ds: DemoDatastream) => {
    const v = d.values.get(ds.id);
    return {
      dataStreamId: ds.id,
      pin: ds.pin,
      dataStreamLabel: ds.label,
      dataStreamAlias: ds.alias,
      ...(v ? { value: v.value, updatedAt: v.updatedAt } : {}),
    };
  };

  const baseInfo = (d: DeviceState) => ({
    id: d.id,
    templateId: d.templateId,
    originalTemplateId: d.templateId,
    orgId,
    name: d.name,
    token: d.token,
    lifecycleStatus: { eventId: 1, name: 'Active', icon: 'check', color: '#23C48E' },
    activatedAt: createdAt,
    firstConnectTime: createdAt,
    firmwareUpdatedAt: createdAt,
    connectTime: createdAt,
    disconnectTime: d.connected ? 0 : createdAt,
    ownerUserId: 1,
    hardwareInfo: {
      version: '1.0.0',
      fwType: 'SIM',
      blynkVersion: '1.3.2',
      boardType: 'Simulated',
      build: 'sim',
      templateId: `TMPL${d.templateId}`,
    },
    ip: '127.0.0.1',
    isLocked: false,
    lastReceivedEventAt: d.events.length ? d.events[d.events.length - 1].at : 0,
  });

  /**
   * An item of the device list and search pages: the list's `Device` schema
   * (https://docs.blynk.io/en/blynk.cloud/platform-https-api/devices), which has no lifecycleStatus,
   * connect times, ip or isLocked; the older page's example item has the same fields
   * (blynkkk/docs@89f30f5b devices-api/get-all-devices.md).
   */
  const listItem = (d: DeviceState) => {
    const b = baseInfo(d);
    const { id, name, templateId, originalTemplateId, token, activatedAt, ownerUserId, hardwareInfo } = b;
    return { id, name, templateId, originalTemplateId, orgId: b.orgId, token, activatedAt, ownerUserId, hardwareInfo };
  };

  const organization = () => ({
    id: orgId,
    name: demo.org.name,
    description: 'Blynk cloud simulator',
    isActive: true,
    tz: 'Europe/Kyiv',
    unitSystem: 'METRIC',
    phoneNumber: '',
    address: { fullAddress: '', city: '', country: '', state: '', zip: '' },
    lastModifiedTs: createdAt,
  });

  /** The stream a Platform query names by `dataStreamId` or `pin`, or an error reply. */
  const streamOfQuery = (req: SimRequest): DemoDatastream | Reply => {
    const rawId = first(req.query, 'dataStreamId');
    if (rawId !== undefined) return streamOfId(rawId);
    const pin = first(req.query, 'pin');
    if (pin === undefined) return apiError(400, 'Bad request - dataStreamId or pin is required.');
    return store.stream(pin) ?? streamNotFound(pin);
  };

  const timelineOf = (d: DeviceState) =>
    d.events
      .map((e, i) => {
        const index = demo.template.events.findIndex((t) => t.code === e.code);
        return {
          id: d.id * 100_000 + i + 1,
          eventId: index + 1,
          orgId,
          eventType: demo.template.events[index]?.type ?? 'INFORMATION',
          description: e.description ?? '',
          ts: e.at,
          isResolved: false,
          resolvedAt: 0,
          resolvedComment: '',
        };
      })
      .reverse(); // order undocumented: newest first

  const fullInfo = (d: DeviceState) => ({
    ...baseInfo(d),
    dataStreamValues: demo.template.datastreams.map((ds) => streamValue(d, ds)),
    metaFieldValues: d.metaFields.map((f) => ({ id: f.id, name: f.name, value: { type: 'Text', value: f.value } })),
  });

  return {
    'GET /api/v1/organization/profile': authed(() => json(200, organization())),
    'POST /api/v1/organization/oauth/clients/create': authed(createOAuthClient),

    // [L] by id; the simulator knows only its own organisation.
    'GET /api/v1/organization': authed((req) => {
      const raw = first(req.query, 'orgId');
      const id = raw === undefined ? orgId : toId(raw);
      if (id === undefined) return apiError(400, 'Bad request - Invalid orgId.');
      return id === orgId ? json(200, organization()) : apiError(404, `Organization with identifier ${id} is not found.`);
    }),

    'GET /api/v1/organization/devices': authed((req) => pageReply([...store.devices.values()].map(listItem), req.query, 50)),

    'GET /api/v1/organization/search/devices': authed((req) => {
      const query = first(req.query, 'query');
      if (query === undefined || query === '' || query.length > 255) return apiError(400, 'Bad request - Invalid query.');
      const order = (first(req.query, 'sortOrder') ?? 'ASC').toUpperCase();
      if (order !== 'ASC' && order !== 'DESC') return apiError(400, 'Bad request - Invalid sortOrder.');
      const needle = query.toLowerCase();
      const found = [...store.devices.values()].filter((d) => d.name.toLowerCase().includes(needle) || String(d.id) === query);
      // sortBy is undocumented: Name and Device Id are honoured; any other value keeps id order.
      const sortBy = first(req.query, 'sortBy');
      if (sortBy === 'Name') found.sort((a, b) => a.name.localeCompare(b.name));
      else found.sort((a, b) => a.id - b.id);
      if (order === 'DESC') found.reverse();
      return pageReply(found.map(listItem), req.query, 50);
    }),

    'GET /api/v1/organization/device': authed((req) => withDevice(first(req.query, 'deviceId'), (d) => json(200, fullInfo(d)))),

    'GET /api/v1/organization/device/baseInfo': authed((req) => withDevice(first(req.query, 'deviceId'), (d) => json(200, baseInfo(d)))),

    'GET /api/v1/organization/device/online': authed((req) =>
      withDevice(first(req.query, 'deviceId'), (d) => json(200, { connected: d.connected })),
    ),

    'GET /api/v2/organization/device/datastreams': authed((req) =>
      withDevice(first(req.query, 'deviceId'), (d) => {
        // Array encoding is undocumented: repeated keys and comma lists are both accepted.
        const raw = all(req.query, 'dataStreamIds')
          .flatMap((s) => s.split(','))
          .filter((s) => s !== '');
        if (raw.length === 0)
          return json(
            200,
            demo.template.datastreams.map((ds) => streamValue(d, ds)),
          );
        const ids = raw.map(toId);
        if (ids.some((id) => id === undefined)) return apiError(400, 'Bad request - Invalid dataStreamIds.');
        // Unknown ids are undocumented: tolerant, silently skipped.
        const streams = ids.map((id) => store.stream(id as number)).filter((ds): ds is DemoDatastream => !!ds);
        return json(
          200,
          streams.map((ds) => streamValue(d, ds)),
        );
      }),
    ),

    // Legacy read, still answered: flat map keyed by pin.
    'GET /api/v1/organization/device/datastreams': authed((req) =>
      withDevice(first(req.query, 'deviceId'), (d) => {
        const pins = all(req.query, 'pins')
          .flatMap((s) => s.split(','))
          .filter((s) => s !== '');
        return json(200, store.valuesByPin(d, pins.length ? pins.map((p) => store.stream(p)) : demo.template.datastreams));
      }),
    ),

    'POST /api/v1/organization/device/datastream': authed((req) =>
      withBody(req, (b) =>
        withDevice(b.deviceId, (d) => {
          const ds = streamOfId(b.dataStreamId);
          if ('status' in ds) return ds;
          const value = coerceValue(ds, b.value);
          if (value === undefined) return apiError(400, 'Bad request - Invalid value');
          store.setValue(d, ds, value);
          return noContent();
        }),
      ),
    ),

    'POST /api/v1/organization/device/datastreams': authed((req) =>
      withBody(req, (b) =>
        withDevice(b.deviceId, (d) => {
          const values = b.values;
          if (typeof values !== 'object' || values === null || Array.isArray(values)) {
            return apiError(400, 'Bad request - Invalid values');
          }
          // Validate everything first, so a bad entry changes nothing.
          const updates: [DemoDatastream, DatastreamValue][] = [];
          for (const [key, raw] of Object.entries(values)) {
            const id = toId(key);
            if (id === undefined) return apiError(400, 'Bad request - Invalid values');
            const ds = store.stream(id);
            if (!ds) return streamNotFound(key);
            const value = coerceValue(ds, raw);
            if (value === undefined) return apiError(400, 'Bad request - Invalid values');
            updates.push([ds, value]);
          }
          store.setValues(d, updates);
          return noContent();
        }),
      ),
    ),

    'POST /api/v1/organization/device/datastream/property': authed((req) =>
      withBody(req, (b) =>
        withDevice(b.deviceId, (d) => {
          const ds = streamOfId(b.dataStreamId);
          if ('status' in ds) return ds;
          if (typeof b.property !== 'string' || b.property === '') return apiError(400, 'Bad request - Invalid property.');
          // The property list is unpublished: tolerant, any name is stored; the value is kept as text.
          if (typeof b.value !== 'string' && typeof b.value !== 'number' && typeof b.value !== 'boolean') {
            return apiError(400, 'Bad request - Invalid value');
          }
          store.setProperties(d, ds.pin, { [b.property]: String(b.value) });
          return noContent();
        }),
      ),
    ),

    'POST /api/v1/organization/device/trigger-event': authed((req) =>
      withBody(req, (b) =>
        withDevice(b.deviceId, (d) => {
          const code = b.eventCode;
          const description = b.eventDescription;
          if (typeof code !== 'string' || code === '') return apiError(400, 'Bad request - Event code is required.');
          if (description !== undefined && description !== null && typeof description !== 'string') {
            return apiError(400, 'Bad request - Invalid eventDescription.');
          }
          if (!store.eventCodes.has(code)) return apiError(404, 'Event with provided code is not found.');
          if (code.length + (description?.length ?? 0) > MAX_EVENT_TEXT) {
            return apiError(400, 'Bad request - Event code and description must not exceed 1024 symbols.');
          }
          store.logEvent(d, code, description, 'platform');
          return noContent();
        }),
      ),
    ),

    // Response shape of the older history page: a page of {createdAt, value}; order undocumented: newest first.
    'GET /api/v1/organization/device/datastream/history': authed((req) =>
      withDevice(first(req.query, 'deviceId'), (d) => {
        const ds = streamOfQuery(req);
        if ('status' in ds) return ds;
        const from = first(req.query, 'from');
        const to = first(req.query, 'to');
        const fromTs = from === undefined ? 0 : Number(from);
        const toTs = to === undefined ? Number.MAX_SAFE_INTEGER : Number(to);
        if (!Number.isFinite(fromTs) || !Number.isFinite(toTs)) return apiError(400, 'Bad request - Invalid from/to.');
        const points = (d.history.get(ds.id) ?? [])
          .filter((p) => p.updatedAt >= fromTs && p.updatedAt <= toTs)
          .map((p) => ({ createdAt: p.updatedAt, value: p.value }))
          .reverse();
        return pageReply(points, req.query, 50);
      }),
    ),

    // An accepted import: 204 No Content (blynkkk/docs@89f30f5b import-datastream-values.md; the
    // current page leaves the 2xx undocumented).
    'POST /api/v1/organization/device/import/batch': authed((req) =>
      withBody(req, (b) =>
        withDevice(b.deviceId, (d) => {
          const ds = streamOfId(b.dataStreamId);
          if ('status' in ds) return ds;
          if (!Array.isArray(b.values) || b.values.length === 0) return apiError(400, 'Bad request - Invalid values');
          const now = Date.now();
          const day = Math.floor(now / DAY_MS);
          const today = imported.get(d);
          const count = today && today.day === day ? today.count : 0;
          // The answer over the daily limit is undocumented.
          if (count + b.values.length > MAX_IMPORT_POINTS_PER_DAY) return apiError(400, 'Bad request - Too many values.');
          const oldest = oldestImportTs(now);
          const points: StoredValue[] = [];
          for (const item of b.values as unknown[]) {
            const p = item as { value?: unknown; ts?: unknown };
            if (typeof item !== 'object' || item === null || typeof p.ts !== 'number' || !Number.isFinite(p.ts) || p.ts < oldest) {
              return apiError(400, 'Bad request - Invalid values');
            }
            const value = coerceValue(ds, p.value);
            if (value === undefined) return apiError(400, 'Bad request - Invalid values');
            points.push({ value, updatedAt: p.ts });
          }
          imported.set(d, { day, count: count + points.length });
          for (const p of points) store.record(d, ds, p.value, p.updatedAt);
          const newest = points.reduce((a, p) => (p.updatedAt > a.updatedAt ? p : a));
          const current = d.values.get(ds.id);
          if (!current || newest.updatedAt >= current.updatedAt) d.values.set(ds.id, { ...newest });
          return noContent();
        }),
      ),
    ),

    'GET /api/v1/organization/device/timeline': authed((req) =>
      withDevice(first(req.query, 'deviceId'), (d) => {
        const type = first(req.query, 'eventType');
        const list = timelineOf(d).filter((e) => type === undefined || e.eventType === type);
        return pageReply(list, req.query, 20);
      }),
    ),

    'POST /api/v1/organization/device/metafield': authed((req) =>
      withBody(req, (b) =>
        withDevice(b.deviceId, (d) => {
          const id = toId(b.metaFieldId);
          const field = id === undefined ? undefined : d.metaFields.find((f) => f.id === id);
          if (!field) return apiError(404, 'Meta field is not found.');
          const v = b.newValue;
          if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) {
            return apiError(400, 'The provided value for metafield is invalid.');
          }
          field.value = String(v);
          return noContent();
        }),
      ),
    ),

    'GET /api/v1/organization/device/metafield': authed((req) =>
      withDevice(first(req.query, 'deviceId'), (d) =>
        json(
          200,
          d.metaFields.map((f) => ({ ...f })),
        ),
      ),
    ),

    ...webhooks.platformRoutes((h) => authed((req) => h(req)), orgId),

    'GET /api/v1/organization/template/datastreams': authed((req) => {
      const id = toId(first(req.query, 'templateId'));
      if (id !== demo.template.id) return apiError(404, `Template with identifier ${String(id)} is not found.`);
      return json(
        200,
        demo.template.datastreams.map((ds) => ({
          id: ds.id,
          label: ds.label,
          alias: ds.alias,
          type: TEMPLATE_TYPE[ds.dataType],
          pin: Number(ds.pin.slice(1)),
          pinType: 'VIRTUAL',
          isAnalogPin: false,
          isRaw: false,
          isHistory: true,
          isForService: false,
          isForReports: false,
          isForActions: true,
          isForConditions: true,
          isSync: false,
          ...(ds.min !== undefined ? { min: ds.min } : {}),
          ...(ds.max !== undefined ? { max: ds.max } : {}),
        })),
      );
    }),
  };
}
