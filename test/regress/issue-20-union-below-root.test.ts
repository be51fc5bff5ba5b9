// Regression (issue 20, "Union below one root"): memsu_union_bytes read 9,231,556 while a single
// root read 10.52 MB. The union counts what the collection's walks saw; a root's figure can be
// more: held from its last complete walk while this one was cut (as here), or scaled by a
// calibration. Fixed in src/collect.ts withUnionFloor: the union is at least its largest root.
import { describe, expect, it } from 'vitest';
import { createMemsize } from '../../src/index.js';

describe('regression: the union of the roots', () => {
  it("is never below one of its roots, when that root's figure is held from a complete walk", () => {
    // Exact walks cut at 5,000 things: first 3,000 strings of 10 KB (complete), then the log
    // refilled with 20,000 small objects: the cut walk sees less than the complete one did, and
    // the root's figure is held from the complete walk.
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0, estimate: false, maxObjects: 5_000 });
    const log: unknown[] = [];
    for (let i = 0; i < 3_000; i++) log.push(`${i}:`.padEnd(10_000, 'x'));
    memsize.addRoot('log', log);
    const complete = memsize.collect();
    const first = complete.roots.get('log')!;
    expect(first.truncated).toBe(false);
    log.length = 0;
    log.push(...Array.from({ length: 20_000 }, (_, i) => ({ i })));
    const cut = memsize.collect();
    const held = cut.roots.get('log')!;
    expect(held.truncated).toBe(true);
    expect(held.heldFrom).toBe(complete.at);
    expect(held.bytes).toBe(first.bytes);
    expect(cut.unionBytes).toBeGreaterThanOrEqual(held.bytes);
    expect(cut.unionObjects).toBeGreaterThanOrEqual(held.objects);
    void memsize.shutdown();
  });
});
