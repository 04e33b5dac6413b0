// Everything a user (or an attacker with the logs) could read while a test runs, kept as text so
// that it can be searched for secrets (reliability.md §5, group E):
// - the Node-RED log at every level, trace included (a handler of our own on RED.log, which sees
//   each entry before any level filter), entries inspected to full depth with hidden properties;
// - every node.status / node.warn / node.error / node.log / node.debug / node.trace call of every
//   node (the helper's spies on Node.prototype), arguments inspected the same way;
// - every message a Catch, Status or sink node receives (inspected when it arrives);
// - process warnings and anything written to stdout/stderr.
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type { SinonSpy } from 'sinon';

/** Full depth, hidden properties (getters, non-enumerable fields of errors) included. */
export function deepText(value: unknown): string {
  return inspect(value, { depth: Infinity, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity });
}

interface RedLog {
  addHandler(handler: EventEmitter): void;
  removeHandler(handler: EventEmitter): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED_UTIL = require('@node-red/util') as { log: RedLog; events: EventEmitter };
const RED_LOG = RED_UTIL.log;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NODE_PROTOTYPE = (require('@node-red/runtime/lib/nodes/Node') as { prototype: Record<string, unknown> }).prototype;

const SPIED = ['status', 'warn', 'error', 'log', 'debug', 'trace'] as const;

export interface LogEntry {
  level: number;
  id?: string;
  type?: string;
  msg: unknown;
}

export class Capture {
  /** Readable text, one chunk per thing seen, with where it came from. */
  readonly chunks: string[] = [];
  /** The Node-RED log entries themselves (F7, F8 count them). */
  readonly log: LogEntry[] = [];
  private handler?: EventEmitter;
  private readonly onWarning = (warning: Error): void => {
    this.add('process warning', warning);
  };
  /** What the editor would show: status updates (also those made while flows stop) and comms. */
  private readonly onStatus = (event: unknown): void => {
    if (!this.quiet) this.add('node-status event', event);
  };
  private readonly onComms = (event: unknown): void => {
    if (!this.quiet) this.add('comms event', event);
  };
  /** Load tests: status, comms and metric events are not kept (other log entries and warnings are). */
  quiet = false;
  private restoreStreams?: () => void;

  /** Starts capturing; call after `helper.startServer` (its RED.init drops every log handler). */
  start(): void {
    const handler = new EventEmitter();
    handler.on('log', (entry: LogEntry) => {
      // Metric entries (a msgid per send and receive) are not kept in load tests.
      if (this.quiet && entry.level >= 98) return;
      this.log.push(entry);
      this.add('log', entry);
    });
    RED_LOG.addHandler(handler);
    this.handler = handler;
    process.on('warning', this.onWarning);
    RED_UTIL.events.on('node-status', this.onStatus);
    RED_UTIL.events.on('comms', this.onComms);
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const tap =
      (name: string, write: typeof process.stdout.write): typeof process.stdout.write =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        this.chunks.push(`${name}: ${String(chunk)}`);
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = tap('stdout', out);
    process.stderr.write = tap('stderr', err);
    this.restoreStreams = () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
  }

  /** Adds what the helper's spies recorded; call before `helper.unload`, which drops them. */
  collectSpies(): void {
    for (const method of SPIED) {
      const spy = NODE_PROTOTYPE[method] as Partial<SinonSpy> | undefined;
      const calls = typeof spy?.getCalls === 'function' ? spy.getCalls() : [];
      for (const call of calls) {
        const node = call.thisValue as { id?: string; type?: string } | undefined;
        this.add(`node.${method} ${node?.type}:${node?.id}`, call.args);
      }
    }
  }

  stop(): void {
    if (this.handler) RED_LOG.removeHandler(this.handler);
    this.handler = undefined;
    process.off('warning', this.onWarning);
    RED_UTIL.events.off('node-status', this.onStatus);
    RED_UTIL.events.off('comms', this.onComms);
    this.restoreStreams?.();
    this.restoreStreams = undefined;
  }

  add(source: string, value: unknown): void {
    this.chunks.push(`${source}: ${deepText(value)}`);
  }

  get text(): string {
    return this.chunks.join('\n');
  }

  /** Log entries of `level` (RED.log.WARN = 30, ERROR = 20, …), from node `id` if given. */
  entries(level: number, id?: string): LogEntry[] {
    return this.log.filter((e) => e.level === level && (id === undefined || e.id === id));
  }
}

export const LOG = { ERROR: 20, WARN: 30, INFO: 40, DEBUG: 50, TRACE: 60 } as const;

/** Strings that must never be readable, whatever the case: header names and schemes. */
export const FORBIDDEN_WORDS = [/authorization/i, /bearer /i];

/** Where each secret (and each forbidden word) occurs in `text`; empty when none does. */
export function findSecrets(text: string, secrets: Iterable<string>): string[] {
  const hits: string[] = [];
  const context = (at: number): string => JSON.stringify(text.slice(Math.max(0, at - 60), at + 60));
  for (const secret of new Set(secrets)) {
    if (secret.length < 6) throw new Error(`a secret to look for must be at least 6 characters: "${secret}"`);
    const at = text.indexOf(secret);
    if (at >= 0) hits.push(`secret ${secret.slice(0, 4)}… at ${context(at)}`);
  }
  for (const word of FORBIDDEN_WORDS) {
    const m = word.exec(text);
    if (m) hits.push(`"${m[0]}" at ${context(m.index)}`);
  }
  return hits;
}
