/**
 * memsize/prom-client: memsize's series in a real prom-client Registry, compared series by series
 * with the OpenTelemetry Prometheus exporter's scrape of the same collection; one walk per scrape;
 * stale series; errors at the call.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, MemsizeError, PROMETHEUS_NAMES, type Memsize } from '../../src/index.js';
import { registerPromClient } from '../../src/prom-client.js';
import { prometheusHandler } from '../../src/prometheus.js';
import { parsePrometheusText, type Sample } from './support.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends Memsize>(memsize: T): T {
  cleanups.push(() => memsize.shutdown());
  return memsize;
}

class Session {
  readonly label: string;
  constructor(
    readonly id: number,
    readonly history: number[],
  ) {
    this.label = `user-${id}`;
  }
}

/** Identity of a sample: its name and labels, without the OpenTelemetry exporter's scope labels. */
function seriesKey(sample: Sample): string {
  const labels = Object.entries(sample.labels)
    .filter(([key]) => !key.startsWith('otel_scope_'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${sample.name}{${labels.join(',')}}`;
}

const memsizeNames = new Set<string>(Object.values(PROMETHEUS_NAMES));

/** memsize's families of a scrape: HELP, TYPE and the samples by series. */
function memsizeFamilies(text: string) {
  const parsed = parsePrometheusText(text);
  const series = new Map<string, number>();
  for (const sample of parsed.samples) if (memsizeNames.has(sample.name)) series.set(seriesKey(sample), sample.value);
  const withSamples = new Set(parsed.samples.filter((s) => memsizeNames.has(s.name)).map((s) => s.name));
  const meta = new Map([...withSamples].map((name) => [name, { help: parsed.help.get(name), type: parsed.types.get(name) }]));
  return { series, meta };
}

async function serve(handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('registerPromClient', () => {
  it('serves the same series, values, types and help texts as the OpenTelemetry exporter', async () => {
    // Arrange: one Memsize reporting both ways, its collection cached so both scrapes read the same one.
    const memsize = track(prometheusHandler({ cacheMillis: 60_000, maxTypes: 3 }));
    const sessions = new Map(Array.from({ length: 200 }, (_, i) => [i, new Session(i, [i + 0.5, i + 1.5])]));
    memsize.addRoot('sessions', sessions);
    memsize.addRoot('strings', () => ['a'.repeat(100), 'b'.repeat(200)]);
    memsize.addRoot('broken', () => {
      throw new Error('no cache yet');
    });
    const registry = new client.Registry();
    registerPromClient(memsize, { registry });
    const url = await serve(memsize.handler);

    // Act
    const otel = memsizeFamilies(await (await fetch(url)).text());
    const prom = memsizeFamilies(await registry.metrics());

    // Assert: every series, and each family's type and help text.
    expect(otel.series.size).toBeGreaterThan(20);
    expect(otel.series.get('memsize_walk_errors_total{root="broken"}')).toBe(1);
    expect(otel.series.get('memsize_type_bytes{root="sessions",type="(other)"}')).toBeGreaterThan(0);
    expect([...prom.series.keys()].sort()).toEqual([...otel.series.keys()].sort());
    for (const [key, value] of otel.series) expect(prom.series.get(key), key).toBe(value);
    expect(Object.fromEntries(prom.meta)).toEqual(Object.fromEntries(otel.meta));
    expect(prom.meta.get(PROMETHEUS_NAMES.walkErrors)?.type).toBe('counter');
    expect(prom.meta.get(PROMETHEUS_NAMES.rootBytes)?.type).toBe('gauge');
  });

  it('walks once per scrape however many of its metrics are collected', async () => {
    const memsize = track(createMemsize({ meterProvider: null, cacheMillis: 0 }));
    memsize.addRoot('m', new Map([[1, { a: 1 }]]), { weak: false });
    let collections = 0;
    // A spread keeps the instance's hidden export hook, as startPrometheus()'s object does.
    const counted: Memsize = {
      ...memsize,
      collect: () => {
        collections++;
        return memsize.collect();
      },
    };
    const registry = new client.Registry();
    const { names } = registerPromClient(counted, { registry });
    expect(names.length).toBe(Object.keys(PROMETHEUS_NAMES).length);

    await registry.metrics();
    expect(collections).toBe(1);
    await registry.metrics();
    expect(collections).toBe(2);
  });

  it('drops the series of a removed root and of a type that left the top list', async () => {
    const memsize = track(createMemsize({ meterProvider: null, cacheMillis: 0, maxTypes: 2 }));
    class Tag {
      constructor(readonly n: number) {}
    }
    const holder: { data: unknown } = { data: Array.from({ length: 50 }, (_, i) => new Tag(i)) };
    memsize.addRoot('changing', () => holder.data);
    memsize.addRoot('leaving', new Map([[1, 'x']]), { weak: false });
    const registry = new client.Registry();
    registerPromClient(memsize, { registry });

    const before = memsizeFamilies(await registry.metrics()).series;
    expect(before.has('memsize_root_bytes{root="leaving"}')).toBe(true);
    const typesBefore = [...before.keys()].filter((k) => k.startsWith('memsize_type_bytes{root="changing"'));
    expect(typesBefore).toContain('memsize_type_bytes{root="changing",type="Tag"}');

    memsize.removeRoot('leaving');
    holder.data = new Map([[1, new Uint8Array(64)]]);
    const after = memsizeFamilies(await registry.metrics()).series;
    expect([...after.keys()].filter((k) => k.includes('root="leaving"'))).toEqual([]);
    expect(after.has('memsize_type_bytes{root="changing",type="Tag"}')).toBe(false);
    expect(after.has('memsize_type_objects{root="changing",type="Tag"}')).toBe(false);
    expect(after.has('memsize_root_bytes{root="changing"}')).toBe(true);
  });

  it("uses prom-client's default registry when given none, beside its default metrics, and unregister() removes only memsize's", async () => {
    const memsize = track(createMemsize({ meterProvider: null }));
    memsize.addRoot('m', new Map([[1, 'one']]), { weak: false });
    const registration = registerPromClient(memsize);
    cleanups.push(() => registration.unregister());
    client.collectDefaultMetrics();
    cleanups.push(() => client.register.clear());
    const text = await client.register.metrics();
    expect(text).toMatch(/^memsize_root_bytes\{root="m"\} [1-9]/m);
    expect(text).toMatch(/^nodejs_heap_size_total_bytes /m);
    registration.unregister();
    registration.unregister();
    const after = await client.register.metrics();
    expect(after).not.toContain('memsize_');
    expect(after).toMatch(/^nodejs_heap_size_total_bytes /m);
  });

  it('reports nothing once the Memsize is shut down', async () => {
    const memsize = createMemsize({ meterProvider: null });
    memsize.addRoot('m', new Map([[1, 'one']]), { weak: false });
    const registry = new client.Registry();
    registerPromClient(memsize, { registry });
    expect((await registry.metrics()).match(/^memsize_\w+(\{[^}]*\})? /gm)?.length).toBeGreaterThan(5);
    await memsize.shutdown();
    expect((await registry.metrics()).match(/^memsize_\w+(\{[^}]*\})? /gm)).toBeNull();
  });
});

describe('registerPromClient: errors at the call', () => {
  const code = (call: () => unknown): [string, string] => {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(MemsizeError);
      return [(error as MemsizeError).code, (error as MemsizeError).message];
    }
    throw new Error('expected a MemsizeError');
  };

  it('names a registry that is not a prom-client Registry', () => {
    const memsize = track(createMemsize({ meterProvider: null }));
    expect(code(() => registerPromClient(memsize, { registry: {} as never }))).toEqual([
      'ERR_MEMSIZE_INVALID_OPTION',
      'registerPromClient(): options.registry must be a prom-client Registry (new client.Registry() or client.register), got an object',
    ]);
    expect(code(() => registerPromClient(memsize, { registry: null as never }))[1]).toMatch(/options\.registry must be a prom-client Registry .*got null/);
    expect(code(() => registerPromClient(memsize, { registy: new client.Registry() } as never))[1]).toBe(
      'registerPromClient(): options.registy is not an option (known: registry)',
    );
  });

  it('refuses what is not a Memsize, and one that was shut down', async () => {
    expect(code(() => registerPromClient({ collect: () => null } as never))[0]).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(code(() => registerPromClient(undefined as never))[1]).toMatch(/^registerPromClient\(\): memsize must be what createMemsize\(\)/);
    const memsize = createMemsize({ meterProvider: null });
    await memsize.shutdown();
    expect(code(() => registerPromClient(memsize, { registry: new client.Registry() }))).toEqual([
      'ERR_MEMSIZE_SHUT_DOWN',
      'registerPromClient(): this memsize instance was shut down',
    ]);
  });

  it('refuses a registry that has the names already, and registers nothing then', async () => {
    const memsize = track(createMemsize({ meterProvider: null }));
    const registry = new client.Registry();
    registerPromClient(memsize, { registry });
    const [errorCode, message] = code(() => registerPromClient(memsize, { registry }));
    expect(errorCode).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(message).toContain('options.registry already has memsize_root_bytes');
    const own = new client.Registry();
    new client.Gauge({ name: 'memsize_root_bytes', help: 'mine', registers: [own] });
    expect(code(() => registerPromClient(memsize, { registry: own }))[1]).toMatch(/already has memsize_root_bytes:/);
    expect(own.getMetricsAsArray().length).toBe(1);
  });
});
