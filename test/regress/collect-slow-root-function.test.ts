// Regression ("a root's function hangs past the budget: that root reports an error, the
// others go on"): a root function that alone ran longer than maxMillis was reported as a normal
// root, walked on top of its own time, and nothing said which root ate the budget. Found by
// test/reliability/faults.test.ts; fixed in src/collect.ts: such a root reports the error
// reason "slow" (counted in memsize_walk_errors_total, logged once) and is not walked; its time still
// counts against the budget, so the other roots are measured with what is left (a root cut short
// reports its last complete figures, marked truncated).
import { describe, expect, it } from 'vitest';
import { createMemsize } from '../../src/index.js';

const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('regression: a root function slower than the whole budget', () => {
  it('reports the error "slow" for that root only; the others go on', () => {
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0, maxMillis: 20 });
    let slow = false;
    memsize.addRoot('records', Array.from({ length: 2000 }, (_, i) => ({ i, s: `r${i}` })));
    memsize.addRoot('thunk', () => {
      if (slow) busyWait(40);
      return { small: true };
    });
    memsize.addRoot('small', { x: 'y' });
    // Warm up until every root has had a complete walk (a cold first walk may hit 20 ms).
    let before = memsize.collect();
    for (let i = 0; i < 50 && [...before.roots.values()].some((r) => r.truncated); i++) before = memsize.collect();
    expect([...before.roots.values()].map((r) => r.truncated)).toEqual([false, false, false]);
    expect(before.roots.get('thunk')!.error).toBeNull();

    slow = true;
    const during = memsize.collect();
    const thunk = during.roots.get('thunk')!;
    expect(thunk.error?.reason).toBe('slow');
    expect(thunk.error?.message).toMatch(/took \d+(\.\d)? ms, longer than the whole collection may take \(maxMillis: 20 ms\)/);
    expect(thunk.errorCount).toBe(1);
    // The walk-duration figure tells the truth: the function's time is in it.
    expect(during.durationMs).toBeGreaterThanOrEqual(40);
    for (const name of ['records', 'small']) {
      const root = during.roots.get(name)!;
      expect(root.error).toBeNull();
      // Never shown as memory freed: cut short or not, at least the last complete figures.
      expect(root.bytes).toBeGreaterThanOrEqual(before.roots.get(name)!.bytes);
    }

    slow = false;
    const after = memsize.collect();
    expect(after.roots.get('thunk')!.error).toBeNull();
    expect(after.roots.get('thunk')!.bytes).toBe(before.roots.get('thunk')!.bytes);
  });
});
