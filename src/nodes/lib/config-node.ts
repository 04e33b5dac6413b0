import { Node, NodeAPI, NodeDef, NodeStatus } from 'node-red';
import {
  BlynkClient,
  BlynkError,
  DatastreamMap,
  DeviceNames,
  endpointPathOf,
  GrantType,
  OAuthCredentials,
  pacingEnabled,
  RateLimitMode,
  rateLimitsOf,
  TokenState,
} from '../../blynk';
import { CATALOG, CONNECTED, CONNECTING, failureRing, localize, redRing, sameStatus, statusKey } from './i18n';

export interface ConfigDef extends NodeDef {
  server?: string;
  grantType?: GrantType;
  /** `auto` (also when absent): Blynk's documented limits on `blynk.cloud` hosts, none elsewhere. */
  rateLimit?: RateLimitMode;
  /** Platform API requests per minute for the organisation (default 10,000). */
  platformRate?: number | string;
  /** Device API requests per second per device (default 50). */
  deviceRate?: number | string;
  /** Calls that may wait for their turn, per queue (default 1000). */
  queueLimit?: number | string;
  /** OAuth scope asked for (optional; sent only where the grant accepts it). */
  scope?: string;
  /** `authorization_code`: the authorization page's path (default `/oauth2/authorize`, assumed: Blynk does not document it). */
  authorizePath?: string;
  /** Token endpoint path, for every grant (default `/oauth2/token`). */
  tokenPath?: string;
}

export interface ConfigCredentials {
  clientId?: string;
  clientSecret?: string;
  userEmail?: string;
  password?: string;
  /** `authorization_code`: stored by the sign-in callback, rotated on use; never sent to the editor. */
  refreshToken?: string;
}

export type ApiKind = 'platform' | 'device';

/** A flow node as its config node sees it: something to show the token state on. */
export interface ConfigUser {
  id: string;
  status(status: NodeStatus): void;
}

/** What flow nodes see of a `blynk-cloud-config` node. */
export interface BlynkConfigNode extends Node<ConfigCredentials> {
  /** The server as configured (not the region learned from a redirect). */
  server?: string;
  /** The client for a kind of call, or the configuration error that prevents it. */
  clientFor(api: ApiKind): BlynkClient;
  /** The status a flow node of that kind shows when it is idle: the connection's latest state. */
  statusFor(api: ApiKind): NodeStatus;
  /**
   * A flow node's latest outcome that says something of the connection itself: a success, or a
   * failure no message could avoid (unreachable, credentials refused). Every user of that kind
   * shows it, so all nodes on one connection agree.
   */
  report(api: ApiKind, error?: BlynkError): void;
  register(user: ConfigUser, api: ApiKind): void;
  deregister(user: ConfigUser): void;
  /** The pin → datastream id maps for Platform writes by pin (needs the OAuth client). */
  datastreamMap(): DatastreamMap;
  /** Device name → id for nodes given a device by name (needs the OAuth client); cleared on redeploy. */
  deviceNames(): DeviceNames;
  /** The shortest poll interval the per-device limit allows (ms): the configured rate, else Blynk's. */
  devicePollFloorMs(): number;
  /** The grant this node was deployed with. */
  grantType?: GrantType;
  /** `authorization_code`: a fresh sign-in's refresh token, used at once by the running node. */
  signIn?(refreshToken: string): void;
}

const STATE_STATUS: Record<TokenState, NodeStatus> = {
  idle: {},
  connecting: CONNECTING,
  ok: CONNECTED,
  'auth-failed': redRing('auth-failed'),
  'signin-required': redRing('signin-required'),
  'rate-limited': { fill: 'yellow', shape: 'ring', text: statusKey('rate-limited') },
  error: redRing('error'),
};

/** A connection without a name, as its label shows it: the server's host. */
function configLabel(server: string | undefined): string {
  try {
    return new URL((server ?? '').trim() || 'https://blynk.cloud').host;
  } catch {
    return String(server);
  }
}

/**
 * The deployed connection with this id, or null: no id, not deployed, or a node of another type
 * (an imported flow may point anywhere, and another node's credentials are not ours to send).
 */
export function deployedConfig(RED: NodeAPI, id: string | undefined): BlynkConfigNode | null {
  const node = id ? RED.nodes.getNode(id) : null;
  return node?.type === 'blynk-cloud-config' ? (node as BlynkConfigNode) : null;
}

export function grantTypeOf(value: unknown): GrantType {
  return value === 'user_credentials' || value === 'authorization_code' ? value : 'client_credentials';
}

export function credentialsOf(grantType: GrantType | undefined, creds: ConfigCredentials, scope?: string): OAuthCredentials {
  const grant = grantTypeOf(grantType);
  return {
    grantType: grant,
    clientId: (creds.clientId ?? '').trim(),
    clientSecret: creds.clientSecret ?? '',
    userEmail: (creds.userEmail ?? '').trim(),
    password: creds.password ?? '',
    ...(grant === 'authorization_code' && creds.refreshToken ? { refreshToken: creds.refreshToken } : {}),
    ...(scope && scope.trim() ? { scope: scope.trim() } : {}),
  };
}

/**
 * Stores a refresh token as a credential of node `id`, keeping its other credentials. Node-RED keeps
 * it in memory and writes it to flows_cred.json only with the next deploy: Node-RED has no
 * API that saves credentials on their own.
 */
export function storeRefreshToken(RED: NodeAPI, id: string, refreshToken: string | undefined): void {
  const current = (RED.nodes.getCredentials(id) as ConfigCredentials | undefined) ?? {};
  const next: ConfigCredentials = { ...current };
  if (refreshToken) next.refreshToken = refreshToken;
  else delete next.refreshToken;
  // addCredentials returns a promise in Node-RED ≥1; nothing to wait for, and it does not fail.
  void Promise.resolve(RED.nodes.addCredentials(id, next as Record<string, unknown>)).catch(() => undefined);
}

/**
 * Sets up a config node: its client (token manager and connection pool), the users whose status
 * follows the token state, one warning per state change or region move, and a close that aborts
 * everything and forgets the tokens.
 */
export function initConfigNode(RED: NodeAPI, node: BlynkConfigNode, def: ConfigDef): void {
  const users = new Map<string, { user: ConfigUser; api: ApiKind }>();
  node.server = def.server;
  const credentials = credentialsOf(def.grantType, node.credentials ?? {}, def.scope);
  node.grantType = credentials.grantType;
  let client: BlynkClient | undefined;
  let setupError: BlynkError | undefined;

  /** What each kind of user shows when idle; changed only by news about the connection. */
  const link: Record<ApiKind, NodeStatus> = { platform: {}, device: {} };
  /** Shows `status` on every user of `kind`, when it is news. */
  const showOnUsers = (kind: ApiKind, status: NodeStatus): void => {
    if (sameStatus(link[kind], status)) return;
    link[kind] = status;
    for (const { user, api } of users.values()) if (api === kind) user.status(status);
  };
  const onStateChange = (state: TokenState, error?: BlynkError): void => {
    if (error) node.warn(localize(RED, error).message);
    showOnUsers('platform', STATE_STATUS[state]);
  };
  const onRegionMoved = (server: string): void => {
    node.warn(RED._(`${CATALOG}.warnings.region-moved`, { server, name: node.name || configLabel(def.server) }));
  };

  const limits = rateLimitsOf({ platformPerMinute: def.platformRate, devicePerSecond: def.deviceRate, maxQueue: def.queueLimit });
  const rateLimits = pacingEnabled(def.rateLimit, def.server) ? limits : undefined;
  let pinMap: DatastreamMap | undefined;
  let names: DeviceNames | undefined;

  try {
    // The rotated refresh token goes back into the credential store at once; Node-RED writes it to
    // disk only on the next deploy (it has no API that saves credentials on their own), as the help and
    // the dialog say.
    const onRefreshToken =
      credentials.grantType === 'authorization_code' ? (rt: string | undefined) => storeRefreshToken(RED, node.id, rt) : undefined;
    // Not used until a sign-in, but stored with the node: an imported path is refused at start too.
    endpointPathOf(def.authorizePath, '');
    client = new BlynkClient({
      server: def.server,
      credentials,
      onStateChange,
      onRegionMoved,
      rateLimits,
      tokenPath: def.tokenPath || undefined,
      onRefreshToken,
    });
  } catch (err) {
    setupError = err instanceof BlynkError ? err : new BlynkError('INVALID_SERVER', { server: String(def.server) });
    // Said once, at start: no request is made with a connection that cannot be used.
    node.error(localize(RED, setupError).message);
  }

  node.clientFor = (api: ApiKind): BlynkClient => {
    if (!client) throw setupError ?? new BlynkError('INVALID_SERVER');
    if (api === 'platform' && !client.tokens) throw new BlynkError('NO_OAUTH_CLIENT');
    return client;
  };
  node.statusFor = (api: ApiKind): NodeStatus => {
    if (!client && setupError) return failureRing(setupError);
    return link[api];
  };
  node.report = (api: ApiKind, error?: BlynkError): void => showOnUsers(api, error ? failureRing(error) : STATE_STATUS.ok);
  node.signIn = (refreshToken: string): void => {
    client?.tokens?.signIn(refreshToken);
  };
  node.register = (user: ConfigUser, api: ApiKind): void => {
    users.set(user.id, { user, api });
  };
  node.deregister = (user: ConfigUser): void => {
    users.delete(user.id);
  };
  node.datastreamMap = (): DatastreamMap => {
    const platform = node.clientFor('platform');
    pinMap ??= new DatastreamMap(platform);
    return pinMap;
  };
  node.deviceNames = (): DeviceNames => {
    const platform = node.clientFor('platform');
    names ??= new DeviceNames(platform);
    return names;
  };
  // Whether or not calls are paced, a poll never comes faster than the per-device limit allows.
  node.devicePollFloorMs = (): number => 1000 / limits.devicePerSecond;

  node.on('close', (_removed: boolean, done: () => void) => {
    client?.close();
    client = undefined;
    pinMap = undefined;
    names = undefined;
    setupError = new BlynkError('CLOSED');
    users.clear();
    done();
  });
}
