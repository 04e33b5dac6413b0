// What the simulator received, as the packed-install test asserts it: one expected request at a
// time, the whole exchange in the message when it is not there exactly once.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { RequestLogEntry } from '../../dist/simulator';

const redact = (body: unknown): unknown => (typeof body === 'string' ? body.replace(/(secret|password)=[^&]*/gi, '$1=…') : body);

function queryText(query: Record<string, unknown>): string {
  const keys = Object.keys(query ?? {});
  return keys.length ? '?' + keys.map((k) => `${k}=${k === 'token' ? '…' : ([] as unknown[]).concat(query[k]).join(',')}`).join('&') : '';
}

export function describeRequests(entries: readonly RequestLogEntry[]): string {
  if (!entries.length) return '(none)';
  return entries
    .map(
      (e) => `${e.method} ${e.path}${queryText(e.query)} → ${e.status}${e.body === undefined ? '' : ' ' + JSON.stringify(redact(e.body))}`,
    )
    .join('\n');
}

const lowerKeys = (obj: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(obj ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

export interface Expected {
  method: string;
  path: string;
  status?: number;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** The one request in `entries` with this method, path, status, query subset and body (deep). */
export function expectRequest(entries: readonly RequestLogEntry[], { method, path, status, query, body }: Expected): RequestLogEntry {
  const matching = entries.filter(
    (e) =>
      e.method === method &&
      e.path === path &&
      (status === undefined || e.status === status) &&
      // query keys compared case-insensitively: Blynk accepts pin V1 and v1 alike
      (query === undefined || Object.entries(query).every(([k, v]) => isDeepStrictEqual(lowerKeys(e.query)[k.toLowerCase()], v))) &&
      (body === undefined || isDeepStrictEqual(e.body, body)),
  );
  const shownQuery = query ? ' with query ' + JSON.stringify(query).replace(/"token":"[^"]+"/, '"token":"…"') : '';
  assert.equal(
    matching.length,
    1,
    `expected exactly one ${method} ${path}${shownQuery}${body ? ' with body ' + JSON.stringify(body) : ''}${status ? ` answered ${status}` : ''}, ` +
      `got ${matching.length}; the simulator received:\n${describeRequests(entries)}`,
  );
  return matching[0];
}
