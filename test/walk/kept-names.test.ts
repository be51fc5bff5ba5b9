// A map-like object's keys are listed once per collection, even when the walk is redone at a
// coarser level, and a large one by Object.keys after the first time: listing 300,000 keys is one
// built-in call of 60-280 ms that no budget can interrupt (src/walk/walk.ts ownNames). Counted by
// wrapping the captured built-ins.
import { describe, expect, it, vi } from 'vitest';

const listed = vi.hoisted(() => ({ target: null as object | null, calls: 0, keysCalls: 0 }));
vi.mock('../../src/walk/primordials.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/walk/primordials.js')>();
  return {
    ...actual,
    getOwnPropertyNames: (obj: object) => {
      if (obj === listed.target) listed.calls++;
      return actual.getOwnPropertyNames(obj);
    },
    objectKeys: (obj: object) => {
      if (obj === listed.target) listed.keysCalls++;
      return actual.objectKeys(obj);
    },
  };
});

const { scan, scanEach } = await import('../../src/scan.js');

/** A map-like object of `n` keys, each value a small record. */
function mapLike(n: number): Record<string, { id: number; tags: string[] }> {
  const o: Record<string, { id: number; tags: string[] }> = {};
  for (let i = 0; i < n; i++) o[`key-${i}`] = { id: i, tags: ['a', `t${i % 7}`] };
  return o;
}

describe('key lists of map-like objects', () => {
  it('are listed once when a walk that ran out of budget is redone at a coarser level', () => {
    const root = mapLike(20_000);
    listed.target = root;
    listed.calls = 0;
    // The exact try meets 20,000 records against maxObjects 5,000: it is cut and redone at the
    // coarsest level, which samples the object and fits.
    const { results, levels } = scanEach([root], [{ maxObjects: 5_000, maxMillis: 60_000, startLevel: 0 }], {
      estimation: { sampleThreshold: 8192, sampleSize: 4096, seed: 1 },
    });
    expect(levels[0]).toBeGreaterThan(0);
    expect(results[0]!.estimated).toBe(true);
    expect(results[0]!.truncated).toBe(false);
    expect(listed.calls).toBe(1);
  });

  it('are listed again by every pass: all keys the first time, the enumerable ones after that when large', () => {
    const root = mapLike(20_000);
    listed.target = root;
    listed.calls = 0;
    listed.keysCalls = 0;
    const bytes: number[] = [];
    for (let pass = 0; pass < 3; pass++) bytes.push(scan(root, { estimate: false, maxMillis: 60_000 }).bytes);
    expect([listed.calls, listed.keysCalls]).toEqual([1, 2]);
    // The same figures either way: a map-like object's keys are enumerable data.
    expect(new Set(bytes).size).toBe(1);
  });

  it('lists all keys again once a large map-like object has shrunk, and always for small ones', () => {
    const root = mapLike(20_000);
    listed.target = root;
    listed.calls = 0;
    listed.keysCalls = 0;
    scan(root, { estimate: false, maxMillis: 60_000 });
    for (let i = 0; i < 19_000; i++) delete root[`key-${i}`];
    scan(root, { estimate: false, maxMillis: 60_000 }); // Object.keys: 1,000 keys, forgotten as large
    scan(root, { estimate: false, maxMillis: 60_000 });
    expect([listed.calls, listed.keysCalls]).toEqual([2, 1]);
    const small = mapLike(100);
    listed.target = small;
    listed.calls = 0;
    listed.keysCalls = 0;
    for (let pass = 0; pass < 3; pass++) scan(small);
    expect([listed.calls, listed.keysCalls]).toEqual([3, 0]);
  });

  it('never lists a class instance or an array by Object.keys', () => {
    class Registry {}
    const instance = Object.assign(new Registry(), mapLike(20_000));
    listed.target = instance;
    listed.calls = 0;
    listed.keysCalls = 0;
    for (let pass = 0; pass < 2; pass++) scan(instance, { estimate: false, maxMillis: 60_000 });
    expect([listed.calls, listed.keysCalls]).toEqual([2, 0]);
  });
});
