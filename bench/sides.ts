// The three ways of doing the same work that the benchmark compares.
import http from 'node:http';
import axios from 'axios';
import { Pool } from 'undici';
import type { Loop } from './loop';
import { ERROR_SINK, IDS, Msg, Runtime, sinkOf } from './nodered';

export type Op = 'get' | 'write';
export type SideKey = 'bare' | 'core' | 'pkg' | 'undici';

export const DEVICE_ID = 101;
/** "Temperature", a Double datastream (-40..85) of the simulator's demo template. */
export const DATASTREAM_ID = 2;
export const GET_PATH = `/api/v1/organization/device?deviceId=${DEVICE_ID}`;
export const WRITE_PATH = '/api/v1/organization/device/datastream';

export function valueFor(seq: number): number {
  return 20 + (seq % 10);
}

export interface Side {
  key: SideKey;
  label: string;
  /** Points `loop` at this side for `op`; returns the undo. */
  bind(op: Op, loop: Loop, runId: number): () => void;
}

/**
 * 1: axios with a keep-alive agent and a fixed Bearer token, no Node-RED. Configured as the
 * floor: no redirect following (axios would wrap every request in follow-redirects; the
 * package follows Blynk's redirects itself), no proxy lookup; responses parsed as JSON.
 */
export function bareAxios(server: string, token: string): Side {
  const agent = new http.Agent({ keepAlive: true });
  const api = axios.create({
    baseURL: server,
    httpAgent: agent,
    maxRedirects: 0,
    proxy: false,
    headers: { Authorization: `Bearer ${token}` },
  });
  return {
    key: 'bare',
    label: 'bare axios',
    bind(op, loop) {
      loop.setInject(
        op === 'get'
          ? (seq) => {
              api.get(GET_PATH).then(
                (res) => loop.complete(seq, res.status === 200 && res.data?.id === DEVICE_ID ? undefined : `HTTP ${res.status}`),
                (err: unknown) => loop.complete(seq, err),
              );
            }
          : (seq) => {
              api.post(WRITE_PATH, { deviceId: DEVICE_ID, dataStreamId: DATASTREAM_ID, value: valueFor(seq) }).then(
                (res) => loop.complete(seq, res.status === 204 ? undefined : `HTTP ${res.status}`),
                (err: unknown) => loop.complete(seq, err),
              );
            },
      );
      return () => undefined;
    },
  };
}

/**
 * 4: undici's Pool with a fixed Bearer token, no axios, no Node-RED: the floor of the wire the
 * package now sends on (keep-alive, no proxy lookup, no redirect following; responses parsed as JSON).
 */
export function bareUndici(server: string, token: string): Side {
  const pool = new Pool(server);
  const authorization = `Bearer ${token}`;
  const getHeaders = { authorization };
  const writeHeaders = { authorization, 'content-type': 'application/json' };
  return {
    key: 'undici',
    label: 'bare undici',
    bind(op, loop) {
      loop.setInject(
        op === 'get'
          ? (seq) => {
              pool
                .request({ path: GET_PATH, method: 'GET', headers: getHeaders })
                .then(async (res) => {
                  const data = (await res.body.json()) as { id?: number };
                  return res.statusCode === 200 && data?.id === DEVICE_ID ? undefined : `HTTP ${res.statusCode}`;
                })
                .then(
                  (problem) => loop.complete(seq, problem),
                  (err: unknown) => loop.complete(seq, err),
                );
            }
          : (seq) => {
              const body = JSON.stringify({ deviceId: DEVICE_ID, dataStreamId: DATASTREAM_ID, value: valueFor(seq) });
              pool
                .request({ path: WRITE_PATH, method: 'POST', headers: writeHeaders, body })
                .then(async (res) => {
                  await res.body.dump();
                  return res.statusCode === 204 ? undefined : `HTTP ${res.statusCode}`;
                })
                .then(
                  (problem) => loop.complete(seq, problem),
                  (err: unknown) => loop.complete(seq, err),
                );
            },
      );
      return () => undefined;
    },
  };
}

/**
 * Routes the sink of `nodeId` and, unless `catchToo` is false, the Catch node to `loop` for one
 * run. The core http request node reports a failure twice, to Catch and on its output with
 * msg.statusCode = the error code, so for it the output alone decides.
 */
function route(
  rt: Runtime,
  nodeId: string,
  loop: Loop,
  runId: number,
  check: (msg: Msg) => string | undefined,
  catchToo = true,
): () => void {
  const own = (msg: Msg): boolean => {
    if (msg.benchRun === runId && typeof msg.benchSeq === 'number') return true;
    loop.strays++;
    return false;
  };
  rt.onSink(sinkOf(nodeId), (msg) => {
    if (own(msg)) loop.complete(msg.benchSeq!, check(msg));
  });
  rt.onSink(ERROR_SINK, (msg) => {
    if (!catchToo) return;
    if (own(msg)) loop.complete(msg.benchSeq!, msg.error ?? 'caught');
  });
  return () => {
    rt.onSink(sinkOf(nodeId), undefined);
    rt.onSink(ERROR_SINK, undefined);
  };
}

/** What the core node put on a failed msg: the HTTP status, or the error code and message. */
function failure(m: Msg): string {
  return typeof m.statusCode === 'number' ? `HTTP ${m.statusCode}` : `${String(m.statusCode)}: ${String(m.payload)}`;
}

/** 2: Node-RED's core `http request` node, the Bearer header set on msg.headers. */
export function coreHttpRequest(rt: Runtime, server: string, token: string): Side {
  const authorization = `Bearer ${token}`;
  const getUrl = server + GET_PATH;
  const writeUrl = server + WRITE_PATH;
  return {
    key: 'core',
    label: 'core http request',
    bind(op, loop, runId) {
      if (op === 'get') {
        const node = rt.node(IDS.coreGet);
        loop.setInject((seq) => node.receive({ benchRun: runId, benchSeq: seq, url: getUrl, headers: { Authorization: authorization } }));
        return route(
          rt,
          IDS.coreGet,
          loop,
          runId,
          (m) => (m.statusCode === 200 && (m.payload as { id?: number })?.id === DEVICE_ID ? undefined : failure(m)),
          false,
        );
      }
      const node = rt.node(IDS.coreWrite);
      loop.setInject((seq) =>
        node.receive({
          benchRun: runId,
          benchSeq: seq,
          url: writeUrl,
          headers: { Authorization: authorization },
          payload: { deviceId: DEVICE_ID, dataStreamId: DATASTREAM_ID, value: valueFor(seq) },
        }),
      );
      return route(rt, IDS.coreWrite, loop, runId, (m) => (m.statusCode === 204 ? undefined : failure(m)), false);
    },
  };
}

/** 3: this package's nodes, the token managed by their config node. */
export function packageNodes(rt: Runtime, ids: { get: string; write: string } = { get: IDS.pkgGet, write: IDS.pkgWrite }): Side {
  return {
    key: 'pkg',
    label: 'package',
    bind(op, loop, runId) {
      if (op === 'get') {
        const node = rt.node(ids.get);
        loop.setInject((seq) => node.receive({ benchRun: runId, benchSeq: seq, deviceId: DEVICE_ID }));
        return route(rt, ids.get, loop, runId, (m) =>
          (m.payload as { id?: number })?.id === DEVICE_ID ? undefined : 'unexpected payload',
        );
      }
      const node = rt.node(ids.write);
      loop.setInject((seq) =>
        node.receive({ benchRun: runId, benchSeq: seq, deviceId: DEVICE_ID, dataStreamId: DATASTREAM_ID, payload: valueFor(seq) }),
      );
      return route(rt, ids.write, loop, runId, () => undefined);
    },
  };
}

/** This package's device update node on a paced connection: the burst of the pacing phase. */
export function deviceUpdates(rt: Runtime, id: string): Side {
  return {
    key: 'pkg',
    label: 'package (device update)',
    bind(_op, loop, runId) {
      const node = rt.node(id);
      loop.setInject((seq) => node.receive({ benchRun: runId, benchSeq: seq, topic: 'V1', payload: valueFor(seq) }));
      return route(rt, id, loop, runId, () => undefined);
    },
  };
}
