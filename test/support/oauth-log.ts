// The one reader of what went over the wire to the simulator (its request log), shared by the
// client tests (test/client/helpers.ts), the node tests (harness.ts) and the reliability rig (rig.ts): token and API requests, the grants and
// Bearer tokens they carried, refresh-token replays (D4), the secrets to search for (E1, E2), and a
// token minted without the package. No Node-RED here: the client tests must not load the runtime.
import assert from 'node:assert/strict';
import type { RequestLogEntry, Simulator } from '../../dist/simulator';
import { httpRequest } from './http';

export const TOKEN_PATH = '/oauth2/token';
export const DEVICE_PATH = '/api/v1/organization/device';

/** Real-time sleep (the shared one). */
export { sleep as delay } from '../../scripts/lib/wait';

/** A simulator, or (part of) its request log. */
export type Log = Simulator | readonly RequestLogEntry[];
const entries = (log: Log): readonly RequestLogEntry[] => ('log' in log ? log.log : log);

/** Requests to the token endpoint, whatever their method. */
export const tokenRequestsOf = (log: Log): RequestLogEntry[] => entries(log).filter((e) => e.path === TOKEN_PATH);

/** Every other request, or those to `path`. */
export const apiRequestsOf = (log: Log, path?: string): RequestLogEntry[] =>
  entries(log).filter((e) => e.path !== TOKEN_PATH && (path === undefined || e.path === path));

export const grantOf = (e: RequestLogEntry): string => String(e.query.grant_type ?? '');

/** The access token an API request carried ('' when none). */
export const bearerOf = (e: RequestLogEntry): string => /^Bearer (.*)$/.exec(e.headers.authorization ?? '')?.[1] ?? '';

/** Refresh tokens sent, in order. */
export const refreshSent = (log: Log): string[] =>
  tokenRequestsOf(log)
    .filter((e) => grantOf(e) === 'refresh_token')
    .map((e) => String(e.query.refresh_token));

/**
 * A refresh token may go out again only when every earlier send of it was answered 429 (not
 * processed). Anything else is a replay.
 */
export function refreshReplays(log: Log): string[] {
  const sends = new Map<string, RequestLogEntry[]>();
  for (const e of tokenRequestsOf(log)) {
    if (grantOf(e) !== 'refresh_token') continue;
    const rt = String(e.query.refresh_token);
    sends.set(rt, [...(sends.get(rt) ?? []), e]);
  }
  const problems: string[] = [];
  for (const [rt, entries] of sends) {
    if (entries.slice(0, -1).some((e) => e.status !== 429)) {
      problems.push(`refresh token ${rt.slice(0, 4)}… sent ${entries.length} times (statuses ${entries.map((e) => e.status).join(',')})`);
    }
  }
  return problems;
}

/** The demo client's Basic header, written out by hand: the demo id and secret need no escaping. */
export function demoBasic(sim: Simulator): string {
  return 'Basic ' + Buffer.from(`${sim.demo.clientId}:${sim.demo.clientSecret}`, 'utf8').toString('base64');
}

/**
 * Gets a real token from the simulator without the package, e.g. to serve it from a fault. Over
 * httpRequest (no keep-alive), so that no pooled socket outlives the test.
 */
export async function mint(sim: Simulator): Promise<{ access_token: string; refresh_token: string }> {
  const res = await httpRequest('POST', `${sim.url}${TOKEN_PATH}?grant_type=client_credentials`, { authorization: demoBasic(sim) });
  assert.equal(res.status, 200);
  return JSON.parse(res.text) as { access_token: string; refresh_token: string };
}

/** Every secret the simulator holds or handed out, and `extra`. */
export function secretsOf(sim: Simulator, extra: string[] = []): string[] {
  const { clientId, clientSecret, password } = sim.demo;
  return [
    clientSecret,
    password,
    Buffer.from(`${clientId}:${clientSecret}`).toString('base64'),
    ...sim.tokens.issuedAccess,
    ...sim.tokens.issuedRefresh,
    ...sim.demo.devices.map((d) => d.token),
    ...extra,
  ];
}
