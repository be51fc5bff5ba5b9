// The collector's budget policy (src/budget.ts): pure functions, driven here without a walk.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitBudgetMs } from '../src/budget.js';
import { propertyParams } from './support/property.js';

describe('splitBudgetMs', () => {
  it('gives equal shares when every root wants more than its share', () => {
    expect(splitBudgetMs([Infinity, Infinity, Infinity, Infinity], 200)).toEqual([50, 50, 50, 50]);
  });

  it('gives small roots what they need and the rest to the hungry ones', () => {
    expect(splitBudgetMs([2, Infinity, 4, Infinity], 100)).toEqual([2, 47, 4, 47]);
  });

  it('holds its guarantees for any needs', () => {
    const need = fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 1000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(need, { minLength: 1, maxLength: 40 }), fc.double({ min: 0.01, max: 5000, noNaN: true }), (needs, total) => {
        const shares = splitBudgetMs(needs, total);
        const sum = shares.reduce((a, b) => a + b, 0);
        expect(sum).toBeLessThanOrEqual(total * (1 + 1e-9));
        needs.forEach((n, i) => {
          // Never more than asked, never less than the fair share unless asked for less.
          expect(shares[i]!).toBeLessThanOrEqual(n);
          expect(shares[i]!).toBeGreaterThanOrEqual(Math.min(n, total / needs.length) * (1 - 1e-9));
        });
        // Nothing is left unspent while some root still wanted more.
        if (needs.some((n, i) => shares[i]! < n)) expect(sum).toBeGreaterThanOrEqual(total * (1 - 1e-9));
      }),
      propertyParams(),
    );
  });
});
