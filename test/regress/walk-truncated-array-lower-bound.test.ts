// Regression: a walk stopped by its budget inside an array described the array by the elements
// seen so far: fewer present than its length read as "mostly holes", and the size model priced
// a NumberDictionary bigger than the array's real store, so a truncated result (documented as a
// lower bound) showed more bytes than the complete walk (1616 vs 880 bytes). Found by
// test/walk/walk.property.test.ts on Node 22 (seed 315336214); fixed in src/walk/edges.ts (a cut
// array is described by what was seen, tightly packed).
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: a walk cut inside an array', () => {
  it('reports at most what the complete walk reports, whatever the cut', () => {
    const arr: unknown[] = new Array(104);
    for (let k = 0; k < arr.length; k += 2) arr[k] = k % 6 === 0 ? { k } : k + 0.5;
    arr[44] = 'a string admitted while the array is expanded';
    const full = scan(arr);
    expect(full.truncated).toBe(false);
    for (let maxObjects = 1; maxObjects < full.objects; maxObjects++) {
      const cut = scan(arr, { maxObjects, estimate: false });
      expect(cut.bytes, `maxObjects ${maxObjects}`).toBeLessThanOrEqual(full.bytes);
      for (const [type, total] of cut.byType) expect(total.bytes, `${type} at maxObjects ${maxObjects}`).toBeLessThanOrEqual(full.byType.get(type)!.bytes);
    }
  });
});
