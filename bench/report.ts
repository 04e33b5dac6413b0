// The report of a bench run: the text `npm run bench` prints and the JSON of --json, made from what
// measure() returned and the run records, one function per section.
import os from 'node:os';
import type { Results } from './measure';
import { Options } from './options';
import { POOLED, SOCKET_BOUND, TCP } from './phases';
import { cell, LABEL, pairedRatio, ratio, records, RunRecord, steady, failures } from './record';
import type { SideKey } from './sides';
import { fmt, MB, pad, padEnd } from './util';

type Print = (line?: string) => void;
type Targets = Record<string, unknown>;
const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'MET' : 'NOT MET');

function header(r: Results, print: Print): void {
  // ------------------------------------------------------------ print
  print(
    `node-red-contrib-blynk-cloud benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ` +
      `Node-RED ${r.nodeRedVersion}, simulator on loopback in a worker thread`,
  );
  print(
    `Load average at start ${r.loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${r.loadEnd.map((l) => l.toFixed(2)).join(' ')} ` +
      `(above ${os.cpus().length} means other work shared the cores: msg/s suffers, CPU µs/msg less).`,
  );
}

function matrixTables(r: Results, o: Options, print: Print, json: Record<string, unknown>): void {
  const { sides } = r;
  print();
  print(`Throughput, messages/s: median of ${o.reps} interleaved ${o.runMs}-ms runs per cell (1,2,3,1,2,3,…), exactly N in flight.`);
  print('Each cell: msg/s [main-thread CPU µs per message] simulator-thread CPU %. Ratios: median of the per-repetition ratios.');
  const head = [padEnd('op', 6), pad('in flight', 9), ...sides.map((s) => pad(LABEL[s.key], 22))];
  const hasRatios = o.sides.includes('pkg');
  if (hasRatios && o.sides.includes('bare')) head.push(pad('3/1', 6));
  if (hasRatios && o.sides.includes('core')) head.push(pad('3/2', 6));
  if (hasRatios && o.sides.includes('undici')) head.push(pad('3/4', 6));
  print(head.join('  '));
  const matrixJson: unknown[] = [];
  for (const op of o.ops) {
    for (const c of o.levels) {
      const cells = Object.fromEntries(sides.map((s) => [s.key, cell(s.key, op, c)]));
      const row = [padEnd(op === 'get' ? 'get' : 'write', 6), pad(String(c), 9)];
      for (const s of sides) {
        const x = cells[s.key];
        row.push(pad(`${fmt(x.rate)} [${fmt(x.usPerMsg)}] ${fmt(x.simCpu * 100)}%`, 22));
      }
      if (hasRatios && o.sides.includes('bare')) row.push(pad(ratio(pairedRatio('bare', op, c)), 6));
      if (hasRatios && o.sides.includes('core')) row.push(pad(ratio(pairedRatio('core', op, c)), 6));
      if (hasRatios && o.sides.includes('undici')) row.push(pad(ratio(pairedRatio('undici', op, c)), 6));
      print(row.join('  '));
      matrixJson.push({
        op,
        concurrency: c,
        ...Object.fromEntries(
          sides.map((s) => [
            s.key,
            {
              rate: cells[s.key].rate,
              usPerMsg: cells[s.key].usPerMsg,
              simCpu: cells[s.key].simCpu,
              runs: cells[s.key].runs.map((r) => r.rate),
            },
          ]),
        ),
      });
    }
  }
  json.matrix = matrixJson;
  print();
  print(`Per side, over its matrix runs:`);
  print(
    [
      padEnd('side', 22),
      pad('messages', 10),
      pad('peak heap MB', 13),
      pad('peak RSS MB', 12),
      pad('token requests', 15),
      pad('errors', 7),
      pad('lost', 5),
      pad('dup', 4),
    ].join('  '),
  );
  for (const s of sides) {
    const runs = records.filter((r) => r.phase === 'matrix' && r.side === s.key);
    const sum = (f: (r: RunRecord) => number) => runs.reduce((n, r) => n + f(r), 0);
    print(
      [
        padEnd(LABEL[s.key], 22),
        pad(fmt(sum((r) => r.sent)), 10),
        pad(fmt(MB(Math.max(...runs.map((r) => r.peakHeap))), 1), 13),
        pad(fmt(MB(Math.max(...runs.map((r) => r.peakRss))), 1), 12),
        pad(s.key === 'pkg' ? fmt(sum((r) => r.tokenRequests)) : '0 (fixed)', 15),
        pad(fmt(sum((r) => r.errors)), 7),
        pad(fmt(sum((r) => r.lost)), 5),
        pad(fmt(sum((r) => r.duplicates)), 4),
      ].join('  '),
    );
  }
  print("(RSS is the whole process, simulator thread included; heap is the main thread's.)");
}

function overheadTargets(o: Options, print: Print, targets: Targets): void {
  if (!o.phases.has('matrix')) return;
  // The package sends on undici: it should beat an axios client on axios' own Node adapter.
  for (const c of [16, 64].filter((level) => o.levels.includes(level))) {
    for (const op of o.ops) {
      const us = (k: SideKey) => cell(k, op, c).usPerMsg;
      const cpu = (k: SideKey) => `CPU per message ${fmt(us(k))} vs ${fmt(us('pkg'))} µs: ${(us(k) / us('pkg')).toFixed(2)}×`;
      if (o.sides.includes('bare') && o.sides.includes('pkg')) {
        const r = pairedRatio('bare', op, c);
        print(
          `  overhead ${op} @${c}: package / bare axios = ${r.toFixed(2)}× msg/s (paired median, target ≥ 1.50×): ${verdict(r >= 1.5)}  [${cpu('bare')}]`,
        );
        targets[`${op}.pkgOverBare${c}`] = { rate: r, cpu: us('bare') / us('pkg') };
      }
      if (o.sides.includes('undici') && o.sides.includes('pkg')) {
        const r = pairedRatio('undici', op, c);
        print(`  floor ${op} @${c}: package / bare undici = ${r.toFixed(2)}× msg/s (paired median; shown, no target)  [${cpu('undici')}]`);
        targets[`${op}.pkgOverUndici${c}`] = { rate: r, cpu: us('undici') / us('pkg') };
      }
    }
  }
  if (o.levels.includes(16)) {
    for (const op of o.ops) {
      const us = (k: SideKey) => cell(k, op, 16).usPerMsg;
      const cpu = (k: SideKey) => `CPU per message ${fmt(us(k))} vs ${fmt(us('pkg'))} µs: ${(us(k) / us('pkg')).toFixed(2)}×`;
      if (o.sides.includes('core') && o.sides.includes('pkg')) {
        const r = pairedRatio('core', op, 16);
        print(
          `  overhead ${op} @16: package / core http request = ${r.toFixed(2)}× msg/s (paired median, target ≥ 1.50×): ${verdict(r >= 1.5)}  [${cpu('core')}]`,
        );
        targets[`${op}.pkgOverCore16`] = { rate: r, cpu: us('core') / us('pkg') };
      }
    }
  }
}

function latencyTargets(r: Results, o: Options, print: Print, targets: Targets): void {
  const { sides } = r;
  if (o.phases.has('latency')) {
    const ideal = o.latencyMessages / (64 / (o.latencyDelayMs / 1000));
    const rounds = Math.ceil(o.latencyMessages / 64) * (o.latencyDelayMs / 1000);
    print(
      `  latency hiding: ${o.latencyMessages} get-device messages, 64 in flight, +${o.latencyDelayMs} ms per answer; ` +
        `expected ${ideal.toFixed(2)} s (${rounds.toFixed(2)} s in whole rounds of 64), median of ${o.latencyReps}:`,
    );
    for (const s of sides) {
      const x = cell(s.key, 'get', 64, 'latency');
      const ok = x.seconds <= rounds * 1.25;
      print(
        `    ${padEnd(LABEL[s.key], 22)} ${x.seconds.toFixed(2)} s${s.key === 'pkg' ? ` (target ≤ ${(rounds * 1.25).toFixed(2)} s, i.e. within 25 %): ${verdict(ok)}` : ''}`,
      );
      targets[`latency.${s.key}`] = x.seconds;
    }
  }
}

function tokenTargets(r: Results, o: Options, print: Print, targets: Targets): void {
  const { cold } = r;
  if (o.phases.has('tokens') && cold) {
    print(
      `  tokens, cold: ${cold.messages} messages at once into a fresh config node → ${cold.tokenRequests} token request(s), ` +
        `${cold.ok} delivered (target exactly 1): ${verdict(cold.tokenRequests === 1 && cold.ok === cold.messages)}`,
    );
    targets.coldTokenRequests = cold.tokenRequests;
  }
  if (o.phases.has('tokens') && Number.isFinite(steady.firstAt)) {
    const span = (steady.lastAt - steady.firstAt) / 1000;
    const requests = r.tokensAtEnd.requests - steady.tokensAtFirst - steady.excluded;
    const lifetime = Math.max(30, o.tokenLifetimeSec);
    const renewEvery = lifetime - Math.min(60, lifetime * 0.2);
    const expected = 1 + Math.floor(span / renewEvery);
    print(
      `  tokens, steady: ${fmt(steady.messages)} package messages over ${span.toFixed(0)} s with a ${lifetime}-s token lifetime ` +
        `(renewed at ${renewEvery} s) → ${requests} token request(s), expected ≈ ${expected} (1 + span / ${renewEvery} s), ` +
        `${fmt(steady.messages / Math.max(1, requests))} messages per token request: ${verdict(Math.abs(requests - expected) <= 1)}`,
    );
    print(
      `    all token requests of the run, by grant (the fixed token and the cold test included): ` +
        Object.entries(r.tokensAtEnd.byGrant)
          .map(([g, n]) => `${g} ${n}`)
          .join(', '),
    );
    targets.steadyTokenRequests = { requests, expected, span, messages: steady.messages };
  }
}

function memoryTarget(r: Results, print: Print, targets: Targets): void {
  const { memory } = r;
  if (memory) {
    const growth = MB(memory.heapAfter - memory.heapBefore);
    print(
      `  memory: ${fmt(memory.messages)} messages through blynk-cloud-get-device (16 in flight, ${fmt(memory.rate)} msg/s): ` +
        `heap after GC ${fmt(MB(memory.heapBefore), 1)} → ${fmt(MB(memory.heapAfter), 1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB, ` +
        `${fmt((memory.heapAfter - memory.heapBefore) / memory.messages)} bytes per message; ` +
        `target < 10 MB): ${verdict(gc ? growth < 10 : undefined)}; RSS ${fmt(MB(memory.rssBefore), 0)} → ${fmt(MB(memory.rssAfter), 0)} MB`,
    );
    const kinds = [...new Set([...Object.keys(memory.resourcesBefore), ...Object.keys(memory.resourcesAfter)])].sort();
    // The process's TCP handles are the pool's sockets and others (the MQTT device's): only the pool may grow, to its bound.
    const otherTcp = (memory.resourcesBefore[TCP] ?? 0) - (memory.listenersBefore[POOLED] ?? 0);
    const bound = (k: string, before: number) =>
      k === POOLED ? Math.max(before, SOCKET_BOUND) : k === TCP ? Math.max(before, otherTcp + SOCKET_BOUND) : before;
    const within = (k: string, before: Record<string, number>, after: Record<string, number>) =>
      (after[k] ?? 0) <= bound(k, before[k] ?? 0);
    const resFlat = kinds.every((k) => within(k, memory!.resourcesBefore, memory!.resourcesAfter));
    print(
      `    active resources: ${kinds.map((k) => `${k} ${memory!.resourcesBefore[k] ?? 0}→${memory!.resourcesAfter[k] ?? 0}`).join(', ')}: ${resFlat ? 'flat' : 'GREW'}`,
    );
    const lk = [...new Set([...Object.keys(memory.listenersBefore), ...Object.keys(memory.listenersAfter)])];
    const lisFlat = lk.every((k) => within(k, memory!.listenersBefore, memory!.listenersAfter));
    print(
      `    listeners: ${lk.map((k) => `${k} ${memory!.listenersBefore[k] ?? 0}→${memory!.listenersAfter[k] ?? 0}`).join(', ')}: ${lisFlat ? 'flat' : 'GREW'}`,
    );
    print(
      `    timers, sockets and listeners flat (sockets: at most ${SOCKET_BOUND}, one per message in flight and one for a token renewal): ${verdict(resFlat && lisFlat)}`,
    );
    targets.memory = { ...memory, growthMB: growth, resFlat, lisFlat };
  }
}

function pacingAndStartupTargets(r: Results, o: Options, print: Print, targets: Targets): void {
  const { pacing, startup } = r;
  if (pacing) {
    const r = pacing.result;
    const held = r.ok === r.sent && !r.lost && !r.duplicates && pacing.refused === 0;
    print(
      `  pacing: ${r.sent} device updates sent at once into a connection paced at ${o.pacingRate}/s, simulator limit ` +
        `${o.pacingRate}/s per device → ${r.ok} delivered, ${r.lost} lost, ${r.duplicates} duplicated, ${pacing.refused} refused with 429, ` +
        `in ${r.seconds.toFixed(2)} s (${pacing.expectedSeconds.toFixed(2)} s at exactly the limit): ${verdict(held)}`,
    );
    targets.pacing = { ...r, refused: pacing.refused, expectedSeconds: pacing.expectedSeconds };
  }
  if (startup) {
    print(
      `  start-up: requiring the ${startup.files} dist/nodes/*.js files in a fresh process: ${startup.nodesMs.toFixed(1)} ms, median of 5 ` +
        `(axios alone, for reference: ${startup.axiosMs.toFixed(1)} ms; target < 100 ms): ${verdict(startup.nodesMs < 100)}`,
    );
    targets.startupMs = startup;
  }
}

function downlinkFigure(r: Results, print: Print, targets: Targets): void {
  const d = r.downlinks;
  if (!d) return;
  const perSecond = d.received / d.seconds;
  print(
    `  downlinks (Node-RED as a Blynk device over MQTT): ${d.sent} datastream values sent at once by the simulator's broker → ` +
      `${d.received} messages out of a device in node (${d.untyped} not numbers) in ${d.seconds.toFixed(2)} s: ` +
      `${Math.round(perSecond)} msg/s: ${verdict(d.received === d.sent && d.untyped === 0)}`,
  );
  targets.downlinks = { ...d, perSecond };
}

function problemsSection(r: Results, print: Print): void {
  const problems = r.logProblems;
  if (problems.length) {
    print();
    print(`Node-RED log (warn and above), ${problems.length} line(s)${problems.length > 10 ? ', first 10' : ''}:`);
    for (const p of problems.slice(0, 10)) print(`  ${p}`);
  }
  if (r.warnings.size) {
    print();
    print('Process warnings during the run:');
    for (const [w, n] of r.warnings) print(`  ${n}× ${w}`);
  }
}

/** The printed lines and the JSON of a run. */
export function report(r: Results, o: Options): { lines: string[]; json: Record<string, unknown> } {
  const lines: string[] = [];
  const print: Print = (line = '') => void lines.push(line);
  const json: Record<string, unknown> = { options: { ...o, phases: [...o.phases] } };
  const targets: Targets = {};
  header(r, print);
  if (o.phases.has('matrix')) matrixTables(r, o, print, json);
  print();
  print('Targets (measured, not asserted):');
  overheadTargets(o, print, targets);
  latencyTargets(r, o, print, targets);
  tokenTargets(r, o, print, targets);
  memoryTarget(r, print, targets);
  pacingAndStartupTargets(r, o, print, targets);
  downlinkFigure(r, print, targets);
  json.targets = targets;
  problemsSection(r, print);
  print();
  print(
    `Runs: ${records.length}, wall time ${r.elapsed.toFixed(0)} s. ` +
      (failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : 'Every message of every run arrived exactly once, without errors.'),
  );
  json.failures = failures;
  json.records = records;
  return { lines, json };
}
