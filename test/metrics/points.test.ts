import fc from 'fast-check';
import { propertyParams } from '../support/property.js';
import { describe, expect, it } from 'vitest';
import type { Collection, RootMeasurement } from '../../src/collect.js';
import { OTHER_TYPE, ROOT_BYTES, ROOT_BYTES_ERROR, ROOT_CORRECTION, ROOT_ESTIMATED, UNION_BYTES, WALK_DURATION, WALK_ERRORS } from '../../src/metrics/names.js';
import { collectionPoints, foldTypes, MAX_TYPE_LABEL_LENGTH } from '../../src/metrics/points.js';
import type { TypeTotal } from '../../src/results.js';

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
      propertyParams(),
    );
  });
});

describe('collectionPoints', () => {
  const measurement = (bytes: number, extra: Partial<RootMeasurement> = {}): RootMeasurement => ({
    bytes,
    objects: 3,
    byType: new Map([['Object', { bytes, objects: 3 }]]),
    truncated: false,
    truncatedBy: null,
    durationMs: 1,
    error: null,
    errorCount: 0,
    heldFrom: null,
    walkedBytes: bytes,
    walkedObjects: 3,
    budgetMs: 10,
    estimated: false,
    bytesError: 0,
    objectsError: 0,
    sampledCollections: 0,
    visitedObjects: 3,
    hidden: 'on',
    samplingLevel: 1,
    ...extra,
  });
  const collection = (roots: [string, RootMeasurement][]): Collection => ({
    at: 0,
    durationMs: 12.5,
    roots: new Map(roots),
    unionBytes: 100.6,
    unionObjects: 3,
    walkedObjects: 3,
    collected: [],
  });

  it('rounds integer instruments and keeps the duration in seconds', () => {
    const points = collectionPoints(collection([['a', measurement(99.5)]]), 20);
    expect(points.find((p) => p.metric === ROOT_BYTES)?.value).toBe(100);
    expect(points.find((p) => p.metric === UNION_BYTES)?.value).toBe(101);
    expect(points.find((p) => p.metric === WALK_DURATION)?.value).toBe(0.0125);
  });

  it('reports only the error count of a failed root', () => {
    const failed = measurement(0, { error: { reason: 'threw', message: 'x' }, errorCount: 2 });
    const points = collectionPoints(collection([['bad', failed]]), 20).filter((p) => p.attributes.root === 'bad');
    expect(points.map((p) => [p.metric, p.value])).toEqual([[WALK_ERRORS, 2]]);
  });

  it('reports an estimate and its relative interval, and a correction only where one is applied', () => {
    const estimated = measurement(2000, { estimated: true, bytesError: 100 });
    const corrected = measurement(1000, { correction: { applied: true, checkedAt: 0, uncorrectedBytes: 800, ratio: 1.25 } });
    const points = collectionPoints(collection([['e', estimated], ['c', corrected]]), 20);
    const value = (metric: unknown, root: string) => points.find((p) => p.metric === metric && p.attributes.root === root)?.value;
    expect([value(ROOT_ESTIMATED, 'e'), value(ROOT_BYTES_ERROR, 'e'), value(ROOT_CORRECTION, 'e')]).toEqual([1, 0.05, undefined]);
    expect([value(ROOT_ESTIMATED, 'c'), value(ROOT_BYTES_ERROR, 'c'), value(ROOT_CORRECTION, 'c')]).toEqual([0, 0, 1.25]);
  });

  it('leaves out non-finite figures', () => {
    const points = collectionPoints(collection([['a', measurement(Number.NaN)]]), 20);
    expect(points.some((p) => p.metric === ROOT_BYTES)).toBe(false);
  });
});
