// Load benchmark: the demo's shop (demo/shop.mjs: sessions, an LRU cache and the leaking
// request log) served over HTTP on 127.0.0.1 while autocannon sends it traffic at a fixed rate,
// three times: memsize off; memsize on with /metrics scraped every second and every scrape walking
// (minIntervalMs 0, the worst case); memsize on with its defaults (scraped every second, a walk at
// most every 5 s). A bounded benchmark, not a test: it prints a markdown table.
//
//   npm run build && node bench/load.bench.mjs        (about 4 minutes)
//
// Environment (all optional):
//   LOAD_SECONDS      measured seconds per run                 default 60
//   LOAD_WARMUP       unmeasured seconds of traffic first      default 5
//   LOAD_RATE         requests per second, all connections     default 1000
//   LOAD_CONNECTIONS  autocannon connections                   default 10
//   LOAD_PREFILL      requests handled before the run, so the roots start full size   default 100000
//   LOAD_MAX_MILLIS   memsize maxMillis (the walk's budget per collection)           default: memsize's (200)
//   LOAD_COMPARE_MILLIS  a fourth run, defaults but this maxMillis, whose root figures the
//                     others' are compared with; skipped when equal to the budget  default 200; 0: none
//   LOAD_DEEP         1: deep reads on (the default, #private fields, closures, WeakMaps); 0: deep: false
//
// The app runs in a child process (this file with --app, under --expose-gc), so the load generator
// and the scraper do not share its event loop. The app reports its own event-loop delay, and its
// memory when the measured run starts and ends: RSS and heap as they are, then the heap still
// live after full GCs (taken outside the measured traffic).

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { envInt } from '../scripts/env.mjs';

const SELF = fileURLToPath(import.meta.url);

const config = {
  seconds: envInt('LOAD_SECONDS', 60, 1, 3600),
  warmup: envInt('LOAD_WARMUP', 5, 0, 600),
  rate: envInt('LOAD_RATE', 1000, 1, 100_000),
  connections: envInt('LOAD_CONNECTIONS', 10, 1, 1000),
  prefill: envInt('LOAD_PREFILL', 100_000, 0, 10_000_000),
  maxMillis: process.env.LOAD_MAX_MILLIS === undefined ? undefined : envInt('LOAD_MAX_MILLIS', 25, 1, 60_000),
  compareMillis: envInt('LOAD_COMPARE_MILLIS', 200, 0, 60_000),
  deep: envInt('LOAD_DEEP', 1, 0, 1) === 1,
};

// ---------------------------------------------------------------------------------------------
// The app (child process)

async function runApp(mode) {
  const memsizeOn = mode !== 'off';
  const { createShop } = await import('../demo/shop.mjs');
  const shop = createShop({ leakCap: config.prefill + 1_000_000 });
  // Fill the state first, as a service that has been up for a while would be.
  const sessionIds = [];
  for (let i = 0; i < config.prefill; i++) {
    if (i % 50 === 0) sessionIds.push(JSON.parse(shop.handle('POST', '/login').body).session);
    const sessionId = sessionIds[i % sessionIds.length];
    if (i % 5 === 0) shop.handle('POST', `/cart/${i % shop.products}`, { sessionId });
    else shop.handle('GET', `/products/${Math.floor(shop.products * ((i * 7919) % 1000 / 1000) ** 3)}`, { sessionId });
  }
  shop.sessions.ttlMs = 3_600_000; // the sessions the load generator uses must not expire mid-run

  let memsize = null;
  if (memsizeOn) {
    const { startPrometheus } = await import('../dist/index.js');
    const minIntervalMs = mode === 'every-scrape' ? { minIntervalMs: 0 } : {}; // else the default, 5000
    const maxMillis = mode === 'compare' ? config.compareMillis : config.maxMillis;
    memsize = await startPrometheus({ host: '127.0.0.1', port: 0, ...(maxMillis === undefined ? {} : { maxMillis }), deep: config.deep, ...minIntervalMs });
    memsize.addRoot('sessions', shop.sessions);
    memsize.addRoot('cache', shop.cache);
    memsize.addRoot('requestLog', shop.requestLog);
  }

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let before = null;
  const snapshot = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external + m.arrayBuffers };
  };
  /** RSS and heap as they are, then the heap still live after full GCs (garbage left out). */
  const measure = () => {
    const now = snapshot();
    globalThis.gc();
    globalThis.gc();
    return { ...now, liveHeap: process.memoryUsage().heapUsed };
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/__reset') {
      before = measure();
      loop.reset(); // after the GCs above, so they are not counted as the app's delay
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sessions: sessionIds.slice(0, 200) }));
      return;
    }
    if (path === '/__stats') {
      loop.disable();
      const stats = {
        before,
        after: measure(),
        loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        leaked: shop.requestLog.byId.size,
        sessions: shop.sessions.sessions.size,
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    req.resume();
    const sessionId = typeof req.headers['x-session'] === 'string' ? req.headers['x-session'] : undefined;
    const { status, body, type = 'text/plain' } = shop.handle(req.method ?? 'GET', path, { sessionId, userAgent: String(req.headers['user-agent'] ?? '').slice(0, 200) });
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  console.log(`READY ${JSON.stringify({ app: server.address().port, metrics: memsize === null ? null : memsize.url })}`);
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    if (memsize !== null) await memsize.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ---------------------------------------------------------------------------------------------
// The driver (parent process)

function startApp(mode) {
  const child = spawn(process.execPath, ['--expose-gc', SELF, '--app', mode], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not start within 120 s:\n${out}`));
    }, 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /^READY (.*)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, ...JSON.parse(match[1]) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (code ${code}) before it was ready:\n${out}`));
    });
  });
}

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return res.json();
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Scrape /metrics every second until stopped; record each collection's walk pause and scrape time. */
function startScraping(url) {
  const walkMs = [];
  const scrapeMs = [];
  let truncated = 0;
  /** Per root, the collections that cut it. */
  const cutRoots = {};
  let scrapes = 0;
  let failures = 0;
  let rootBytes = {};
  let lastKey = '';
  let lastWalkKey = '';
  let stopped = false;
  const done = (async () => {
    let next = performance.now();
    while (!stopped) {
      next += 1000;
      const t0 = performance.now();
      try {
        const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
        scrapeMs.push(performance.now() - t0);
        scrapes++;
        // A scrape inside minIntervalMs reuses the last collection: count each collection once
        // (memsize_walk_objects and the duration both repeat then).
        const walk = /^memsize_walk_duration_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text);
        const walked = /^memsize_walk_objects(?:\{[^}]*\})? (\S+)$/m.exec(text);
        const key = `${walk?.[1]}|${walked?.[1]}`;
        if (walk && key !== lastKey) walkMs.push(Number(walk[1]) * 1000);
        lastKey = key;
        if (key !== lastWalkKey) {
          const cut = [...text.matchAll(/^memsize_walk_truncated\{[^}]*root="([^"]+)"[^}]*\} 1$/gm)].map((m) => m[1]);
          if (cut.length > 0) truncated++;
          for (const name of cut) cutRoots[name] = (cutRoots[name] ?? 0) + 1;
        }
        lastWalkKey = key;
        rootBytes = Object.fromEntries([...text.matchAll(/^memsize_root_bytes\{[^}]*root="([^"]+)"[^}]*\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])]));
        const objects = Object.fromEntries([...text.matchAll(/^memsize_root_objects\{[^}]*root="([^"]+)"[^}]*\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])]));
        rootBytes = Object.fromEntries(Object.entries(rootBytes).map(([k, v]) => [k, { bytes: v, objects: objects[k] }]));
      } catch {
        failures++;
      }
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return async () => {
    stopped = true;
    await done;
    return { walkMs: walkMs.sort((a, b) => a - b), scrapeMs: scrapeMs.sort((a, b) => a - b), truncated, cutRoots, scrapes, failures, rootBytes };
  };
}

async function loadRun(mode) {
  const { default: autocannon } = await import('autocannon');
  const app = await startApp(mode);
  try {
    const base = `http://127.0.0.1:${app.app}`;
    const { sessions } = await getJson(`${base}/__reset`);
    let n = 0;
    const requestFor = () => {
      const i = n++;
      const roll = (i * 7919) % 100;
      const sessionId = sessions[i % sessions.length];
      const productId = Math.floor(5000 * (((i * 104729) % 1000) / 1000) ** 3);
      if (roll < 8) return { method: 'POST', path: '/login', headers: {} };
      if (roll < 25) return { method: 'POST', path: `/cart/${productId}`, headers: { 'x-session': sessionId } };
      return { method: 'GET', path: `/products/${productId}`, headers: { 'x-session': sessionId } };
    };
    const run = (seconds) =>
      new Promise((resolve, reject) => {
        const instance = autocannon(
          {
            url: base,
            connections: config.connections,
            overallRate: config.rate,
            duration: seconds,
            requests: [{ setupRequest: (req) => ({ ...req, ...requestFor() }) }],
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        );
        instance.on('error', reject);
      });
    if (config.warmup > 0) await run(config.warmup);
    await getJson(`${base}/__reset`);
    const stopScraping = app.metrics === null ? null : startScraping(app.metrics);
    const result = await run(config.seconds);
    const scraping = stopScraping === null ? null : await stopScraping();
    const stats = await getJson(`${base}/__stats`);
    return { result, scraping, stats };
  } finally {
    app.child.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        app.child.kill('SIGKILL');
        resolve();
      }, 10_000);
      app.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const ms = (value) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '-');

async function main() {
  const load = loadavg().map((l) => l.toFixed(2)).join(', ');
  const started = new Date();
  console.error(`load benchmark: ${config.seconds} s per run at ${config.rate} req/s, ${config.connections} connections, Node ${process.version}, load average ${load}`);
  const { DEFAULTS } = await import('../dist/options.js');
  const budget = config.maxMillis ?? DEFAULTS.memsize.maxMillis;
  // The comparison run only when it differs from the budget in use.
  if (config.compareMillis === budget) config.compareMillis = 0;
  const modes = ['off', 'every-scrape', 'defaults', ...(config.compareMillis > 0 ? ['compare'] : [])];
  const runs = [];
  for (const mode of modes) {
    runs.push(await loadRun(mode));
    console.error(`memsize ${mode}: done`);
  }
  const row = (label, f) => `| ${label} | ${runs.map((r) => f(r)).join(' | ')} |`;
  const onRow = (label, f) => `| ${label} | - | ${runs.slice(1).map((r) => f(r.scraping)).join(' | ')} |`;
  const lat = (r) => r.result.latency;
  const lines = [
    `\`node bench/load.bench.mjs\` (LOAD_SECONDS=${config.seconds}, LOAD_RATE=${config.rate}, LOAD_CONNECTIONS=${config.connections}, LOAD_PREFILL=${config.prefill}, LOAD_MAX_MILLIS=${config.maxMillis ?? `unset (${budget})`}, LOAD_COMPARE_MILLIS=${config.compareMillis}, LOAD_DEEP=${config.deep ? 1 : 0}), ` +
      `Node ${process.version}, ${started.toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, load average ${load} before the runs.`,
    '',
    `| | memsize off | on: scraped every 1 s, a walk per scrape (minIntervalMs 0) | on: scraped every 1 s, defaults (a walk at most every 5 s) |${config.compareMillis > 0 ? ` on: defaults but maxMillis ${config.compareMillis} |` : ''}`,
    `|---|---:|---:|---:|${config.compareMillis > 0 ? '---:|' : ''}`,
    row('requests answered (non-2xx, errors)', (r) => `${r.result.requests.total.toLocaleString('en-US')} (${r.result.non2xx}, ${r.result.errors + r.result.timeouts})`),
    row('requests per second (target)', (r) => `${r.result.requests.average.toFixed(0)} (${config.rate})`),
    row('latency p50 / p99 / max, ms', (r) => `${ms(lat(r).p50)} / ${ms(lat(r).p99)} / ${ms(lat(r).max)}`),
    row('app event-loop delay p99 / max, ms', (r) => `${ms(r.stats.loopDelayMs.p99)} / ${ms(r.stats.loopDelayMs.max)}`),
    row('app RSS before → after, MiB', (r) => `${mb(r.stats.before.rss)} → ${mb(r.stats.after.rss)}`),
    row('app heap used before → after (garbage included), MiB', (r) => `${mb(r.stats.before.heapUsed)} → ${mb(r.stats.after.heapUsed)}`),
    row('app heap live after full GC, before → after, MiB', (r) => `${mb(r.stats.before.liveHeap)} → ${mb(r.stats.after.liveHeap)}`),
    row('request-log entries (the leak) at the end', (r) => r.stats.leaked.toLocaleString('en-US')),
    onRow('scrapes (failed)', (w) => `${w.scrapes} (${w.failures})`),
    onRow(`walks: pause per collection p50 / p99 / max, ms (budget ${budget}${config.compareMillis > 0 ? `; last column ${config.compareMillis}` : ''})`, (w) => `${w.walkMs.length}: ${ms(quantile(w.walkMs, 0.5))} / ${ms(quantile(w.walkMs, 0.99))} / ${ms(w.walkMs.at(-1))}`),
    onRow('collections with a root cut short by the budget (which roots)', (w) => `${w.truncated} of ${w.walkMs.length}${w.truncated > 0 ? ` (${Object.entries(w.cutRoots).map(([name, n]) => `${name} ${n}`).join(', ')})` : ''}`),
    onRow('scrape time p50 / max, ms', (w) => `${ms(quantile(w.scrapeMs, 0.5))} / ${ms(w.scrapeMs.at(-1))}`),
    onRow('roots at the end: MiB, heap things', (w) => Object.entries(w.rootBytes).map(([name, v]) => `${name} ${mb(v.bytes)}, ${v.objects.toLocaleString('en-US')}`).join('; ')),
  ];
  if (config.compareMillis > 0) {
    // The same traffic reaches the same state in every run: each root's figure at the budget in
    // use against the figure with maxMillis compareMillis.
    const base = runs.at(-1).scraping.rootBytes;
    lines.push(onRow(`roots at the end against the maxMillis ${config.compareMillis} run`, (w) => Object.entries(w.rootBytes).map(([name, v]) => `${name} ${base[name] ? (v.bytes / base[name].bytes).toFixed(3) : '-'}`).join('; ')));
  }
  console.log(lines.join('\n'));
}

if (process.argv[2] === '--app') await runApp(process.argv[3]);
else await main();
