import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
export const PACKAGE: string;

export interface LaunchOptions {
  /** Created if missing. */
  userDir: string;
  /** Written as settings.js over loopback-only defaults; without it, <userDir>/settings.js is used as it is. */
  settings?: Record<string, unknown>;
  /** Named in settings.js's first line. */
  writtenBy?: string;
  /** Link this repository into <userDir>/node_modules (as `npm start` does). */
  link?: boolean;
  /** A free loopback port unless given. */
  port?: number;
  /** The Node.js binary (this one unless given) and the Node-RED installation (the devDependency). */
  nodeBin?: string;
  nodeRedDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Also print Node-RED's output. */
  echo?: boolean;
  readyTimeoutMs?: number;
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface NodeRed {
  readonly url: string;
  readonly port: number;
  readonly userDir: string;
  readonly settingsFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Ended>;
  readonly alive: boolean;
  /** Everything the process printed so far. */
  output(): string;
  get(pathname: string, headers?: Record<string, string>): Promise<{ status: number; type: string; text: string }>;
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<Ended & { graceful: boolean; ms: number }>;
}

/** Starts Node-RED and resolves once its admin API answers. */
export function launchNodeRed(options: LaunchOptions): Promise<NodeRed>;
