// npm and other short-lived child processes for the packed-install test (test/install/). Plain Node >= 18.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const isWindows = process.platform === 'win32';
const NPM = isWindows ? 'npm.cmd' : 'npm';

/** Every process started here, so that cleanup can stop the ones still running (by pid). */
const running = new Set();
let stopped = false; // after killAll(): start nothing new (background steps may still be chained)

/**
 * The environment for npm and Node-RED children: the caller's, minus what `npm run` exports
 * about *this* project (prefix, package, lifecycle) and NODE_PATH, so nothing resolves back into
 * the repository; npm's cache goes to `cacheDir` (inside the temp dir), so nothing is cached
 * outside it. Registry/proxy/CA settings of the machine are kept.
 */
function childEnv({ cacheDir, prependPath } = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const k = key.toLowerCase();
    if (k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_')) continue;
    if (
      [
        'npm_config_local_prefix',
        'npm_config_prefix',
        'npm_config_global_prefix',
        'npm_config_cache',
        'npm_config_user_agent',
        'npm_config_npm_version',
        'npm_config_node_gyp',
        'npm_config_nodedir',
        'npm_command',
        'npm_execpath',
        'npm_node_execpath',
        'init_cwd',
        'node_path',
      ].includes(k)
    ) {
      continue;
    }
    env[key] = value;
  }
  if (cacheDir) env.npm_config_cache = cacheDir;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  if (prependPath) {
    const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') || 'PATH';
    env[key] = prependPath + path.delimiter + (env[key] || '');
  }
  return env;
}

/**
 * Runs a command to completion, output captured. Resolves { code, stdout, stderr, ms };
 * rejects with the output in the message when it fails (unless allowFailure).
 */
function run(cmd, args, { cwd, env, timeoutMs = 10 * 60_000, allowFailure = false, label } = {}) {
  const started = Date.now();
  if (stopped) return Promise.reject(new Error(`${label || cmd}: not started, the run is stopping`));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env || process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: isWindows && /\.cmd$/i.test(cmd),
      windowsHide: true,
      detached: !isWindows, // own process group: killGroup() also reaches npm's script children
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`${label || cmd}: cannot start: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const result = { code, signal, stdout, stderr, ms: Date.now() - started };
      if ((code === 0 && !signal) || allowFailure) return resolve(result);
      const shown = `${cmd} ${args.join(' ')}`;
      reject(
        new Error(
          `${label || shown} failed (exit ${code}${signal ? `, ${signal}` : ''}) in ${cwd || process.cwd()}\n` +
            indent(tail(stdout + stderr, 60)),
        ),
      );
    });
  });
}

/** npm with the given node binary first on PATH, so npm itself and its scripts run on it. */
function npm(args, { cwd, cacheDir, nodeBinDir, label, timeoutMs } = {}) {
  return run(NPM, args, { cwd, env: childEnv({ cacheDir, prependPath: nodeBinDir }), label, timeoutMs });
}

/** Signals a child started here and its process group (npm's lifecycle scripts, their npm). */
function killGroup(child, signal) {
  try {
    if (!isWindows && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops what is still running (children started by this process and their process groups, one by
 * one, by pid) and resolves once they have exited (at most `waitMs`), so that their directories
 * can be removed. Nothing new is started afterwards.
 */
async function killAll(waitMs = 10_000) {
  stopped = true;
  const children = [...running];
  const exits = children.map(
    (child) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
      }),
  );
  for (const child of children) killGroup(child, 'SIGKILL');
  let timer;
  await Promise.race([Promise.all(exits), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
}

function tail(text, lines) {
  const all = String(text).trimEnd().split('\n');
  return (all.length > lines ? [`… (${all.length - lines} earlier lines)`] : []).concat(all.slice(-lines)).join('\n');
}

function indent(text, by = '    ') {
  return String(text)
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

module.exports = { NPM, childEnv, run, npm, killAll, tail, indent };
