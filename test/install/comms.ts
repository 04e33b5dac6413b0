// The editor's comms websocket as the debug sidebar reads it: debug messages, decoded.
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../scripts/lib/wait';

/** RED.log levels, as carried by debug messages of node.error / node.warn. */
const LOG_ERROR = 20;
const LOG_WARN = 30;

export interface Debug {
  id?: string;
  type?: string;
  msg: unknown;
  format?: string;
  level?: number;
}

interface Socket {
  once(event: 'open' | 'error', listener: (arg?: unknown) => void): void;
  on(event: 'message', listener: (raw: unknown) => void): void;
  send(text: string): void;
  terminate(): void;
}
type SocketClass = new (url: string) => Socket;

/** ws from Node-RED's own dependencies (Node 20 has no global WebSocket client). */
function loadWs(nodeRedDir: string): { WebSocket: SocketClass; version: string } {
  const candidates = [nodeRedDir, path.join(nodeRedDir, 'node_modules', '@node-red', 'editor-api')];
  try {
    candidates.push(path.dirname(require.resolve('@node-red/editor-api/package.json', { paths: [nodeRedDir] })));
  } catch {
    // not resolvable that way
  }
  for (const dir of candidates) {
    try {
      const wsPath = require.resolve('ws', { paths: [dir] });
      const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(wsPath), 'package.json'), 'utf8')) as { version: string };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return { WebSocket: require(wsPath) as SocketClass, version };
    } catch {
      // next
    }
  }
  throw new Error(`cannot resolve the ws package from ${nodeRedDir}`);
}

/** The debug node's encodeObject format back to a value. */
function decode({ format = '', msg }: Debug): unknown {
  if (format === 'number') return Number(msg);
  if (format === 'boolean') return msg === 'true';
  if (format === 'null') return null;
  if (format.startsWith('string') || typeof msg !== 'string') return msg;
  try {
    return JSON.parse(msg);
  } catch {
    return msg;
  }
}

export class Comms {
  readonly messages: Array<{ topic: string; data: Debug }> = [];
  readonly wsVersion: string;
  private readonly ws: Socket;
  private readonly opened: Promise<unknown>;

  constructor(nodeRedDir: string, url: string) {
    const { WebSocket, version } = loadWs(nodeRedDir);
    this.wsVersion = version;
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (raw) => {
      let batch: unknown;
      try {
        batch = JSON.parse(String(raw));
      } catch {
        return;
      }
      for (const m of Array.isArray(batch) ? batch : [batch]) if (m && m.topic) this.messages.push(m);
    });
  }

  async open(): Promise<void> {
    await this.opened;
    this.ws.send(JSON.stringify({ subscribe: 'debug' }));
    this.ws.send(JSON.stringify({ subscribe: 'status/#' }));
  }

  debug(from = 0): Debug[] {
    return this.messages
      .slice(from)
      .filter((m) => m.topic === 'debug')
      .map((m) => m.data);
  }

  /** The next output (not a log line) of debug node `id` after message `from`, decoded. */
  async output(id: string, from: number, what: string, timeoutMs = 10_000): Promise<unknown> {
    try {
      return decode(
        await waitFor(() => this.debug(from).find((d) => d.id === id && d.level === undefined), `debug output from ${what}`, timeoutMs, 20),
      );
    } catch (err) {
      const seen = this.debug(from).map((d) => `${d.id ?? d.type}: ${String(d.msg).slice(0, 120)}`);
      throw new Error(`${(err as Error).message}; debug messages seen: ${seen.length ? '\n' + seen.join('\n') : 'none'}`, { cause: err });
    }
  }

  /** Warnings and errors that nodes logged (they reach the debug sidebar with a level). */
  problems(): Debug[] {
    return this.debug().filter((d) => d.level === LOG_ERROR || d.level === LOG_WARN);
  }

  close(): void {
    try {
      this.ws.terminate();
    } catch {
      // closed
    }
  }
}
