import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OTHER_TYPE } from '../../src/metrics/names.js';
import { foldTypes, MAX_TYPE_LABEL_LENGTH } from '../../src/metrics/points.js';
import type { TypeTotal } from '../../src/snapshot.js';

const sum = (m: Map<string, TypeTotal>, key: 'bytes' | 'objects') => [...m.values()].reduce((a, t) => a + t[key], 0);

describe('foldTypes', () => {
  it('keeps every type when there are at most maxTypes', () => {
    const byType = new Map([
      ['Object', { bytes: 100, objects: 2 }],
      ['Array', { bytes: 50, objects: 1 }],
    ]);
    expect(foldTypes(byType, 2)).toEqual(byType);
  });

  it('keeps the maxTypes - 1 largest and sums the rest into (other)', () => {
    const byType = new Map([
      ['small', { bytes: 1, objects: 1 }],
      ['big', { bytes: 1000, objects: 3 }],
      ['mid', { bytes: 100, objects: 5 }],
      ['tiny', { bytes: 0, objects: 7 }],
    ]);
    const folded = foldTypes(byType, 3);
    expect([...folded.keys()]).toEqual(['big', 'mid', OTHER_TYPE]);
    expect(folded.get(OTHER_TYPE)).toEqual({ bytes: 1, objects: 8 });
  });

  it('breaks ties in bytes by name, so the series do not flap', () => {
    const byType = new Map([
      ['b', { bytes: 10, objects: 1 }],
      ['a', { bytes: 10, objects: 1 }],
      ['c', { bytes: 10, objects: 1 }],
    ]);
    expect([...foldTypes(byType, 2).keys()]).toEqual(['a', OTHER_TYPE]);
  });

  it('cuts overlong type names and merges what collides', () => {
    const long = 'T'.repeat(MAX_TYPE_LABEL_LENGTH + 50);
    const folded = foldTypes(
      new Map([
        [long, { bytes: 5, objects: 1 }],
        [`${long}x`, { bytes: 7, objects: 1 }],
      ]),
      20,
    );
    expect(folded.size).toBe(1);
    const [[label, total]] = [...folded] as [[string, TypeTotal]];
    expect(label.length).toBe(MAX_TYPE_LABEL_LENGTH);
    expect(total).toEqual({ bytes: 12, objects: 2 });
  });

  it('never returns more than maxTypes series and always preserves the totals', () => {
    const entry = fc.tuple(fc.string({ maxLength: 8 }), fc.nat(1e6), fc.nat(1e4));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), fc.integer({ min: 1, max: 25 }), (entries, maxTypes) => {
        const byType = new Map<string, TypeTotal>(entries.map(([t, bytes, objects]) => [t, { bytes, objects }]));
        const folded = foldTypes(byType, maxTypes);
        expect(folded.size).toBeLessThanOrEqual(maxTypes);
        expect(sum(folded, 'bytes')).toBe(sum(byType, 'bytes'));
        expect(sum(folded, 'objects')).toBe(sum(byType, 'objects'));
      }),
    );
  });
});
