// Regression: two kinds of array contents were never followed. Symbol-keyed properties of any
// array (only string names were listed), and non-enumerable elements of arrays longer than 2^20
// (read through Object.keys, which lists enumerable keys only). Found by
// test/walk/walk.property.test.ts (shrunk: an empty sparse array with Symbol.iterator defined on
// it; a 2^32-1-long sparse array with a non-enumerable element); fixed in src/walk/edges.ts.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { visitedValues } from '../../src/walk/debug.js';

describe('regression: array contents outside the enumerable indices', () => {
  it('follows symbol-keyed properties of short and long arrays', () => {
    const key = Symbol('meta');
    for (const length of [0, 3, 100, 2 ** 21]) {
      const payload = { length };
      const arr: unknown[] = new Array(length);
      (arr as unknown as Record<symbol, unknown>)[key] = payload;
      expect(visitedValues(arr).values).toContain(payload);
    }
  });

  it('follows a non-enumerable element of an array longer than 2^20', () => {
    const payload = { hidden: 'h'.repeat(1000) };
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = 'far';
    Object.defineProperty(sparse, 5, { value: payload, enumerable: false });
    expect(visitedValues(sparse).values).toContain(payload);
    expect(scan(sparse).bytes).toBeGreaterThan(1000);
  });
});
