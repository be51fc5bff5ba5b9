// TEMPORARY STUB (being replaced by the real walk in this same session): same signatures.
import { resolveScanOptions, type ScanOptions } from './options.js';
import type { ScanResult } from './snapshot.js';

export interface RootBudget { maxObjects: number; maxMillis: number }
export interface ScanEachResult { results: ScanResult[]; unionBytes: number; unionObjects: number }

export function scan(root: unknown, options?: ScanOptions): ScanResult {
  resolveScanOptions(options);
  const isObj = (typeof root === 'object' && root !== null) || typeof root === 'function';
  return { bytes: isObj ? 24 : 0, objects: isObj ? 1 : 0, byType: new Map(isObj ? [['Object', { bytes: 24, objects: 1 }]] : []), truncated: false, truncatedBy: null, durationMs: 0 };
}

/** Internal: measure several roots in one pass, each with its own budget; the union counts shared things once. */
export function scanEach(roots: readonly unknown[], budgets: readonly RootBudget[]): ScanEachResult {
  const results = roots.map((r, i) => scan(r, budgets[i]));
  return { results, unionBytes: results.reduce((a, r) => a + r.bytes, 0), unionObjects: results.reduce((a, r) => a + r.objects, 0) };
}
