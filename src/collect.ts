/**
 * One measuring pass over all registered roots, and the state between passes: the cache that
 * lets concurrent and back-to-back scrapes share one walk, how the time budget is split across
 * roots and levels (the policy itself, pure, is budget.ts), what a truncated root reports, and
 * per-root error counts. The only module that holds time and cache state. It calls user code only
 * through {@link RootEntry.resolve} (root functions) and never throws for a root: a root that fails
 * is reported in its measurement and through `onRootError`, once per root and reason.
 */
import { performance } from 'node:perf_hooks';
import type { ResolvedMemsizeOptions } from './options.js';
import type { RootEntry, RootError, RootErrorReason, RootRegistry } from './roots/registry.js';
import { MIN_WALK_BUDGET_MS, RESERVE_OF_BUDGET, splitBudgetMs, walkNeedMs, walkRank } from './budget.js';
import { FALLBACK_LEVEL, levelGrowth, newPlanState, planNext, type PlanState, type WalkCost } from './plan.js';
import { openSession } from './inspector/session.js';
import { estimationOf, ownEntries, referenceCostMs, samplingLevels, scanEach, warmUpWalker, type RootBudget } from './scan.js';
import type { ScanResult, TypeTotal } from './results.js';
import type { AppliedCorrection } from './verify/correction.js';

/**
 * The measurement of one root in a {@link Collection}: {@link ScanResult}'s fields plus what the
 * metrics need to tell a budget hit or a failure from a change in memory.
 *
 * `bytes`, `objects` and `byType` are what is reported. For a truncated root they are the larger
 * of this walk's figures (a lower bound) and the last complete walk's (see `heldFrom`), so a
 * budget hit never looks like memory being freed. `truncated`, `truncatedBy` and `durationMs`
 * always describe this collection's walk.
 */
export interface RootMeasurement extends ScanResult {
  /** Why this root could not be measured in this collection, else null. When set, the figures are 0 and byType is empty. */
  error: RootError | null;
  /** Collections since `addRoot()` in which this root could not be measured (this one included). */
  errorCount: number;
  /** When the figures are held from an earlier complete walk (this walk was truncated and saw less): that collection's `at`; else null. */
  heldFrom: number | null;
  /** Bytes this collection's walk saw or estimated (equals `bytes` unless held). */
  walkedBytes: number;
  /** Heap things this collection's walk visited (equals `objects` unless held or estimated: an estimate visits a sample). */
  walkedObjects: number;
  /**
   * The time this root's walk was allowed, in milliseconds: its share of `maxMillis` plus its part
   * of what the roots walked before it left unused (0 when it failed before the walk).
   */
  budgetMs: number;
  /**
   * How coarsely the root was walked: 0 exact, 1 and up sampling collections ever smaller (see
   * docs/estimation.md). The collector starts each root at the level its last collection needed.
   */
  samplingLevel: number;
  /** Set when factors from `verify({ calibrate })` scaled the figures (see docs/verify.md). */
  correction?: AppliedCorrection;
}

/** The result of one collection: every root measured in one pass. Shared while cached: treat it as read-only. */
export interface Collection {
  /** `Date.now()` when the collection started. */
  at: number;
  /** How long the collection blocked the event loop (root functions and the walk), in milliseconds. */
  durationMs: number;
  /** Per root, in registration order. Weak roots found collected are not here (see `collected`). */
  roots: Map<string, RootMeasurement>;
  /**
   * Bytes reachable from any measured root, each heap thing counted once (a lower bound while a
   * root is truncated); at least the largest root's `bytes` (see {@link withUnionFloor}).
   */
  unionBytes: number;
  /** Heap things reachable from any measured root, each counted once. */
  unionObjects: number;
  /** Heap things the walk visited, summed over roots (things shared by two roots count twice). */
  walkedObjects: number;
  /** Names of weak roots found garbage-collected during this collection; they were unregistered. */
  collected: string[];
}

/**
 * `collection` with its union raised to at least its largest root's figures. The union counts what
 * this collection's walks saw, each thing once; a root's reported figure can be more: held from
 * its last complete walk while this one was cut, or scaled by a calibration. A union below one of
 * its own roots is a contradiction a dashboard shows (issue 20: 9.23 MB of union under a 10.52 MB
 * root), so the union reports that root's figure as its floor.
 */
export function withUnionFloor(collection: Collection): Collection {
  let bytes = collection.unionBytes;
  let objects = collection.unionObjects;
  for (const root of collection.roots.values()) {
    if (root.error !== null) continue;
    if (root.bytes > bytes) bytes = root.bytes;
    if (root.objects > objects) objects = root.objects;
  }
  if (bytes === collection.unionBytes && objects === collection.unionObjects) return collection;
  return { ...collection, unionBytes: bytes, unionObjects: objects };
}

/** Per-entry state carried from one collection to the next: walk time, level, last complete figures, errors. */
interface RootState extends PlanState {
  lastDurationMs: number;
  lastTruncatedByTime: boolean;
  complete: { at: number; bytes: number; objects: number; byType: Map<string, TypeTotal> } | null;
  errorCount: number;
  reported: Set<RootErrorReason>;
}

/** Called once per root and reason when a root cannot be measured. */
export type RootErrorListener = (name: string, error: RootError) => void;

/** Measures all roots of a registry in one pass, with caching, budget split and truncation hold. */
export class Collector {
  readonly #registry: RootRegistry;
  readonly #options: ResolvedMemsizeOptions;
  readonly #onRootError: RootErrorListener;
  #state = new WeakMap<RootEntry, RootState>();
  #cached: { collection: Collection; monotonicAt: number; generation: number } | null = null;

  /** Per sampling level, how many times more things it walks than the next coarser one (plan.ts). */
  readonly #growth: number[];

  constructor(registry: RootRegistry, options: ResolvedMemsizeOptions, onRootError: RootErrorListener) {
    this.#growth = levelGrowth(samplingLevels(estimationOf(options)));
    // Connecting the inspector session takes milliseconds on cold code: done now, at the user's
    // call, rather than inside the first collection's budget.
    if (options.deep) openSession();
    warmUpWalker(options.deep);
    this.#registry = registry;
    this.#options = options;
    this.#onRootError = onRootError;
  }

  /** The last collection while younger than `cacheMillis` and no root was added or removed since; else a fresh one. */
  collect(): Collection {
    const cached = this.#cached;
    if (
      cached !== null &&
      cached.generation === this.#registry.generation &&
      performance.now() - cached.monotonicAt < this.#options.cacheMillis
    ) {
      return cached.collection;
    }
    return this.collectFresh();
  }

  /** Measure all roots now, ignoring the cache (and refreshing it). */
  collectFresh(): Collection {
    const start = performance.now();
    const at = Date.now();
    // The registry as this collection sees it. A root function may add or remove roots, or shut
    // memsize down, while the collection runs: the result must not be cached as current then.
    const generation = this.#registry.generation;
    const measured: { entry: RootEntry; value: object; state: RootState }[] = [];
    const roots = new Map<string, RootMeasurement>();
    const collected: string[] = [];

    for (const entry of this.#registry.entries()) {
      const state = this.#stateOf(entry);
      const resolveStart = performance.now();
      const resolution = entry.resolve();
      const resolveMs = performance.now() - resolveStart;
      if (resolution.status === 'collected') {
        this.#registry.drop(entry);
        this.#state.delete(entry);
        collected.push(entry.name);
      } else if (resolution.status === 'failed') {
        roots.set(entry.name, this.#failed(entry, state, resolution.error));
      } else if (resolveMs > this.#options.maxMillis) {
        // A root function cannot be interrupted: its time is spent and counts against the
        // budget. The root it returned is not walked on top of that, and it is the one that
        // reports the problem; the other roots are measured with what budget is left.
        const message =
          `the root function took ${resolveMs.toFixed(1)} ms, longer than the whole collection may take ` +
          `(maxMillis: ${this.#options.maxMillis} ms); the root was not walked and the other roots got less time`;
        roots.set(entry.name, this.#failed(entry, state, { reason: 'slow', message }));
      } else {
        roots.set(entry.name, PENDING);
        measured.push({ entry, value: resolution.value, state });
      }
    }

    const resolvedMs = performance.now() - start;
    // Root functions run before the walk and spend from the same budget.
    const walkBudgetMs = Math.max(this.#options.maxMillis * (1 - RESERVE_OF_BUDGET) - resolvedMs, MIN_WALK_BUDGET_MS);
    // A root trying a finer sampling level needs more than its last walk took: as much as it can get.
    const needs = measured.map(({ state }) => walkNeedMs(state.lastDurationMs, state.lastTruncatedByTime, this.#options.maxMillis));
    // Among the roots with no prediction (new, or cut last time), the ones holding fewer entries
    // are walked first, so that what they leave unused reaches the large collections walked last
    // (counted cheaply: the root's own size when it is a Map, Set or array).
    const entries = measured.map(({ value }) => ownEntries(value));
    const shares = splitBudgetMs(needs, walkBudgetMs);
    // The roots expected to complete first, and the ones that ran out of time last, in
    // registration order: what the others leave unused goes to those, walked last. Among the
    // first, the largest goes first: the first root's visited set doubles as the union's, so its
    // walk does one set operation per thing instead of two.
    const order = measured
      .map((_, i) => i)
      .sort((a, b) => (Number.isFinite(needs[a]!) || Number.isFinite(needs[b]!) ? 0 : entries[a]! - entries[b]!) || walkRank(needs, a, b));
    const { results, budgetsMs, levels, costs, unionBytes, unionObjects } = scanEach(
      order.map((i) => measured[i]!.value),
      order.map((i): RootBudget => {
        const { state } = measured[i]!;
        // A new root that is itself a collection above sampleThreshold: a first walk at level 1
        // (samples of 4,096 entries, on cold code) seldom fits, and its redo then has too little
        // time left. It starts at FALLBACK_LEVEL instead (samples of up to 512, sized to the time
        // left), planned finer later. A smaller collection starts at level 1, exact: starting it at
        // level 3 too (from 1,024 entries) made a 2,000-item array's first collection an estimate
        // where the exact walk fitted (test/report/snapshot-actions, test/e2e/browser).
        const fresh = state.lastDurationMs === 0 && Number.isNaN(state.perThingMs);
        if (fresh && entries[i]! > this.#options.sampleThreshold) state.level = Math.max(state.level, FALLBACK_LEVEL);
        return { maxObjects: this.#options.maxObjects, maxMillis: shares[i]!, startLevel: state.level };
      }),
      {
        shareUnusedTime: true,
        // What no root's expected need claims is kept for a root that turns out to need more
        // (it grew since its last walk): it is spent only if such a root falls back to sampling.
        spareMs: Math.max(walkBudgetMs - shares.reduce((sum, share) => sum + share, 0), 0),
        estimation: estimationOf(this.#options),
        finalWalkExtraShare: RESERVE_OF_BUDGET,
        deep: this.#options.deep,
      },
    );

    let walkedObjects = 0;
    order.forEach((i, k) => {
      const { entry, state } = measured[i]!;
      const result = results[k]!;
      walkedObjects += result.visitedObjects;
      roots.set(entry.name, this.#measured(result, state, at, budgetsMs[k]!, levels[k]!, costs[k]!));
    });
    const collection: Collection = withUnionFloor({
      at,
      durationMs: performance.now() - start,
      roots,
      unionBytes,
      unionObjects,
      walkedObjects,
      collected,
    });
    this.#cached = { collection, monotonicAt: performance.now(), generation };
    return collection;
  }

  /** Forget the cached collection and every root's state (shutdown). */
  reset(): void {
    this.#cached = null;
    this.#state = new WeakMap();
  }

  /**
   * Forget a removed root's state now rather than when GC clears it: V8 does not shrink a
   * WeakMap's table for entries the GC clears, only for deleted ones (100,000 roots added and
   * removed between two full GCs left a 1 MB table behind).
   */
  forget(entry: RootEntry): void {
    this.#state.delete(entry);
  }

  #stateOf(entry: RootEntry): RootState {
    let state = this.#state.get(entry);
    if (state === undefined) {
      state = {
        lastDurationMs: 0,
        lastTruncatedByTime: true,
        complete: null,
        errorCount: 0,
        reported: new Set(),
        ...newPlanState(),
      };
      this.#state.set(entry, state);
    }
    return state;
  }

  #failed(entry: RootEntry, state: RootState, error: RootError): RootMeasurement {
    state.errorCount++;
    if (!state.reported.has(error.reason)) {
      state.reported.add(error.reason);
      try {
        this.#onRootError(entry.name, error);
      } catch {
        // A logger that throws must not break the collection.
      }
    }
    return { ...emptyMeasurement(), error, errorCount: state.errorCount };
  }

  #measured(result: ScanResult, state: RootState, at: number, budgetMs: number, level: number, cost: WalkCost): RootMeasurement {
    state.lastDurationMs = result.durationMs;
    state.lastTruncatedByTime = result.truncatedBy === 'maxMillis';
    planNext(state, state.level, cost, budgetMs, this.#growth, referenceCostMs());
    const base = {
      truncated: result.truncated,
      truncatedBy: result.truncatedBy,
      durationMs: result.durationMs,
      estimated: result.estimated,
      bytesError: result.bytesError,
      objectsError: result.objectsError,
      sampledCollections: result.sampledCollections,
      visitedObjects: result.visitedObjects,
      hidden: result.hidden,
      samplingLevel: level,
      error: null,
      errorCount: state.errorCount,
      walkedBytes: result.bytes,
      walkedObjects: result.visitedObjects,
      budgetMs,
    };
    if (!result.truncated) {
      state.complete = { at, bytes: result.bytes, objects: result.objects, byType: result.byType };
      return { ...base, bytes: result.bytes, objects: result.objects, byType: result.byType, heldFrom: null };
    }
    const complete = state.complete;
    if (complete !== null && complete.bytes > result.bytes) {
      return { ...base, bytes: complete.bytes, objects: complete.objects, byType: complete.byType, heldFrom: complete.at };
    }
    return { ...base, bytes: result.bytes, objects: result.objects, byType: result.byType, heldFrom: null };
  }
}

/** A measurement with no figures: the base of a failed root's, and the pending placeholder. */
function emptyMeasurement(): RootMeasurement {
  return {
    bytes: 0,
    objects: 0,
    byType: new Map(),
    truncated: false,
    truncatedBy: null,
    durationMs: 0,
    estimated: false,
    bytesError: 0,
    objectsError: 0,
    sampledCollections: 0,
    visitedObjects: 0,
    hidden: 'off',
    samplingLevel: 0,
    error: null,
    errorCount: 0,
    heldFrom: null,
    walkedBytes: 0,
    walkedObjects: 0,
    budgetMs: 0,
  };
}

/** Placeholder keeping a measured root's place in registration order until its walk result is in. */
const PENDING: RootMeasurement = Object.freeze(emptyMeasurement());
