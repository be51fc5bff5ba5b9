// `npm run stack`: the demo (demo/server.mjs) plus a local Prometheus running the files of
// deploy/prometheus/ (scrape configuration and memsize rules), when the `prometheus` binary is
// installed. Prints the URLs; Ctrl+C (or SIGTERM) stops both.
//
// Environment (all optional):
//   PORT              demo app port (report page at /memsize)   default 8080; 0 = any free port
//   METRICS_PORT      demo /metrics port                        default 9464; 0 = any free port
//   PROMETHEUS_PORT   Prometheus web port                       default 9090
//   PROMETHEUS        path of the prometheus binary             default: found on PATH
//   (the demo's own DEMO_* variables pass through)
//
// Grafana is not started (it is not a package on most machines): import
// grafana/dashboards/memsize.json into yours, or run deploy/compose/ (see docs/deploy.md).

import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { envInt, findExecutable } from './env.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = join(repo, 'demo', 'server.mjs');
const SCRAPE_CONFIG = join(repo, 'deploy', 'prometheus', 'prometheus.yml');
const STOP_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;

function log(message) {
  console.log(`stack: ${message}`);
}

/** A child process whose output is forwarded with a prefix and kept for matching. */
function startChild(label, command, args, env) {
  // Own process group: Ctrl+C in the terminal reaches this script only, which then stops each
  // child once, in order (the demo treats a second SIGINT as "exit now").
  const child = spawn(command, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const state = { child, label, output: '', exited: null };
  const forward = (stream, target) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      state.output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) target.write(`[${label}] ${line}\n`);
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  state.exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      state.exited = { code, signal };
      resolve(state.exited);
    }),
  );
  child.once('error', (error) => console.error(`stack: cannot start ${label}: ${error.message}`));
  return state;
}

/** Stop a child: `signal`, then SIGKILL if it is still there after STOP_TIMEOUT_MS. */
async function stopChild(state, signal) {
  if (state === null || state.exited !== null) return;
  state.child.kill(signal);
  const timer = setTimeout(() => state.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await state.exit;
  clearTimeout(timer);
}

/** Resolves to the match once `pattern` appears in the child's output; rejects if it exits first or time runs out. */
function waitForOutput(state, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const match = pattern.exec(state.output);
      if (match) return resolve(match);
      if (state.exited !== null) return reject(new Error(`${state.label} exited (${JSON.stringify(state.exited)}) before it was ready`));
      if (Date.now() - started > timeoutMs) return reject(new Error(`${state.label} was not ready within ${timeoutMs / 1000} s`));
      setTimeout(poll, 100);
    };
    poll();
  });
}

async function waitForHttp(url, state, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (state.exited !== null) throw new Error(`${state.label} exited (${JSON.stringify(state.exited)}) before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${state.label} did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function main() {
  if (!existsSync(DEMO)) {
    console.error('stack: demo/server.mjs does not exist yet, so there is nothing to run. The demo service is its own');
    console.error('piece of work (npm start); once it is in the repository, `npm run stack` starts it with Prometheus.');
    process.exit(1);
  }
  let prometheusPort;
  try {
    prometheusPort = envInt('PROMETHEUS_PORT', 9090, 1, 65535);
  } catch (error) {
    console.error(`stack: ${error.message}`);
    process.exit(2);
  }
  let prometheusBinary = process.env.PROMETHEUS || findExecutable('prometheus');
  if (process.env.PROMETHEUS) {
    try {
      accessSync(prometheusBinary, constants.X_OK);
    } catch {
      log(`PROMETHEUS=${prometheusBinary} is not an executable file: running without Prometheus`);
      prometheusBinary = null;
    }
  }

  let demo = null;
  let prometheus = null;
  let tempDir = null;
  let stopping = null;
  const stop = (reason, exitCode) => {
    stopping ??= (async () => {
      log(`${reason}: stopping`);
      await Promise.all([stopChild(demo, 'SIGINT'), stopChild(prometheus, 'SIGTERM')]);
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      log('stopped');
      process.exit(exitCode);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  // Should this script die some other way, take the children along.
  process.on('exit', () => {
    for (const state of [demo, prometheus]) if (state !== null && state.exited === null) state.child.kill('SIGKILL');
  });

  demo = startChild('demo', process.execPath, [DEMO], process.env);
  demo.exit.then(() => {
    if (!stopping) void stop(`the demo exited (${JSON.stringify(demo.exited)})`, 1);
  });
  let urls;
  try {
    const match = await waitForOutput(demo, /^\s+app\s+(\S+)\s*\n\s+report\s+(\S+)\s*\n\s+metrics\s+(\S+)/m, START_TIMEOUT_MS);
    urls = { app: match[1], report: match[2], metrics: match[3] };
  } catch (error) {
    console.error(`stack: ${error.message}`);
    return stop('the demo did not start', 1);
  }

  let prometheusUrl = null;
  if (prometheusBinary === null) {
    log('prometheus is not installed, so only the demo runs. To add it: apt-get install -y --no-install-recommends prometheus');
    log('(or set PROMETHEUS to the path of a prometheus binary).');
  } else {
    // The shipped configuration, pointed at the demo's actual metrics address, with the rules beside it.
    const metrics = new URL(urls.metrics);
    const config = parse(readFileSync(SCRAPE_CONFIG, 'utf8'));
    for (const job of config.scrape_configs) {
      job.metrics_path = metrics.pathname;
      for (const s of job.static_configs) s.targets = [metrics.host];
    }
    tempDir = mkdtempSync(join(tmpdir(), 'memsize-stack-'));
    writeFileSync(join(tempDir, 'prometheus.yml'), stringify(config));
    for (const file of config.rule_files) copyFileSync(join(dirname(SCRAPE_CONFIG), file), join(tempDir, file));
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    prometheus = startChild('prometheus', prometheusBinary, [
      `--config.file=${join(tempDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(tempDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      '--log.level=warn',
    ]);
    prometheus.exit.then(() => {
      if (!stopping) void stop(`prometheus exited (${JSON.stringify(prometheus.exited)}); is port ${prometheusPort} free? (PROMETHEUS_PORT)`, 1);
    });
    try {
      await waitForHttp(`${prometheusUrl}/-/ready`, prometheus, START_TIMEOUT_MS);
    } catch (error) {
      console.error(`stack: ${error.message}`);
      return stop('prometheus did not start', 1);
    }
  }

  const query = (expr) => `${prometheusUrl}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=15m`;
  const lines = [
    'memsize stack running',
    `  app          ${urls.app}`,
    `  report page  ${urls.report}`,
    `  metrics      ${urls.metrics}`,
  ];
  if (prometheusUrl) {
    lines.push(
      `  prometheus   ${prometheusUrl}   (scrapes every 15 s; first samples within ~20 s)`,
      `  alerts       ${prometheusUrl}/alerts   (the memsize rules; MemsizeRootGrowing needs ~1 h of the leak)`,
      `  bytes        ${query('memsize_root_bytes')}`,
      `  growth       ${query('memsize:root_bytes:deriv30m * 3600')}`,
    );
  }
  lines.push(
    '  grafana      not started: import grafana/dashboards/memsize.json, or see docs/deploy.md',
    'Press Ctrl+C to stop.',
  );
  console.log(lines.join('\n'));
}

await main();
