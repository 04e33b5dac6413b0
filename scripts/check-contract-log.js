#!/usr/bin/env node
// Validates a simulator exchange log against contract/*.json: run the simulator with
// BLYNK_SIM_CONTRACT_LOG=<file> (one JSON line per exchange), then
//   node scripts/check-contract-log.js <file>
// Needs the compiled test support (npm test, or `tsc -p test/tsconfig.json`). Exit code 1 on any
// deviation that is not listed in contract/known-deviations.json.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { checkExchange, contractResults, contractTable, describeDeviation } = require(
  path.join(__dirname, '..', 'dist-test', 'support', 'contract.js'),
);

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/check-contract-log.js <exchange log (JSON lines)>');
  process.exit(2);
}
for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim() !== '') checkExchange(JSON.parse(line));
const r = contractResults();
console.log(contractTable(r));
for (const d of r.deviations) console.log(describeDeviation(d));
process.exit(r.deviations.some((d) => !d.known) ? 1 : 0);
