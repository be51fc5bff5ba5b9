import { describe, expect, it } from 'vitest';
import { diffScans } from '../../src/report/diff.js';
import { result } from './fixtures.js';

describe('diffScans', () => {
  it('reports growth as positive and shrinkage as negative, per type and in total', () => {
    const before = result({ Entry: [1000, 10], string: [500, 20], Map: [200, 1] });
    const after = result({ Entry: [3000, 30], string: [400, 16], Map: [200, 1] });
    const diff = diffScans(before, after);
    expect(diff.bytes).toBe(after.bytes - before.bytes);
    expect(diff.objects).toBe(after.objects - before.objects);
    expect(diff.types).toEqual([
      { type: 'Entry', bytes: 2000, objects: 20, bytesBefore: 1000, bytesAfter: 3000, objectsBefore: 10, objectsAfter: 30 },
      { type: 'string', bytes: -100, objects: -4, bytesBefore: 500, bytesAfter: 400, objectsBefore: 20, objectsAfter: 16 },
    ]);
  });

  it('counts a type present in one scan only as zero in the other', () => {
    const diff = diffScans(result({ Old: [64, 2] }), result({ New: [128, 4] }));
    expect(diff.types.map((t) => [t.type, t.bytes, t.objects])).toEqual([
      ['New', 128, 4],
      ['Old', -64, -2],
    ]);
  });

  it('leaves unchanged types out and orders by absolute byte change, then objects, then name', () => {
    const diff = diffScans(
      result({ A: [10, 1], B: [10, 1], C: [10, 1], D: [10, 1] }),
      result({ A: [20, 1], B: [0, 1], C: [10, 1], D: [10, 3] }),
    );
    expect(diff.types.map((t) => t.type)).toEqual(['A', 'B', 'D']);
  });

  it('flags the diff when either scan was truncated', () => {
    const full = result({ A: [10, 1] });
    const cut = result({ A: [5, 1] }, { truncated: true, truncatedBy: 'maxObjects' });
    expect(diffScans(full, full).truncated).toBe(false);
    expect(diffScans(full, cut).truncated).toBe(true);
    expect(diffScans(cut, full).truncated).toBe(true);
  });
});
