// A minimal HTTP client for tests, on node:http without keep-alive: unlike global fetch (undici),
// it leaves no pooled socket or timer behind, so the root hook's "nothing left alive" check sees
// only what the package and the runtime leave.
import http from 'node:http';
import { RAW_HEADER } from './contract';

export interface HttpAnswer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

export function httpRequest(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // Hand-made requests: the contract hook checks only the simulator's answers to them.
    const req = http.request(url, { method, headers: { [RAW_HEADER]: '1', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
