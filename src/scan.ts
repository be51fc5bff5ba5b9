/**
 * One measuring pass: walk → size → tally, composed. `scan` measures one root; `scanEach`
 * measures several in one pass, each with its own budget, and the union of all.
 * Never throws for any root (options are validated before anything runs).
 */
import { resolveScanOptions, type ResolvedPathOptions, type ScanOptions } from './options.js';
import type { HiddenStatus, PathTotal, ScanResult, TypeTotal } from './results.js';
import { unavailableReason } from './inspector/session.js';
import { types } from 'node:util';
import { attemptMs, FALLBACK_LEVEL, fallbackLevel, perThingOf, SMALL_WALK, type WalkCost } from './plan.js';
import { mapSize, setSize } from './walk/primordials.js';
import type { Budget } from './walk/limits.js';
import { PathTable, ROOT_PATH } from './walk/paths.js';
import { EXACT, Walker, type Sampling, type WalkOutcome } from './walk/walk.js';
import { freshSeed, Z95 } from './walk/sample.js';
import { RootTally, type UnionTally } from './size/tally.js';

/** A root's budget in a pass, and the sampling level to start from (see {@link samplingLevels}). */
export interface RootBudget extends Budget {
  readonly startLevel?: number;
}

/** How a pass may estimate: `null` in {@link ScanEachOptions.estimation} means exact or truncated. */
export interface Estimation {
  /** Collections with more entries than this are sampled at the first estimating level. */
  readonly sampleThreshold: number;
  /** Entries per sampled collection at the first estimating level. */
  readonly sampleSize: number;
  /** Seed of the first walk's sample; later walks of the pass use the next ones. Fresh when undefined. */
  readonly seed: number | undefined;
}

/**
 * The walks a root may get, from exact to the most aggressive sampling. Level 0 is exact; levels 1
 * to 3 sample collections 8 times smaller with samples 8 times smaller each, so nested collections
 * (a Map of a thousand Maps of a thousand entries) come within reach of a sample. Large outermost
 * collections (met outside any sample, above the second estimating level's threshold) keep that
 * level's sample (512 entries by default) at level 3: at 64 entries a sample of records that
 * repeat names from a vocabulary of thousands almost never meets a name twice, and cannot tell
 * that vocabulary from a name per record (a plain-object cache of 240,000 profiles read +18% at
 * 64, within 1% at 512; test/estimate-growth.test.ts). Levels 4 and 5 shrink that outermost sample
 * (128, then 32 entries) and keep level 3's nested samples (smaller nested samples of values
 * shared across entries read +26% to +60% of the exact walk here): they are for roots whose entries each cost far more than a few heap
 * things, such as closures or `#private` fields read through the inspector (plan.ts chooses them
 * only when the others are predicted not to fit).
 */
export function samplingLevels(estimation: Estimation | null): Sampling[] {
  if (estimation === null) return [EXACT];
  const t = estimation.sampleThreshold;
  const k = estimation.sampleSize;
  const level = (threshold: number, size: number, outerThreshold: number, outerSize: number): Sampling => ({
    threshold: Math.max(MIN_THRESHOLD, Math.floor(threshold)),
    size: Math.max(MIN_SAMPLE, Math.floor(size)),
    outerThreshold: Math.max(MIN_THRESHOLD, Math.floor(outerThreshold)),
    outerSize: Math.max(MIN_SAMPLE, Math.floor(outerSize)),
    seed: 0,
  });
  const F = LEVEL_FACTOR;
  return [
    EXACT,
    level(t, k, t, k),
    level(t / F, k / F, t / F, k / F),
    level(t / F ** 2, k / F ** 2, t / F, k / F),
    level(t / F ** 2, k / F ** 2, t / F, k / (4 * F)),
    level(t / F ** 2, k / F ** 2, t / (4 * F), k / (16 * F)),
  ];
}
const LEVEL_FACTOR = 8;
const MIN_THRESHOLD = 64;
const MIN_SAMPLE = 32;

export interface ScanEachOptions {
  /** Attribute bytes to property paths (what `scan()` does with its `paths` option). */
  paths?: ResolvedPathOptions | null;
  /** Sample large collections (and walk more coarsely when a walk does not fit); null: exact or truncated. */
  estimation?: Estimation | null;
  /**
   * Pass the time a root leaves unused on to the roots after it, in equal parts: each root's
   * walk may take its own `maxMillis` plus its part of what the roots before it did not use (or
   * less, when they overran). The walks together stay within the sum of the budgets, give or
   * take one clock stride per root. Give first the roots expected to finish within their time,
   * so that what they leave reaches the ones that need more.
   */
  shareUnusedTime?: boolean;
  /** With shareUnusedTime: time in no root's budget, passed on like time a root left unused. */
  spareMs?: number;
  /**
   * A root's final walk (at the coarsest level, or its only one) may run this share of the root's
   * budget past its deadline before it is cut (default 0). The collector keeps that share of
   * `maxMillis` in reserve for it (budget.ts RESERVE_OF_BUDGET).
   */
  finalWalkExtraShare?: number;
  /** Read `#private` fields, closure scopes and WeakMap entries through the inspector (the `deep` option). */
  deep?: boolean;
}

export interface ScanEachResult {
  results: ScanResult[];
  /** The time each root's walk was allowed, in milliseconds (its `maxMillis`, plus or minus what it inherited). */
  budgetsMs: number[];
  /** The sampling level each root's reported walk used (0: exact; see {@link samplingLevels}). */
  levels: number[];
  /** Per root, what its reported walk cost (plan.ts plans the next walk from it). */
  costs: WalkCost[];
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
  return scanEach([root], [resolved], { paths: resolved.paths, estimation: estimationOf(resolved), deep: resolved.deep }).results[0]!;
}

/**
 * Entries of `value` when it is itself a Map, a Set or an array, else 0; read through captured
 * built-ins (a Proxy counts as 0: its traps are user code).
 */
export function ownEntries(value: unknown): number {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return 0;
  if (types.isMap(value)) return mapSize(value) as number;
  if (types.isSet(value)) return setSize(value);
  return Array.isArray(value) ? value.length : 0;
}

/** The estimation settings of resolved options (null when estimation is off). */
export function estimationOf(options: {
  readonly estimate: boolean;
  readonly sampleThreshold: number;
  readonly sampleSize: number;
  readonly seed?: number | undefined;
}): Estimation | null {
  if (!options.estimate) return null;
  return { sampleThreshold: options.sampleThreshold, sampleSize: options.sampleSize, seed: options.seed };
}

const walker = new Walker();

/**
 * The lowest cost per heap thing, in ms, of any walk of SMALL_WALK things or more that finished in
 * this process (warm code, nothing read through the inspector): what the planner takes for a
 * small walk whose fixed costs hide its own (plan.ts smallWalkCost). Infinity until one ran.
 */
let referencePerThingMs = Infinity;
/** See {@link referencePerThingMs}. */
export function referenceCostMs(): number {
  return referencePerThingMs;
}

/**
 * Measure several roots in one pass. Each root's figures stand alone (a thing two roots share
 * counts in both); the union counts it once. Budgets apply per root.
 * Internal: the metrics collector uses it. Budgets are not validated here.
 */
export function scanEach(roots: readonly unknown[], budgets: readonly RootBudget[], options: ScanEachOptions = {}): ScanEachResult {
  const paths = options.paths ?? null;
  const estimation = options.estimation ?? null;
  const levels = samplingLevels(estimation);
  let seed = estimation?.seed ?? freshSeed();
  const finalWalkExtraShare = options.finalWalkExtraShare ?? 0;
  const union: UnionTally = { bytes: 0, objects: 0 };
  const results: ScanResult[] = [];
  const budgetsMs: number[] = [];
  const levelsUsed: number[] = [];
  const costs: WalkCost[] = [];
  // Time the roots walked so far left unused (negative when they overran), shared by the rest.
  let unusedMs = options.spareMs ?? 0;
  const deep = options.deep === true;
  walker.deep = deep;
  try {
    for (let i = 0; i < roots.length; i++) {
      let budget = budgets[i]!;
      if (options.shareUnusedTime === true) {
        budget = { maxObjects: budget.maxObjects, maxMillis: Math.max(budget.maxMillis + unusedMs / (roots.length - i), 0) };
      }
      const start = Math.min(Math.max(budgets[i]!.startLevel ?? 0, 0), levels.length - 1);
      const { result, level, nextSeed, gatherMs, shrunk } = scanOne(roots[i], budget, union, paths, levels, start, budget.maxMillis * finalWalkExtraShare, seed);
      seed = nextSeed;
      unusedMs += budgets[i]!.maxMillis - result.durationMs;
      results.push(result);
      budgetsMs.push(budget.maxMillis);
      levelsUsed.push(level);
      const cost: WalkCost = {
        level,
        truncated: result.truncated,
        estimated: result.estimated,
        durationMs: result.durationMs,
        gatherMs,
        shrunk,
        visited: result.visitedObjects,
        objects: result.objects,
      };
      costs.push(cost);
      if (!cost.truncated && cost.visited >= SMALL_WALK) referencePerThingMs = Math.min(referencePerThingMs, perThingOf(cost));
    }
  } finally {
    walker.deep = false;
    walker.reset();
  }
  // Known once the first walk opened the session (or failed to).
  const hidden: HiddenStatus = deep ? (unavailableReason() ?? 'on') : 'off';
  for (let i = 0; i < results.length; i++) results[i]!.hidden = hidden;
  return { results, budgetsMs, levels: levelsUsed, costs, unionBytes: Math.round(union.bytes), unionObjects: Math.round(union.objects) };
}

/**
 * Walk a small structure of memsize's own once per process, at the first createMemsize(): the
 * first walk through each of the walker's paths (a Map, an array, a class instance, a `#private`
 * field and a closure read through the inspector) runs code V8 has not compiled yet, 6-7 ms for
 * this structure against under 1 ms warm (Node 20.20.2). Paid at the user's call rather than
 * inside the first collection's budget (collect.ts, the Collector's constructor). Its figures are
 * dropped.
 */
let warmedUp = false;
export function warmUpWalker(deep: boolean): void {
  if (warmedUp) return;
  warmedUp = true;
  class WarmUp {
    readonly #entries = new Map<string, number[]>();
    constructor() {
      for (let i = 0; i < 64; i++) this.#entries.set(`k${i}`, [i, i + 0.5]);
    }
    size(): number {
      return this.#entries.size;
    }
  }
  const held = [1, 2, 3];
  const structure = { instance: new WarmUp(), list: Array.from({ length: 64 }, (_, i) => ({ i, s: `v${i}` })), read: () => held };
  // A Map of Maps past the sampling thresholds of FALLBACK_LEVEL, where a new root starts: the
  // sampling paths (gathering, an outermost sample sized to the time left, nested samples).
  const leaves = Array.from({ length: 8 }, (_, j) => ({ k: `k${j}`, list: [j] }));
  const nested = new Map<number, Map<number, object>>();
  for (let i = 0; i < 200; i++) {
    const inner = new Map<number, object>();
    for (let j = 0; j < 140; j++) inner.set(j, leaves[j & 7]!);
    nested.set(i, inner);
  }
  try {
    scanEach([structure], [{ maxObjects: 100_000, maxMillis: 50 }], { deep });
    const estimation = { sampleThreshold: 8192, sampleSize: 4096, seed: 1 };
    scanEach([nested], [{ maxObjects: 1_000_000, maxMillis: 50, startLevel: FALLBACK_LEVEL }], { estimation });
  } catch {
    // Only a warm-up: a failure here changes nothing.
  }
}

/**
 * Measure one root: walk at `startLevel`; if the walk hits a budget and a more aggressive level
 * exists, walk again at the coarsest level with the time left; the final walk may run
 * `finalExtraMs` past the deadline (budget.ts attemptMs). Truncation is what remains when even
 * the last level does not fit.
 */
function scanOne(
  root: unknown,
  budget: Budget,
  union: UnionTally,
  paths: ResolvedPathOptions | null,
  levels: readonly Sampling[],
  startLevel: number,
  finalExtraMs: number,
  seed: number,
): { result: ScanResult; level: number; nextSeed: number; gatherMs: number; shrunk: boolean } {
  const startedAt = performance.now();
  const deadline = startedAt + budget.maxMillis;
  const unionBefore = { bytes: union.bytes, objects: union.objects };
  const coarsest = levels.length - 1;
  // A walk cut by its budget is walked again at FALLBACK_LEVEL (plan.ts fallbackLevel) with all
  // the time left and the reserve; a walk that may be redone gets TRY_SHARE of the time left
  // (plan.ts attemptMs).
  let level = startLevel;
  let first = true;
  let tally: RootTally;
  let table: PathTable | null;
  let outcome: WalkOutcome | null = null;
  for (;;) {
    const now = performance.now();
    // A redo is final: a walk cut twice in one collection reports what it has. Level 3 and coarser
    // sample every large collection down to a few thousand things: from there the walk gets all
    // the time left. (A walk at level 3 that kept a fifth of its time for a redo at the coarsest
    // level was cut at 5 million sessions: the redo gathers its sample from the Map again, 120 ms.)
    const last = level === coarsest || !first || level >= FALLBACK_LEVEL;
    const attempt: Budget = { maxObjects: budget.maxObjects, maxMillis: attemptMs(deadline - now, finalExtraMs, last) };
    const sampling: Sampling = { ...levels[level]!, seed: seed >>> 0 };
    seed = (seed + 0x9e3779b9) >>> 0;
    tally = new RootTally(union, paths !== null);
    table = paths === null ? null : new PathTable(paths.depth);
    walker.paths = table;
    walker.pathKeys = paths !== null && paths.keys;
    try {
      outcome = first
        ? walker.walkRoot(root, attempt, tally, now, sampling, !last)
        : walker.redoRoot(root, attempt, tally, now, sampling, !last);
    } catch {
      // Unreachable by design (every step that could throw is guarded); should it happen anyway,
      // the figures so far stand and are marked partial rather than thrown into the host.
      outcome = null;
    } finally {
      walker.paths = null;
    }
    if (outcome === null || outcome.truncatedBy === null || last) break;
    union.bytes = unionBefore.bytes;
    union.objects = unionBefore.objects;
    first = false;
    // The collector plans finer levels again from what the last walk measures (plan.ts planNext).
    level = fallbackLevel(level, coarsest);
  }
  const truncatedBy: ScanResult['truncatedBy'] = outcome === null ? 'maxObjects' : outcome.truncatedBy;
  const sampledCollections = outcome === null ? 0 : outcome.sampledCollections;
  const estimated = sampledCollections > 0;
  let bytesError = estimated ? Z95 * Math.sqrt(outcome!.varianceBytes) : 0;
  let objectsError = estimated ? Z95 * Math.sqrt(outcome!.varianceObjects) : 0;
  if (estimated && truncatedBy !== null) {
    // A cut estimate is a lower bound of unknown distance: it never claims an interval narrower
    // than its own size (issue 20: a cut Map reported 2.1-9.4 MB of 11 with an interval of 0).
    bytesError = Math.max(bytesError, tally.bytes);
    objectsError = Math.max(objectsError, tally.objects);
  }
  const byType = estimated ? estimatedTypes(tally, bytesError, objectsError) : tally.byType;
  // Weighted figures are fractional: the totals are the sums of the rounded per-type figures, so
  // that byType adds up to them exactly (as it does for an exact walk).
  let bytes = Math.round(tally.bytes);
  let objects = Math.round(tally.objects);
  if (estimated) {
    bytes = 0;
    objects = 0;
    for (const total of byType.values()) {
      bytes += total.bytes;
      objects += total.objects;
    }
  }
  const result: ScanResult = {
    bytes,
    objects,
    byType,
    truncated: truncatedBy !== null,
    truncatedBy,
    durationMs: performance.now() - startedAt,
    estimated,
    bytesError: Math.round(bytesError),
    objectsError: Math.round(objectsError),
    sampledCollections,
    visitedObjects: Math.round(tally.visitedThings),
    hidden: 'off',
  };
  if (table !== null && paths !== null) result.paths = topPaths(table, tally, paths.top);
  return { result, level, nextSeed: seed, gatherMs: outcome === null ? 0 : outcome.gatherMs, shrunk: outcome !== null && outcome.shrunk };
}

/**
 * Per-type figures of an estimate, rounded, each with its share of the root's interval: a type's
 * half-width is the root's in proportion to the type's extrapolated part (what it counted from
 * samples). An approximation: it takes the sampling error to be spread evenly over what was
 * extrapolated.
 */
function estimatedTypes(tally: RootTally, bytesError: number, objectsError: number): Map<string, TypeTotal> {
  const out = new Map<string, TypeTotal>();
  const extrapolatedBytes = tally.extrapolatedBytes;
  const extrapolatedObjects = tally.extrapolatedObjects;
  for (const [type, total] of tally.byType) {
    const part = tally.extrapolatedByType.get(type);
    out.set(type, {
      bytes: Math.round(total.bytes),
      objects: Math.round(total.objects),
      bytesError: part === undefined || extrapolatedBytes === 0 ? 0 : Math.round((bytesError * part.bytes) / extrapolatedBytes),
      objectsError: part === undefined || extrapolatedObjects === 0 ? 0 : Math.round((objectsError * part.objects) / extrapolatedObjects),
    });
  }
  return out;
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

