// The admin API of a Node-RED process, over fetch.
import assert from 'node:assert/strict';

export interface Answer {
  status: number;
  type: string;
  text: string;
}

export async function http(
  base: string,
  urlPath: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const { method = 'GET', headers = {}, body } = init;
  const res = await fetch(base + urlPath, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(base: string, urlPath: string): Promise<any> {
  const res = await http(base, urlPath, { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200, `GET ${urlPath} → HTTP ${res.status} ${res.text.slice(0, 200)}`);
  try {
    return JSON.parse(res.text);
  } catch {
    throw new Error(`GET ${urlPath}: not JSON (${res.type}): ${res.text.slice(0, 200)}`);
  }
}
