// Statistics shared by the benchmark (run.ts) and the A/B driver (ab.ts), which must not import
// run.ts: importing it starts a run.

/** The median of the finite values, NaN if there are none. */
export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
