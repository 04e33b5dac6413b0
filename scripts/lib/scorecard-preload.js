// Preloaded (node -r) into `node-red-dev validate` by scripts/lib/scorecard.js. node-red-dev 0.1.6
// chains every package check on one promise, so when catalogue.nodered.org cannot be reached the
// P08 lookup rejects and P05, P06, P07, the node checks and the dependency checks never run.
// This shim lets only that one lookup degrade: on a network error (no HTTP answer) the catalogue
// reads as empty and the failure is recorded in $SCORECARD_NETWORK_LOG, so that the caller reports
// N01 and P08 as "not verified" instead of trusting their vacuous pass. Every other request
// (npm registry) is left untouched; its failures are recorded too.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const logFile = process.env.SCORECARD_NETWORK_LOG;
const CATALOGUE = 'https://catalogue.nodered.org/catalogue.json';

function record(url, err) {
  if (!logFile) return;
  fs.appendFileSync(logFile, JSON.stringify({ url, code: err.code || null, message: err.message }) + '\n');
}

const libs = path.join(path.dirname(require.resolve('node-red-dev/package.json')), 'src', 'libs');
const axios = require(require.resolve('axios', { paths: [libs] }));
const get = axios.get.bind(axios);
axios.get = function patchedGet(url, ...rest) {
  return get(url, ...rest).catch((err) => {
    if (err && !err.response) {
      record(String(url), err);
      if (url === CATALOGUE) return { status: 0, statusText: 'unreachable', headers: {}, data: { modules: [] } };
    }
    throw err;
  });
};
