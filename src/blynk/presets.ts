import { ORG } from './endpoints';
import type { HttpMethod } from './transport';

/**
 * A documented Platform API call as the `blynk-cloud-api` dialog offers it: method, path, a
 * skeleton of the query and body for the user to fill in, whether the answer is a page that can be
 * followed to the end, and whether sending it twice is harmless (so a lost answer may be retried).
 *
 * The dialog imports this table too (bundled into its editor script): keep the file free of
 * Node.js and package imports.
 */
export interface Preset {
  id: string;
  method: HttpMethod;
  path: string;
  params?: Record<string, string | number | boolean>;
  body?: Record<string, unknown>;
  paged?: boolean;
  idempotent: boolean;
}

/** The Platform API calls Blynk documents, grouped as its documentation groups them. */
export const PRESETS: readonly Preset[] = [
  // Organization
  { id: 'organization', method: 'GET', path: `${ORG}/profile`, idempotent: true },
  { id: 'organization-by-id', method: 'GET', path: '/api/v1/organization', params: { orgId: 1 }, idempotent: true },
  // Device lists and search
  { id: 'devices', method: 'GET', path: `${ORG}/devices`, params: { page: 0, size: 50 }, paged: true, idempotent: true },
  {
    id: 'devices-search',
    method: 'GET',
    path: `${ORG}/search/devices`,
    params: { query: 'name', sortBy: 'Name', sortOrder: 'ASC', page: 0, size: 50 },
    paged: true,
    idempotent: true,
  },
  // One device
  { id: 'device', method: 'GET', path: `${ORG}/device`, params: { deviceId: 1 }, idempotent: true },
  { id: 'device-base-info', method: 'GET', path: `${ORG}/device/baseInfo`, params: { deviceId: 1 }, idempotent: true },
  { id: 'device-online', method: 'GET', path: `${ORG}/device/online`, params: { deviceId: 1 }, idempotent: true },
  // Datastream values and history
  { id: 'datastream-values', method: 'GET', path: '/api/v2/organization/device/datastreams', params: { deviceId: 1 }, idempotent: true },
  {
    id: 'datastream-history',
    method: 'GET',
    path: `${ORG}/device/datastream/history`,
    params: { deviceId: 1, dataStreamId: 1, from: 0, to: 4102444800000, page: 0, size: 100 },
    paged: true,
    idempotent: true,
  },
  // Datastream writes, import and properties
  {
    id: 'datastream-update',
    method: 'POST',
    path: `${ORG}/device/datastream`,
    body: { deviceId: 1, dataStreamId: 1, value: 0 },
    idempotent: true,
  },
  {
    id: 'datastreams-update',
    method: 'POST',
    path: `${ORG}/device/datastreams`,
    body: { deviceId: 1, values: { '1': 0 } },
    idempotent: true,
  },
  // Blynk does not say whether importing the same points twice stores them twice: not retried
  // after a lost answer.
  {
    id: 'datastream-import',
    method: 'POST',
    path: `${ORG}/device/import/batch`,
    body: { deviceId: 1, dataStreamId: 1, values: [{ value: 0, ts: 0 }] },
    idempotent: false,
  },
  {
    id: 'datastream-property',
    method: 'POST',
    path: `${ORG}/device/datastream/property`,
    body: { deviceId: 1, dataStreamId: 1, property: 'color', value: '#FF0000' },
    idempotent: true,
  },
  // Events
  {
    id: 'log-event',
    method: 'POST',
    path: `${ORG}/device/trigger-event`,
    body: { deviceId: 1, eventCode: 'code', eventDescription: 'description' },
    idempotent: false,
  },
  // Timeline
  {
    id: 'timeline',
    method: 'GET',
    path: `${ORG}/device/timeline`,
    params: { deviceId: 1, page: 0, size: 20 },
    paged: true,
    idempotent: true,
  },
  // Metafields
  { id: 'metafields', method: 'GET', path: `${ORG}/device/metafield`, params: { deviceId: 1 }, idempotent: true },
  {
    id: 'metafield-update',
    method: 'POST',
    path: `${ORG}/device/metafield`,
    body: { deviceId: 1, metaFieldId: 1, newValue: 'value' },
    idempotent: true,
  },
  // Templates
  { id: 'template-datastreams', method: 'GET', path: `${ORG}/template/datastreams`, params: { templateId: 1 }, idempotent: true },
];

const BY_ROUTE = new Map(PRESETS.map((p) => [`${p.method} ${p.path}`, p]));

/** The preset for a method and path (without query), if the call is one of the documented ones. */
export function presetFor(method: string, path: string): Preset | undefined {
  return BY_ROUTE.get(`${method} ${path}`);
}
