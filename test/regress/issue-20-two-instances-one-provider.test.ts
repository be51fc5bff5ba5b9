/**
 * Issue 20: "Two memsize instances on one MeterProvider export one instance's union only."
 * Both instances asked the provider for the same meter and the same instrument names; the SDK
 * hands both the same instruments and keeps one value per attribute set, so the attribute-less
 * series (union, walk duration) and any root name the two shared came from whichever callback
 * ran last, with no error or warning. Now: a second instance with the same `options.instance`
 * (or, like the first, none) is refused at createMemsize() with the fix in the message, and
 * instances with distinct `instance` names each export their own series, told apart by the
 * `memsize_instance` label. Checked through a real PrometheusExporter over HTTP.
 */
import { request } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNoopMeter, type MeterProvider } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider as SdkMeterProvider } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, MemsizeError, PROMETHEUS_NAMES, type Memsize } from '../../src/index.js';
import { registerPromClient } from '../../src/prom-client.js';
import { parsePrometheusText, type Sample } from '../metrics/support.js';
import { thrown } from '../support/thrown.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A MeterProvider whose PrometheusExporter is mounted on our own server on port 0. */
async function prometheusProvider(): Promise<{ provider: SdkMeterProvider; scrape: () => Promise<Sample[]> }> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new SdkMeterProvider({ readers: [exporter] });
  const server: Server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)), () => provider.shutdown());
  const { port } = server.address() as AddressInfo;
  const scrape = () =>
    new Promise<Sample[]>((resolve, reject) => {
      const req = request(`http://127.0.0.1:${port}/metrics`, { agent: false, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(parsePrometheusText(body).samples) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('scrape timed out')));
      req.on('error', reject);
      req.end();
    });
  return { provider, scrape };
}

function track(memsize: Memsize): Memsize {
  cleanups.push(() => memsize.shutdown());
  return memsize;
}


const values = (samples: Sample[], name: string) => samples.filter((s) => s.name === name);

// Two structures of clearly different sizes, so one instance's figure cannot pass for the other's.
const bigCache = () => new Map(Array.from({ length: 2000 }, (_, i) => [i, { id: i, label: `entry-${i}` }]));
const smallCache = () => new Map([[1, { id: 1 }]]);

describe('issue 20: two memsize instances on one MeterProvider', () => {
  it('refuses a second instance without options.instance at createMemsize(), naming the option and the label', async () => {
    // Arrange
    const { provider } = await prometheusProvider();
    track(createMemsize({ meterProvider: provider }));

    // Act
    const error = thrown(() => createMemsize({ meterProvider: provider }));

    // Assert
    expect(error.code).toBe('ERR_MEMSIZE_INSTANCE_EXISTS');
    expect(error.message).toMatch(/^createMemsize\(\): a memsize instance without options\.instance already reports to this MeterProvider/);
    expect(error.message).toContain('options.instance');
    expect(error.message).toContain('memsize_instance');
    expect(error.message).toContain('shutdown()');
  });

  it('refuses a second instance with the same options.instance', async () => {
    const { provider } = await prometheusProvider();
    track(createMemsize({ meterProvider: provider, instance: 'jobs' }));
    const error = thrown(() => createMemsize({ meterProvider: provider, instance: 'jobs' }));
    expect(error.code).toBe('ERR_MEMSIZE_INSTANCE_EXISTS');
    expect(error.message).toContain('with options.instance "jobs"');
  });

  it('exports each instance its own union and its own root of a shared name, told apart by memsize_instance', async () => {
    // Arrange: the same root name in both, different data.
    const { provider, scrape } = await prometheusProvider();
    const web = track(createMemsize({ meterProvider: provider, instance: 'web' }));
    const jobs = track(createMemsize({ meterProvider: provider, instance: 'jobs' }));
    const big = bigCache();
    const small = smallCache();
    web.addRoot('cache', big, { weak: false });
    jobs.addRoot('cache', small, { weak: false });
    jobs.addRoot('queue', [1, 2, 3], { weak: false });

    // Act
    const samples = await scrape();

    // Assert: what each instance reported (its cached collection, read after the scrape) is what
    // the scrape shows under its label, for the union and for the root both instances named.
    const reported = new Map([['web', web.lastCollection()], ['jobs', jobs.lastCollection()]]);
    for (const [instance, collection] of reported) {
      expect(collection, `instance ${instance} was collected by the scrape`).not.toBeNull();
      const union = values(samples, PROMETHEUS_NAMES.unionBytes).filter((s) => s.labels.memsize_instance === instance);
      expect(union.map((s) => s.value)).toEqual([collection!.unionBytes]);
      const cache = values(samples, PROMETHEUS_NAMES.rootBytes).filter((s) => s.labels.memsize_instance === instance && s.labels.root === 'cache');
      expect(cache.map((s) => s.value)).toEqual([collection!.roots.get('cache')!.bytes]);
    }
    expect(reported.get('web')!.unionBytes).toBeGreaterThan(reported.get('jobs')!.unionBytes * 10);
    // Every memsize series carries the label: none is left for the two to overwrite.
    const memsizeSamples = samples.filter((s) => s.name.startsWith('memsize_'));
    expect(memsizeSamples.length).toBeGreaterThan(0);
    expect(memsizeSamples.filter((s) => s.labels.memsize_instance === undefined)).toEqual([]);
    expect(values(samples, PROMETHEUS_NAMES.walkDuration).map((s) => s.labels.memsize_instance).sort()).toEqual(['jobs', 'web']);
  });

  it('lets an instance without options.instance share the provider with named ones (its series carry no label)', async () => {
    const { provider, scrape } = await prometheusProvider();
    const app = track(createMemsize({ meterProvider: provider }));
    const lib = track(createMemsize({ meterProvider: provider, instance: 'lib' }));
    app.addRoot('cache', bigCache(), { weak: false });
    lib.addRoot('cache', smallCache(), { weak: false });

    const samples = await scrape();

    const union = values(samples, PROMETHEUS_NAMES.unionBytes);
    expect(union.map((s) => [s.labels.memsize_instance ?? null, s.value]).sort()).toEqual(
      [[null, app.lastCollection()!.unionBytes], ['lib', lib.lastCollection()!.unionBytes]].sort(),
    );
  });

  it('frees the provider at shutdown(): a new instance may take the place of one shut down', async () => {
    const { provider, scrape } = await prometheusProvider();
    const first = createMemsize({ meterProvider: provider });
    first.addRoot('cache', bigCache(), { weak: false });
    await first.shutdown();

    const second = track(createMemsize({ meterProvider: provider }));
    second.addRoot('cache', smallCache(), { weak: false });
    const samples = await scrape();

    expect(values(samples, PROMETHEUS_NAMES.unionBytes).map((s) => s.value)).toEqual([second.lastCollection()!.unionBytes]);
  });

  it('does not refuse instances on a no-op provider (nothing is exported there, nothing can collide)', () => {
    const noop: MeterProvider = { getMeter: () => createNoopMeter() };
    track(createMemsize({ meterProvider: noop }));
    expect(() => track(createMemsize({ meterProvider: noop }))).not.toThrow();
  });

  it('validates options.instance at the call', () => {
    for (const bad of ['', 'has space', '-lead', 'x'.repeat(65), 7]) {
      const error = thrown(() => createMemsize({ meterProvider: null, instance: bad as string }));
      expect(error.code).toBe('ERR_MEMSIZE_INVALID_OPTION');
      expect(error.message).toMatch(/^createMemsize\(\): options\.instance must be a name of 1-64 letters/);
    }
  });

  it('puts memsize_instance on the prom-client series too', async () => {
    const memsize = track(createMemsize({ meterProvider: null, instance: 'web' }));
    memsize.addRoot('cache', smallCache(), { weak: false });
    const registry = new Registry();
    registerPromClient(memsize, { registry });

    const samples = parsePrometheusText(await registry.metrics()).samples.filter((s) => s.name === PROMETHEUS_NAMES.rootBytes);

    expect(samples.map((s) => s.labels)).toEqual([{ root: 'cache', memsize_instance: 'web' }]);
  });
});
