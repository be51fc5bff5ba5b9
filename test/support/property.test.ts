import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROPERTY_SEED, propertyParams } from './property.js';

describe('propertyParams', () => {
  it('names the seed and how to replay it when a property fails', () => {
    let message = '';
    try {
      fc.assert(fc.property(fc.nat(), (n) => n < 0), propertyParams({ numRuns: 5 }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`Replay this run with MEMSIZE_PROPERTY_SEED=${PROPERTY_SEED}`);
    expect(message).toContain('Counterexample');
  });

  it('gives the same values for the same seed (what makes the replay a replay)', () => {
    const draw = () => fc.sample(fc.nat(), { seed: PROPERTY_SEED, numRuns: 5 });
    expect(draw()).toEqual(draw());
    expect(propertyParams().seed).toBe(PROPERTY_SEED);
  });
});
