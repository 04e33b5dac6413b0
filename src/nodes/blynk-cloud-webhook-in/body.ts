import type { IncomingMessage } from 'node:http';

export type BodyRead = { raw: Buffer } | { tooLarge: true } | { aborted: true };

/**
 * Reads the request body up to `limit` bytes. Past it the request is answered 413 at once: the
 * rest is neither stored nor waited for. A body some middleware already parsed is taken as it is.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ tooLarge: true });
  // Already read by some middleware that kept nothing: no 'end' will come again.
  if (req.readableEnded) return Promise.resolve({ raw: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead): void => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish({ tooLarge: true });
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ raw: Buffer.concat(chunks) }));
    req.once('error', () => finish({ aborted: true }));
    req.once('close', () => finish(req.complete ? { raw: Buffer.concat(chunks) } : { aborted: true }));
  });
}

export type Parsed = { payload: unknown; kind: 'json' | 'form' | 'text' | 'empty' } | { malformed: true };

/** Form fields as an object; a repeated key becomes an array, as core `http in` gives it. */
function formFields(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/**
 * The body by its content type: Blynk sends JSON (Custom JSON), a web form or plain text. Without
 * a content type a body that parses as JSON is taken as JSON (undocumented what Blynk sends then).
 */
export function parseBody(raw: Buffer, contentType: string | undefined): Parsed {
  const text = raw.toString('utf8');
  if (text.length === 0) return { payload: undefined, kind: 'empty' };
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return { payload: JSON.parse(text), kind: 'json' };
    } catch {
      return { malformed: true };
    }
  }
  if (type === 'application/x-www-form-urlencoded') return { payload: formFields(text), kind: 'form' };
  if (type === '') {
    try {
      return { payload: JSON.parse(text), kind: 'json' };
    } catch {
      return { payload: text, kind: 'text' };
    }
  }
  return { payload: text, kind: 'text' };
}
