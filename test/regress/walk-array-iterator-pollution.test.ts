// Regression: scan() of a boxed primitive (new Number(1), Object(1n)...) iterated an internal
// array with for...of, which calls Array.prototype[Symbol.iterator]: a program that had replaced
// it had its function run by the walk. Found by test/walk/hostile.test.ts; fixed in
// src/walk/edges.ts (expandBoxed uses an index loop).
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: a replaced Array.prototype[Symbol.iterator]', () => {
  it('is not called by scan(), boxed primitives included', () => {
    const graph = { boxed: [new Number(1.5), new String('s'), Object(1n), new Boolean(true), Object(Symbol('d'))], map: new Map([[1, 'one']]), set: new Set(['x']) };
    const original = Array.prototype[Symbol.iterator];
    let calls = 0;
    let result: ReturnType<typeof scan> | undefined;
    Array.prototype[Symbol.iterator] = function (this: unknown[]) {
      calls++;
      return original.call(this);
    };
    try {
      result = scan(graph);
    } finally {
      Array.prototype[Symbol.iterator] = original;
    }
    expect(calls).toBe(0);
    expect(result!.byType.has('Number')).toBe(true);
  });
});
