// RFC 8414 authorization server metadata: Blynk documents no authorization endpoint for Platform
// API clients, so a server that publishes its metadata names its own endpoints.
import { endpointPathOf } from './server-url';
import { Transport } from './transport';

const METADATA_PATH = '/.well-known/oauth-authorization-server';

export interface DiscoveredEndpoints {
  authorizePath?: string;
  tokenPath?: string;
}

/**
 * The authorization and token endpoints the server publishes, as paths on the server itself: an
 * endpoint on another origin, or one that is not a plain path, is not taken (the client secret
 * goes only to the configured server). Nothing when there is no metadata or it cannot be read.
 */
export async function discoverEndpoints(server: URL, timeoutMs = 5_000): Promise<DiscoveredEndpoints> {
  const transport = new Transport(server.origin);
  try {
    const res = await transport.request({ method: 'GET', path: METADATA_PATH, timeoutMs });
    if (res.status !== 200 || typeof res.data !== 'object' || res.data === null) return {};
    const metadata = res.data as Record<string, unknown>;
    const authorizePath = pathOnServer(server, metadata.authorization_endpoint);
    const tokenPath = pathOnServer(server, metadata.token_endpoint);
    return { ...(authorizePath ? { authorizePath } : {}), ...(tokenPath ? { tokenPath } : {}) };
  } catch {
    return {};
  } finally {
    transport.close();
  }
}

function pathOnServer(server: URL, endpoint: unknown): string | undefined {
  if (typeof endpoint !== 'string') return undefined;
  try {
    const url = new URL(endpoint);
    if (url.origin !== server.origin || url.username || url.password || url.search || url.hash) return undefined;
    return endpointPathOf(url.pathname, '') || undefined;
  } catch {
    return undefined;
  }
}
