/**
 * One measuring pass: walk → size → tally, composed. `scan` measures one root; `scanEach`
 * measures several in one pass, each with its own budget, and the union of all.
 * Never throws for any root (options are validated before anything runs).
 */
import { resolveScanOptions, type ResolvedPathOptions, type ScanOptions } from './options.js';
import type { PathTotal, ScanResult } from './snapshot.js';
import type { Budget } from './walk/limits.js';
import { PathTable, ROOT_PATH } from './walk/paths.js';
import { Walker } from './walk/walk.js';
import { RootTally, type UnionTally } from './size/tally.js';

export type RootBudget = Budget;

export interface ScanEachOptions {
  /** Attribute bytes to property paths (what `scan()` does with its `paths` option). */
  paths?: ResolvedPathOptions | null;
  /**
   * Pass the time a root leaves unused on to the roots after it, in equal parts: each root's
   * walk may take its own `maxMillis` plus its part of what the roots before it did not use (or
   * less, when they overran). The walks together stay within the sum of the budgets, give or
   * take one clock stride per root. Give first the roots expected to finish within their time,
   * so that what they leave reaches the ones that need more.
   */
  shareUnusedTime?: boolean;
}

export interface ScanEachResult {
  results: ScanResult[];
  /** The time each root's walk was allowed, in milliseconds (its `maxMillis`, plus or minus what it inherited). */
  budgetsMs: number[];
  /** Bytes reachable from any of the roots, each thing counted once. */
  unionBytes: number;
  unionObjects: number;
}

/**
 * Measure everything reachable from `root`: estimated retained V8 bytes and heap things, per type.
 *
 * Never runs user code (getters, Proxy traps, iterators), never throws for any root, never
 * recurses, and stops at `maxObjects` or `maxMillis` with `truncated: true`.
 *
 * @param root any value: an object, a primitive, a Proxy (counted as itself, not entered)
 * @param options budgets and optional path attribution
 * @returns totals and a per-type breakdown; `bytes` is an estimate of the retained size
 * @throws {MemsizeError} `ERR_MEMSIZE_INVALID_OPTION` when an option is invalid
 * @example
 * const result = scan(cache);
 * console.log(formatReport(result));
 */
export function scan(root: unknown, options?: ScanOptions): ScanResult {
  const resolved = resolveScanOptions(options);
  return scanEach([root], [resolved], { paths: resolved.paths }).results[0]!;
}

const walker = new Walker();

/**
 * Measure several roots in one pass. Each root's figures stand alone (a thing two roots share
 * counts in both); the union counts it once. Budgets apply per root.
 * Internal: the metrics collector uses it. Budgets are not validated here.
 */
export function scanEach(roots: readonly unknown[], budgets: readonly Budget[], options: ScanEachOptions = {}): ScanEachResult {
  const paths = options.paths ?? null;
  const union: UnionTally = { bytes: 0, objects: 0 };
  const results: ScanResult[] = [];
  const budgetsMs: number[] = [];
  // Time the roots walked so far left unused (negative when they overran), shared by the rest.
  let unusedMs = 0;
  try {
    for (let i = 0; i < roots.length; i++) {
      let budget = budgets[i]!;
      if (options.shareUnusedTime === true) {
        budget = { maxObjects: budget.maxObjects, maxMillis: Math.max(budget.maxMillis + unusedMs / (roots.length - i), 0) };
      }
      const result = scanOne(roots[i], budget, union, paths);
      unusedMs += budgets[i]!.maxMillis - result.durationMs;
      results.push(result);
      budgetsMs.push(budget.maxMillis);
    }
  } finally {
    walker.reset();
  }
  return { results, budgetsMs, unionBytes: union.bytes, unionObjects: union.objects };
}

function scanOne(root: unknown, budget: Budget, union: UnionTally, paths: ResolvedPathOptions | null): ScanResult {
  const startedAt = performance.now();
  const tally = new RootTally(union, paths !== null);
  const table = paths === null ? null : new PathTable(paths.depth);
  walker.paths = table;
  walker.pathKeys = paths !== null && paths.keys;
  let truncatedBy: ScanResult['truncatedBy'] = null;
  try {
    truncatedBy = walker.walkRoot(root, budget, tally, startedAt).truncatedBy;
  } catch {
    // Unreachable by design (every step that could throw is guarded); should it happen anyway,
    // the figures so far stand and are marked partial rather than thrown into the host.
    truncatedBy = 'maxObjects';
  } finally {
    walker.paths = null;
  }
  const result: ScanResult = {
    bytes: tally.bytes,
    objects: tally.objects,
    byType: tally.byType,
    truncated: truncatedBy !== null,
    truncatedBy,
    durationMs: performance.now() - startedAt,
  };
  if (table !== null && paths !== null) result.paths = topPaths(table, tally, paths.top);
  return result;
}

/** Inclusive totals per path (a path includes everything under it), largest first, root excluded. */
function topPaths(table: PathTable, tally: RootTally, top: number): PathTotal[] {
  const n = table.size;
  const bytes = new Float64Array(n);
  const objects = new Float64Array(n);
  for (let id = 0; id < n; id++) {
    bytes[id] = tally.pathBytes[id] ?? 0;
    objects[id] = tally.pathObjects[id] ?? 0;
  }
  // Children always have larger ids than their parents: one backward sweep accumulates.
  for (let id = n - 1; id > ROOT_PATH; id--) {
    const parent = table.parentOf(id);
    bytes[parent]! += bytes[id]!;
    objects[parent]! += objects[id]!;
  }
  const ids: number[] = [];
  for (let id = ROOT_PATH + 1; id < n; id++) if (bytes[id]! > 0) ids.push(id);
  ids.sort((a, b) => bytes[b]! - bytes[a]!);
  return ids.slice(0, top).map((id) => ({ path: table.format(id, 'root'), bytes: bytes[id]!, objects: objects[id]! }));
}

