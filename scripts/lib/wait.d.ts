/** Resolves after `ms` of real time. */
export function sleep(ms: number): Promise<void>;
/** Polls `cond` (real time) until it gives something truthy and resolves with it; rejects after `timeoutMs`. */
export function waitFor<T>(cond: () => T | Promise<T>, what: string, timeoutMs?: number, intervalMs?: number): Promise<NonNullable<T>>;
