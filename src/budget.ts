/**
 * How a collection spends `maxMillis`: which share of it each root's walk gets and in which order
 * the roots are walked (plan.ts says at which sampling level each starts). Pure functions of the
 * last walks' figures; collect.ts holds the state they read and calls them once per collection.
 */

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
