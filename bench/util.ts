// Small helpers of the bench: GC, progress on stderr, number formatting.
export const gc = (globalThis as { gc?: () => void }).gc;
export const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);
export const tick = () => new Promise<void>((r) => setImmediate(r));
export const MB = (bytes: number) => bytes / 1024 / 1024;
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
export const pad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
export const padEnd = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export async function fullGc(): Promise<void> {
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
}
