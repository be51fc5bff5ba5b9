// Regression: a collection cached the registry's generation as it was when the collection ENDED.
// A root function that adds or removes a root, or shuts memsize down, runs inside the collection,
// so the result (still listing the removed root, missing the added one) was cached as current:
// a removed root kept reporting for up to cacheMillis, and after shutdown() from a root function
// collect() still returned the roots instead of none. Found by test/reliability/faults.test.ts;
// fixed in src/collect.ts (the generation is read when the collection starts).
import { describe, expect, it } from 'vitest';
import { createMemsize } from '../../src/index.js';

describe('regression: roots added or removed while a collection runs', () => {
  it('start a fresh collection next time', () => {
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 60_000 });
    memsize.addRoot('doomed', { d: 1 });
    memsize.addRoot('mutator', () => {
      if (memsize.rootNames().includes('doomed')) {
        memsize.removeRoot('doomed');
        memsize.addRoot('late', { l: 1 });
      }
      return { m: 1 };
    });
    const during = memsize.collect();
    expect([...during.roots.keys()]).toEqual(['doomed', 'mutator']);
    expect([...memsize.collect().roots.keys()]).toEqual(['mutator', 'late']);
  });

  it('report no roots after a root function shut memsize down', async () => {
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 60_000 });
    let shutdown: Promise<void> | null = null;
    memsize.addRoot('a', { a: 1 });
    memsize.addRoot('killer', () => {
      shutdown ??= memsize.shutdown();
      return { k: 1 };
    });
    expect([...memsize.collect().roots.keys()]).toEqual(['a', 'killer']);
    await shutdown;
    expect(memsize.collect().roots.size).toBe(0);
    expect(memsize.rootNames()).toEqual([]);
  });
});
