// Regression: module namespace objects were classified as null-prototype plain objects, so a
// binding in its temporal dead zone (its module still evaluating) threw out of the whole
// expansion: none of the namespace's other bindings were followed, and the type was
// "(null prototype)" instead of "Module". Found by test/walk/hostile.test.ts; fixed in
// src/walk/walk.ts (protoInfoOf) and src/walk/edges.ts (expandNamespace reads each binding alone).
// Runs in a child node on dist/: vitest hands tests its own module objects, not real namespaces.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh, lastJsonLine, runNode } from '../reliability/support.js';

interface Summary {
  bytes: number;
  objects: number;
  types: Record<string, number>;
}

describe('regression: module namespace objects', () => {
  it('follow every initialized binding while another is in its temporal dead zone, and are named "Module"', async () => {
    assertDistFresh();
    const run = await runNode(join(import.meta.dirname, 'fixtures', 'namespace-tdz.mjs'));
    const { during, threw, after, path } = lastJsonLine<{ during: Summary | null; threw: string | null; after: Summary; path: Summary }>(run);
    expect(threw).toBeNull();
    expect(during).not.toBeNull();
    expect(during!.types.Module).toBeGreaterThan(0);
    // zzzFunction was initialized (hoisted) and is followed; aaaData was in its dead zone.
    expect(during!.types.Function).toBeGreaterThanOrEqual(1);
    expect(during!.bytes).toBeLessThan(4000);
    // Once evaluated, the namespace leads to everything, the 4000-character string included.
    expect(after.types.Module).toBeGreaterThan(0);
    expect(after.bytes).toBeGreaterThan(4000 + during!.bytes);
    // A built-in module's namespace: named, and its functions followed.
    expect(path.types.Module).toBeGreaterThan(0);
    expect(path.types['(null prototype)']).toBeUndefined();
    expect(path.types.Function).toBeGreaterThan(5);
  });
});
