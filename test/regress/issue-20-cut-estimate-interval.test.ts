// Regression (issue 20, "First collection with several roots"): a walk cut while it was estimating
// reported its sampling interval alone, as little as 0, for a figure that is only a lower bound
// (a cut Map read 2.1-9.4 MB of 11 with memsize_root_bytes_error_ratio 0). Fixed in src/scan.ts:
// a cut estimate's interval is at least as wide as its own figure.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: a cut estimate', () => {
  it('never claims an interval narrower than its own figure', () => {
    const sessions = new Map<string, unknown>();
    for (let i = 0; i < 20_000; i++) sessions.set(`s${i}`, JSON.parse(`{"id":${i},"user":"user-${i % 700}","cart":[${i % 5},${i % 7}]}`));
    // maxObjects cuts deterministically: the exact try, then the sampled redo, after 300 things.
    const result = scan(sessions, { maxObjects: 300 });
    expect(result.truncated).toBe(true);
    expect(result.estimated).toBe(true);
    expect(result.bytesError).toBeGreaterThanOrEqual(result.bytes);
    expect(result.objectsError).toBeGreaterThanOrEqual(result.objects);
  });
});
