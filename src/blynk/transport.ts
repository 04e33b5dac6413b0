import type { AxiosInstance, AxiosResponse } from 'axios';

type AxiosModule = typeof import('axios');
let axiosModule: AxiosModule | undefined;

/**
 * axios is loaded with the first client rather than when Node-RED requires the node files: it is
 * most of the package's start-up time, and a flow may never use a Blynk node.
 */
function loadAxios(): AxiosModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  axiosModule ??= require('axios') as AxiosModule;
  return axiosModule;
}
import { BlynkError, sanitizeDetail } from './errors';
import { InFlight, MAX_IN_FLIGHT } from './in-flight';
import { authorizationSecrets, SecretSet } from './redact';
import { mayFollowRedirect, parseServer } from './server-url';
import { undiciAdapter } from './undici-adapter';
import { checkFileSize, isPlainObject } from './validate';
import { Wire } from './wire';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Query parameters in order; a key may repeat (`value=lon&value=lat`). A key alone (`[key]`) is
 * sent bare, as the Device API's `get?token=…&v1&v2` documents it.
 */
export type QueryEntries = ReadonlyArray<readonly [string, string] | readonly [string]>;

/** A file sent as `multipart/form-data`, with text fields before it (Blynk's upload routes). */
export interface Multipart {
  fields?: ReadonlyArray<readonly [string, string]>;
  file: {
    /** The form field that carries the file (`upfile` on both of Blynk's upload routes). */
    field: string;
    name: string;
    type: string;
    data: Uint8Array;
  };
  /** The route's documented file size limit, in bytes. */
  maxBytes: number;
}

export interface TransportRequest {
  method: HttpMethod;
  path: string;
  query?: QueryEntries;
  body?: unknown;
  /** Sent instead of `body`; built anew for each attempt and redirect, since a sent form is consumed. */
  multipart?: Multipart;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Secrets this request carries besides its Authorization header (a device token in the query). */
  secrets?: readonly string[];
  /** The token endpoint: a 2xx answer's `access_token` and `refresh_token` are the point of the call. */
  issuesTokens?: boolean;
}

export interface TransportResponse {
  status: number;
  /** Parsed JSON when the body is JSON, else the raw text ('' for an empty body). */
  data: unknown;
  retryAfter?: string;
}

export interface TransportOptions {
  /** Called once per new host learned from a region redirect. */
  onRegionMoved?: (origin: string) => void;
  /** Largest body accepted from the server, in bytes. */
  maxContentLength?: number;
  /** How long opening a connection (TCP and TLS) may take. */
  connectTimeoutMs?: number;
}

const MAX_REDIRECTS = 2;
const TOKEN_FIELDS: ReadonlySet<string> = new Set(['access_token', 'refresh_token']);

/**
 * One HTTP connection pool to one Blynk server: axios as the API, undici as the wire (see Wire).
 * It keeps sockets alive between calls, verifies TLS certificates, honours the proxy environment
 * variables, follows Blynk's region redirects itself (axios would drop or leak the
 * Authorization header) and turns every failure into a BlynkError.
 */
export class Transport {
  private origin: URL;
  /**
   * What the connection must never show: every answer is redacted with these and the request's
   * own secrets before anything reads it, so a server that echoes a request leaks nothing.
   */
  readonly secrets = new SecretSet();
  private readonly client: AxiosInstance;
  // At most MAX_IN_FLIGHT requests are on the wire, so as many sockets per origin are enough.
  readonly wire: Wire;
  private readonly inFlight = new InFlight();

  constructor(
    server: string | undefined,
    private readonly options: TransportOptions = {},
  ) {
    this.origin = parseServer(server);
    this.wire = new Wire({ connections: MAX_IN_FLIGHT, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 });
    const axios = loadAxios();
    this.client = axios.default.create({
      adapter: undiciAdapter(axios.default, (origin) => this.wire.dispatcher(origin)),
      maxRedirects: 0,
      // The wire picks the proxy from the environment itself.
      proxy: false,
      maxContentLength: options.maxContentLength ?? 4 * 1024 * 1024,
      responseType: 'text',
      // Bodies go out as encodeBody made them, and answers are parsed once, below, because Blynk
      // answers in JSON, plain text or nothing: no transforms, so axios neither calls nor passes
      // headers to any.
      transformRequest: [],
      transformResponse: [],
      validateStatus: () => true,
    });
    // axios merges every default into every request's config, objects deep: its header defaults
    // (one empty set per method) were about a third of its cost per request. Only what says
    // something here is kept: the common Accept header, not the empty sets; not the xsrf names
    // (a browser's), nor transitional (its only option the adapter reads, clarifyTimeoutError, is
    // off by default), nor timeout and maxBodyLength (each request has its timeout; no body limit
    // is the default), nor env (the classes axios' own transforms and adapters build forms with).
    const defaults = this.client.defaults;
    const headerSets = defaults.headers as unknown as Record<string, unknown>;
    for (const [name, set] of Object.entries(headerSets)) {
      if (typeof set === 'object' && set !== null && Object.keys(set).length === 0) delete headerSets[name];
    }
    // Only where axios' stock value is still in place: a setting given to create() above stays.
    const stock = axios.default.defaults;
    for (const key of ['xsrfCookieName', 'xsrfHeaderName', 'transitional', 'timeout', 'maxBodyLength', 'env'] as const) {
      if (JSON.stringify(defaults[key]) === JSON.stringify(stock[key])) delete defaults[key];
    }
  }

  /** The server currently in use: the configured one, or the region Blynk redirected to. */
  get server(): string {
    return this.origin.origin;
  }

  /** One request, when its turn comes: at most MAX_IN_FLIGHT of them are on the wire at once. */
  async request(req: TransportRequest): Promise<TransportResponse> {
    const turn = this.inFlight.acquire(req.signal);
    if (turn) await turn;
    try {
      return await this.exchange(req);
    } finally {
      this.inFlight.release();
    }
  }

  private async exchange(req: TransportRequest): Promise<TransportResponse> {
    // Checked here too, whoever built the request: a file over the route's limit is never sent.
    if (req.multipart) checkFileSize(req.multipart.file.data.byteLength, req.multipart.maxBytes);
    const body = req.multipart ? undefined : encodeBody(req.body);
    const secrets = [...authorizationSecrets(req.headers?.Authorization), ...(req.secrets ?? [])];
    let origin = this.origin;
    for (let hop = 0; ; hop++) {
      const res = await this.send(origin, req, body);
      if (res.status !== 308 && res.status !== 307) return this.toResponse(res, req, secrets);
      const target = redirectTarget(origin, res.headers.location);
      if (!target || hop >= MAX_REDIRECTS || !mayFollowRedirect(origin, target)) {
        // Only the origin is shown: the Location echoes our path and query (device token, refresh token).
        throw new BlynkError('REDIRECT_REFUSED', {
          status: res.status,
          location: target ? this.secrets.redact(target.origin, secrets) : 'an unreadable address',
        });
      }
      origin = new URL(target.origin);
      this.learnOrigin(origin, secrets);
    }
  }

  /** The answer as the client sees it: parsed, and redacted unless it is a token answer's tokens. */
  private toResponse(res: AxiosResponse<string>, req: TransportRequest, secrets: readonly string[]): TransportResponse {
    const ok = res.status >= 200 && res.status < 300;
    const body = parseBody(res.data);
    // One scan of the text as it came decides whether the parsed answer needs a walk at all.
    const data = this.secrets.appearsIn(res.data, secrets)
      ? this.secrets.redactData(body, secrets, req.issuesTokens && ok ? TOKEN_FIELDS : undefined)
      : body;
    const retryAfter = res.headers['retry-after'];
    return { status: res.status, data, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
  }

  /** Frees the pooled sockets; requests in flight are aborted by their own signals. */
  close(): void {
    this.inFlight.close();
    this.secrets.clear();
    this.wire.close();
  }

  private learnOrigin(origin: URL, secrets: readonly string[]): void {
    if (origin.origin === this.origin.origin) return;
    this.origin = origin;
    this.options.onRegionMoved?.(this.secrets.redact(origin.origin, secrets));
  }

  private async send(origin: URL, req: TransportRequest, body: Body | undefined): Promise<AxiosResponse<string>> {
    const url = urlOn(origin, req.path, req.query);
    // The adapter sends a FormData with its own boundary and length.
    const data = req.multipart ? formOf(req.multipart) : body?.data;
    try {
      return await this.client.request<string>({
        url,
        method: req.method,
        data,
        headers: body?.json ? { 'Content-Type': 'application/json', ...req.headers } : req.headers,
        timeout: req.timeoutMs,
        signal: req.signal,
      });
    } catch (err) {
      throw networkError(err, origin, req.timeoutMs);
    }
  }
}

/** Blynk's documented size limit of one HTTPS request (blynk.console/limits: "up to 2 MB"). */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

/** A request body as sent: an object or array as its JSON (`json`), anything else as it is. */
interface Body {
  data: unknown;
  json: boolean;
}

/**
 * The body encoded once, for every attempt and redirect: JSON as bytes, which axios passes on
 * untouched (an object it would copy deep and stringify on each send). One over the limit would be
 * refused by Blynk: refused here, before sending.
 */
function encodeBody(body: unknown): Body | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    checkBodySize(body.length, body);
    return { data: body, json: false };
  }
  if (body instanceof Uint8Array) {
    checkBodySize(body.byteLength);
    return { data: body, json: false };
  }
  // A form, Blob or stream goes to axios as it is, which sends it with its own type.
  if (!Array.isArray(body) && !isPlainObject(body)) return { data: body, json: false };
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch {
    return { data: body, json: false }; // not JSON: the request itself fails as it always did
  }
  if (text === undefined) return { data: body, json: false };
  checkBodySize(text.length, text);
  return { data: Buffer.from(text), json: true };
}

/** `size` is bytes, or characters of `text`: only a text near the limit is measured in bytes. */
function checkBodySize(size: number, text?: string): void {
  if ((text === undefined ? size : size * 3) <= MAX_REQUEST_BYTES) return;
  const length = text === undefined ? size : Buffer.byteLength(text);
  if (length > MAX_REQUEST_BYTES) throw new BlynkError('REQUEST_TOO_LARGE', { length, detail: String(MAX_REQUEST_BYTES) });
}

function formOf(multipart: Multipart): FormData {
  const form = new FormData();
  for (const [name, value] of multipart.fields ?? []) form.append(name, value);
  const { field, name, type, data } = multipart.file;
  // A copy: Blob takes views of a plain ArrayBuffer only, and the caller may reuse its Buffer.
  form.append(field, new Blob([new Uint8Array(data)], { type }), name);
  return form;
}

export function encodeQuery(query: QueryEntries): string {
  let out = '';
  for (const [key, value] of query) {
    out += `${out ? '&' : ''}${encodeURIComponent(key)}${value === undefined ? '' : `=${encodeURIComponent(value)}`}`;
  }
  return out;
}

/**
 * The one place that decides where a request goes: the path is joined to the server and parsed,
 * and whatever it holds (`:port`, `@host`, `.domain`, `//host`, `\\`, encoded forms) must leave
 * scheme, host, port and userinfo as the server's, with no query or fragment of its own.
 */
export function urlOn(origin: URL, path: string, query?: QueryEntries): string {
  const tail = query?.length ? `?${encodeQuery(query)}` : '';
  // Blynk's own paths: segments of letters, digits, `_`, `-` and `~` only, which a URL takes as
  // they are and which cannot leave the server, so no parse is needed to know where they go.
  if (PLAIN_PATH.test(path)) return origin.origin + path + tail;
  let url: URL | undefined;
  try {
    url = path.startsWith('/') ? new URL(origin.origin + path) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.origin !== origin.origin || url.username || url.password || url.search || url.hash) {
    throw new BlynkError('OFF_SERVER', { value: JSON.stringify(sanitizeDetail(path)), server: origin.origin });
  }
  return url.origin + url.pathname + tail;
}

const PLAIN_PATH = /^(?:\/[\w~-]+)+$/;

function redirectTarget(origin: URL, location: unknown): URL | undefined {
  if (typeof location !== 'string' || !location) return undefined;
  try {
    return new URL(location, origin);
  } catch {
    return undefined;
  }
}

const STARTS_JSON = /^\s*[[{]/;

/** JSON when it parses as an object or array, else the text as it came. */
function parseBody(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? '';
  // Looked at in place: trimming would copy the whole answer.
  if (!STARTS_JSON.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
]);

/** Rebuilds an axios failure from its code alone: the AxiosError itself carries secrets. */
function networkError(err: unknown, origin: URL, timeoutMs: number): BlynkError {
  const code = loadAxios().isAxiosError(err) ? err.code : undefined;
  const host = origin.host;
  if (code === 'ERR_CANCELED') return new BlynkError('CLOSED');
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new BlynkError('TIMEOUT', { host, timeout: timeoutMs });
  }
  if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED') {
    return new BlynkError('HTTP_ERROR', { host, detail: 'response too large or malformed' });
  }
  if (code && TLS_CODES.has(code)) return new BlynkError('TLS', { host, detail: code });
  return new BlynkError('NETWORK', { host, detail: code ?? 'connection failed' });
}
