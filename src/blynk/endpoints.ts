import { BlynkError } from './errors';
import { HttpMethod, QueryEntries } from './transport';
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
