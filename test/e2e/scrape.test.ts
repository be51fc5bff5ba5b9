/**
 * A real HTTP scrape of /metrics from startPrometheus(): pins the exact Prometheus names that
 * grafana/ and deploy/ use, compares values with scan() of the same objects, and proves the
 * behaviours a dashboard relies on: one walk for concurrent scrapes, no stale series, a failing
 * root, a root over budget.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PROMETHEUS_NAMES, scan } from '../../src/index.js';
import { startPrometheus, type PrometheusMemsize, type PrometheusOptions } from '../../src/prometheus.js';
import { foldTypes } from '../../src/metrics/points.js';
import { byRootType, parsePrometheusText, type Sample } from '../metrics/support.js';

class Session {
  constructor(
    public id: number,
    public pages: string[],
  ) {}
}
class Order {
  constructor(
    public id: number,
    public lines: number[],
  ) {}
}

const sessions = (n: number) => new Map(Array.from({ length: n }, (_, i) => [i, new Session(i, [`/p/${i}`, `/q/${i}`])]));
const orders = (n: number) => Array.from({ length: n }, (_, i) => new Order(i, [i, i + 1, i + 2]));

const running: PrometheusMemsize[] = [];
afterEach(async () => {
  for (const m of running.splice(0)) await m.shutdown();
});

async function start(options: PrometheusOptions = {}): Promise<PrometheusMemsize> {
  const memsize = await startPrometheus({ port: 0, ...options });
  running.push(memsize);
  return memsize;
}

function fetchText(url: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }));
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function scrape(memsize: PrometheusMemsize): Promise<{ samples: Sample[]; types: Map<string, string>; units: Map<string, string> }> {
  const res = await fetchText(memsize.url);
  expect(res.status).toBe(200);
  expect(res.contentType).toMatch(/^text\/plain/);
  return parsePrometheusText(res.body);
}

const N = PROMETHEUS_NAMES;

describe('GET /metrics', () => {
  it('exposes exactly the pinned memsize names, gauges and one counter, with their labels and units', async () => {
    const memsize = await start();
    memsize.addRoot('sessions', sessions(20));
    const { samples, types, units } = await scrape(memsize);

    const families = [...types.keys()].filter((name) => name.startsWith('memsize_')).sort();
    // memsize_root_correction_ratio exists only for roots calibrated by verify() (test/verify).
    expect(families).toEqual(Object.values(N).filter((name) => name !== N.rootCorrection).sort());
    expect(families).toEqual(
      [
        'memsize_root_bytes',
        'memsize_root_bytes_error_ratio',
        'memsize_root_estimated',
        'memsize_root_hidden',
        'memsize_root_objects',
        'memsize_type_bytes',
        'memsize_type_objects',
        'memsize_union_bytes',
        'memsize_union_objects',
        'memsize_walk_duration_seconds',
        'memsize_walk_errors_total',
        'memsize_walk_objects',
        'memsize_walk_truncated',
      ].sort(),
    );
    for (const family of families) expect(types.get(family), family).toBe(family === N.walkErrors ? 'counter' : 'gauge');
    expect(units.get(N.rootBytes)).toBe('By');
    expect(units.get(N.walkDuration)).toBe('s');

    const labelsOf = (name: string) =>
      new Set(samples.filter((s) => s.name === name).flatMap((s) => Object.keys(s.labels).filter((k) => !k.startsWith('otel_'))));
    expect(labelsOf(N.rootBytes)).toEqual(new Set(['root']));
    expect(labelsOf(N.rootObjects)).toEqual(new Set(['root']));
    expect(labelsOf(N.typeBytes)).toEqual(new Set(['root', 'type']));
    expect(labelsOf(N.typeObjects)).toEqual(new Set(['root', 'type']));
    expect(labelsOf(N.walkTruncated)).toEqual(new Set(['root']));
    expect(labelsOf(N.rootEstimated)).toEqual(new Set(['root']));
    expect(labelsOf(N.rootBytesError)).toEqual(new Set(['root']));
    expect(labelsOf(N.walkErrors)).toEqual(new Set(['root']));
    for (const name of [N.unionBytes, N.unionObjects, N.walkDuration, N.walkObjects]) expect(labelsOf(name), name).toEqual(new Set());
  });

  it('reports values equal to scan() of the same roots, types capped at maxTypes', async () => {
    const memsize = await start({ maxTypes: 3 });
    const a = sessions(100);
    const b = { orders: orders(80), note: 'x'.repeat(500) };
    memsize.addRoot('sessions', a);
    memsize.addRoot('orders', () => b);
    const { samples } = await scrape(memsize);
    for (const [root, value] of [
      ['sessions', a],
      ['orders', b],
    ] as const) {
      const expected = scan(value);
      expect(byRootType(samples, N.rootBytes).get(`${root}|`)).toBe(expected.bytes);
      expect(byRootType(samples, N.rootObjects).get(`${root}|`)).toBe(expected.objects);
      expect(byRootType(samples, N.walkTruncated).get(`${root}|`)).toBe(0);
      const types = foldTypes(expected.byType, 3);
      const scrapedTypes = [...byRootType(samples, N.typeBytes)].filter(([k]) => k.startsWith(`${root}|`));
      expect(scrapedTypes).toHaveLength(types.size);
      for (const [type, total] of types) {
        expect(byRootType(samples, N.typeBytes).get(`${root}|${type}`), type).toBe(total.bytes);
        expect(byRootType(samples, N.typeObjects).get(`${root}|${type}`), type).toBe(total.objects);
      }
    }
    const union = byRootType(samples, N.unionBytes).get('|')!;
    expect(union).toBeLessThanOrEqual(scan(a).bytes + scan(b).bytes);
    expect(union).toBeGreaterThanOrEqual(Math.max(scan(a).bytes, scan(b).bytes));
    expect(byRootType(samples, N.walkDuration).get('|')!).toBeGreaterThan(0);
  });

  it('costs one walk for N concurrent scrapes, and every scrape gets every series', async () => {
    const memsize = await start({ cacheMillis: 60_000 });
    let walks = 0;
    const data = sessions(200);
    memsize.addRoot('counted', () => {
      walks++;
      return data;
    });
    const N_SCRAPES = 12;
    const results = await Promise.all(Array.from({ length: N_SCRAPES }, () => scrape(memsize)));
    expect(walks).toBe(1);
    for (const { samples } of results) {
      expect(byRootType(samples, N.rootBytes).get('counted|')).toBe(scan(data).bytes);
      expect(samples.filter((s) => s.name === N.typeBytes && s.labels.root === 'counted').length).toBeGreaterThan(0);
    }
  });

  it('drops every series of a removed root at once (no stale value)', async () => {
    const memsize = await start({ cacheMillis: 60_000 });
    // Held strongly: an inline object registered weakly can be collected before the first scrape
    // (it was, once, on Node 26 in CI), and this test is about removeRoot().
    memsize.addRoot('stays', sessions(5), { weak: false });
    memsize.addRoot('goes', orders(50), { weak: false });
    const before = await scrape(memsize);
    expect(before.samples.filter((s) => s.labels.root === 'goes').map((s) => s.name)).toEqual(
      expect.arrayContaining([N.rootBytes, N.rootObjects, N.typeBytes, N.typeObjects, N.walkTruncated, N.walkErrors]),
    );
    expect(memsize.removeRoot('goes')).toBe(true);
    for (let i = 0; i < 3; i++) {
      const after = await scrape(memsize);
      expect(after.samples.filter((s) => s.labels.root === 'goes')).toEqual([]);
      expect(byRootType(after.samples, N.rootBytes).has('stays|')).toBe(true);
    }
  });

  it('drops the series of a type that leaves the top list', async () => {
    const memsize = await start({ cacheMillis: 0, maxTypes: 2 });
    const first = sessions(300);
    const second = orders(300);
    let current: object = first;
    memsize.addRoot('shifting', () => current);
    const topFirst = [...foldTypes(scan(first).byType, 2).keys()];
    const topSecond = [...foldTypes(scan(second).byType, 2).keys()];
    const gone = topFirst.filter((t) => !topSecond.includes(t));
    expect(gone.length, `fixtures must differ in their top type: ${topFirst} vs ${topSecond}`).toBeGreaterThan(0);

    const before = byRootType((await scrape(memsize)).samples, N.typeBytes);
    for (const type of gone) expect(before.has(`shifting|${type}`), type).toBe(true);
    current = second;
    for (let i = 0; i < 2; i++) {
      const after = byRootType((await scrape(memsize)).samples, N.typeBytes);
      for (const type of gone) expect(after.has(`shifting|${type}`), type).toBe(false);
      for (const type of topSecond) expect(after.has(`shifting|${type}`), type).toBe(true);
    }
  });

  it('keeps serving the other roots when one root function throws, counting the failures', async () => {
    const memsize = await start({ cacheMillis: 0 });
    const good = sessions(10);
    memsize.addRoot('good', good);
    memsize.addRoot('broken', () => {
      throw new TypeError('db handle closed');
    });
    memsize.addRoot('empty', () => undefined);
    await scrape(memsize);
    const { samples } = await scrape(memsize);
    expect(byRootType(samples, N.rootBytes).get('good|')).toBe(scan(good).bytes);
    expect(byRootType(samples, N.rootBytes).has('broken|')).toBe(false);
    expect(byRootType(samples, N.walkErrors).get('broken|')).toBe(2);
    expect(byRootType(samples, N.walkErrors).get('empty|')).toBe(2);
    expect(byRootType(samples, N.walkErrors).get('good|')).toBe(0);
  });

  it('estimates a root too large for its budget instead of truncating it, and says so', async () => {
    const maxObjects = 2_000;
    const memsize = await start({ cacheMillis: 0, maxObjects });
    // Orders of different sizes, so a sample's figure has a spread to show.
    const wide = Array.from({ length: 20_000 }, (_, i) => new Order(i, Array.from({ length: 1 + (i % 7) }, (_, j) => i * 7 + j)));
    memsize.addRoot('orders', wide);
    const { samples } = await scrape(memsize);
    const exact = scan(wide, { maxObjects: 10_000_000, maxMillis: 60_000, estimate: false });
    expect(exact.truncated).toBe(false);
    expect(byRootType(samples, N.walkTruncated).get('orders|')).toBe(0);
    expect(byRootType(samples, N.rootEstimated).get('orders|')).toBe(1);
    const bytes = byRootType(samples, N.rootBytes).get('orders|')!;
    const error = byRootType(samples, N.rootBytesError).get('orders|')!;
    expect(Math.abs(bytes - exact.bytes) / exact.bytes).toBeLessThan(0.05);
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(0.05);
  });

  it('with estimation off, marks a root over budget truncated and never reports the budget hit as memory freed', async () => {
    const maxObjects = 2_000;
    const memsize = await start({ cacheMillis: 0, maxObjects, estimate: false });
    // Few objects holding many bytes: walks completely.
    const heavy = { blobs: Array.from({ length: 8 }, () => new Uint8Array(64 * 1024)) };
    // Many small objects: more than maxObjects, so the walk stops early.
    const wide = orders(5_000);
    let current: object = heavy;
    memsize.addRoot('cache', () => current);

    const complete = await scrape(memsize);
    expect(byRootType(complete.samples, N.walkTruncated).get('cache|')).toBe(0);
    const completeBytes = byRootType(complete.samples, N.rootBytes).get('cache|')!;
    expect(completeBytes).toBe(scan(heavy).bytes);

    current = wide;
    const partialBytes = scan(wide, { maxObjects, estimate: false }).bytes;
    expect(scan(wide, { maxObjects, estimate: false }).truncated).toBe(true);
    expect(partialBytes, 'fixture: the partial walk must see less than the complete one').toBeLessThan(completeBytes);
    const truncated = await scrape(memsize);
    expect(byRootType(truncated.samples, N.walkTruncated).get('cache|')).toBe(1);
    expect(byRootType(truncated.samples, N.rootBytes).get('cache|')).toBe(completeBytes);
  });
});
