// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by file/package.
//   node dist-bench/profile-summary.js <file.cpuprofile> [top=25]
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: our code, a dependency by package name, Node itself, or V8. */
export function bucketOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(dist|dist-bench)\/(.*)$/.exec(file);
  if (m) return `${m[1]}/${m[2]}`;
  return path.basename(file);
}

export function summarise(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute it to the sample that follows it.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnTotals = new Map<string, number>();
  const fileTotals = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const name = cf.functionName || '(anonymous)';
    const where = cf.url ? `${bucketOf(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = where ? `${name}  ${where}` : name;
    fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
    const bucket = cf.url ? bucketOf(cf.url) : name.startsWith('(') ? name : '(native / V8)';
    fileTotals.set(bucket, (fileTotals.get(bucket) ?? 0) + us);
  }
  const busy = total - (fnTotals.get('(idle)') ?? 0);
  const lines: string[] = [];
  const row = (us: number, label: string) =>
    `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} % ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${label}`;
  lines.push(`total ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms not idle`);
  lines.push(`      self   % all  % busy`);
  lines.push(`-- by file / package --`);
  for (const [k, us] of [...fileTotals].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(row(us, k));
  lines.push(`-- by function --`);
  for (const [k, us] of [...fnTotals].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(row(us, k));
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist-bench/profile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  process.stdout.write(summarise(profile, top ? Number(top) : 25) + '\n');
}
