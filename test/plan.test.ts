// The walk planner (src/plan.ts): pure functions, driven here without a walk.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attemptMs, COST_RISE, FALLBACK_LEVEL, fallbackLevel, FIRST_LEVEL, levelGrowth, MAX_PROBE_BACKOFF, newPlanState, PLAN_SHARE, planNext, predictWalkMs, SMALL_WALK, smallWalkCost, TRY_SHARE, type WalkCost } from '../src/plan.js';
import { samplingLevels } from '../src/scan.js';
import { propertyParams } from './support/property.js';

const LEVELS = samplingLevels({ sampleThreshold: 8192, sampleSize: 4096, seed: 1 });
const GROWTH = levelGrowth(LEVELS);
const COARSEST = LEVELS.length - 1;
const BUDGET = 22.5;

/** A walk at `level` of a root holding `objects` things that costs `usPerThing` µs each plus `gatherMs`. */
function walk(level: number, objects: number, usPerThing: number, gatherMs = 0, truncated = false): WalkCost {
  let visited = objects;
  for (let l = 1; l <= level; l++) visited = Math.max(1, Math.floor(visited / GROWTH[l]!));
  if (level === 0) visited = objects;
  return { level, truncated, estimated: level > 0, durationMs: gatherMs + (visited * usPerThing) / 1000, gatherMs, visited, objects };
}

describe('levelGrowth', () => {
  it('reads each level\'s growth from the sample sizes of the default levels', () => {
    expect(GROWTH.slice(1)).toEqual([8, 8, 8, 4, 4]);
  });
});

describe('predictWalkMs', () => {
  it('predicts the walk it measured, the exact walk from every thing, and coarser ones by the growth', () => {
    const cost = walk(3, 1_000_000, 1, 2);
    expect(predictWalkMs(cost, 3, undefined, GROWTH)).toBeCloseTo(cost.durationMs, 6);
    expect(predictWalkMs(cost, 0, undefined, GROWTH)).toBeCloseTo(2 + 1_000_000 / 1000, 6);
    expect(predictWalkMs(cost, 4, undefined, GROWTH)).toBeLessThan(cost.durationMs);
    expect(predictWalkMs(cost, 2, undefined, GROWTH)).toBeGreaterThan(cost.durationMs);
  });

  it('never predicts a finer walk to visit more things than the root holds, nor a cut walk at all', () => {
    const small = walk(5, 600, 1);
    expect(predictWalkMs(small, 1, undefined, GROWTH)).toBeLessThanOrEqual((600 * 1) / 1000 + 1e-9);
    expect(predictWalkMs(walk(3, 10_000, 1, 0, true), 3, undefined, GROWTH)).toBe(Infinity);
  });
});

describe('planNext', () => {
  it('starts a new root at FIRST_LEVEL', () => {
    expect(newPlanState().level).toBe(FIRST_LEVEL);
  });

  it('jumps to the finest level predicted to fit: exact for a small root, in one collection', () => {
    const state = newPlanState();
    planNext(state, FIRST_LEVEL, walk(FIRST_LEVEL, 5_000, 1), BUDGET, GROWTH);
    expect(state.level).toBe(0);
  });

  it('keeps a large root at the finest level whose prediction is within PLAN_SHARE of the budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 50_000_000 }), fc.double({ min: 0.2, max: 200, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), (objects, us, gather) => {
        const state = newPlanState();
        const cost = walk(COARSEST, objects, us, gather);
        planNext(state, COARSEST, cost, BUDGET, GROWTH);
        const chosen = state.level;
        const predicted = (level: number) => predictWalkMs(cost, level, state.perThingMs, GROWTH);
        if (chosen === FALLBACK_LEVEL && predicted(FALLBACK_LEVEL) > BUDGET * PLAN_SHARE) {
          // Held at level 3 rather than coarser: it overruns the planned share, not the budget
          // (gathering left out: it costs the same at every level).
          expect(predicted(FALLBACK_LEVEL) - cost.gatherMs).toBeLessThanOrEqual(BUDGET);
          return;
        }
        if (chosen < COARSEST) expect(predicted(chosen)).toBeLessThanOrEqual(BUDGET * PLAN_SHARE);
        if (chosen > 0) expect(predicted(chosen - 1)).toBeGreaterThan(BUDGET * PLAN_SHARE);
        if (chosen > FALLBACK_LEVEL) expect(predicted(FALLBACK_LEVEL) - cost.gatherMs).toBeGreaterThan(BUDGET);
      }),
      propertyParams(),
    );
  });

  it('plans coarser when the root\'s things cost more (deep reads): 100 µs a thing against 1 µs', () => {
    const cheap = newPlanState();
    const dear = newPlanState();
    planNext(cheap, FIRST_LEVEL, walk(FIRST_LEVEL, 400_000, 1, 4), BUDGET, GROWTH);
    planNext(dear, FIRST_LEVEL, walk(FIRST_LEVEL, 400_000, 100, 4), BUDGET, GROWTH);
    expect(dear.level).toBeGreaterThan(cheap.level);
  });

  it('goes down the fallback chain after a cut walk, and waits a doubling backoff before planning that level again', () => {
    const state = newPlanState();
    // The first failure (cold code) only sends the root to level 3, with no backoff.
    planNext(state, FIRST_LEVEL, walk(FIRST_LEVEL, 1_000_000, 50, 0, true), BUDGET, GROWTH);
    expect(state.level).toBe(fallbackLevel(FIRST_LEVEL, COARSEST));
    expect(state.failedLevel).toBe(-1);
    planNext(state, 3, walk(3, 1_000_000, 50, 0, true), BUDGET, GROWTH);
    expect(state.level).toBe(COARSEST);
    expect(state.failedLevel).toBe(3);
    expect(state.waitBeforeProbe).toBe(2);
    for (let i = 0; i < 10; i++) planNext(state, FIRST_LEVEL, walk(FIRST_LEVEL, 1_000_000, 50, 0, true), BUDGET, GROWTH);
    expect(state.probeBackoff).toBe(Math.min(2 ** 12, MAX_PROBE_BACKOFF));
    // While it waits, a cheap walk at the coarsest level may not plan the failed level or finer.
    planNext(state, COARSEST, walk(COARSEST, 2_000, 0.5), BUDGET, GROWTH);
    expect(state.level).toBeGreaterThan(FIRST_LEVEL);
  });

  it('remembers the lowest recent cost per thing, rising at most COST_RISE per collection', () => {
    const state = newPlanState();
    planNext(state, 3, walk(3, 100_000, 1), BUDGET, GROWTH);
    expect(state.perThingMs).toBeCloseTo(0.001, 9);
    planNext(state, 3, walk(3, 100_000, 40), BUDGET, GROWTH); // a GC in the middle, or deep reads
    expect(state.perThingMs).toBeCloseTo(0.001 * COST_RISE, 9);
    planNext(state, 3, walk(3, 100_000, 0.5), BUDGET, GROWTH);
    expect(state.perThingMs).toBeCloseTo(0.0005, 9);
  });
});

describe('a stalled walk', () => {
  it('is retried at the same level when it was cut walking far slower than the root usually does', () => {
    const state = newPlanState();
    planNext(state, 3, walk(3, 400_000, 1), BUDGET, GROWTH);
    const level = state.level;
    const stalled = { ...walk(3, 400_000, 1, 0, true), durationMs: 200 };
    planNext(state, 3, stalled, BUDGET, GROWTH);
    expect(state.level).toBe(3);
    expect(state.failedLevel).toBe(-1);
    // Cut at the usual speed: the root outgrew the level, so it goes coarser.
    planNext(state, 3, walk(3, 400_000, 1, 0, true), BUDGET, GROWTH);
    expect(state.level).toBeGreaterThan(3);
    expect(level).toBeLessThanOrEqual(3);
  });
});

describe('attemptMs', () => {
  it('gives a walk a coarser one may follow TRY_SHARE of the time left, the final walk all of it and the reserve', () => {
    expect(attemptMs(20, 2, false)).toBeCloseTo(20 * TRY_SHARE, 9);
    expect(attemptMs(20, 2, true)).toBe(22);
    expect(attemptMs(-5, 2, true)).toBe(2);
    expect(attemptMs(-5, 2, false)).toBe(0);
  });
});

describe('smallWalkCost', () => {
  it('takes the reference cost for a small walk whose fixed costs hide its cost per thing', () => {
    // 300 sessions: a coarse walk of 500 things that took 3 ms cold (6 µs a thing), against 0.6 µs warm.
    const probe: WalkCost = { level: COARSEST, truncated: false, estimated: true, durationMs: 3, gatherMs: 0, visited: 500, objects: 4_300 };
    expect(smallWalkCost(probe, 0.0006)).toBe(0.0006);
    expect(smallWalkCost(probe, Infinity)).toBeCloseTo(3 / 500, 12);
    expect(smallWalkCost({ ...probe, visited: SMALL_WALK, durationMs: SMALL_WALK * 0.006 }, 0.0006)).toBeCloseTo(0.006, 12);
    // Planned from it: exact (4,300 things at the reference cost fit), not from its own cost.
    const withReference = newPlanState();
    planNext(withReference, COARSEST, probe, 12, GROWTH, 0.0006);
    expect(withReference.level).toBe(0);
    const alone = newPlanState();
    planNext(alone, COARSEST, probe, 12, GROWTH);
    expect(alone.level).toBeGreaterThan(0);
  });
});

describe('fallbackLevel', () => {
  it('redoes a walk cut finer than level 3 at level 3, and one cut there or coarser at the coarsest', () => {
    expect(fallbackLevel(0, COARSEST)).toBe(3);
    expect(fallbackLevel(1, COARSEST)).toBe(3);
    expect(fallbackLevel(3, COARSEST)).toBe(COARSEST);
    expect(fallbackLevel(4, COARSEST)).toBe(COARSEST);
  });
});

describe('planNext after a walk whose outermost sample shrank to fit (issue 16)', () => {
  it('keeps the level at FALLBACK_LEVEL or coarser, and falls back to FALLBACK_LEVEL from a finer one', () => {
    const kept = newPlanState();
    planNext(kept, FALLBACK_LEVEL, { ...walk(FALLBACK_LEVEL, 400_000, 1, 4), durationMs: BUDGET * 0.95, shrunk: true }, BUDGET, GROWTH);
    expect(kept.level).toBe(FALLBACK_LEVEL);
    const finer = newPlanState();
    finer.perThingMs = 0.001;
    planNext(finer, FIRST_LEVEL, { ...walk(FIRST_LEVEL, 400_000, 1, 4), shrunk: true }, BUDGET, GROWTH);
    expect(finer.level).toBe(FALLBACK_LEVEL);
    expect(finer.failedLevel).toBe(FIRST_LEVEL);
  });
});
