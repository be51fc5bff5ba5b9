/**
 * The walk's budgets. Checking the clock costs ~50 ns, so it is read once every CLOCK_STRIDE
 * heap things, not on every step: the walk notices its deadline only at the next read, and a
 * step it cannot interrupt (the visited set growing its table, a scavenge of its own garbage) can
 * fall in between, so it may overrun maxMillis by milliseconds, not microseconds: `npm run
 * bench:load` (Node 20.20.2) measured collections of up to 214.5 ms against a 200 ms budget, 14.5 ms
 * over (budget.ts, RESERVE_OF_BUDGET, keeps a reserve for it). The budget tests allow for it.
 */
import type { TruncationReason } from '../results.js';

/** Heap things between two reads of the clock. A power of two so the check is a mask. */
export const CLOCK_STRIDE = 1024;

export interface Budget {
  readonly maxObjects: number;
  readonly maxMillis: number;
}

/** Mutable budget state of one root's walk. */
export class Limits {
  readonly maxObjects: number;
  readonly deadline: number;
  /** `performance.now()` when the walk started. */
  readonly startedAt: number;
  reason: TruncationReason | null = null;

  constructor(budget: Budget, startedAt: number) {
    this.maxObjects = budget.maxObjects;
    this.startedAt = startedAt;
    this.deadline = startedAt + budget.maxMillis;
  }

  /** Called every CLOCK_STRIDE things; true when the walk must stop. */
  overTime(): boolean {
    if (performance.now() < this.deadline) return false;
    this.reason = 'maxMillis';
    return true;
  }
}
