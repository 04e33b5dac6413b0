// On-CPU time of one thread, from /proc/<pid>/task/<tid>/schedstat (Linux; nanoseconds).
// Unlike event-loop utilisation it does not count the time a busy thread spends waiting for a
// core, which matters on a 2-core machine shared with other work.
import fs from 'node:fs';

export function threadCpuNs(tid: number = process.pid): number {
  try {
    const text = fs.readFileSync(`/proc/${process.pid}/task/${tid}/schedstat`, 'utf8');
    return Number(text.split(' ')[0]);
  } catch {
    return NaN;
  }
}
