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
  /** The body's bytes as they came (a multipart file is binary). */
  bytes: Buffer;
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

/** One part of a `multipart/form-data` body. */
export interface FormPart {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer;
}

/**
 * The parts of a `multipart/form-data` body (RFC 7578), or undefined when the content type is
 * not multipart, has no boundary, or the body is not well formed.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): FormPart[] | undefined {
  const m = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (!m) return undefined;
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts; // the closing delimiter
    if (body.subarray(at, at + 2).toString('latin1') !== '\r\n') return undefined;
    const headEnd = body.indexOf('\r\n\r\n', at + 2);
    if (headEnd < 0) return undefined;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headEnd + 4);
    if (next < 0) return undefined;
    const head = body.subarray(at + 2, headEnd).toString('utf8');
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim();
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      ...(type ? { type } : {}),
      data: body.subarray(headEnd + 4, next),
    });
    at = next + 2;
  }
}
