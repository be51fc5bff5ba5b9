// The collector's budget policy (src/budget.ts): pure functions, driven here without a walk.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attemptMs,
  MAX_PROBE_BACKOFF,
  NON_FINAL_SHARE,
  newLevelState,
  nextLevel,
  RESERVE_OF_BUDGET,
  splitBudgetMs,
  type LevelState,
} from '../src/budget.js';
import { propertyParams } from './support/property.js';

describe('splitBudgetMs', () => {
  it('gives equal shares when every root wants more than its share', () => {
    expect(splitBudgetMs([Infinity, Infinity, Infinity, Infinity], 200)).toEqual([50, 50, 50, 50]);
  });

  it('gives small roots what they need and the rest to the hungry ones', () => {
    expect(splitBudgetMs([2, Infinity, 4, Infinity], 100)).toEqual([2, 47, 4, 47]);
  });

  it('holds its guarantees for any needs', () => {
    const need = fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 1000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(need, { minLength: 1, maxLength: 40 }), fc.double({ min: 0.01, max: 5000, noNaN: true }), (needs, total) => {
        const shares = splitBudgetMs(needs, total);
        const sum = shares.reduce((a, b) => a + b, 0);
        expect(sum).toBeLessThanOrEqual(total * (1 + 1e-9));
        needs.forEach((n, i) => {
          // Never more than asked, never less than the fair share unless asked for less.
          expect(shares[i]!).toBeLessThanOrEqual(n);
          expect(shares[i]!).toBeGreaterThanOrEqual(Math.min(n, total / needs.length) * (1 - 1e-9));
        });
        // Nothing is left unspent while some root still wanted more.
        if (needs.some((n, i) => shares[i]! < n)) expect(sum).toBeGreaterThanOrEqual(total * (1 - 1e-9));
      }),
      propertyParams(),
    );
  });
});
describe('attemptMs', () => {
  const BUDGET = 180;
  const EXTRA = BUDGET * RESERVE_OF_BUDGET;

  it('leaves the redo after a cut try at least as much time as the try got, plus the reserve, within maxMillis', () => {
    const tryMs = attemptMs(BUDGET, EXTRA, false);
    expect(tryMs).toBeGreaterThan(0);
    const redoMs = attemptMs(BUDGET - tryMs, EXTRA, true);
    expect(redoMs).toBeGreaterThanOrEqual(tryMs + EXTRA);
    expect(tryMs + redoMs).toBeLessThanOrEqual(BUDGET / (1 - RESERVE_OF_BUDGET) + 1e-9);
  });

  it('gives a guessed try less, so that its fallback keeps more', () => {
    const guessed = attemptMs(BUDGET, EXTRA, false, true);
    expect(guessed).toBeGreaterThan(0);
    expect(guessed).toBeLessThan(attemptMs(BUDGET, EXTRA, false));
    expect(attemptMs(BUDGET - guessed, EXTRA, true)).toBeGreaterThan(attemptMs(BUDGET - attemptMs(BUDGET, EXTRA, false), EXTRA, true));
    // The final walk is never a guess.
    expect(attemptMs(BUDGET, EXTRA, true, true)).toBe(attemptMs(BUDGET, EXTRA, true));
  });

  it('still gives a final walk the reserve after a try that overran the whole budget, and a try nothing', () => {
    for (const leftMs of [0, -5, -250]) {
      expect(attemptMs(leftMs, EXTRA, true)).toBe(EXTRA);
      expect(attemptMs(leftMs, EXTRA, false)).toBe(0);
    }
  });

  it('never gives a walk more than its share of the time left, and the final walk its reserve', () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), fc.boolean(), (leftMs, extraMs, final) => {
        const ms = attemptMs(leftMs, extraMs, final);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(Math.max(leftMs, 0) * (final ? 1 : NON_FINAL_SHARE) + (final ? extraMs : 0) + 1e-9);
      }),
      propertyParams(),
    );
  });
});

describe('nextLevel', () => {
  const BUDGET = 180;
  const fits = BUDGET * NON_FINAL_SHARE - 1;
  const estimated = { truncated: false, estimated: true };

  /**
   * One collection as the collector runs it: the walk starts at `state.level`; it finishes there
   * when `fitsAt(level)`, else falls back to `coarsest` (as scanEach redoes a cut walk). The finer
   * level is always predicted to fit. Returns the level the walk used.
   */
  function collection(state: LevelState, fitsAt: (level: number) => boolean, coarsest = 3): number {
    const used = fitsAt(state.level) ? state.level : coarsest;
    nextLevel(state, used, estimated, BUDGET, fits);
    return used;
  }

  it('climbs one level per collection while the finer level is predicted to fit, and stops at exact', () => {
    const state = { ...newLevelState(), level: 3 };
    const used = Array.from({ length: 5 }, () => collection(state, () => true));
    expect(used).toEqual([3, 2, 1, 0, 0]);
  });

  it('does not climb when the finer level is not predicted to fit, or the walk sampled nothing', () => {
    const state = { ...newLevelState(), level: 2 };
    nextLevel(state, 2, estimated, BUDGET, BUDGET * NON_FINAL_SHARE + 1);
    expect(state).toMatchObject({ level: 2, probing: false });
    nextLevel(state, 2, { truncated: false, estimated: false }, BUDGET, fits);
    expect(state).toMatchObject({ level: 2, probing: false });
  });

  it('backs off exponentially from a level that keeps failing, however the coarser levels fare', () => {
    // Level 1 never fits; levels 2 and 3 always do. Each failure at level 1 doubles the wait
    // before the next try at it (a success at level 2 on the way back does not reset it).
    const state = newLevelState();
    const used = Array.from({ length: 40 }, () => collection(state, (level) => level >= 2));
    const triesAtOne = used.flatMap((level, i) => (level === 3 ? [i] : []));
    const gaps = triesAtOne.slice(1).map((at, k) => at - triesAtOne[k]!);
    // Collections from one failed try to the next: one at level 2 to climb, the wait there (1, 2,
    // 4, 8 collections), then the try.
    expect(gaps).toEqual([3, 4, 6, 10]);
  });

  it('caps the backoff at MAX_PROBE_BACKOFF collections', () => {
    const state = newLevelState();
    for (let k = 0; k < 2_000; k++) collection(state, (level) => level >= 2);
    expect(state.probeBackoff).toBe(MAX_PROBE_BACKOFF);
  });

  it('forgets the failure once a try at the failed level finishes', () => {
    const state = newLevelState();
    let busy = true;
    const used: number[] = [];
    for (let k = 0; k < 12; k++) {
      if (k === 6) busy = false;
      used.push(collection(state, (level) => !busy || level >= 2));
    }
    expect(used.slice(-2)).toEqual([0, 0]);
    expect(state).toMatchObject({ failedLevel: -1, probeBackoff: 0, waitBeforeProbe: 0 });
  });

  it('counts a level that fit before and no longer does (a grown root, a busier machine) as a failure', () => {
    const state = { ...newLevelState(), level: 1 };
    nextLevel(state, 3, estimated, BUDGET, fits);
    expect(state).toMatchObject({ level: 2, probing: true, failedLevel: 1, probeBackoff: 1, waitBeforeProbe: 1 });
    nextLevel(state, 2, estimated, BUDGET, fits);
    // Level 2 finished, but level 1 is the one that failed: wait one collection before trying it.
    expect(state).toMatchObject({ level: 2, probing: false, failedLevel: 1, waitBeforeProbe: 0 });
    nextLevel(state, 2, estimated, BUDGET, fits);
    expect(state).toMatchObject({ level: 1, probing: true });
  });
});
