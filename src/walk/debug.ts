/**
 * Test hook, not part of the package's API (src/index.ts does not export it, and package.json's
 * `exports` blocks deep imports): which distinct values one walk reaches, so a test can compare
 * the walk with a reference walk of its own (test/walk/walk.property.test.ts).
 *
 * It runs a Walker of its own with a recording visitor; scan() and the collector never come here,
 * so the walk's hot path is the one they use, unchanged.
 */
import { Kind } from './kinds.js';
import type { Budget } from './limits.js';
import type { TruncationReason } from '../results.js';
import { Walker, type Visitor } from './walk.js';

/** What {@link visitedValues} returns. */
export interface VisitedValues {
  /**
   * Every distinct value the walk reached, in visit order: objects, functions and Proxies by
   * identity, strings and bigints by value, symbols by identity. Heap numbers are not values the
   * walk deduplicates (each slot holding one owns its own), so they are left out.
   */
  values: unknown[];
  /** The walk's own count of distinct things it admitted (values, plus a heap-number root). */
  objects: number;
  truncatedBy: TruncationReason | null;
}

const NO_LIMITS: Budget = Object.freeze({ maxObjects: Number.MAX_SAFE_INTEGER, maxMillis: 3_600_000 });

/** Walk `root` as scan() does and list the distinct values reached. For tests only. */
export function visitedValues(root: unknown, budget: Budget = NO_LIMITS): VisitedValues {
  const values: unknown[] = [];
  const visitor: Visitor = {
    thing(kind, value) {
      if (kind !== Kind.HeapNumber) values.push(value);
    },
    unseen() {},
    bytes: 0,
    objects: 0,
  };
  const walker = new Walker();
  try {
    const outcome = walker.walkRoot(root, budget, visitor, performance.now());
    return { values, objects: outcome.objects, truncatedBy: outcome.truncatedBy };
  } finally {
    walker.reset();
  }
}
