// Small HTTP helpers for the simulator tests (Node's fetch, real sockets).
import { startSimulator, type Simulator } from '../../dist/simulator';
import { RAW_HEADER } from '../support/contract';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function call(
  sim: Simulator,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown; redirect?: 'follow' | 'manual' | 'error'; signal?: AbortSignal } = {},
): Promise<Res> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  // Hand-made requests: the contract hook checks only the simulator's answers to them.
  const headers = { [RAW_HEADER]: '1', ...(typeof init.body === 'object' ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const r = await fetch(sim.url + path, { method, headers, body, redirect: init.redirect, signal: init.signal });
  const text = await r.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** RFC 6749 §2.3.1: form-encode id and secret, then base64 "id:secret". */
export function basic(id: string, secret: string): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

export async function clientToken(sim: Simulator): Promise<TokenBody> {
  const r = await call(sim, 'POST', '/oauth2/token?grant_type=client_credentials', {
    headers: { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) },
  });
  if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${r.text}`);
  return r.json as TokenBody;
}

export async function refresh(sim: Simulator, rt: string): Promise<Res> {
  return call(sim, 'POST', `/oauth2/token?grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`, {
    headers: { authorization: basic(sim.demo.clientId, sim.demo.clientSecret) },
  });
}

export const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

/**
 * One simulator for the file, reset before each test, handed to `set` with a fresh Bearer header
 * of the demo OAuth client.
 */
export function useAuthedSimulator(set: (sim: Simulator, auth: Record<string, string>) => void): void {
  let sim: Simulator | undefined;
  before(async () => {
    sim = await startSimulator();
  });
  beforeEach(async () => {
    if (!sim) return;
    sim.reset();
    set(sim, bearer((await clientToken(sim)).access_token));
  });
  after(() => sim?.close());
}
