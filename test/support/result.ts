import type { ScanResult } from '../../src/index.js';

/** Sum of a result's byType entries, to check that they add up to its totals. */
export function sumByType(result: ScanResult): { bytes: number; objects: number } {
  let bytes = 0;
  let objects = 0;
  for (const total of result.byType.values()) {
    bytes += total.bytes;
    objects += total.objects;
  }
  return { bytes, objects };
}
