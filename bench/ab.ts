// A/B comparison of package trees (e.g. the current tree and a copy with a change applied),
// each built, run in turns so that both see the same machine load:
//   node dist-bench/ab.js --rounds=3 /tmp/base /tmp/patched -- --phases=matrix --levels=16 --reps=3
// Every tree must contain dist/ and dist-bench/ (npm run build; tsc -p bench/tsconfig.json).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './stats';

interface Cell {
  op: string;
  concurrency: number;
  [side: string]: unknown;
}
interface SideCell {
  rate: number;
  usPerMsg: number;
}

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const own = split >= 0 ? argv.slice(0, split) : argv;
const benchArgs = split >= 0 ? argv.slice(split + 1) : ['--phases=matrix', '--levels=16', '--reps=3'];
const rounds = Number(own.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
const trees = own.filter((a) => !a.startsWith('--'));
if (trees.length < 1) {
  process.stderr.write('usage: node dist-bench/ab.js [--rounds=N] <tree> [<tree>…] [-- bench options]\n');
  process.exit(2);
}

const results = new Map<string, Cell[][]>(trees.map((t) => [t, []]));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ab-'));
for (let round = 1; round <= rounds; round++) {
  for (const tree of trees) {
    const out = path.join(tmp, `${round}-${path.basename(tree)}.json`);
    process.stderr.write(`[ab] round ${round}/${rounds}: ${tree}\n`);
    const res = spawnSync(process.execPath, ['--expose-gc', path.join(tree, 'dist-bench', 'run.js'), ...benchArgs, `--json=${out}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (res.status !== 0) process.stderr.write(`[ab] ${tree} exited with ${res.status}\n`);
    const json = JSON.parse(fs.readFileSync(out, 'utf8')) as { matrix?: Cell[] };
    results.get(tree)!.push(json.matrix ?? []);
  }
}

const first = results.get(trees[0])![0];
const sides = Object.keys(first[0] ?? {}).filter((k) => k !== 'op' && k !== 'concurrency');
const lines: string[] = [];
lines.push(`${rounds} round(s), trees run in turn; medians over rounds of each run's per-cell median.`);
lines.push(
  [
    'tree'.padEnd(28),
    'op'.padEnd(6),
    'N'.padStart(3),
    ...sides.flatMap((s) => [`${s} msg/s`.padStart(12), `${s} µs/msg`.padStart(13)]),
    'pkg/bare msg/s'.padStart(15),
    'bare/pkg µs'.padStart(12),
  ].join(' '),
);
for (const tree of trees) {
  for (let i = 0; i < first.length; i++) {
    const cells = results.get(tree)!.map((m) => m[i]);
    const get = (side: string, key: keyof SideCell) => median(cells.map((c) => (c[side] as SideCell | undefined)?.[key] ?? NaN));
    const ratios = cells.map((c) => ((c.pkg as SideCell)?.rate ?? NaN) / ((c.bare as SideCell)?.rate ?? NaN));
    const cost = cells.map((c) => ((c.bare as SideCell)?.usPerMsg ?? NaN) / ((c.pkg as SideCell)?.usPerMsg ?? NaN));
    lines.push(
      [
        path.basename(tree).padEnd(28),
        first[i].op.padEnd(6),
        String(first[i].concurrency).padStart(3),
        ...sides.flatMap((s) => [get(s, 'rate').toFixed(0).padStart(12), get(s, 'usPerMsg').toFixed(0).padStart(13)]),
        `${median(ratios).toFixed(2)}×`.padStart(15),
        `${median(cost).toFixed(2)}×`.padStart(12),
      ].join(' '),
    );
  }
}
process.stdout.write(lines.join('\n') + '\n');
fs.rmSync(tmp, { recursive: true, force: true });
