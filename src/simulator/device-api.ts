// Device HTTPS API: device auth token in the query, errors are 400 JSON.
import { createHash, randomBytes } from 'node:crypto';
import { all, apiError, first, json, parseMultipart, text, toId, type Handler, type Query, type Reply, type SimRequest } from './http';
import type { RateLimiter } from './limits';
import type { Store } from './store';
import type { DatastreamValue, DemoDatastream, DeviceState } from './types';
import { coerceValue, valueText } from './values';

interface Deps {
  store: Store;
  limiter: RateLimiter;
}

/** upload-a-file: "Each file should be up to 5MB", "Each device may hold up to 10 files", "can upload up to 1,000". */
export const DEVICE_FILE_MAX = 5 * 1024 * 1024;
const DEVICE_FILES_KEPT = 10;
const DEVICE_UPLOADS_MAX = 1000;
const DAY_MS = 24 * 3600 * 1000;
/** get-device-report: the periods, with how far back each reaches. */
const REPORT_PERIODS: Record<string, number> = {
  HOUR: 3600 * 1000,
  DAY: DAY_MS,
  WEEK: 7 * DAY_MS,
  MONTH: 30 * DAY_MS,
  THREE_MONTHS: 90 * DAY_MS,
};
const REPORT_CHOICES: Record<string, readonly string[]> = {
  granularityType: ['RAW_DATA', 'MINUTE', 'HOURLY', 'DAILY'],
  sourceType: ['AVG', 'MIN', 'MAX', 'SUM', 'COUNT'],
  format: ['TS', 'ISO_US', 'ISO_SIMPLE'],
  output: ['FILE', 'JSON'],
  sendEvents: ['true', 'false'],
};
const MAX_DESCRIPTION = 300; // longer descriptions "will be discarded" (Blynk's words): we keep the first 300
const MAX_BATCH = 10_000;

const WRONG_PIN = 'Wrong pin format.';
const NO_STREAM = 'No datastream setup for that pin.';
const BAD_VALUE = "Value doesn't match the Datastream data type.";
const bad = (message: string): Reply => apiError(400, message);
const ok = (): Reply => ({ status: 200 });

/** 'v1' / 'V1' → 'v1' (pin case is undocumented: tolerant, both accepted). Analog/digital pins parse but have no stream. */
function normalizePin(key: string | undefined): string | undefined {
  const m = key === undefined ? null : /^([vVaAdD])(\d{1,4})$/.exec(key);
  return m ? `${m[1].toLowerCase()}${Number(m[2])}` : undefined;
}

export function deviceRoutes({ store, limiter }: Deps): Record<string, Handler> {
  const productName = store.demo.template.name;

  /** Token check and the per-device limit, in front of every route. */
  const device =
    (h: (req: SimRequest, d: DeviceState) => Reply): Handler =>
    (req) => {
      const token = first(req.query, 'token');
      const d = token === undefined ? undefined : store.device(token);
      if (!d) return bad('Invalid token.');
      // The Device API's rate-limit answer is undocumented: 429 with the Platform error body.
      if (!limiter.allowDevice(d.token)) return apiError(429, 'Too many requests');
      return h(req, d);
    };

  const notInProduct = `Requested dataStream doesn't exist in the product ${productName}`;

  /** The stream a `pin=`/bare-pin key names, or an error reply (`missing` when no stream has that pin). */
  const streamForPin = (key: string | undefined, missing = NO_STREAM): DemoDatastream | Reply => {
    const pin = normalizePin(key);
    if (pin === undefined) return bad(WRONG_PIN);
    return store.stream(pin) ?? bad(missing);
  };

  /** The stream `dataStreamId=` names, or an error reply (`missing` when no stream has that id). */
  const streamForId = (q: Query, missing: string): DemoDatastream | Reply => {
    const id = toId(first(q, 'dataStreamId'));
    if (id === undefined) return bad('Wrong dataStreamId format.');
    return store.stream(id) ?? bad(missing);
  };

  /** The writes an update query asks for (all validated before any is applied). */
  const parseUpdates = (q: Query): [DemoDatastream, DatastreamValue][] | Reply => {
    let targets: [DemoDatastream | Reply, string[]][];
    if (q.dataStreamId !== undefined) {
      targets = [[streamForId(q, NO_STREAM), all(q, 'value')]];
    } else if (q.pin !== undefined) {
      targets = [[streamForPin(first(q, 'pin')), all(q, 'value')]];
    } else {
      targets = Object.keys(q)
        .filter((k) => k !== 'token')
        .map((k): [DemoDatastream | Reply, string[]] => [streamForPin(k), all(q, k)]);
      if (targets.length === 0) return bad(WRONG_PIN);
    }
    const updates: [DemoDatastream, DatastreamValue][] = [];
    for (const [ds, raw] of targets) {
      if ('status' in ds) return ds;
      const value = coerceValue(ds, raw);
      if (value === undefined) return bad(BAD_VALUE);
      updates.push([ds, value]);
    }
    return updates;
  };

  const update = (okReply: () => Reply) =>
    device((req, d) => {
      const updates = parseUpdates(req.query);
      if (!Array.isArray(updates)) return updates;
      store.setValues(d, updates);
      return okReply();
    });

  return {
    'GET /external/api/update': update(ok),
    'GET /external/api/batch/update': update(() => text(200, 'OK')),

    // Timestamped upload: the newest point becomes the current value.
    'POST /external/api/batch/update': device((req, d) => {
      const ds = streamForPin(first(req.query, 'pin'));
      if ('status' in ds) return ds;
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return bad('Unknown content type.');
      if (req.jsonError || !Array.isArray(req.json)) return bad(BAD_VALUE);
      if (req.json.length > MAX_BATCH) return bad('Too much data in batch. Maximum batch size is 10000 points.');
      const points: { value: DatastreamValue; ts: number }[] = [];
      for (const point of req.json as unknown[]) {
        if (!Array.isArray(point) || point.length !== 2 || typeof point[0] !== 'number') return bad(BAD_VALUE);
        const value = coerceValue(ds, typeof point[1] === 'boolean' ? Number(point[1]) : point[1]);
        if (value === undefined) return bad(BAD_VALUE);
        points.push({ value, ts: point[0] });
      }
      // Every point goes into the history; the newest also becomes the current value.
      let latest: { value: DatastreamValue; ts: number } | undefined;
      for (const p of points) if (!latest || p.ts >= latest.ts) latest = p;
      for (const p of points) if (p !== latest) store.record(d, ds, p.value, p.ts);
      if (latest) store.setValue(d, ds, latest.value, latest.ts);
      return text(200, 'OK');
    }),

    'GET /external/api/get': device((req, d) => {
      const q = req.query;
      const streams: DemoDatastream[] = [];
      if (q.dataStreamId !== undefined) {
        const ds = streamForId(q, notInProduct);
        if ('status' in ds) return ds;
        streams.push(ds);
      } else {
        const keys = Object.keys(q).filter((k) => k !== 'token');
        if (keys.length === 0) return bad(WRONG_PIN);
        for (const k of keys) {
          const ds = streamForPin(k, notInProduct);
          if ('status' in ds) return ds;
          streams.push(ds);
        }
      }
      if (streams.length === 1) {
        const v = d.values.get(streams[0].id);
        return text(200, v ? valueText(v.value) : ''); // a never-set stream (undocumented): empty body
      }
      // Keyed by the stream's (lowercase) pin, which is what each normalized key looked up.
      return json(200, store.valuesByPin(d, streams));
    }),

    'GET /external/api/getAll': device((_req, d) => json(200, store.valuesByPin(d))),

    'GET /external/api/logEvent': device((req, d) => {
      const code = first(req.query, 'code');
      if (!code) return bad('Event code is not provided.');
      if (!store.eventCodes.has(code)) return bad("Can't find Event with this code in Product template");
      const description = first(req.query, 'description')?.slice(0, MAX_DESCRIPTION);
      store.logEvent(d, code, description, 'device');
      return ok();
    }),

    'GET /external/api/isHardwareConnected': device((_req, d) => text(200, String(d.connected))),

    // Completes WiFi provisioning: the answer's body is undocumented, so the simulator sends none
    // (the empty 200 its other writes send); a template id is what every example of the page sends.
    'GET /external/api/provision': device((req) => (first(req.query, 'templateId') ? ok() : bad('Template identifier is not provided.'))),

    'GET /external/api/update/property': device((req, d) => {
      const ds = streamForPin(first(req.query, 'pin'));
      if ('status' in ds) return ds;
      const props: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.query)) if (k !== 'token' && k !== 'pin') props[k] = v;
      // No property given (undocumented): tolerant, nothing changes.
      store.setProperties(d, ds.pin, props);
      return ok();
    }),

    // The report's link, as get-device-report shows it. The page's output=JSON (rows instead of a file)
    // is not served: the package never asks for it, and the contract transcribes the link answer only.
    'GET /external/api/data/get': device((req, d) => {
      const q = req.query;
      const period = first(q, 'period') ?? 'MONTH';
      // The page's example of a wrong constant: the server's own enum name in a 500.
      if (!(period in REPORT_PERIODS))
        return apiError(500, `No enum constant cc.blynk.server.core.model.widgets.outputs.graph.Period.${period}`);
      for (const [key, choices] of Object.entries(REPORT_CHOICES)) {
        const v = first(q, key);
        if (v !== undefined && !choices.includes(v)) return bad('Request with incorrect parameters');
      }
      const granularity = first(q, 'granularityType') ?? 'RAW_DATA';
      if (period === 'THREE_MONTHS' && granularity === 'RAW_DATA') return bad('Request with incorrect parameters');
      let streams = store.demo.template.datastreams;
      if (q.dataStreamId !== undefined) {
        const id = toId(first(q, 'dataStreamId'));
        if (id === undefined) return bad('Request with incorrect parameters');
        const ds = store.stream(id);
        if (!ds) return apiError(500, 'No data');
        streams = [ds];
      } else if (q.pin !== undefined) {
        const pin = normalizePin(first(q, 'pin'));
        if (pin === undefined) return bad(WRONG_PIN);
        const ds = store.stream(pin);
        if (!ds) return apiError(500, 'No data');
        streams = [ds];
      }
      const since = Date.now() - REPORT_PERIODS[period];
      const rows = streams.flatMap((ds) =>
        (d.history.get(ds.id) ?? [])
          .filter((p) => p.updatedAt >= since)
          .map((p) => ({ data_stream_name: ds.label, ts: p.updatedAt, value: p.value })),
      );
      if (rows.length === 0) return apiError(500, 'No data');
      const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
      return json(200, { link: `${originOf(req)}/device_data_${d.id}_${stamp}.zip` });
    }),

    // upload-a-file: the form's `upfile`, answered with the file's URL as plain text.
    'POST /external/api/upload': device((req, d) => {
      const file = parseMultipart(req.bytes, req.headers['content-type'])?.find((p) => p.name === 'upfile' && p.filename !== undefined);
      // Undocumented: no file in the form. Tolerant of the cause, a 400 as for other bad requests.
      if (!file || !file.filename) return bad('No file to upload.');
      // Undocumented answer to a file over the documented 5 MB.
      if (file.data.length > DEVICE_FILE_MAX) return apiError(413, 'File is too large.');
      const ext = /\.[A-Za-z0-9]{1,10}$/.exec(file.filename)?.[0] ?? '';
      const url = `${originOf(req)}/device_uploads/${d.id}/${randomBytes(24).toString('base64url')}${ext}`;
      const kept = store.addFile(
        d,
        {
          name: file.filename,
          size: file.data.length,
          ...(file.type ? { type: file.type } : {}),
          url,
          md5: createHash('md5').update(file.data).digest('hex'),
          at: Date.now(),
        },
        DEVICE_FILES_KEPT,
        DEVICE_UPLOADS_MAX,
      );
      if (!kept) return apiError(403, 'File uploads limit has been reached.');
      return text(200, url);
    }),

    'GET /external/api/device/meta': device((req, d) => {
      const field = findMeta(req.query, d);
      if (typeof field === 'string') return bad(field);
      return json(200, { type: 'Text', value: field.value });
    }),

    'GET /external/api/device/meta/update': device((req, d) => {
      const field = findMeta(req.query, d);
      if (typeof field === 'string') return bad(field);
      const value = first(req.query, 'value');
      if (value === undefined) return bad('Wrong value');
      field.value = value;
      return ok();
    }),
  };
}

/** A metafield by `metaFieldId` or exact `metaFieldName`, or the error text. */
function findMeta(q: Query, d: DeviceState): DeviceState['metaFields'][number] | string {
  const idRaw = first(q, 'metaFieldId');
  const name = first(q, 'metaFieldName');
  if (idRaw === undefined && name === undefined) return 'Wrong metaField format.';
  const id = toId(idRaw);
  // The prose allows the exact field name in metaFieldId too: a non-numeric metaFieldId is a name.
  const byName = idRaw ?? name;
  return d.metaFields.find((f) => (id !== undefined ? f.id === id : f.name === byName)) ?? "MetaField doesn't exist.";
}

/** The server as the client addressed it, for the URLs the answers give. */
export function originOf(req: SimRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}
