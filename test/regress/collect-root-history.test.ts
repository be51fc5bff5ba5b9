// Regression: the collector kept each root's history in a WeakMap keyed by the registry entry and
// left removed entries for GC to clear. V8 does not shrink a WeakMap's table for entries GC
// clears, so 100,000 roots added and removed between two full GCs left a 1-2 MB table behind.
// Found by test/reliability/footprint.test.ts ("100,000 roots"); fixed in src/collect.ts
// (Collector.forget) and src/memsize.ts (removeRoot and collected roots forget their history).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh, lastJsonLine, runNode } from '../reliability/support.js';

describe('regression: removed roots', () => {
  it('leave no history table behind, even with no full GC while they come and go', async () => {
    assertDistFresh();
    const run = await runNode(join(import.meta.dirname, 'fixtures', 'root-churn.mjs'), { execArgv: ['--expose-gc'] });
    const { leftBytes, roots } = lastJsonLine<{ leftBytes: number; roots: string[] }>(run);
    expect(roots).toEqual(['resident']);
    // Before the fix about 1.2-2 MB stayed; what remains now is V8's own caches and noise.
    expect(leftBytes).toBeLessThan(500_000);
  });
});
