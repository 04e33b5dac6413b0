// Observer hook: every request the simulator answers (or drops) is reported, with its answer, to
// the listeners registered here. The test suite uses it to check each exchange against Blynk's
// documented contract (contract/ at the repo top). With BLYNK_SIM_CONTRACT_LOG=<file> in the
// environment, every exchange is also appended to that file as one JSON line, for simulators that
// run in another process or thread (checked afterwards by scripts/check-contract-log.js).
import { appendFileSync } from 'node:fs';

export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  /** The raw request body ('' when empty). */
  requestBody: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** The answer's Content-Type, if it had a body. */
  contentType?: string;
  /** The raw answer body, if any. */
  answerBody?: string;
  /** Set when the answer came from fault injection rather than from the simulator's routes. */
  fault?: boolean;
}

export type ExchangeListener = (exchange: Exchange) => void;

const listeners = new Set<ExchangeListener>();

/** Registers a listener for every exchange of every simulator in this thread; returns its remover. */
export function onExchange(listener: ExchangeListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called by the server once per request, after it answered (or dropped) it. */
export function reportExchange(exchange: Exchange): void {
  const file = process.env.BLYNK_SIM_CONTRACT_LOG;
  if (file) {
    try {
      appendFileSync(file, JSON.stringify(exchange) + '\n');
    } catch {
      // a log that cannot be written must not break the simulator
    }
  }
  for (const l of listeners) {
    try {
      l(exchange);
    } catch {
      // a failing listener must not break the simulator
    }
  }
}
