// memsize demo: `npm start`.
//
// A small shop service on 127.0.0.1 with three roots registered with memsize (sessions, a cache,
// and a request log that leaks), Prometheus metrics on their own port, and the live report page
// mounted on the app's server at /memsize. It generates its own traffic; Ctrl+C stops it.
//
// Environment (all optional):
//   PORT                  app port (report page at /memsize)        default 8080; 0 = any free port
//   METRICS_PORT          Prometheus /metrics port                  default 9464; 0 = any free port
//   DEMO_RPS              simulated requests per second (1..5000)   default 20
//   DEMO_LEAK_CAP         most entries the leak keeps                default 100000
//   DEMO_MIN_INTERVAL_MS  memsize cacheMillis (scrapes share a walk this long)  default 5000
//   DEMO_SCAN_INTERVAL_MS report page: minimum time between two scans            default 2000
//   DEMO_METRICS          otel (memsize/prometheus) or prom-client (memsize/prom-client, beside
//                         prom-client's default metrics)            default otel
//   DEMO_LEAK_PER_SECOND  speed the leak up: this many extra requests a second, each logged
//                         (and leaked) like any other; 0..500000        default 0
//                         e.g. DEMO_LEAK_PER_SECOND=60000 DEMO_LEAK_CAP=3000000 passes 2 million
//                         leaked entries in about 35 s, far past what one walk covers

import { createServer } from 'node:http';
import { createReportHandler } from '../dist/index.js';
import { METRICS_MODES, startMetrics } from './metrics.mjs';
import { createShop } from './shop.mjs';
import { envInt } from '../scripts/env.mjs';
import { startTraffic } from './traffic.mjs';

let config;
try {
  config = {
    port: envInt('PORT', 8080, 0, 65535),
    metricsPort: envInt('METRICS_PORT', 9464, 0, 65535),
    rps: envInt('DEMO_RPS', 20, 1, 5000),
    leakCap: envInt('DEMO_LEAK_CAP', 100_000, 0, 10_000_000),
    cacheMillis: envInt('DEMO_MIN_INTERVAL_MS', 5000, 0, 3_600_000),
    scanIntervalMs: envInt('DEMO_SCAN_INTERVAL_MS', 2000, 0, 3_600_000),
    leakPerSecond: envInt('DEMO_LEAK_PER_SECOND', 0, 0, 500_000),
    metrics: process.env.DEMO_METRICS || 'otel',
  };
  if (!METRICS_MODES.includes(config.metrics)) {
    throw new Error(`DEMO_METRICS must be ${METRICS_MODES.join(' or ')}, got ${JSON.stringify(config.metrics)}`);
  }
} catch (error) {
  console.error(`memsize demo: ${error.message}`);
  process.exit(2);
}
const HOST = '127.0.0.1';

const shop = createShop({ leakCap: config.leakCap });

let memsize;
try {
  memsize = await startMetrics(config.metrics, { host: HOST, port: config.metricsPort, cacheMillis: config.cacheMillis });
} catch (error) {
  console.error(`memsize demo: cannot serve metrics on ${HOST}:${config.metricsPort}: ${error.message}`);
  console.error('Set METRICS_PORT to a free port (0 picks one).');
  process.exit(1);
}
// The shop's three structures are the roots. memsize holds them weakly; the shop keeps them alive.
memsize.addRoot('sessions', shop.sessions);
memsize.addRoot('cache', shop.cache);
memsize.addRoot('requestLog', shop.requestLog);

const report = createReportHandler(memsize, { title: 'demo shop', scanCooldownMillis: config.scanIntervalMs });

function indexPage(metricsUrl) {
  const { sessions, cache, requestLog } = shop;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>memsize demo shop</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 20px}code{background:#f1f3f6;padding:1px 4px;border-radius:4px}</style></head>
<body><h1>memsize demo shop</h1>
<p>This service keeps three structures registered as memsize roots, and has a slow leak.</p>
<ul><li><a href="/memsize">Report page</a>: press <b>Scan</b> on <code>requestLog</code>, wait, press it again.</li>
<li><a href="${metricsUrl}">Prometheus metrics</a>: <code>memsize_root_bytes{root="requestLog"}</code> keeps growing.</li></ul>
<h2>State now</h2><ul>
<li>sessions: ${sessions.sessions.size} (expire after ${sessions.ttlMs / 1000} s idle)</li>
<li>cache: ${cache.entries.size} of ${cache.capacity} pages, ${cache.hits} hits, ${cache.misses} misses, ${cache.evictions} evictions</li>
<li>request log: ${requestLog.count} requests, ${requestLog.recent.length} recent entries kept, <b>${requestLog.byId.size} leaked</b></li></ul>
<h2>Make some traffic yourself</h2>
<p><code>curl -X POST http://${HOST}:${server.address().port}/login</code> · <code>curl http://${HOST}:${server.address().port}/products/42</code></p>
</body></html>`;
}

const server = createServer((req, res) => {
  try {
    if (report(req, res)) return;
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/') {
      const body = indexPage(memsize.url);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      return;
    }
    const sessionId = typeof req.headers['x-session'] === 'string' ? req.headers['x-session'] : undefined;
    const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 200) : 'unknown';
    const { status, body, type = 'text/plain' } = shop.handle(req.method ?? 'GET', path, { sessionId, userAgent });
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8` }).end(body);
  } catch (error) {
    console.error('memsize demo: request failed:', error);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal error\n');
  }
});

server.on('error', async (error) => {
  console.error(`memsize demo: cannot serve the app on ${HOST}:${config.port}: ${error.message}`);
  console.error('Set PORT to a free port (0 picks one).');
  await memsize.shutdown().catch(() => {});
  process.exit(1);
});

await new Promise((resolve) => server.listen(config.port, HOST, resolve));
const appUrl = `http://${HOST}:${server.address().port}`;
const stopTraffic = startTraffic(shop, { rps: config.rps, leakPerSecond: config.leakPerSecond });

console.log(`memsize demo running (pid ${process.pid}, Node ${process.version})
  app      ${appUrl}/
  report   ${appUrl}/memsize
  metrics  ${memsize.url}
  exporter ${config.metrics === 'otel' ? 'memsize/prometheus (OpenTelemetry)' : "memsize/prom-client, beside prom-client's default metrics"}
  traffic  ${config.rps} simulated requests/s; the request log leaks one entry per request
Press Ctrl+C to stop.`);

let stoppingSince = null;
async function stop(signal) {
  if (stoppingSince !== null) {
    // npm may pass on the terminal's Ctrl+C a moment after the terminal sent it: only a later
    // signal means "stop now".
    if (Date.now() - stoppingSince < 1000) return;
    console.error('memsize demo: second signal, exiting now');
    process.exit(1);
  }
  stoppingSince = Date.now();
  console.log(`memsize demo: ${signal}, stopping`);
  // If something still holds the event loop after a clean close, do not hang forever.
  setTimeout(() => {
    console.error('memsize demo: did not stop within 5 s, exiting');
    process.exit(1);
  }, 5000).unref();
  stopTraffic();
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  try {
    await Promise.all([closed, memsize.shutdown()]);
  } catch (error) {
    console.error('memsize demo: shutdown failed:', error);
    process.exitCode = 1;
  }
  console.log('memsize demo: stopped');
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
