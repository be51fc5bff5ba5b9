// Regression (issue 20, "First collection with several roots"): with a 20,000-session Map and three
// tiny roots, the Map got a 45 ms share of 200, was cut, and the collection used 51-57 ms of its
// budget. Roots with no prediction are now walked smallest first (counted cheaply: a Map's size),
// so what the tiny ones leave unused reaches the large one, walked last. Fixed in src/collect.ts.
import { describe, expect, it } from 'vitest';
import { createMemsize } from '../../src/index.js';
import { growSessions } from '../../bench/fixtures/sessions.mjs';

describe('regression: a new large root beside tiny ones', () => {
  it('gets the time the tiny roots leave unused in its first collection', () => {
    const maxMillis = 200;
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0, maxMillis });
    // Registered first: in registration order it would be walked first, with a quarter of the time.
    memsize.addRoot('sessions', growSessions(new Map(), 20_000));
    for (const name of ['flags', 'config', 'limits']) memsize.addRoot(name, { name, on: true, values: [1, 2, 3] });
    const collection = memsize.collect();
    const sessions = collection.roots.get('sessions')!;
    const tiny = ['flags', 'config', 'limits'].map((name) => collection.roots.get(name)!);
    for (const root of tiny) expect(root.truncated).toBe(false);
    // A quarter of the walk budget is 45 ms; the tiny roots use well under a millisecond each.
    const quarter = (maxMillis * 0.9) / 4;
    expect(sessions.budgetMs, `the Map's time: ${sessions.budgetMs.toFixed(1)} ms`).toBeGreaterThan(2 * quarter);
    void memsize.shutdown();
  });
});
