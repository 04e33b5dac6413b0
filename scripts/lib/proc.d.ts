export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}
export const NPM: string;
/** The caller's environment minus what `npm run` exports about this project; npm's cache in `cacheDir`. */
export function childEnv(options?: { cacheDir?: string; prependPath?: string }): NodeJS.ProcessEnv;
export function run(
  cmd: string,
  args: string[],
  options?: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFailure?: boolean; label?: string },
): Promise<RunResult>;
/** npm with `nodeBinDir` first on PATH, so that npm and its scripts run on that Node.js. */
export function npm(
  args: string[],
  options?: { cwd?: string; cacheDir?: string; nodeBinDir?: string; label?: string; timeoutMs?: number },
): Promise<RunResult>;
/** Stops every child still running (and its process group); nothing new starts afterwards. */
export function killAll(waitMs?: number): Promise<void>;
export function tail(text: string, lines: number): string;
export function indent(text: string, by?: string): string;
