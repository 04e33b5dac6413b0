// An axios adapter that sends through undici: axios stays the client's HTTP API (config, headers,
// transforms, validateStatus, AxiosError), undici's dispatchers are the wire.
import type { AxiosAdapter, AxiosError, AxiosResponse, AxiosStatic, InternalAxiosRequestConfig } from 'axios';
import { clearTimeout, setTimeout } from 'node:timers';
import type { Dispatcher } from 'undici';

type AxiosModule = AxiosStatic;

/** Where a request goes: its origin's dispatcher. */
export type DispatcherFor = (origin: string) => Sender;

/** The part of an undici dispatcher the adapter uses (undici 6, 7 and 8 alike). */
export interface Sender {
  dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean;
}

/** undici 7 and 8's request controller, as far as a handler uses it. */
export interface Controller {
  abort(reason: Error): void;
}

/**
 * A request's handler in both of undici's handler APIs: the one of undici 6 (onConnect, onHeaders,
 * onData, onComplete, onError) and the one of undici 7 and 8 (onRequestStart … onResponseError),
 * which undici 7 prefers when present and undici 8 alone knows. The dependency range takes all
 * three, so that npm installs the newest one the Node.js at hand runs.
 */
export interface Handler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: unknown): void;
  onError(err: Error): void;
  onRequestStart(controller: Controller, context?: unknown): void;
  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusText?: string,
  ): void;
  onResponseData(controller: Controller, chunk: Buffer): void;
  onResponseEnd(controller: Controller, trailers: unknown): void;
  onResponseError(controller: Controller | null | undefined, err: Error): void;
}

/**
 * The adapter for `axios`, sending each request through `dispatcherFor(origin)`. What axios' own
 * Node adapter does that the client relies on is kept: `timeout` (the whole exchange, connect
 * included, to the millisecond: ECONNABORTED, or ETIMEDOUT with clarifyTimeoutError; undici's own
 * timeouts tick in half seconds), `signal` (ERR_CANCELED),
 * `maxContentLength` and `maxBodyLength` (ERR_BAD_RESPONSE / ERR_BAD_REQUEST), `responseType`
 * text, json and arraybuffer, validateStatus, and the User-Agent. Redirects are never followed
 * here (the transport decides them) and nothing is decompressed (no Accept-Encoding is sent).
 */
export function undiciAdapter(axios: AxiosModule, dispatcherFor: DispatcherFor): AxiosAdapter {
  const userAgent = `axios/${axios.VERSION}`;
  const send = (config: InternalAxiosRequestConfig, body: unknown, bodyType: string | undefined): Promise<AxiosResponse> => {
    let url: { origin: string; path: string };
    try {
      if (config.params) throw new axios.AxiosError('params are not supported: put the query in the url', 'ERR_BAD_OPTION', config);
      url = splitUrl(config.url ?? '', config.baseURL);
    } catch (err) {
      return Promise.reject(axios.isAxiosError(err) ? err : new axios.AxiosError('Invalid URL', 'ERR_INVALID_URL', config));
    }
    const maxBody = config.maxBodyLength ?? -1;
    if (maxBody > -1 && (typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : -1) > maxBody) {
      return Promise.reject(new axios.AxiosError('Request body larger than maxBodyLength limit', 'ERR_BAD_REQUEST', config));
    }
    const headers = headersOf(config, bodyType, userAgent);
    return new Promise<AxiosResponse>((resolve, reject) => {
      // From here on the exchange settles the promise (and clears its timer and abort listener).
      const exchange = new Exchange(axios, config, resolve, reject);
      if (config.signal?.aborted) {
        exchange.fail(canceled);
        return;
      }
      // With a timeout of our own, undici's are off (one timer per request, not three).
      const undiciTimeout = exchange.timed ? 0 : null;
      try {
        dispatcherFor(url.origin).dispatch(
          {
            origin: url.origin,
            path: url.path,
            method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
            headers,
            body: body as Dispatcher.DispatchOptions['body'],
            headersTimeout: undiciTimeout,
            bodyTimeout: undiciTimeout,
          },
          exchange,
        );
      } catch (err) {
        exchange.fail(err as Error);
      }
    });
  };
  return (config) => {
    const body: unknown = config.data ?? null;
    if (body !== null && !sendable(body)) {
      // Objects are strings by now (transformRequest); anything else would be sent as "[object …]".
      return Promise.reject(
        new axios.AxiosError(
          'Data after transformation must be a string, a Buffer, a Blob, FormData or a stream',
          'ERR_BAD_REQUEST',
          config,
        ),
      );
    }
    // The tag first: the global FormData loads Node's own undici the first time it is touched.
    if (tagOf(body) === 'FormData' && body instanceof FormData) {
      // Node's own FormData, encoded by Node's own fetch (undici 7 and 8 take only their own class),
      // whole, so that it has a length.
      const encoded = new Response(body);
      const type = encoded.headers.get('content-type') ?? 'multipart/form-data';
      return encoded.arrayBuffer().then((bytes) => send(config, Buffer.from(bytes), type));
    }
    return send(config, body, body instanceof Blob ? body.type || 'application/octet-stream' : undefined);
  };
}

const canceled = Object.assign(new Error('canceled'), { code: 'UND_ERR_ABORTED' });
/**
 * A URL that `new URL()` gives back unchanged: http(s), a lower-case host name, and a path and
 * query of characters that need no escaping (percent escapes as they are), without dot segments.
 */
const PLAIN_URL = /^(https?:\/\/[a-z0-9.-]+(?::\d{1,5})?)(\/(?:[A-Za-z0-9\-._~!$&()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)$/;

/** Origin and path (with query) of a request's URL; parsed by `URL` unless it is already plain. */
export function splitUrl(text: string, base: string | undefined): { origin: string; path: string } {
  const plain = base === undefined && !/\/\.|%2e/i.test(text) ? PLAIN_URL.exec(text) : null;
  // A default port is dropped from the origin by URL.
  if (plain && !/:(80|443)$/.test(plain[1])) return { origin: plain[1], path: plain[2] };
  const url = new URL(text, base);
  return { origin: url.origin, path: url.pathname + url.search };
}

const timedOut = Object.assign(new Error('timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
const tooLarge = Object.assign(new Error('maxContentLength exceeded'), { code: 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED' });

function tagOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] : undefined;
}

function sendable(body: unknown): boolean {
  if (typeof body === 'string' || Buffer.isBuffer(body) || ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return true;
  if (typeof body !== 'object' || body === null) return false;
  const tag = tagOf(body);
  if (tag === 'FormData' || tag === 'Blob' || tag === 'File') return true;
  // A Readable stream or an (async) iterable of chunks.
  return typeof (body as { pipe?: unknown }).pipe === 'function' || Symbol.asyncIterator in body;
}

/**
 * The request's headers as undici takes them: a flat [name, value, …] list. A body with a type of
 * its own (a form's multipart type with its boundary, a Blob's type) gets that type, as axios'
 * Node adapter gives it, and its length from undici.
 */
function headersOf(config: InternalAxiosRequestConfig, bodyType: string | undefined, userAgent: string): string[] {
  const out: string[] = [];
  let agent = false;
  const all = config.headers.toJSON(true) as Record<string, string>;
  for (const name in all) {
    const lower = name.toLowerCase();
    if (lower === 'user-agent') agent = true;
    if (bodyType !== undefined && (lower === 'content-type' || lower === 'content-length')) continue;
    out.push(name, all[name]);
  }
  if (!agent) out.push('User-Agent', userAgent);
  if (bodyType !== undefined) out.push('Content-Type', bodyType);
  return out;
}

function timeUp(exchange: Exchange): void {
  exchange.end(timedOut);
}

/** One request's undici handler: collects the answer and settles the axios promise once. */
class Exchange implements Handler {
  /** undici 6's abort of this request, once it is on a socket. */
  private abort?: (err?: Error) => void;
  /** undici 7 and 8's controller of this request, once it is on a socket. */
  private controller?: Controller;
  private status = 0;
  private statusText = '';
  private headers: Record<string, string | string[]> = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly limit: number;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly axios: AxiosModule,
    private readonly config: InternalAxiosRequestConfig,
    private readonly resolve: (res: AxiosResponse) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.limit = config.maxContentLength !== undefined && config.maxContentLength > -1 ? config.maxContentLength : Infinity;
    // The exchange itself is the listener (handleEvent) and the timer's argument: no closures.
    config.signal?.addEventListener?.('abort', this as EventListenerObject);
    // node:timers' own: a test's fake global clock does not stop requests from timing out, as it
    // did not stop the socket timeouts of axios' Node adapter.
    if (config.timeout && config.timeout > 0) this.timer = setTimeout(timeUp, config.timeout, this);
  }

  /** Whether the exchange keeps its own timeout. */
  get timed(): boolean {
    return this.timer !== undefined;
  }

  /** The request's signal was aborted. */
  handleEvent(): void {
    this.end(canceled);
  }

  /** Ends the exchange early: the request is aborted (its socket closed) if undici has started it. */
  end(reason: Error): void {
    if (this.abort) this.abort(reason);
    else if (this.controller) this.controller.abort(reason);
    else this.fail(reason);
  }

  // undici 6

  onConnect(abort: (err?: Error) => void): void {
    if (this.done) abort(canceled);
    else this.abort = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[], _resume: () => void, statusText: string): boolean {
    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toString('latin1').toLowerCase();
      const value = raw[i + 1].toString('latin1');
      const had = headers[name];
      if (had === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
      else if (Array.isArray(had)) had.push(value);
      else headers[name] = `${had}, ${value}`;
    }
    this.head(statusCode, headers, statusText);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.data(chunk);
  }

  onComplete(): void {
    this.complete();
  }

  onError(err: Error): void {
    this.fail(err);
  }

  // undici 7 and 8

  onRequestStart(controller: Controller): void {
    if (this.done) controller.abort(canceled);
    else this.controller = controller;
  }

  onResponseStart(
    _controller: Controller,
    statusCode: number,
    parsed: Record<string, string | string[] | undefined>,
    statusText?: string,
  ): void {
    const headers: Record<string, string | string[]> = {};
    for (const name in parsed) {
      const value = parsed[name];
      if (value === undefined) continue;
      // As undici 6 and Node give them: repeated headers joined, but Set-Cookie a list.
      headers[name] =
        Array.isArray(value) && name !== 'set-cookie' ? value.join(', ') : name === 'set-cookie' && !Array.isArray(value) ? [value] : value;
    }
    this.head(statusCode, headers, statusText ?? '');
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.data(chunk);
  }

  onResponseEnd(): void {
    this.complete();
  }

  onResponseError(_controller: unknown, err: Error): void {
    this.fail(err);
  }

  // both

  private head(statusCode: number, headers: Record<string, string | string[]>, statusText: string): void {
    // 1xx informational answers come before the real one.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.statusText = statusText;
    this.headers = headers;
    const declared = Number(headers['content-length']);
    if (declared > this.limit) this.end(tooLarge);
  }

  private data(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.end(tooLarge);
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  private complete(): void {
    if (this.settle()) return;
    const { config } = this;
    const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    let data: unknown;
    if (config.responseType === 'arraybuffer') data = bytes;
    else {
      data = bytes.toString('utf8');
      if ((data as string).charCodeAt(0) === 0xfeff) data = (data as string).slice(1);
    }
    // An AxiosHeaders already, which axios then takes as it is: built from a plain object it would
    // look up, check and normalise every header again (its names here are lower case already, and
    // undici has refused any value a header may not hold).
    const headers = new this.axios.AxiosHeaders();
    Object.assign(headers, this.headers);
    const response: AxiosResponse = {
      data,
      status: this.status,
      statusText: this.statusText,
      headers,
      config,
      request: undefined,
    };
    const validate = config.validateStatus;
    if (!validate || validate(this.status)) {
      this.resolve(response);
      return;
    }
    this.reject(
      new this.axios.AxiosError(
        `Request failed with status code ${this.status}`,
        this.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST',
        config,
        undefined,
        response,
      ),
    );
  }

  /** Fails the exchange, once. */
  fail(err: Error): void {
    if (this.settle()) return;
    this.reject(this.axiosError(err));
  }

  /** Marks the exchange settled; true when it already was. */
  private settle(): boolean {
    if (this.done) return true;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.config.signal?.removeEventListener?.('abort', this as EventListenerObject);
    return false;
  }

  /** undici's failure as the AxiosError axios' Node adapter gives for it (its code is what counts). */
  private axiosError(err: Error): AxiosError {
    const { axios, config } = this;
    const code = (err as { code?: string }).code;
    switch (code) {
      case 'UND_ERR_ABORTED':
      case 'UND_ERR_DESTROYED':
      case 'UND_ERR_CLOSED':
        return new axios.CanceledError(undefined, undefined, config);
      case 'UND_ERR_HEADERS_TIMEOUT':
      case 'UND_ERR_BODY_TIMEOUT':
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new axios.AxiosError(
          config.timeoutErrorMessage || `timeout of ${config.timeout ?? 0}ms exceeded`,
          config.transitional?.clarifyTimeoutError ? 'ETIMEDOUT' : 'ECONNABORTED',
          config,
        );
      case 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED':
        return new axios.AxiosError(`maxContentLength size of ${this.limit} exceeded`, 'ERR_BAD_RESPONSE', config);
      case 'UND_ERR_SOCKET':
        // The server closed the connection mid-exchange: what Node's http client calls a reset.
        return new axios.AxiosError('socket hang up', 'ECONNRESET', config);
      case 'UND_ERR_INFO':
      case 'UND_ERR_INVALID_ARG':
        return new axios.AxiosError(err.message, 'ERR_BAD_REQUEST', config);
      default:
        return axios.AxiosError.from(err, code, config);
    }
  }
}
