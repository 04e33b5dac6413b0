import { NodeAPI, NodeStatus } from 'node-red';
import { BlynkError, errorRule, failureStatusOf, sanitizeDetail } from '../../blynk';

/**
 * Runtime strings live in the config node's catalogue (namespace `<module>/<node file>`),
 * under its `blynk-cloud-config` section, shared by every node of the package.
 */
export const CATALOG = 'node-red-contrib-blynk-cloud/blynk-cloud-config:blynk-cloud-config';

export function statusKey(key: string): string {
  return `${CATALOG}.status.${key}`;
}

/** Signing in or connecting: a yellow ring. */
export const CONNECTING: NodeStatus = { fill: 'yellow', shape: 'ring', text: statusKey('connecting') };
/** Working: a green dot. */
export const CONNECTED: NodeStatus = { fill: 'green', shape: 'dot', text: statusKey('ok') };

/** A red ring with the status text `key`: something is wrong. */
export function redRing(key: string): NodeStatus {
  return { fill: 'red', shape: 'ring', text: statusKey(key) };
}

export function sameStatus(a: NodeStatus, b: NodeStatus): boolean {
  return a.fill === b.fill && a.shape === b.shape && a.text === b.text;
}

/**
 * Node-RED shows an error through `toString()` (Catch nodes' `msg.error.message`, the log), which
 * for an Error puts its name first: a localised error reads as its message alone.
 */
class LocalizedError extends BlynkError {
  override toString(): string {
    return this.message;
  }
}

function messageParams(error: BlynkError): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error.details)) {
    if (value !== undefined) params[key] = value;
  }
  // Blynk's own sentences end in a full stop; inside "(…)." it would be doubled.
  if (typeof params.detail === 'string') params.detail = params.detail.replace(/(?<!\.)\.$/, '');
  return params;
}

/** The node a failure happened in, which says what a 404 most likely means. */
export interface FailedIn {
  type: string;
  api: 'platform' | 'device';
}

/**
 * What to check after a 404: the ids a Platform API node sends, or, for a device token node,
 * the server (Blynk's Device API answers its own routes on every region).
 */
function notFoundHint(RED: NodeAPI, node: FailedIn | undefined): string {
  const which = node === undefined ? 'any' : node.api === 'device' ? 'device-api' : node.type;
  return RED._(`${CATALOG}.hints.not-found.${which}`);
}

/** The error with its message in the user's language; code and details stay as they were. */
export function localize(RED: NodeAPI, error: BlynkError, node?: FailedIn): BlynkError {
  const params = messageParams(error);
  if (error.code === 'NOT_FOUND') params.hint = notFoundHint(RED, node);
  return new LocalizedError(error.code, error.details, RED._(`${CATALOG}.errors.${error.messageKey}`, params));
}

/**
 * A message an admin route answers with: in the runtime's language, and as its catalogue key and
 * values, so that the editor shows it whole in the editor's own language.
 */
export interface Said {
  message: string;
  key: string;
  params: Record<string, string | number>;
}

export function said(RED: NodeAPI, key: string, params: Record<string, string | number> = {}): Said {
  return { message: RED._(`${CATALOG}.${key}`, params), key, params };
}

export function saidError(RED: NodeAPI, error: BlynkError): Said {
  return said(RED, `errors.${error.messageKey}`, messageParams(error));
}

/** Any failure as a BlynkError: one that is not (a bug, a runtime fault) keeps its own message. */
export function unexpected(err: unknown): BlynkError {
  if (err instanceof BlynkError) return err;
  return new BlynkError('UNEXPECTED', { detail: sanitizeDetail(err instanceof Error ? err.message : err) || 'unknown' });
}

/**
 * Failures that say something of the connection rather than of one message: its server cannot be
 * reached or refuses its credentials. Every node on the connection shows them.
 */
export function isConnectionFailure(error: BlynkError): boolean {
  return errorRule(error.code).connection;
}

/** The red ring that says why a failure happened. */
export function failureRing(error: BlynkError): NodeStatus {
  return { fill: 'red', shape: 'ring', text: failureStatus(error) };
}

/** Short status texts for a failure, so that the node says why it is red. */
export function failureStatus(error: BlynkError): string {
  return statusKey(failureStatusOf(error.code, error.status));
}
