// The demo's /metrics, one of two ways (DEMO_METRICS):
//   otel         memsize/prometheus: memsize's own MeterProvider and the OpenTelemetry Prometheus
//                exporter, plus the V8 heap as the OpenTelemetry runtime instrumentation names it
//   prom-client  memsize/prom-client: memsize's series in a prom-client Registry, beside
//                prom-client's default Node metrics (nodejs_heap_size_used_bytes and the rest), as
//                a service that already serves prom-client's /metrics would have it
// Both serve on host:port/metrics and resolve to a Memsize with `url` and `shutdown()`.
import { createServer } from 'node:http';
import { getHeapSpaceStatistics } from 'node:v8';
import { createMemsize } from '../dist/index.js';
import { startPrometheus } from '../dist/prometheus.js';

export const METRICS_MODES = ['otel', 'prom-client'];

export async function startMetrics(mode, { host, port, cacheMillis }) {
  if (mode === 'otel') {
    const memsize = await startPrometheus({ host, port, cacheMillis });
    // The V8 heap, for the dashboard's "share of the heap the roots hold" panels. memsize measures
    // structures, not the heap: a real service gets this from its runtime metrics
    // (@opentelemetry/instrumentation-runtime-node or prom-client); the demo registers it itself.
    memsize.meterProvider
      .getMeter('demo-runtime')
      .createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', description: 'V8 heap used, per space' })
      .addCallback((result) => {
        for (const space of getHeapSpaceStatistics()) result.observe(space.space_used_size, { 'v8js.heap.space.name': space.space_name });
      });
    return memsize;
  }
  const { default: client } = await import('prom-client');
  const { registerPromClient } = await import('../dist/prom-client.js');
  const memsize = createMemsize({ meterProvider: null, cacheMillis });
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  registerPromClient(memsize, { registry });
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') return void res.writeHead(404).end('Not Found\n');
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  server.unref();
  return {
    ...memsize,
    url: `http://${host}:${server.address().port}/metrics`,
    async shutdown() {
      await memsize.shutdown();
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    },
  };
}
