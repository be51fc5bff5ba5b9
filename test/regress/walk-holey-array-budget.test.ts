// Regression: holes in an array did not advance the walk's clock, so arrays like
// `new Array(1 << 20)` (a million index probes each, almost no memory) carried scan() far past
// maxMillis: 200 of them took 16-25 s under maxMillis: 20. Found by test/walk/hostile.test.ts;
// fixed by Walker.tick() for every hole (src/walk/walk.ts, src/walk/edges.ts).
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: holey arrays and the time budget', () => {
  it('stops near maxMillis however many holes the arrays hold', () => {
    // Without the fix this walk takes about 5 s (50 arrays x 1M index probes).
    const holey = Array.from({ length: 50 }, () => new Array(1 << 20));
    const started = performance.now();
    const result = scan(holey, { maxMillis: 20, estimate: false });
    const elapsedMs = performance.now() - started;
    expect(result.truncated).toBe(true);
    expect(result.truncatedBy).toBe('maxMillis');
    // One clock stride past the deadline is a few microseconds; 1 s leaves room for a busy machine.
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('still measures a holey array completely when the budget allows', () => {
    const arr = new Array(100_000);
    arr[5] = 'x'.repeat(100);
    arr[99_999] = { a: 1 };
    const result = scan(arr);
    expect(result.truncated).toBe(false);
    expect(result.byType.get('string')?.objects).toBe(1);
    expect(result.byType.get('Object')?.objects).toBe(1);
  });
});
