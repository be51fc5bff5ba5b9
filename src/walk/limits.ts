/**
 * The walk's budgets. Checking the clock costs ~50 ns, so it is read once every CLOCK_STRIDE
 * heap things, not on every step: the walk may overrun maxMillis by at most one stride
 * (a few microseconds), which the budget tests allow for.
 */
import type { TruncationReason } from '../snapshot.js';

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
  reason: TruncationReason | null = null;

  constructor(budget: Budget, startedAt: number) {
    this.maxObjects = budget.maxObjects;
    this.deadline = startedAt + budget.maxMillis;
  }

  /** Called every CLOCK_STRIDE things; true when the walk must stop. */
  overTime(): boolean {
    if (performance.now() < this.deadline) return false;
    this.reason = 'maxMillis';
    return true;
  }
}
