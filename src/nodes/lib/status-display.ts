import { Node, NodeStatus } from 'node-red';
import { BlynkError } from '../../blynk';
import { ApiKind, BlynkConfigNode, ConfigUser } from './config-node';
import { failureRing, isConnectionFailure, redRing, sameStatus, statusKey } from './i18n';
import { NodeExtension } from './flow-node-spec';

const REQUESTING: NodeStatus = { fill: 'blue', shape: 'dot', text: statusKey('requesting') };

/** What one flow node shows on its status, as its messages and its connection go. */
export interface StatusDisplay {
  /** The node as its config node sees it, to be registered with it. */
  user: ConfigUser;
  /** The first message in flight: `requesting` until the last one ends. */
  requesting(): void;
  /** A message succeeded: the node shows its idle status again once no message is in flight. */
  succeeded(): void;
  /** A typed property could not be evaluated. */
  invalidInput(): void;
  failed(error: BlynkError): void;
  /** Shows `status` unless messages are in flight (their `requesting` wins until they end). */
  showWhenIdle(status: NodeStatus): void;
  /** The status of an idle node: its node-level work's own, else the connection's. */
  showIdle(): void;
}

/**
 * The config node shows news of the connection on its users; while a request is in flight, the
 * node keeps saying so, and shows the connection's state once idle (`statusFor`). A node with an
 * idle status of its own (watching) keeps that one, and so does one whose latest outcome was its
 * own failure (bad input, not found) until it does better.
 */
export function statusDisplay(
  node: Node,
  config: BlynkConfigNode | null,
  api: ApiKind,
  busy: () => boolean,
  extension: () => NodeExtension | undefined,
): StatusDisplay {
  let ownFailure = false;
  /** The status on show: the same one again (news that reached this node itself) is not repeated. */
  let shown: NodeStatus | undefined;
  const set = (status: NodeStatus): void => {
    if (shown && sameStatus(shown, status)) return;
    shown = status;
    node.status(status);
  };
  const idleStatus = (): NodeStatus => extension()?.idleStatus?.() ?? (config ? config.statusFor(api) : {});
  return {
    user: {
      id: node.id,
      status: (status) => {
        if (!busy() && !extension()?.idleStatus && !ownFailure) set(status);
      },
    },
    requesting: () => set(REQUESTING),
    succeeded: () => {
      ownFailure = false;
      config?.report(api);
      if (!busy()) set(idleStatus());
    },
    invalidInput: () => {
      ownFailure = true;
      set(redRing('invalid-input'));
    },
    failed: (error) => {
      ownFailure = !isConnectionFailure(error);
      if (!ownFailure) config?.report(api, error);
      set(failureRing(error));
    },
    showWhenIdle: (status) => {
      if (!busy()) set(status);
    },
    showIdle: () => set(idleStatus()),
  };
}
