export interface Validated {
  version: string;
  code: number | null;
  output: string;
  /** The JSON card, one entry per check id (and `package`); undefined if none was written. */
  card: Record<string, { test?: boolean } & Record<string, unknown>> | undefined;
  unreachable: Array<{ url: string; code: string | null }>;
}
/** The checks of node-red-dev 0.1.6, id → what it checks. */
export const CHECKS: Record<string, string>;
export function validate(options: { pkgDir: string; workDir: string }): Promise<Validated>;
export function noCard(result: Validated): string;
/** { text } when check `id` passed, { skipped } when it cannot be verified here; throws when it failed. */
export function verdict(id: string, result: Validated): { text?: string; skipped?: string };
/** Unpacks an npm tarball into `dest` (package/ stripped); returns `dest`. */
export function unpack(tarball: string, dest: string): string;
