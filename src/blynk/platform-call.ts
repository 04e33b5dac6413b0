import type { ApiResult, Caller } from './client';
import type { ApiCall } from './endpoints';
import { BlynkError } from './errors';
import { presetFor } from './presets';
import { checkRequest } from './route-check';
import type { HttpMethod } from './transport';
import { fileDataOf, fileNameOf, isPlainObject, scalarText, quoteValue } from './validate';

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

export function methodOf(value: unknown): HttpMethod {
  if (value === undefined || value === null || value === '') return 'GET';
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!METHODS.has(text)) throw new BlynkError('INVALID_METHOD', { value: quoteValue(value) });
  return text as HttpMethod;
}

/**
 * A Platform API path: under `/api/`, plain segments only (no `..`, no empty segment, no host).
 * A leading `/` may be left out, and a query pasted with the path (`…/device?deviceId=1`) is kept.
 */
export function pathOf(value: unknown): { path: string; query: Array<[string, string]> } {
  const text = typeof value === 'string' ? value.trim() : '';
  const q = text.indexOf('?');
  const raw = q < 0 ? text : text.slice(0, q);
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  const segments = path.split('/').slice(1);
  const ok = segments[0] === 'api' && segments.length > 1 && segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
  if (!ok) throw new BlynkError('INVALID_PATH', { value: quoteValue(value) });
  const query = q < 0 ? [] : [...new URLSearchParams(text.slice(q + 1))];
  return { path, query };
}

function paramText(key: string, value: unknown): string {
  const text = scalarText(value);
  if (text === undefined) throw new BlynkError('INVALID_PARAMS', { value: quoteValue(key) });
  return text;
}

/**
 * Query parameters: a plain object of strings, numbers and booleans, an array value repeating its
 * key (Blynk does not document array encoding; its datastream endpoints take repeated keys), or a
 * query string. null/undefined entries are left out.
 */
export function paramsOf(value: unknown): Array<[string, string]> {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [...new URLSearchParams(value.replace(/^\?/, ''))];
  if (!isPlainObject(value)) throw new BlynkError('INVALID_PARAMS', { value: quoteValue(value) });
  const out: Array<[string, string]> = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) out.push([key, paramText(key, item)]);
    else out.push([key, paramText(key, v)]);
  }
  return out;
}

/** A JSON body: an object or an array, or a string holding one. */
export function bodyOf(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  let body: unknown = value;
  if (typeof value === 'string') {
    try {
      body = JSON.parse(value) as unknown;
    } catch {
      throw new BlynkError('INVALID_BODY', { value: quoteValue(value) });
    }
  }
  if (!isPlainObject(body) && !Array.isArray(body)) throw new BlynkError('INVALID_BODY', { value: quoteValue(value) });
  try {
    JSON.stringify(body);
  } catch {
    throw new BlynkError('INVALID_BODY', { value: quoteValue(body) }); // a cycle: shown as [object Object]
  }
  return body;
}

/** The firmware upload route (Platform API "Uploads"). */
export const FIRMWARE_UPLOAD_PATH = '/api/upload';
/** Its documented limit: "The maximum file size is 10 MB." */
export const FIRMWARE_MAX_BYTES = 10 * 1024 * 1024;
/** The file names the `FIRMWARE` type takes, as the page lists them (longest first, all lower case). */
const FIRMWARE_EXTENSIONS = [
  '.ota.bin.gz',
  '.tar.gz',
  '.bin.gz',
  '.bin.hs',
  '.yaml',
  '.bin',
  '.zip',
  '.tar',
  '.bz2',
  '.yml',
  '.gz',
  '.hs',
  '.xz',
];

/**
 * A firmware file as the Uploads page documents it: multipart, the file in `upfile` and
 * `type=FIRMWARE`, at most 10 MB, a name with one of the listed extensions.
 */
export function firmwareUpload(query: Array<[string, string]>, data: unknown, fileName: unknown): ApiCall {
  const bytes = fileDataOf(data, FIRMWARE_MAX_BYTES);
  const name = fileNameOf(fileName);
  if (!FIRMWARE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) {
    throw new BlynkError('INVALID_FILE', { value: quoteValue(name) });
  }
  return {
    api: 'platform',
    method: 'POST',
    path: FIRMWARE_UPLOAD_PATH,
    ...(query.length ? { query } : {}),
    multipart: {
      fields: [['type', 'FIRMWARE']],
      file: { field: 'upfile', name, type: 'application/octet-stream', data: bytes },
      maxBytes: FIRMWARE_MAX_BYTES,
    },
    // Each upload stores a new file.
    idempotent: false,
  };
}

/**
 * Any Platform API call, with the config node's managed token. GET and DELETE send no body. A
 * documented call is checked against its documented query and body schema before anything is sent,
 * and retried after a lost answer when its preset says it is harmless; any other call goes out
 * unchecked, retried when HTTP calls its method idempotent (GET, PUT, DELETE). `POST /api/upload`
 * with a Buffer body is the firmware upload, sent as a form with `fileName`.
 */
export function platformCall(method: unknown, path: unknown, params: unknown, body: unknown, fileName?: unknown): ApiCall {
  const m = methodOf(method);
  const target = pathOf(path);
  const query = [...target.query, ...paramsOf(params)];
  if (m === 'POST' && target.path === FIRMWARE_UPLOAD_PATH && body instanceof Uint8Array) return firmwareUpload(query, body, fileName);
  const payload = m === 'GET' || m === 'DELETE' ? undefined : bodyOf(body);
  const route = presetFor(m, target.path);
  if (route) checkRequest(route, query, payload);
  const idempotent = route?.idempotent ?? (m === 'GET' || m === 'PUT' || m === 'DELETE');
  return {
    api: 'platform',
    method: m,
    path: target.path,
    ...(query.length ? { query } : {}),
    ...(payload === undefined ? {} : { body: payload }),
    idempotent,
  };
}

/** One page of a Blynk list answer: `{"content": [...], "totalElements": n}`. */
export function isPage(data: unknown): data is { content: unknown[]; totalElements: number } {
  return (
    isPlainObject(data) && Array.isArray(data.content) && typeof data.totalElements === 'number' && Number.isFinite(data.totalElements)
  );
}

/** Pages fetched at most when following a list to the end. */
export const MAX_PAGES = 100;

export interface PagedResult extends ApiResult {
  /** Requests made. */
  pages: number;
  /** The bound stopped the walk before `totalElements` items were collected. */
  truncated: boolean;
}

/**
 * Follows a paged GET to the end: the next `page` while fewer than `totalElements` items came and
 * the last page was not empty, at most `maxPages` requests. `size` is left as the caller set it
 * (Blynk's default otherwise). The answer is the first page's object with every item in `content`.
 */
export async function callAllPages(client: Caller, call: ApiCall, signal?: AbortSignal, maxPages = MAX_PAGES): Promise<PagedResult> {
  const first = await client.call(call, signal);
  if (call.method !== 'GET' || !isPage(first.data)) return { ...first, pages: 1, truncated: false };
  const query = (call.query ?? []).filter((entry) => entry[0] !== 'page');
  const start = Number((call.query ?? []).find((entry) => entry[0] === 'page')?.[1] ?? 0);
  let page = Number.isSafeInteger(start) && start >= 0 ? start : 0;
  const content = [...first.data.content];
  let total = first.data.totalElements;
  let last = first.data.content.length;
  let pages = 1;
  let status = first.status;
  while (content.length < total && last > 0 && pages < maxPages) {
    page++;
    const next = await client.call({ ...call, query: [...query, ['page', String(page)]] }, signal);
    pages++;
    status = next.status;
    if (!isPage(next.data)) break;
    content.push(...next.data.content);
    total = next.data.totalElements;
    last = next.data.content.length;
  }
  const truncated = content.length < total && last > 0;
  return { status, data: { ...first.data, content, totalElements: total }, pages, truncated };
}
