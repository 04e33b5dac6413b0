// A closed-loop load driver: exactly `concurrency` messages in flight, the next one injected
// when one completes, every message tagged with a sequence number so that losses and duplicates
// are counted rather than assumed away.
import { performance } from 'node:perf_hooks';
import { threadCpuNs } from './cpu';

export interface LoopSpec {
  concurrency: number;
  /** Stop injecting after this long (time-boxed run)… */
  durationMs?: number;
  /** …or after this many messages (counted run). */
  count?: number;
  /** How long messages still in flight may take once injection stops before they count as lost. */
  drainTimeoutMs?: number;
}

export interface LoopResult {
  sent: number;
  ok: number;
  errors: number;
  duplicates: number;
  lost: number;
  /** From the first injection to the last completion. */
  seconds: number;
  /** Successful messages per second. */
  rate: number;
  /** Main-thread event-loop utilisation over the run (0..1). */
  elu: number;
  /** Main-thread CPU time over the run, in ns (NaN where /proc is not available). */
  cpuNs: number;
  firstError?: string;
}

/** Starts one message; it must end, exactly once, in `loop.complete(seq, error?)`. */
export type Inject = (seq: number) => void;

export class Loop {
  private inflight = new Set<number>();
  private sent = 0;
  private ok = 0;
  private errors = 0;
  private duplicates = 0;
  private firstError?: string;
  private t0 = 0;
  private tLast = 0;
  private stopAt = Infinity;
  private limit = Infinity;
  private finished = false;
  private done?: () => void;
  private inject: Inject = () => {
    throw new Error('no inject function');
  };

  /** Stray completions after the run ended, or of messages it never sent. */
  strays = 0;

  setInject(inject: Inject): void {
    this.inject = inject;
  }

  run(spec: LoopSpec): Promise<LoopResult> {
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadCpuNs();
    return new Promise<LoopResult>((resolve) => {
      const budget = (spec.durationMs ?? 0) + (spec.drainTimeoutMs ?? 30_000) + (spec.count ? spec.count * 5 : 0);
      const watchdog = setTimeout(() => this.finish(), budget);
      this.done = () => {
        clearTimeout(watchdog);
        const seconds = (this.tLast - this.t0) / 1000;
        resolve({
          sent: this.sent,
          ok: this.ok,
          errors: this.errors,
          duplicates: this.duplicates,
          lost: this.inflight.size,
          seconds,
          rate: seconds > 0 ? this.ok / seconds : 0,
          elu: performance.eventLoopUtilization(elu0).utilization,
          cpuNs: threadCpuNs() - cpu0,
          ...(this.firstError ? { firstError: this.firstError } : {}),
        });
      };
      this.t0 = this.tLast = performance.now();
      this.stopAt = spec.durationMs !== undefined ? this.t0 + spec.durationMs : Infinity;
      this.limit = spec.count ?? Infinity;
      for (let i = 0; i < spec.concurrency && this.sent < this.limit; i++) this.next();
    });
  }

  /** Ends message `seq`: successfully, or with `error`. */
  complete(seq: number, error?: unknown): void {
    if (this.finished || !this.inflight.delete(seq)) {
      if (this.finished) this.strays++;
      else this.duplicates++;
      return;
    }
    if (error !== undefined) {
      this.errors++;
      this.firstError ??= describe(error);
    } else {
      this.ok++;
    }
    this.tLast = performance.now();
    if (this.sent < this.limit && this.tLast < this.stopAt) this.next();
    else if (this.inflight.size === 0) this.finish();
  }

  private next(): void {
    const seq = this.sent++;
    this.inflight.add(seq);
    try {
      this.inject(seq);
    } catch (err) {
      this.complete(seq, err);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.done?.();
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${(error as { code?: string }).code ?? error.name}: ${error.message}`;
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; code?: unknown };
    if (typeof e.message === 'string') return `${String(e.code ?? 'error')}: ${e.message}`;
  }
  return String(error);
}
