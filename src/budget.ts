/**
 * How a collection spends `maxMillis`: which share of it each root's walk gets, in which order the
 * roots are walked, and at which sampling level each root starts. Pure functions of the last
 * walks' figures; collect.ts holds the state they read and calls them once per collection.
 */
import type { ScanResult } from './results.js';

/**
 * A walk that may be followed by a more aggressive one gets this share of the time left, so a
 * root that does not fit is still measured, by sampling, within its budget.
 */
export const NON_FINAL_SHARE = 0.5;
/**
 * The share a new root's first try gets instead when the root is itself a collection that try
 * samples (scan.ts RootBudget.guess): nothing predicts whether it fits, it runs on code the JIT
 * has not optimized yet, and it seldom fits. With half, a new Map of 25,000 sessions blocked its
 * first scrape for 265 ms in one CI run on Node 22.23.5 (the test's limit is 250): a level-1 try
 * of 90 ms, cut, then the fallback. With a third, that first scrape took 99-120 ms on Node 22 and
 * 122-129 ms on Node 20 here, against 119-150 and 153-168 ms with half (fresh processes).
 * Not for every new root: a new Map of 2,000 sessions, walked exact in 20-50 ms, would not fit a
 * third under load and would lose its exact first figure.
 */
export const GUESS_SHARE = 1 / 3;
/**
 * The time one walk of a root gets in scanEach, from the time left before the root's deadline
 * (negative when an earlier walk overran it). A walk at a level that a coarser one may follow
 * gets NON_FINAL_SHARE of it (GUESS_SHARE when `guess`); the final walk gets all of it, plus
 * `finalExtraMs` past the deadline (the collector's reserve, RESERVE_OF_BUDGET) rather than be cut.
 */
export function attemptMs(leftMs: number, finalExtraMs: number, final: boolean, guess = false): number {
  const left = Math.max(leftMs, 0);
  if (final) return left + finalExtraMs;
  return left * (guess ? GUESS_SHARE : NON_FINAL_SHARE);
}

/** A root's sampling level between collections (collect.ts keeps one per root). */
export interface LevelState {
  /** The sampling level to start the next walk at (see scan.ts samplingLevels). */
  level: number;
  /** True when `level` is a try at a finer level than the last walk needed. */
  probing: boolean;
  /**
   * A level whose walk failed to finish (a try that fell back, or a walk cut by a busier machine
   * or a grown root) and has not finished since (the coarsest, if several), else -1. Tries at that
   * level or finer wait for `waitBeforeProbe`; tries at coarser levels do not.
   */
  failedLevel: number;
  /** Collections to wait before the next try at `failedLevel` or finer. */
  waitBeforeProbe: number;
  /** The wait after the last failure: doubles with each failure, up to MAX_PROBE_BACKOFF. */
  probeBackoff: number;
}

/**
 * A new root starts at the first estimating level: exact unless it holds a collection above
 * sampleThreshold, and never an exact attempt that uses the first scrape up.
 */
export function newLevelState(): LevelState {
  return { level: 1, probing: false, failedLevel: -1, waitBeforeProbe: 0, probeBackoff: 0 };
}

/**
 * A root walked at a sampling level tries the next finer level when that level is expected to fit
 * in the time a try gets (NON_FINAL_SHARE of its budget; scanEach says what it expects,
 * `finerMs`). A walk that does not finish at the level it started costs that collection the time
 * (the coarser walk still runs, with what is left), so failures back off exponentially, up to
 * MAX_PROBE_BACKOFF collections before the failed level is tried again. The backoff belongs to
 * the level that failed: a success at a coarser level on the way back does not reset it, or a
 * root on a busy machine would fall back and climb again every few collections.
 */
export const MAX_PROBE_BACKOFF = 64;

/** Update `state` for the next walk, from this walk's starting level, the level it used and its outcome. */
export function nextLevel(
  state: LevelState,
  usedLevel: number,
  result: Pick<ScanResult, 'truncated' | 'estimated'>,
  budgetMs: number,
  finerMs: number,
): void {
  if (usedLevel > state.level) {
    // It fell back from the level it started at: a failed try, or a level that fit before and
    // no longer does.
    state.probeBackoff = Math.min(Math.max(1, state.probeBackoff * 2), MAX_PROBE_BACKOFF);
    state.waitBeforeProbe = state.probeBackoff;
    state.failedLevel = Math.max(state.failedLevel, state.level);
  } else if (state.probing && state.level <= state.failedLevel) {
    // A try at the level that failed (or finer) finished: the trouble has passed.
    state.failedLevel = -1;
    state.probeBackoff = 0;
    state.waitBeforeProbe = 0;
  }
  state.probing = false;
  state.level = usedLevel;
  // A walk that sampled nothing was exact already: a finer level would walk the same.
  if (!result.truncated && result.estimated && usedLevel > 0 && finerMs < budgetMs * NON_FINAL_SHARE) {
    const finer = usedLevel - 1;
    if (finer <= state.failedLevel && state.waitBeforeProbe > 0) {
      state.waitBeforeProbe--;
    } else {
      state.level = finer;
      state.probing = true;
    }
  }
}

/**
 * What a root that completed last time is expected to need: its last walk time with headroom,
 * relative (it may have grown) and absolute (walk times jitter with GC and machine load), so a
 * small root does not flap into truncation. A root that ran out of time last time (or is new)
 * asks for as much as it can get.
 */
const NEED_FACTOR = 3;
const NEED_SLACK_OF_BUDGET = 0.05;
const NEED_FLOOR_MS = 1;
/**
 * The part of `maxMillis` the walks do not plan to use. A walk stops at its deadline only at its
 * next clock read, and a step it cannot interrupt (the visited set growing its table, a scavenge
 * of the garbage the walk itself makes) can fall just before it. `npm run bench:load` (Node
 * 20.20.2) measured collections of up to 214.5 ms against 200 with no reserve (commit ed06f97),
 * and up to 208.8 ms with 5% (commit 58e09b9, `LOAD_PREFILL=10000`): a scavenge of 3-4 ms and a
 * table growth can come together. With 10% (36f6ca1), up to 190.3 ms.
 *
 * A root's final walk (at the coarsest level, or the only one) spends the root's part of the
 * reserve rather than end truncated (scanEach `finalWalkExtraShare`): the collection then ends
 * within `maxMillis` plus what that walk overruns its own deadline by (as in the run with no
 * reserve above, up to 14.5 ms).
 * - A try at a finer level can overrun its deadline by a step it cannot interrupt (listing a large
 *   object's keys, a garbage collection in a large heap). Without the reserve the redo at the
 *   coarsest level got nothing and reported a truncated figure it could finish in milliseconds
 *   (it reuses the key lists the try made).
 * - A new root's first walk runs code the JIT has not optimized yet. On this 2-core machine
 *   running the other estimate test file and a busy loop, the redo of a new 25,000-session root
 *   took up to 82 ms of the 89 a level-1 try of 90 left it (Node 22.23.5,
 *   test/estimate-growth.test.ts); one CI run truncated a new 20,000-key root's first collection.
 * - Under two busy loops, listing the keys of an object used as a map of 240,000 entries took
 *   most of a level-3 walk's 180 ms and cut it after 570 of its 1,500 heap things (Node 22.23.5,
 *   a throwaway script: the growth test's structure beside 400,000 live sessions; 1 run in 4).
 */
export const RESERVE_OF_BUDGET = 0.1;
/** Lower bound of the walk budget when root functions used up `maxMillis`: each root still gets a token walk. */
export const MIN_WALK_BUDGET_MS = 0.01;

/**
 * Split `totalMs` across roots by max-min fairness ("water-filling"): every root is guaranteed
 * `totalMs / n` unless it needs less; what small roots leave goes, in equal parts, to the roots
 * that need more. A need of `Infinity` means "as much as possible". The shares never add up to
 * more than `totalMs`.
 */
export function splitBudgetMs(needsMs: readonly number[], totalMs: number): number[] {
  const shares = new Array<number>(needsMs.length).fill(0);
  const order = needsMs.map((_, i) => i).sort((a, b) => needsMs[a]! - needsMs[b]! || a - b);
  let remaining = totalMs;
  order.forEach((index, k) => {
    const fair = remaining / (order.length - k);
    const share = Math.min(needsMs[index]!, fair);
    shares[index] = share;
    remaining -= share;
  });
  return shares;
}

/**
 * How much walk time a root is expected to need, from its last walk: with headroom if it
 * completed, `Infinity` (as much as it can get) if it ran out of time or is new.
 */
export function walkNeedMs(lastDurationMs: number, lastTruncatedByTime: boolean, maxMillis: number): number {
  if (lastTruncatedByTime) return Infinity;
  return Math.max(lastDurationMs * NEED_FACTOR, lastDurationMs + maxMillis * NEED_SLACK_OF_BUDGET, NEED_FLOOR_MS);
}

/**
 * Walk order: finite needs before infinite ones; larger finite needs first; then registration
 * order. What the roots expected to complete leave unused goes to the ones walked last, and the
 * first root's visited set doubles as the union's, so the largest completing root goes first.
 */
export function walkRank(needs: readonly number[], a: number, b: number): number {
  const na = needs[a]!;
  const nb = needs[b]!;
  const fa = Number.isFinite(na);
  const fb = Number.isFinite(nb);
  if (fa !== fb) return fa ? -1 : 1;
  if (fa && na !== nb) return nb - na;
  return a - b;
}
