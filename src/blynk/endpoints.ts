import { BlynkError } from './errors';
import { HttpMethod, Multipart, QueryEntries } from './transport';
import {
  batchOf,
  DatastreamValue,
  dataStreamIdOf,
  deviceEventDescriptionOf,
  deviceIdOf,
  eventCodeOf,
  eventDescriptionOf,
  isPlainObject,
  pinOf,
  pinsOf,
  propertyNameOf,
  propertyValuesOf,
  queryValues,
  datastreamValueOf,
  metaFieldOf,
  quoteValue,
  REPORT_OPTIONS,
  ReportOption,
  scalarText,
  fileDataOf,
  fileNameOf,
} from './validate';

/**
 * One Blynk call, described as data. Each builder validates its input and throws a BlynkError
 * before anything is sent; adding an endpoint means adding one builder here.
 */
export interface ApiCall {
  /** `platform`: OAuth Bearer token; `device`: the device auth token is in the query. */
  api: 'platform' | 'device';
  method: HttpMethod;
  path: string;
  query?: QueryEntries;
  body?: unknown;
  /** A file upload (`multipart/form-data`) instead of a JSON body. */
  multipart?: Multipart;
  /** Whether sending it twice is harmless, so that a lost answer may be retried. */
  idempotent: boolean;
  /** Secrets the request carries in its body (a webhook's Basic password): redacted wherever the answer echoes them. */
  secrets?: readonly string[];
}

/** The prefix of the Platform API's organisation paths. */
export const ORG = '/api/v1/organization';

export function organizationProfile(): ApiCall {
  return { api: 'platform', method: 'GET', path: `${ORG}/profile`, idempotent: true };
}

export function getDevice(deviceId: unknown): ApiCall {
  const id = deviceIdOf(deviceId);
  return { api: 'platform', method: 'GET', path: `${ORG}/device`, query: [['deviceId', String(id)]], idempotent: true };
}

/** The device's datastreams with their pins and values (v2), of an already validated device id. */
export function deviceDatastreams(deviceId: number): ApiCall {
  return {
    api: 'platform',
    method: 'GET',
    path: '/api/v2/organization/device/datastreams',
    query: [['deviceId', String(deviceId)]],
    idempotent: true,
  };
}

/** One value to one datastream, all already validated. Idempotent: setting it twice leaves the same state. */
export function datastreamWrite(deviceId: number, dataStreamId: number, value: DatastreamValue): ApiCall {
  return { api: 'platform', method: 'POST', path: `${ORG}/device/datastream`, body: { deviceId, dataStreamId, value }, idempotent: true };
}

/** Validated values keyed by datastream id, in one multi-datastream request. Idempotent too. */
export function datastreamsWrite(deviceId: number, values: Record<string, DatastreamValue>): ApiCall {
  return { api: 'platform', method: 'POST', path: `${ORG}/device/datastreams`, body: { deviceId, values }, idempotent: true };
}

/**
 * A single value goes to one datastream; a plain object `{ "<datastreamId>": value }` becomes one
 * multi-datastream request. Setting a value twice leaves the same state, so both are idempotent.
 */
export function writeDatastream(deviceId: unknown, dataStreamId: unknown, payload: unknown): ApiCall {
  const id = deviceIdOf(deviceId);
  if (isPlainObject(payload)) {
    const values: Record<string, DatastreamValue> = {};
    for (const [key, value] of batchOf(payload, dataStreamIdOf)) values[String(key)] = value;
    return datastreamsWrite(id, values);
  }
  const value = datastreamValueOf(payload);
  return datastreamWrite(id, dataStreamIdOf(dataStreamId), value);
}

/** Logging an event twice logs it twice: never retried after a lost answer. */
export function triggerEvent(deviceId: unknown, eventCode: unknown, description: unknown): ApiCall {
  const id = deviceIdOf(deviceId);
  const code = eventCodeOf(eventCode);
  const eventDescription = eventDescriptionOf(code, description);
  const body = eventDescription === undefined ? { deviceId: id, eventCode: code } : { deviceId: id, eventCode: code, eventDescription };
  return { api: 'platform', method: 'POST', path: `${ORG}/device/trigger-event`, body, idempotent: false };
}

export function deviceTokenOf(token: unknown): string {
  if (typeof token !== 'string' || !token.trim()) throw new BlynkError('NO_DEVICE_TOKEN');
  return token.trim();
}

/**
 * Device HTTPS API update: `{ "V1": 20, "V2": "on" }` becomes one batch request, a single value
 * one update of `pin`. A `[lon, lat]` value repeats `value` as Blynk documents.
 */
export function deviceUpdate(token: unknown, pin: unknown, payload: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  if (isPlainObject(payload)) {
    const query: Array<[string, string]> = [['token', auth]];
    for (const [key, value] of batchOf(payload, pinOf)) {
      for (const text of queryValues(value)) query.push([key, text]);
    }
    return { api: 'device', method: 'GET', path: '/external/api/batch/update', query, idempotent: true };
  }
  const value = datastreamValueOf(payload);
  const name = pinOf(pin);
  const query: Array<[string, string]> = Array.isArray(value)
    ? [['token', auth], ['pin', name], ...queryValues(value).map((v): [string, string] => ['value', v])]
    : [
        ['token', auth],
        [name, String(value)],
      ];
  return { api: 'device', method: 'GET', path: '/external/api/update', query, idempotent: true };
}

/** What a device read asks for: pins, every stored value, or whether the hardware is online. */
export type DeviceReadMode = 'pins' | 'all' | 'connected';

/**
 * Device HTTPS API reads. One pin is `get?token=…&v1` (Blynk answers with the value as text), several
 * are `get?token=…&v1&v2` (a JSON object keyed by pin), `all` is `getAll`, `connected` is
 * `isHardwareConnected` (`true`/`false`).
 */
export function deviceRead(token: unknown, mode: DeviceReadMode, pins?: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  if (mode === 'all') return { api: 'device', method: 'GET', path: '/external/api/getAll', query: [['token', auth]], idempotent: true };
  if (mode === 'connected') {
    return { api: 'device', method: 'GET', path: '/external/api/isHardwareConnected', query: [['token', auth]], idempotent: true };
  }
  const query: Array<[string, string] | [string]> = [['token', auth]];
  for (const pin of pinsOf(pins)) query.push([pin]);
  return { api: 'device', method: 'GET', path: '/external/api/get', query, idempotent: true };
}

/** Device API `logEvent`: like the Platform one, logging twice logs twice, so never retried. */
export function deviceLogEvent(token: unknown, eventCode: unknown, description: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  const code = eventCodeOf(eventCode);
  const text = deviceEventDescriptionOf(description);
  const query: Array<[string, string]> = [
    ['token', auth],
    ['code', code],
  ];
  if (text !== undefined) query.push(['description', text]);
  return { api: 'device', method: 'GET', path: '/external/api/logEvent', query, idempotent: false };
}

/** Device API widget property of a pin: `update/property?token=…&pin=v1&label=…` (repeated for lists). */
export function deviceProperty(token: unknown, pin: unknown, property: unknown, value: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  const name = pinOf(pin);
  const key = propertyNameOf(property);
  const query: Array<[string, string]> = [
    ['token', auth],
    ['pin', name],
  ];
  for (const text of propertyValuesOf(value)) query.push([key, text]);
  return { api: 'device', method: 'GET', path: '/external/api/update/property', query, idempotent: true };
}

/**
 * Device API metadata read: `device/meta?token=…&metaFieldId=…`. The page names only
 * `metaFieldId` and says a field's exact name works there too, so a name goes in it.
 */
export function deviceMetaRead(token: unknown, field: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  const f = metaFieldOf(field);
  const query: Array<[string, string]> = [
    ['token', auth],
    ['metaFieldId', 'id' in f ? String(f.id) : f.name],
  ];
  return { api: 'device', method: 'GET', path: '/external/api/device/meta', query, idempotent: true };
}

/** Device API metadata update: `device/meta/update?token=…&metaFieldId=…|metaFieldName=…&value=…` (single-value fields). */
export function deviceMetaUpdate(token: unknown, field: unknown, value: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  const f = metaFieldOf(field);
  const text = scalarText(value);
  if (text === undefined) throw new BlynkError('INVALID_VALUE', { value: quoteValue(value) });
  const query: Array<[string, string]> = [
    ['token', auth],
    'id' in f ? ['metaFieldId', String(f.id)] : ['metaFieldName', f.name],
    ['value', text],
  ];
  return { api: 'device', method: 'GET', path: '/external/api/device/meta/update', query, idempotent: true };
}

/** Blynk's documented largest timestamped set (per request, and per device per day). */
export const MAX_TIMESTAMPED_POINTS = 10_000;
/** Below this a timestamp is taken for seconds, not the milliseconds Blynk wants (1e11 ms is in 1973). */
const MIN_TS_MS = 1e11;

type TimestampedValue = string | number | boolean | [number, number];

function pointValueOf(value: unknown): TimestampedValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value) && value.length === 2 && value.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return [value[0] as number, value[1] as number];
  }
  return undefined;
}

function pointTsOf(value: unknown): number | undefined {
  const ts = value instanceof Date ? value.getTime() : value;
  return typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= MIN_TS_MS ? ts : undefined;
}

/**
 * Readings with their own times, as the timestamped upload takes them: `[[ts, value], …]`, from
 * `[ts, value]` pairs or `{ts, value}` objects; ts in milliseconds (a Date too), value typed as
 * the datastream (a boolean stays a JSON boolean, as the page's Boolean row shows).
 */
export function timestampedPointsOf(payload: unknown): Array<[number, TimestampedValue]> {
  const refuse = (value: unknown): never => {
    throw new BlynkError('INVALID_POINTS', { value: quoteValue(value) });
  };
  if (!Array.isArray(payload) || payload.length === 0 || payload.length > MAX_TIMESTAMPED_POINTS) refuse(payload);
  return (payload as unknown[]).map((point) => {
    const [rawTs, rawValue] = Array.isArray(point) && point.length === 2 ? point : isPlainObject(point) ? [point.ts, point.value] : [];
    const ts = pointTsOf(rawTs);
    const value = pointValueOf(rawValue);
    return ts === undefined || value === undefined ? refuse(point) : [ts, value];
  });
}

/**
 * Device API timestamped upload: `POST batch/update?token=…&pin=v1` with `[[ts, value], …]`.
 * Points are appended (a lost answer retried could store them twice), so never retried.
 */
export function deviceTimestampedUpload(token: unknown, pin: unknown, payload: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  const name = pinOf(pin);
  const body = timestampedPointsOf(payload);
  const query: Array<[string, string]> = [
    ['token', auth],
    ['pin', name],
  ];
  return { api: 'device', method: 'POST', path: '/external/api/batch/update', query, body, idempotent: false };
}

export interface ReportRequest {
  period?: unknown;
  granularityType?: unknown;
  sourceType?: unknown;
  format?: unknown;
  /** A java.time.ZoneId: an IANA zone (`Europe/Berlin`), `UTC`, or an offset (`+02:00`). */
  tzName?: unknown;
  sendEvents?: unknown;
  /** A pin (`V1`) or a datastream id; empty for every datastream. */
  datastream?: unknown;
}

function reportOptionOf(option: ReportOption, value: unknown): string {
  const list: readonly string[] = REPORT_OPTIONS[option];
  if (value === undefined || value === null || value === '') return list[0];
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!list.includes(text)) throw new BlynkError('INVALID_REPORT_OPTION', { detail: option, value: quoteValue(value) });
  return text;
}

const ZONE_OFFSET = /^(UTC|GMT|UT)?[+-]\d{1,2}(:\d{2})?$/;

function tzNameOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'UTC';
  const text = typeof value === 'string' ? value.trim() : '';
  let known = text === 'UTC' || text === 'Z' || ZONE_OFFSET.test(text);
  if (!known && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(text)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: text });
      known = true;
    } catch {
      known = false;
    }
  }
  if (!known) throw new BlynkError('INVALID_REPORT_OPTION', { detail: 'tzName', value: quoteValue(value) });
  return text;
}

/**
 * Device API report (`data/get`): the link to a file of the device's data over a period, with the
 * page's granularity, source, time zone and format options, for one datastream (a pin or an id)
 * or all of them.
 */
export function deviceReport(token: unknown, options: ReportRequest): ApiCall {
  const auth = deviceTokenOf(token);
  const period = reportOptionOf('period', options.period);
  const granularityType = reportOptionOf('granularityType', options.granularityType);
  // The page: "RAW_DATA is not supported for the THREE_MONTH period".
  if (period === 'THREE_MONTHS' && granularityType === 'RAW_DATA') {
    throw new BlynkError('INVALID_REPORT_OPTION', { detail: 'granularityType', value: quoteValue(granularityType) });
  }
  const query: Array<[string, string]> = [
    ['token', auth],
    ['period', period],
    ['granularityType', granularityType],
    ['sourceType', reportOptionOf('sourceType', options.sourceType)],
    ['tzName', tzNameOf(options.tzName)],
    ['format', reportOptionOf('format', options.format)],
    ['sendEvents', options.sendEvents === true || options.sendEvents === 'true' ? 'true' : 'false'],
    ['output', 'FILE'],
  ];
  const ds = options.datastream;
  if (typeof ds === 'number' || (typeof ds === 'string' && /^\s*\d+\s*$/.test(ds)))
    query.push(['dataStreamId', String(dataStreamIdOf(ds))]);
  else if (ds !== undefined && ds !== null && ds !== '') query.push(['pin', pinOf(ds)]);
  return { api: 'device', method: 'GET', path: '/external/api/data/get', query, idempotent: true };
}

/** The Device API's documented file limit ("Each file should be up to 5MB"). */
export const DEVICE_FILE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * Device API file upload: `POST upload?token=…`, the file in the form field `upfile`. The answer
 * is the file's URL. A file of the same name replaces the earlier one, so sending it again is harmless.
 */
export function deviceFileUpload(token: unknown, data: unknown, fileName: unknown): ApiCall {
  const auth = deviceTokenOf(token);
  const bytes = fileDataOf(data, DEVICE_FILE_MAX_BYTES);
  const name = fileNameOf(fileName);
  return {
    api: 'device',
    method: 'POST',
    path: '/external/api/upload',
    query: [['token', auth]],
    multipart: { file: { field: 'upfile', name, type: 'application/octet-stream', data: bytes }, maxBytes: DEVICE_FILE_MAX_BYTES },
    idempotent: true,
  };
}
