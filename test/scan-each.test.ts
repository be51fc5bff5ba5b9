/**
 * scanEach() with the real walker: how time a root leaves unused is passed on to the roots walked
 * after it (the collector's budget carry-over). The identities are exact: they are computed from
 * the durations scanEach itself reports, so they hold however fast the machine is.
 */
import { describe, expect, it } from 'vitest';
import { ownEntries, scanEach } from '../src/scan.js';

const SHARE_MS = 20;
const budget = { maxObjects: Number.MAX_SAFE_INTEGER, maxMillis: SHARE_MS };
const small = { a: 1, b: [1, 2, 3] };
// About 400,000 heap things: a walk of it takes far longer than any budget here.
const big = Array.from({ length: 200_000 }, (_, i) => ({ i, tag: `t${i % 100}` }));
const big2 = Array.from({ length: 200_000 }, (_, i) => ({ i }));

describe('scanEach', () => {
  it('gives each root exactly its maxMillis without shareUnusedTime', () => {
    const { results, budgetsMs } = scanEach([small, big], [budget, budget]);
    expect(budgetsMs).toEqual([SHARE_MS, SHARE_MS]);
    expect(results.map((r) => r.truncatedBy)).toEqual([null, 'maxMillis']);
  });

  it('passes the time a small root left unused on to the roots after it, in equal parts', () => {
    const { results, budgetsMs } = scanEach([small, big, big2], [budget, budget, budget], { shareUnusedTime: true });
    const [d0, d1] = results.map((r) => r.durationMs) as [number, number];
    expect(d0).toBeLessThan(SHARE_MS);
    expect(budgetsMs[0]).toBe(SHARE_MS);
    // The first big root gets its share plus half of what the small one left.
    expect(budgetsMs[1]).toBeCloseTo(SHARE_MS + (SHARE_MS - d0) / 2, 9);
    // The last gets its share plus everything the two before it did not use (or minus their overrun).
    expect(budgetsMs[2]).toBeCloseTo(SHARE_MS + (2 * SHARE_MS - d0 - d1), 9);
    expect(results.map((r) => r.truncatedBy)).toEqual([null, 'maxMillis', 'maxMillis']);
    // Together the allowances never exceed the budgets' sum plus what the roots before overran.
    expect(budgetsMs[2]! + d0 + d1).toBeCloseTo(3 * SHARE_MS, 9);
  });

  it('never allows a negative time: a root after an overrun still gets a token walk', () => {
    const tiny = { maxObjects: Number.MAX_SAFE_INTEGER, maxMillis: 0.001 };
    const { results, budgetsMs } = scanEach([big, small], [budget, tiny], { shareUnusedTime: true });
    // The big root used all of its 20 ms (and overran by up to a clock stride); the small one
    // inherits that overrun but is still walked, and completes: it is under one clock stride.
    expect(budgetsMs[1]).toBeGreaterThanOrEqual(0);
    expect(results[1]!.truncated).toBe(false);
    expect(results[1]!.objects).toBeGreaterThan(0);
  });

  it('reads a root collection\'s entries without running user code (ownEntries)', () => {
    let trapped = 0;
    const proxy = new Proxy([1, 2, 3], {
      get(target, key, receiver) {
        trapped++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(ownEntries(new Map([[1, 1], [2, 2]]))).toBe(2);
    expect(ownEntries(new Set([1]))).toBe(1);
    expect(ownEntries([1, 2, 3])).toBe(3);
    expect(ownEntries(proxy)).toBe(0);
    expect(ownEntries({ size: 5, length: 5 })).toBe(0);
    expect(ownEntries('abc')).toBe(0);
    expect(trapped).toBe(0);
  });
});
