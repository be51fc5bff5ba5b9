// Regression: isIndexKey("") was true ("".charCodeAt(0) is NaN, which slipped past the digit
// check, and Number("") is 0), so an array's property named "" was taken for an element and never
// followed, and an object's was counted as an element in the size model. Found by
// test/walk/walk.property.test.ts (shrunk: a HostileArray with a non-enumerable "" property);
// fixed in src/walk/edges.ts.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { visitedValues } from '../../src/walk/debug.js';

describe('regression: a property named ""', () => {
  it('is followed on arrays and objects', () => {
    const payload = { data: 'p'.repeat(500) };
    const arr = Object.defineProperty([1, 2], '', { value: payload, enumerable: false });
    const obj = { '': payload };
    for (const root of [arr, obj]) {
      expect(visitedValues(root).values).toContain(payload);
      expect(scan(root).bytes).toBeGreaterThan(500);
    }
  });
});
