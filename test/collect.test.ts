import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RootBudget, ScanEachOptions, ScanEachResult } from '../src/scan.js';
import type { ScanResult } from '../src/results.js';

// The walk is replaced by a scripted one, so budgets, truncation and caching can be driven exactly.
// A script returns results in the order of the roots it is given (the collector walks them in
// ascending order of need), and each root's walk is allowed exactly its budget.
const walk = vi.hoisted(() => ({
  calls: [] as { roots: unknown[]; budgets: RootBudget[]; options: ScanEachOptions | undefined }[],
  script: null as null | ((roots: readonly unknown[], budgets: readonly RootBudget[]) => Omit<ScanEachResult, 'budgetsMs' | 'levels' | 'costs'>),
}));
vi.mock('../src/scan.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/scan.js')>();
  return {
    ...actual,
    scanEach: (roots: readonly unknown[], budgets: readonly RootBudget[], options?: ScanEachOptions) => {
      walk.calls.push({ roots: [...roots], budgets: [...budgets], options });
      if (walk.script === null) return actual.scanEach(roots, budgets, options);
      return { ...walk.script(roots, budgets), budgetsMs: budgets.map((b) => b.maxMillis), levels: budgets.map(() => 0), costs: budgets.map(() => ({ level: 0, truncated: false, estimated: false, durationMs: 1, gatherMs: 0, visited: 1, objects: 1 })) };
    },
  };
});

const { Collector } = await import('../src/collect.js');
const { RootRegistry } = await import('../src/roots/registry.js');
const { resolveMemsizeOptions } = await import('../src/options.js');

function result(bytes: number, options: Partial<ScanResult> = {}): ScanResult {
  return {
    bytes,
    objects: Math.ceil(bytes / 10),
    byType: new Map([['Object', { bytes, objects: Math.ceil(bytes / 10) }]]),
    truncated: false,
    truncatedBy: null,
    durationMs: 1,
    estimated: false,
    bytesError: 0,
    objectsError: 0,
    sampledCollections: 0,
    visitedObjects: Math.ceil(bytes / 10),
    hidden: 'on',
    ...options,
  };
}

function setup(options: Parameters<typeof resolveMemsizeOptions>[0] = {}) {
  const resolved = resolveMemsizeOptions({ meterProvider: null, cacheMillis: 0, ...options });
  const registry = new RootRegistry(resolved.maxRoots);
  const errors: { name: string; reason: string }[] = [];
  const collector = new Collector(registry, resolved, (name, error) => errors.push({ name, reason: error.reason }));
  return { registry, collector, errors };
}

/** One object root per name, held strongly, registered in that order; returned in that order. */
function addRoots<const Names extends readonly string[]>(registry: InstanceType<typeof RootRegistry>, ...names: Names): { [K in keyof Names]: object } {
  return names.map((name) => {
    const root = { name };
    registry.add(name, root, { weak: false });
    return root;
  }) as { [K in keyof Names]: object };
}

/** A scripted walk in which `cut` runs out of time at its budget and every other root completes in the time given. */
function scriptWalkTimes(cut: object, walkMs: Map<object, number>): void {
  walk.script = (roots, budgets) => ({
    results: roots.map((root, i) =>
      root === cut
        ? result(1000, { truncated: true, truncatedBy: 'maxMillis', durationMs: budgets[i]!.maxMillis })
        : result(10, { durationMs: walkMs.get(root as object)! }),
    ),
    unionBytes: 1020,
    unionObjects: 102,
  });
}

beforeEach(() => {
  walk.calls.length = 0;
  walk.script = null;
});


describe('Collector.collect', () => {
  it('measures all roots in one walk, in registration order, with the union from that walk', () => {
    const { registry, collector } = setup();
    const a = { a: 1 };
    const b = [1, 2, 3];
    registry.add('a', a, { weak: false });
    registry.add('b', () => b, undefined);
    walk.script = (roots) => ({ results: roots.map((_, i) => result(100 * (i + 1))), unionBytes: 250, unionObjects: 25 });
    const collection = collector.collect();
    expect(walk.calls).toHaveLength(1);
    expect(walk.calls[0]!.roots).toEqual([a, b]);
    expect([...collection.roots.keys()]).toEqual(['a', 'b']);
    expect(collection.roots.get('b')!.bytes).toBe(200);
    expect(collection.unionBytes).toBe(250);
    expect(collection.unionObjects).toBe(25);
    expect(collection.walkedObjects).toBe(10 + 20);
  });

  it('gives every root maxObjectsPerRoot and shares of maxMillis that add up to at most maxMillis', () => {
    const { registry, collector } = setup({ maxMillis: 120, maxObjects: 777 });
    for (const name of ['a', 'b', 'c']) registry.add(name, {}, { weak: false });
    collector.collect();
    const { budgets } = walk.calls[0]!;
    expect(budgets.map((b) => b.maxObjects)).toEqual([777, 777, 777]);
    const total = budgets.reduce((sum, b) => sum + b.maxMillis, 0);
    expect(total).toBeLessThanOrEqual(120);
    // First collection: no history, so equal shares.
    expect(budgets[0]!.maxMillis).toBeCloseTo(budgets[2]!.maxMillis, 9);
  });

  it('moves budget from roots that finished quickly to a root that ran out of time, and walks it last', () => {
    const { registry, collector } = setup({ maxMillis: 100 });
    const [small1, huge, small2] = addRoots(registry, 'small1', 'huge', 'small2');
    scriptWalkTimes(huge, new Map([[small1, 0.5], [small2, 0.5]]));
    const firstCollection = collector.collect();
    const secondCollection = collector.collect();
    const [first, second] = walk.calls;
    // No history at first: registration order, equal shares. Then the small roots go first.
    expect(first!.roots).toEqual([small1, huge, small2]);
    expect(second!.roots).toEqual([small1, small2, huge]);
    expect(walk.calls.map((c) => c.options?.shareUnusedTime)).toEqual([true, true]);
    const budgetOf = (call: typeof first, root: object) => call!.budgets[call!.roots.indexOf(root)]!.maxMillis;
    expect(budgetOf(second, huge)).toBeGreaterThan(budgetOf(first, huge));
    // The small roots keep headroom over what they needed (3x, and at least 5% of maxMillis more).
    expect(budgetOf(second, small1)).toBeGreaterThanOrEqual(0.5 + 5);
    expect(budgetOf(second, small1)).toBeLessThan(budgetOf(first, small1));
    expect(second!.budgets.reduce((sum, b) => sum + b.maxMillis, 0)).toBeLessThanOrEqual(100);
    // Reported in registration order whatever the walk order, each with the budget its walk had.
    expect([...secondCollection.roots.keys()]).toEqual(['small1', 'huge', 'small2']);
    expect(secondCollection.roots.get('huge')!.budgetMs).toBe(budgetOf(second, huge));
    expect(firstCollection.roots.get('small2')!.budgetMs).toBe(budgetOf(first, small2));
  });

  it('walks the roots expected to complete first, largest first, and the ones cut by time last', () => {
    const { registry, collector } = setup({ maxMillis: 200 });
    const [cut, tiny, big] = addRoots(registry, 'cut', 'tiny', 'big');
    scriptWalkTimes(cut, new Map([[tiny, 0.5], [big, 30]]));
    collector.collect();
    collector.collect();
    // The first root's visited set doubles as the union's: the largest of the roots that fit goes there.
    expect(walk.calls[1]!.roots).toEqual([big, tiny, cut]);
    expect([...collector.collect().roots.keys()]).toEqual(['cut', 'tiny', 'big']);
  });

  it('reuses the last collection while younger than minIntervalMs, and starts a fresh one when a root is added or removed', () => {
    const { registry, collector } = setup({ cacheMillis: 60_000 });
    registry.add('a', {}, { weak: false });
    const first = collector.collect();
    expect(collector.collect()).toBe(first);
    expect(walk.calls).toHaveLength(1);
    registry.add('b', {}, { weak: false });
    const second = collector.collect();
    expect(second).not.toBe(first);
    expect([...second.roots.keys()]).toEqual(['a', 'b']);
    registry.remove('a');
    expect([...collector.collect().roots.keys()]).toEqual(['b']);
    expect(walk.calls).toHaveLength(3);
  });

  it('walks again once the last collection is older than minIntervalMs', () => {
    const { registry, collector } = setup({ cacheMillis: 0 });
    registry.add('a', {}, { weak: false });
    collector.collect();
    collector.collect();
    expect(walk.calls).toHaveLength(2);
  });

  it('reports a failing root without hiding the others, counts each failure and tells the listener once per reason', () => {
    const { registry, collector, errors } = setup();
    let mode: 'throw' | 'primitive' | 'ok' = 'throw';
    registry.add('good', {}, { weak: false });
    registry.add('flaky', () => {
      if (mode === 'throw') throw new Error('boom');
      return mode === 'primitive' ? 42 : {};
    }, undefined);
    walk.script = (roots) => ({ results: roots.map(() => result(50)), unionBytes: 50 * roots.length, unionObjects: 5 * roots.length });

    for (let i = 0; i < 3; i++) collector.collect();
    let flaky = collector.collect().roots.get('flaky')!;
    expect(flaky.error?.reason).toBe('threw');
    expect(flaky.errorCount).toBe(4);
    expect(flaky.bytes).toBe(0);
    expect(collector.collect().roots.get('good')!.bytes).toBe(50);
    expect(walk.calls.every((c) => c.roots.length === 1)).toBe(true);

    mode = 'primitive';
    collector.collect();
    collector.collect();
    mode = 'ok';
    flaky = collector.collect().roots.get('flaky')!;
    expect(flaky.error).toBeNull();
    expect(flaky.errorCount).toBe(7);
    expect(errors).toEqual([
      { name: 'flaky', reason: 'threw' },
      { name: 'flaky', reason: 'primitive' },
    ]);
  });

  it('survives a listener that throws', () => {
    const resolved = resolveMemsizeOptions({ meterProvider: null, cacheMillis: 0 });
    const registry = new RootRegistry(10);
    const collector = new Collector(registry, resolved, () => {
      throw new Error('logger down');
    });
    registry.add('bad', () => null, undefined);
    expect(collector.collect().roots.get('bad')!.error?.reason).toBe('primitive');
  });

  describe('a truncated root', () => {
    function scripted(sequence: ScanResult[]) {
      let i = 0;
      walk.script = () => {
        const r = sequence[Math.min(i++, sequence.length - 1)]!;
        return { results: [r], unionBytes: r.bytes, unionObjects: r.objects };
      };
    }

    it('reports its last complete figures, not the smaller partial ones', () => {
      const { registry, collector } = setup();
      registry.add('big', {}, { weak: false });
      const complete = result(5000);
      scripted([complete, result(1200, { truncated: true, truncatedBy: 'maxMillis' })]);
      const first = collector.collect();
      const second = collector.collect().roots.get('big')!;
      expect(second.truncated).toBe(true);
      expect(second.bytes).toBe(5000);
      expect(second.objects).toBe(complete.objects);
      expect(second.byType).toBe(complete.byType);
      expect(second.heldFrom).toBe(first.at);
      expect(second.walkedBytes).toBe(1200);
    });

    it('reports the partial figures when they exceed the last complete ones (it grew)', () => {
      const { registry, collector } = setup();
      registry.add('big', {}, { weak: false });
      scripted([result(1000), result(3000, { truncated: true, truncatedBy: 'maxObjects' })]);
      collector.collect();
      const second = collector.collect().roots.get('big')!;
      expect(second.bytes).toBe(3000);
      expect(second.heldFrom).toBeNull();
      expect(second.truncated).toBe(true);
    });

    it('reports the partial figures as a lower bound when it never completed', () => {
      const { registry, collector } = setup();
      registry.add('big', {}, { weak: false });
      scripted([result(700, { truncated: true, truncatedBy: 'maxMillis' })]);
      const m = collector.collect().roots.get('big')!;
      expect(m).toMatchObject({ bytes: 700, truncated: true, truncatedBy: 'maxMillis', heldFrom: null });
    });

    it('reports fresh figures again, smaller or not, once a walk completes', () => {
      const { registry, collector } = setup();
      registry.add('big', {}, { weak: false });
      scripted([result(5000), result(100, { truncated: true, truncatedBy: 'maxMillis' }), result(300)]);
      collector.collect();
      collector.collect();
      const third = collector.collect().roots.get('big')!;
      expect(third).toMatchObject({ bytes: 300, truncated: false, heldFrom: null });
    });

    it('does not inherit the history of a removed root registered again under the same name', () => {
      const { registry, collector } = setup();
      registry.add('big', {}, { weak: false });
      scripted([result(5000), result(100, { truncated: true, truncatedBy: 'maxMillis' })]);
      collector.collect();
      registry.remove('big');
      registry.add('big', {}, { weak: false });
      expect(collector.collect().roots.get('big')!.bytes).toBe(100);
    });
  });

  it('does not walk when there are no roots to measure, and still reports the failed ones', () => {
    const { registry, collector } = setup();
    registry.add('bad', () => undefined, undefined);
    const collection = collector.collect();
    // No value reached the walk: not the failed root's `undefined`, nothing else.
    expect(walk.calls.flatMap((call) => call.roots)).toEqual([]);
    expect(collection.roots.get('bad')!.error?.reason).toBe('primitive');
    expect(collection.unionBytes).toBe(0);
    // Control: the same spy does see a walk once a measurable root is there.
    const good = { good: true };
    registry.add('good', good, { weak: false });
    collector.collect();
    expect(walk.calls.flatMap((call) => call.roots)).toEqual([good]);
  });
});
