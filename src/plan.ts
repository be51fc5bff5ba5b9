/**
 * Which sampling level each root's walk starts at, planned from what its last walk measured, so
 * that the walk fits its share of `maxMillis` on the first attempt instead of trying a finer level,
 * being cut and walking again. Pure functions of the last walk's figures; collect.ts keeps the
 * state between collections and scan.ts runs the walks.
 *
 * The model: a walk costs the passes that gather samples from large Maps and Sets (the same at
 * every sampling level: one pass over each collection's entries) plus a cost per heap thing it
 * visits. The last walk measured both (`gatherMs`, `durationMs`, `visited`), and how many things
 * the root holds (`objects`, estimated when it sampled). A level that samples 8 times more
 * entries per collection visits up to 8 times more things; the exact level visits them all.
 * So every level's cost is predicted from one walk, and the finest level predicted to fit in
 * PLAN_SHARE of the budget is chosen. The per-thing cost carries whatever the walk met: deep reads
 * through the inspector (25-130 µs a call) make a root's things dearer, and its plan coarser.
 *
 * A new root has no history: it starts at FIRST_LEVEL (collections above `sampleThreshold`
 * sampled, the rest exact: a root that fits stays exact from its first collection). If that does
 * not fit, scan.ts walks again at a coarser level with the time left (fallbackLevel): the only
 * case that pays twice. A walk at FALLBACK_LEVEL or coarser sizes its outermost sample to the time
 * left as it walks (walk.ts OuterSample) and reports `shrunk`: such a walk keeps its level. Why the
 * default budget is still 200 ms and not 25: bench/README.md, "Roots of many shapes".
 */

/** The part of a root's budget a planned walk is expected to use: headroom for growth and jitter. */
export const PLAN_SHARE = 0.7;
/**
 * The part of the time left that a walk gets when a coarser walk may follow it (it was planned
 * and could still be cut): the rest is kept for that fallback, which the coarsest level's small
 * samples make cheap (the cut walk's list of a large object's keys is reused, budget.ts).
 */
export const TRY_SHARE = 0.5;
/** The level a new root starts at (see scan.ts samplingLevels). */
export const FIRST_LEVEL = 1;
/** How many times more things a level walks than the next coarser one, at most (scan.ts LEVEL_FACTOR). */
export const LEVEL_GROWTH = 8;
/** After a level failed, wait this many collections before planning it again (doubling), at most. */
export const MAX_PROBE_BACKOFF = 64;

/** What a root's last walk measured (scan.ts ScanEachResult, per root). */
export interface WalkCost {
  /** The level the reported walk used. */
  level: number;
  /** Whether that walk was cut by a budget. */
  truncated: boolean;
  /** Whether it sampled anything (a walk that sampled nothing is exact at any level). */
  estimated: boolean;
  durationMs: number;
  /** Time spent gathering samples from Maps, Sets and large objects' keys. */
  gatherMs: number;
  /**
   * Whether its outermost sample was walked smaller than the level's size to fit the time left
   * (walk.ts OuterSample): the level did not fit, and no finer one will. Absent: false.
   */
  shrunk?: boolean;
  /** Heap things the walk visited. */
  visited: number;
  /** Heap things the root holds (estimated when sampled). */
  objects: number;
}

/** A root's plan between collections (collect.ts keeps one per root). */
export interface PlanState {
  /**
   * The root's cost per visited heap thing, in ms: the lowest measured lately. A walk's time only
   * ever grows with what it does not control (a GC, a busy machine, code not yet optimized), so
   * the lowest recent figure is the truest; it may rise by COST_RISE per collection, so a root
   * whose things became dearer (deep reads, larger entries) is planned coarser soon. NaN: none yet.
   */
  perThingMs: number;
  /** The level to start the next walk at. */
  level: number;
  /** A level whose walk failed (was cut or fell back) and has not been planned since, else -1. */
  failedLevel: number;
  /** Collections to wait before planning `failedLevel` or finer again. */
  waitBeforeProbe: number;
  /** The wait after the last failure: doubles with each failure, up to MAX_PROBE_BACKOFF. */
  probeBackoff: number;
}

export function newPlanState(): PlanState {
  return { level: FIRST_LEVEL, perThingMs: NaN, failedLevel: -1, waitBeforeProbe: 0, probeBackoff: 0 };
}

/**
 * What walking at `level` should take, from the last walk `cost`. Infinity when it cannot be
 * told (the last walk was cut: how much it missed is unknown).
 */
export function predictWalkMs(cost: WalkCost, level: number, perThingMs = perThingOf(cost), growth: readonly number[] = []): number {
  if (cost.truncated) return Infinity;
  const gatherMs = Math.max(cost.gatherMs, 0);
  // A walk that sampled nothing visited everything: any level walks the same.
  if (!cost.estimated) return gatherMs + perThingMs * cost.visited;
  const all = Math.max(cost.objects, cost.visited);
  let things = cost.visited;
  if (level === 0) things = all;
  else if (level < cost.level) for (let l = cost.level; l > level; l--) things = Math.min(all, things * (growth[l] ?? LEVEL_GROWTH));
  else for (let l = cost.level; l < level; l++) things /= growth[l + 1] ?? LEVEL_GROWTH;
  return gatherMs + perThingMs * things;
}

/**
 * How many times more things each level walks than the next coarser one, from the levels' sample
 * sizes (`growth[l]`: level l-1 against level l; index 0 unused): the larger of the outermost and
 * the nested samples' ratios, so a prediction errs towards the coarser level.
 */
export function levelGrowth(levels: readonly { size: number; outerSize: number }[]): number[] {
  const growth = [1];
  for (let l = 1; l < levels.length; l++) {
    const finer = levels[l - 1]!;
    const coarser = levels[l]!;
    growth.push(l === 1 ? LEVEL_GROWTH : Math.max(finer.size / coarser.size, finer.outerSize / coarser.outerSize, 1));
  }
  return growth;
}

/** The cost per visited thing one walk measured, in ms. */
export function perThingOf(cost: WalkCost): number {
  return Math.max(cost.durationMs - Math.max(cost.gatherMs, 0), 0) / Math.max(cost.visited, 1);
}
/**
 * Walks of fewer heap things than this measure their fixed costs (starting the walk, drawing the
 * samples, code not yet optimized) more than their cost per thing: a coarse walk of a 300-session
 * Map (500 things, 1-3 ms cold) predicts its exact walk several times too slow and keeps the root
 * estimated. Their cost per thing is taken as at most the process's reference (the lowest cost
 * per thing of a large walk so far, scan.ts): when a root's things really cost more (deep reads),
 * the finer walk is cut and redone coarser, and the failure backs off like any other.
 */
export const SMALL_WALK = 5_000;
/** The cost per thing of `cost`, or the `referenceMs` when the walk was small and cost more. */
export function smallWalkCost(cost: WalkCost, referenceMs: number): number {
  const own = perThingOf(cost);
  return cost.visited < SMALL_WALK && referenceMs < own ? referenceMs : own;
}
/** A cut walk this many times slower per thing than the root's remembered cost was stalled, not too large. */
export const SLOW_WALK = 2;
/** How much the remembered cost per thing may rise from one collection to the next. */
export const COST_RISE = 1.5;

/**
 * Plan the next walk's level in `state` from this walk's `cost`, the level it was planned at
 * (`plannedLevel`: a fallback uses a coarser one), the root's budget and the coarsest level.
 */
export function planNext(state: PlanState, plannedLevel: number, cost: WalkCost, budgetMs: number, growth: readonly number[], referenceMs = Infinity): void {
  const coarsest = growth.length - 1;
  // A walk finer than FALLBACK_LEVEL whose outermost sample shrank to fit may have walked fewer
  // entries than FALLBACK_LEVEL's whole sample (an array of 300,000 records at level 1 at 25 ms:
  // +21%, where level 3 read within 0.1%): it did not fit, and is planned as a failure.
  const failed = cost.truncated || cost.level > plannedLevel || (cost.shrunk === true && cost.level < FALLBACK_LEVEL);
  if (failed && Number.isNaN(state.perThingMs) && state.probeBackoff === 0) {
    // A root's first failure ran on code the JIT had not optimized yet: one warm walk at
    // FALLBACK_LEVEL, with no backoff held against it (the next failure counts).
    state.probeBackoff = 1;
    state.level = Math.min(FALLBACK_LEVEL, coarsest);
    return;
  }
  if (failed && cost.truncated && cost.level >= FALLBACK_LEVEL && perThingOf(cost) > SLOW_WALK * state.perThingMs) {
    // Cut at a level that fit before, walking far slower than this root's things usually cost: the
    // machine or a GC stalled it, not the root's size. The same level again, no backoff.
    state.level = cost.level;
    return;
  }
  if (failed) {
    state.probeBackoff = Math.min(Math.max(1, state.probeBackoff * 2), MAX_PROBE_BACKOFF);
    state.waitBeforeProbe = state.probeBackoff;
    state.failedLevel = Math.max(state.failedLevel, cost.truncated ? cost.level : plannedLevel);
  } else if (state.waitBeforeProbe > 0) {
    state.waitBeforeProbe--;
  } else if (state.failedLevel >= 0 && plannedLevel <= state.failedLevel) {
    // A walk at the level that failed (or finer) finished: the trouble has passed.
    state.failedLevel = -1;
    state.probeBackoff = 0;
  }
  if (failed) {
    // The walk planned at this level did not fit: one step down the fallback chain (a cut walk:
    // below the level it was cut at), not a prediction from a walk that ran on cold code or was
    // cut (how much it missed is unknown). The next walk that fits measures the cost again.
    state.level = Math.max(fallbackLevel(plannedLevel, coarsest), cost.truncated ? fallbackLevel(cost.level, coarsest) : 0);
    if (cost.truncated || cost.shrunk === true || Number.isNaN(state.perThingMs)) return;
    state.level = Math.min(state.level, cost.level);
    return;
  }
  const measured = smallWalkCost(cost, referenceMs);
  state.perThingMs = Number.isNaN(state.perThingMs) ? measured : Math.min(measured, state.perThingMs * COST_RISE);
  // Levels at or finer than one that failed wait out their backoff.
  const finest = state.waitBeforeProbe > 0 && state.failedLevel >= 0 ? Math.min(state.failedLevel + 1, coarsest) : 0;
  let level = coarsest;
  for (let l = coarsest; l >= finest; l--) {
    if (predictWalkMs(cost, l, state.perThingMs, growth) <= budgetMs * PLAN_SHARE) level = l;
    else break;
  }
  // Levels coarser than FALLBACK_LEVEL shrink only the outermost sample: they save the walk of a
  // few hundred entries, not the passes that gather samples, and their small samples read values
  // shared across entries less well. So they are planned only when FALLBACK_LEVEL would overrun
  // the whole budget (entries that each cost an inspector read), not merely its planned share.
  // Gathering costs the same at every level (and a walk late from it gets a part of its budget
  // once more: walk.ts LATE_SHARE), so it is left out of this comparison: an object used as a map
  // of 240,000 keys (a 60-100 ms key listing) went to level 5 at 25 ms and read +18% there.
  if (level > FALLBACK_LEVEL && FALLBACK_LEVEL >= finest && predictWalkMs(cost, FALLBACK_LEVEL, state.perThingMs, growth) - Math.max(cost.gatherMs, 0) <= budgetMs) level = FALLBACK_LEVEL;
  // A walk whose outermost sample shrank to fit the time: its figures would predict a finer
  // level to fit (it visited less than its level does), and a coarser one because it took most of
  // the budget (it was sized to). Neither: the same level again, shrinking as much as it needs.
  if (cost.shrunk === true) level = cost.level;
  state.level = level;
}

/**
 * The time one walk of a root gets in scanEach, from the time left before the root's deadline
 * (negative when an earlier walk overran it). A walk that a coarser one may follow gets TRY_SHARE
 * of it; the final walk all of it, plus `finalExtraMs` past the deadline (the collector's reserve,
 * budget.ts RESERVE_OF_BUDGET) rather than be cut.
 */
export function attemptMs(leftMs: number, finalExtraMs: number, final: boolean): number {
  const left = Math.max(leftMs, 0);
  if (final) return left + finalExtraMs;
  return left * TRY_SHARE;
}

/**
 * The level a walk cut at `level` is redone at, within the same collection: FALLBACK_LEVEL
 * (outermost samples of 512, which a few milliseconds walk) from a finer level, the coarsest
 * from there or coarser. A redo is the collection's final walk (scan.ts): it gets all the time left.
 */
export function fallbackLevel(level: number, coarsest: number): number {
  return level < FALLBACK_LEVEL ? Math.min(FALLBACK_LEVEL, coarsest) : coarsest;
}
/** See {@link fallbackLevel}. */
export const FALLBACK_LEVEL = 3;
