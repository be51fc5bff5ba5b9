import { AggregationTemporality, MeterProvider } from '@opentelemetry/sdk-metrics';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, scan } from '../../src/index.js';
import { METRICS, ROOT_BYTES, ROOT_OBJECTS, TYPE_BYTES, TYPE_OBJECTS, UNION_BYTES, WALK_DURATION, WALK_ERRORS, WALK_OBJECTS, WALK_TRUNCATED } from '../../src/metrics/names.js';
import { foldTypes } from '../../src/metrics/points.js';
import { attrKey, collectMetrics, gaugePoints, newProvider, TestReader } from './support.js';

class Session {
  constructor(
    public id: number,
    public history: string[],
  ) {}
}

function sessions(n: number): Map<number, Session> {
  const m = new Map<number, Session>();
  for (let i = 0; i < n; i++) m.set(i, new Session(i, [`page-${i}`, `page-${i + 1}`]));
  return m;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function captureDiag(): { warn: string[]; error: string[] } {
  const seen = { warn: [] as string[], error: [] as string[] };
  const logger: DiagLogger = {
    error: (m) => seen.error.push(m),
    warn: (m) => seen.warn.push(m),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  cleanups.push(() => diag.disable());
  return seen;
}

describe('gauges on a real MeterProvider', () => {
  it('register every instrument with its name, unit and description, and report values equal to scan()', async () => {
    const { provider, reader } = newProvider();
    const memsize = createMemsize({ meterProvider: provider, cacheMillis: 0, maxTypes: 3 });
    cleanups.push(() => memsize.shutdown(), () => provider.shutdown());
    const a = sessions(50);
    const b = { list: Array.from({ length: 200 }, (_, i) => ({ i, label: `item ${i}` })) };
    memsize.addRoot('sessions', a);
    memsize.addRoot('catalog', () => b);

    const collected = await collectMetrics(reader);
    expect(collected.errors).toEqual([]);
    // memsize.root.correction.ratio has points only for roots calibrated by verify() (test/verify).
    for (const spec of METRICS.filter((m) => m.name !== 'memsize.root.correction.ratio')) {
      const metric = collected.metrics.get(spec.name);
      expect(metric, spec.name).toBeDefined();
      expect(metric!.descriptor.unit).toBe(spec.unit);
      expect(metric!.descriptor.description).toBe(spec.description);
    }

    for (const [root, value] of [
      ['sessions', a],
      ['catalog', b],
    ] as const) {
      const expected = scan(value, { maxObjects: 1_000_000, maxMillis: 60_000 });
      expect(gaugePoints(collected, ROOT_BYTES.name).get(attrKey({ root }))).toBe(expected.bytes);
      expect(gaugePoints(collected, ROOT_OBJECTS.name).get(attrKey({ root }))).toBe(expected.objects);
      expect(gaugePoints(collected, WALK_TRUNCATED.name).get(attrKey({ root }))).toBe(0);
      expect(gaugePoints(collected, WALK_ERRORS.name).get(attrKey({ root }))).toBe(0);
      const types = foldTypes(expected.byType, 3);
      const typeBytes = gaugePoints(collected, TYPE_BYTES.name);
      const typeObjects = gaugePoints(collected, TYPE_OBJECTS.name);
      for (const [type, total] of types) {
        expect(typeBytes.get(attrKey({ root, type })), `${root}/${type}`).toBe(total.bytes);
        expect(typeObjects.get(attrKey({ root, type })), `${root}/${type}`).toBe(total.objects);
      }
      expect([...typeBytes.keys()].filter((k) => JSON.parse(k).root === root)).toHaveLength(types.size);
    }
    const union = gaugePoints(collected, UNION_BYTES.name).get(attrKey({}))!;
    const rootBytes = [...gaugePoints(collected, ROOT_BYTES.name).values()];
    expect(union).toBeGreaterThanOrEqual(Math.max(...rootBytes));
    expect(union).toBeLessThanOrEqual(rootBytes.reduce((x, y) => x + y, 0));
    expect(gaugePoints(collected, WALK_DURATION.name).get(attrKey({}))!).toBeGreaterThanOrEqual(0);
    expect(gaugePoints(collected, WALK_OBJECTS.name).get(attrKey({}))).toBe(
      [...gaugePoints(collected, ROOT_OBJECTS.name).values()].reduce((x, y) => x + y, 0),
    );
  });

  it('count a structure shared by two roots once in the union', async () => {
    const { provider, reader } = newProvider();
    const memsize = createMemsize({ meterProvider: provider, cacheMillis: 0 });
    cleanups.push(() => memsize.shutdown(), () => provider.shutdown());
    const shared = sessions(300);
    memsize.addRoot('left', { shared }, { weak: false });
    memsize.addRoot('right', { shared, extra: [1, 2, 3] }, { weak: false });
    const collected = await collectMetrics(reader);
    const left = gaugePoints(collected, ROOT_BYTES.name).get(attrKey({ root: 'left' }))!;
    const right = gaugePoints(collected, ROOT_BYTES.name).get(attrKey({ root: 'right' }))!;
    const union = gaugePoints(collected, UNION_BYTES.name).get(attrKey({}))!;
    const sharedBytes = scan(shared).bytes;
    expect(union).toBeLessThan(left + right);
    expect(union).toBeLessThanOrEqual(left + right - sharedBytes);
  });

  it('keep reporting the other roots when one root function throws, and log it once', async () => {
    const seen = captureDiag();
    const { provider, reader } = newProvider();
    const memsize = createMemsize({ meterProvider: provider, cacheMillis: 0 });
    cleanups.push(() => memsize.shutdown(), () => provider.shutdown());
    const good = sessions(10);
    memsize.addRoot('good', good);
    memsize.addRoot('broken', () => {
      throw new Error('cache not loaded');
    });
    let collected = await collectMetrics(reader);
    for (let i = 0; i < 4; i++) collected = await collectMetrics(reader);

    expect(collected.errors).toEqual([]);
    expect(gaugePoints(collected, ROOT_BYTES.name).get(attrKey({ root: 'good' }))).toBe(scan(good).bytes);
    expect(gaugePoints(collected, ROOT_BYTES.name).has(attrKey({ root: 'broken' }))).toBe(false);
    expect(gaugePoints(collected, WALK_ERRORS.name).get(attrKey({ root: 'broken' }))).toBe(5);
    expect(gaugePoints(collected, WALK_ERRORS.name).get(attrKey({ root: 'good' }))).toBe(0);
    const mentions = seen.warn.filter((m) => m.includes('"broken"'));
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toContain('cache not loaded');
  });

  it('walk once per collection however many readers collect', async () => {
    const first = new TestReader();
    const second = new TestReader();
    const provider = new MeterProvider({ readers: [first, second] });
    const memsize = createMemsize({ meterProvider: provider, cacheMillis: 60_000 });
    cleanups.push(() => memsize.shutdown(), () => provider.shutdown());
    let calls = 0;
    memsize.addRoot('counted', () => {
      calls++;
      return sessions(5);
    });
    const results = await Promise.all([collectMetrics(first), collectMetrics(second), collectMetrics(first), collectMetrics(second)]);
    expect(calls).toBe(1);
    for (const r of results) expect(gaugePoints(r, ROOT_BYTES.name).has(attrKey({ root: 'counted' }))).toBe(true);
  });

  it('stop observing after shutdown', async () => {
    const { provider, reader } = newProvider(AggregationTemporality.DELTA);
    const memsize = createMemsize({ meterProvider: provider, cacheMillis: 0 });
    cleanups.push(() => provider.shutdown());
    let calls = 0;
    memsize.addRoot('a', () => {
      calls++;
      return {};
    });
    await collectMetrics(reader);
    await memsize.shutdown();
    const after = await collectMetrics(reader);
    expect(calls).toBe(1);
    expect(after.metrics.has(ROOT_BYTES.name)).toBe(false);
  });
});

describe('stale series with your own reader', () => {
  async function removedRootSeries(temporality: AggregationTemporality): Promise<{ before: boolean; after: boolean }> {
    const { provider, reader } = newProvider(temporality);
    const memsize = createMemsize({ meterProvider: provider, cacheMillis: 0 });
    cleanups.push(() => memsize.shutdown(), () => provider.shutdown());
    memsize.addRoot('stays', {}, { weak: false });
    memsize.addRoot('goes', sessions(3), { weak: false });
    const before = gaugePoints(await collectMetrics(reader), ROOT_BYTES.name).has(attrKey({ root: 'goes' }));
    memsize.removeRoot('goes');
    const after = gaugePoints(await collectMetrics(reader), ROOT_BYTES.name).has(attrKey({ root: 'goes' }));
    return { before, after };
  }

  it('disappear with delta temporality for observable gauges (what docs/metrics.md recommends)', async () => {
    expect(await removedRootSeries(AggregationTemporality.DELTA)).toEqual({ before: true, after: false });
  });

  it('linger with cumulative temporality: upstream opentelemetry-js #4096 (if this fails, the SDK fixed it: update docs/metrics.md)', async () => {
    expect(await removedRootSeries(AggregationTemporality.CUMULATIVE)).toEqual({ before: true, after: true });
  });
});
