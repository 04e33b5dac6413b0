// Request/response shapes shared by the route handlers. Handlers are plain functions
// from SimRequest to Reply, so the server can answer, delay, or swallow the answer (drop:'after').
import type { IncomingHttpHeaders } from 'node:http';

export type Query = Record<string, string | string[]>;

export interface SimRequest {
  method: string;
  path: string;
  query: Query;
  headers: IncomingHttpHeaders;
  rawBody: string;
  json: unknown; // parsed body, undefined if empty
  jsonError: boolean; // body present but not valid JSON
}

export interface Reply {
  status: number;
  body?: string;
  type?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => Reply;

export const json = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
  type: 'application/json',
});
export const text = (status: number, body: string): Reply => ({ status, body, type: 'text/plain; charset=utf-8' });
export const noContent = (): Reply => ({ status: 204 });
/** Blynk's error shape for the Platform and Device APIs. */
export const apiError = (status: number, message: string): Reply => json(status, { error: { message } });

/** Parse a query string keeping repeated keys as arrays and bare keys (`&v1`) as ''. */
export function parseQuery(search: string): Query {
  const q: Query = {};
  if (search === '') return q;
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = q[k];
    if (prev === undefined) q[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else q[k] = [prev, v];
  }
  return q;
}

/** A form-encoded body as a Query; a repeated key keeps its last value (Object.fromEntries). */
export function formOf(rawBody: string): Query {
  return Object.fromEntries(new URLSearchParams(rawBody));
}

/** First value of a query key. */
export function first(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}

/** All values of a query key. */
export function all(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A strict non-negative int32 from a query string or JSON number (ids). */
export function toId(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 2147483647 ? n : undefined;
}
