// A server on another loopback port that records every request it gets and answers as told: the
// place a secret would reach if a path or an answer could move a request, or an echoing server.
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** `type` null: no Content-Type header (an answer without a body). */
export type Answer = (req: Recorded) => { status: number; type?: string | null; body: string };

export interface Recorder {
  readonly url: string;
  readonly port: number;
  readonly requests: Recorded[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startRecorder(answer: Answer = () => ({ status: 404, body: '' })): Promise<Recorder> {
  const requests: Recorded[] = [];
  const recorder = { requests, answer } as Recorder & { url: string; port: number };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const out = recorder.answer(seen);
      res.writeHead(
        out.status,
        out.type === null ? { Connection: 'close' } : { 'Content-Type': out.type ?? 'application/json', Connection: 'close' },
      );
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  recorder.port = port;
  recorder.url = `http://127.0.0.1:${port}`;
  recorder.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return recorder;
}

/** What a debugging endpoint or a misbehaving proxy says: the whole request, credentials and all. */
export function echoOf(req: Recorded): string {
  return `you sent ${req.method} ${req.url} with ${req.authorization ?? 'no credentials'} and body ${req.body || 'none'}`;
}

/** Every form a path could take to move a request to the recorder (or anywhere else). */
export function offServerPaths(port: number): string[] {
  return [
    `:${port}/steal`,
    `@127.0.0.1:${port}/steal`,
    `.localhost:${port}/steal`,
    `//127.0.0.1:${port}/steal`,
    `\\\\127.0.0.1:${port}/steal`,
    `/\\127.0.0.1:${port}/steal`,
    `%40127.0.0.1:${port}/steal`,
    `/%2F%2F127.0.0.1:${port}/steal`,
    `/%2e%2e/steal`,
    `/oauth2/token?x=@127.0.0.1:${port}`,
    `/oauth2/token#@127.0.0.1:${port}`,
  ];
}
