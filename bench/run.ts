// npm run bench: this package's nodes against bare axios and Node-RED's core http request node,
// side by side in one process, against the simulator on loopback. See bench/README.md.
// Measuring (measure.ts, phases.ts, record.ts) is apart from printing (report.ts).
import fs from 'node:fs';
import { measure } from './measure';
import { parseArgs } from './options';
import { failures } from './record';
import { report } from './report';

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const { lines, json } = report(await measure(o), o);
  process.stdout.write(lines.join('\n') + '\n');
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(json, null, 2));
  return failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Node-RED may leave timers of its own behind; the result is already out.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`[bench] run failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
