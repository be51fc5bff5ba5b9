/**
 * The walk's budgets. Checking the clock costs ~50 ns, so it is read once every CLOCK_STRIDE
 * heap things, not on every step: the walk notices its deadline only at the next read, and a
 * step it cannot interrupt (the visited set growing its table, a scavenge of its own garbage) can
 * fall in between, so it may overrun maxMillis by milliseconds, not microseconds: `npm run
 * bench:load` (Node 20.20.2) measured collections of up to 214.5 ms against a 200 ms budget, 14.5 ms
 * over (budget.ts, RESERVE_OF_BUDGET, keeps a reserve for it). The budget tests allow for it.
 */
import type { TruncationReason } from '../results.js';

/**
 * The part of the walk's time by which an outermost sample is planned to end: the rest is headroom
 * for what the walk meets after it, for entries dearer than those measured so far, and for a GC
 * pause in the middle of it (a major GC's final pause takes 5-10 ms in a heap of a few hundred
 * MB; at a 25 ms budget a sample planned to end at the deadline was cut in 4 collections of 36).
 */
export const OUTER_SHARE = 0.75;

/** Heap things between two reads of the clock. A power of two so the check is a mask. */
export const CLOCK_STRIDE = 1024;

export interface Budget {
  readonly maxObjects: number;
  readonly maxMillis: number;
}

/** Mutable budget state of one root's walk. */
export class Limits {
  readonly maxObjects: number;
  deadline: number;
  /**
   * When an outermost sample should be walked by (walk.ts OuterSample): OUTER_SHARE of the
   * budget, the rest headroom for a GC pause and what the walk meets after it.
   */
  target: number;
  /** The walk's budget in ms. */
  readonly budgetMs: number;
  /** Whether {@link extend} was used. */
  extended = false;
  reason: TruncationReason | null = null;

  constructor(budget: Budget, startedAt: number) {
    this.maxObjects = budget.maxObjects;
    this.budgetMs = budget.maxMillis;
    this.deadline = startedAt + budget.maxMillis;
    this.target = startedAt + budget.maxMillis * OUTER_SHARE;
  }

  /**
   * Give the walk `share` of its budget from `now`, once: a pass no budget interrupts (listing a
   * map-like object's keys) left its sample no time, and the smallest sample reads +20% where a
   * few milliseconds more read within 1% (an object used as a map of 240,000 keys).
   */
  extend(now: number, share: number): void {
    this.extended = true;
    const ms = this.budgetMs * share;
    if (now + ms > this.deadline) this.deadline = now + ms;
    this.target = now + ms * OUTER_SHARE;
  }

  /** Called every CLOCK_STRIDE things; true when the walk must stop. */
  overTime(): boolean {
    if (performance.now() < this.deadline) return false;
    this.reason = 'maxMillis';
    return true;
  }
}
