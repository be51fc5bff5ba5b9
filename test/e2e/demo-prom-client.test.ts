/**
 * The demo serving its /metrics through memsize/prom-client (DEMO_METRICS=prom-client): memsize's
 * series for the shop's three roots beside prom-client's default Node metrics, on one endpoint.
 * test/deploy/live.test.ts scrapes this mode with a real Prometheus.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../support/dist.js';
import { startDemo, type RunningDemo } from '../support/demo.js';
import { parsePrometheusText } from '../metrics/support.js';

let demo: RunningDemo | undefined;
afterEach(async () => {
  demo?.child.kill('SIGTERM');
  await demo?.exited;
  demo = undefined;
});

describe('the demo with DEMO_METRICS=prom-client', () => {
  it("serves memsize's series for every root beside prom-client's default metrics", async () => {
    demo = await startDemo({ DEMO_METRICS: 'prom-client', DEMO_MIN_INTERVAL_MS: '0' });
    expect(demo.output.text).toContain('exporter memsize/prom-client');
    const response = await fetch(demo.urls.metrics);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheusText(await response.text());
    const roots = samples.filter((s) => s.name === 'memsize_root_bytes');
    expect(roots.map((s) => s.labels.root).sort()).toEqual(['cache', 'requestLog', 'sessions']);
    for (const sample of roots) expect(sample.value, sample.labels.root).toBeGreaterThan(0);
    expect(types.get('memsize_walk_errors_total')).toBe('counter');
    expect(samples.find((s) => s.name === 'nodejs_heap_size_used_bytes')?.value).toBeGreaterThan(0);
  });

  it('refuses an unknown DEMO_METRICS, naming it', () => {
    const run = spawnSync(process.execPath, [join(ROOT_DIR, 'demo', 'server.mjs')], {
      env: { ...process.env, PORT: '0', METRICS_PORT: '0', DEMO_METRICS: 'statsd' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('DEMO_METRICS must be otel or prom-client, got "statsd"');
  });
});
