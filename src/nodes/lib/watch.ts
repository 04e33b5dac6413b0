import { NodeMessage, NodeStatus } from 'node-red';
import { BlynkError, isRecord, positiveOr } from '../../blynk';
import { failureRing, localize, redRing, statusKey } from './i18n';
import { StartContext, NodeExtension } from './flow-node-spec';

/** Never poll faster than this, whatever the limits: one watch leaves most of a device's budget to writes. */
export const MIN_POLL_MS = 100;
/** The interval of a flow saved without one. */
const DEFAULT_POLL_MS = 10_000;

/** The poll interval (ms) from the node's seconds, floored by `floorMs` (the per-device limit) and MIN_POLL_MS. */
export function pollIntervalMs(seconds: unknown, floorMs: number): number {
  return Math.max(positiveOr(seconds, DEFAULT_POLL_MS / 1000) * 1000, floorMs, MIN_POLL_MS);
}

export const WATCHING: NodeStatus = { fill: 'green', shape: 'ring', text: statusKey('watching') };

export interface Reading {
  topic: string;
  value: unknown;
}

/**
 * Polls `read` every `intervalMs` (one poll at a time, the next one scheduled when the last has
 * ended) and sends a new msg `{topic, payload, previous[, changed]}` only when the value changed.
 * The first poll, right after start, sets the baseline and sends nothing. A failure shows on the
 * status and is reported (to Catch nodes too) once until the polls succeed again or fail otherwise.
 */
export function startWatch(ctx: StartContext, intervalMs: number, read: () => Promise<Reading>): NodeExtension {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let baseline: { value: unknown } | undefined;
  let reported: string | undefined;
  let status: NodeStatus = WATCHING;

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(poll, ms);
    timer.unref();
  };

  const poll = (): void => {
    timer = undefined;
    read().then(
      ({ topic, value }) => {
        if (stopped) return;
        reported = undefined;
        status = WATCHING;
        if (baseline === undefined) baseline = { value };
        else if (!sameValue(baseline.value, value)) {
          const previous = baseline.value;
          baseline = { value };
          ctx.node.send(changeMessage(topic, value, previous));
        }
        ctx.showStatus(status);
        schedule(intervalMs);
      },
      (err: unknown) => {
        if (stopped) return;
        const error = err instanceof BlynkError ? err : undefined;
        status = error ? failureRing(error) : redRing('invalid-input');
        const key = error ? error.code : String(err);
        if (key !== reported) {
          reported = key;
          ctx.node.error(error ? localize(ctx.RED, error, { type: ctx.node.type, api: 'device' }) : err, { payload: undefined });
        }
        ctx.showStatus(status);
        schedule(intervalMs);
      },
    );
  };

  schedule(0);
  ctx.showStatus(status);
  return {
    idleStatus: () => status,
    close: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

function changeMessage(topic: string, value: unknown, previous: unknown): NodeMessage {
  const msg: NodeMessage & { previous: unknown; changed?: string[] } = { topic, payload: value, previous };
  if (isRecord(value) && isRecord(previous)) {
    const keys = new Set([...Object.keys(previous), ...Object.keys(value)]);
    msg.changed = [...keys].filter((key) => !sameValue(previous[key], value[key]));
  }
  return msg;
}

/** Equality of JSON values: arrays in order, objects whatever the key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameValue(a[key], b[key]))
  );
}
