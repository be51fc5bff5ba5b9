/**
 * One measuring pass over all registered roots, and the state between passes: the cache that
 * lets concurrent and back-to-back scrapes share one walk, how the time budget is split across
 * roots, what a truncated root reports, and per-root error counts. The only module that holds
 * time and cache state. It calls user code only through {@link RootEntry.resolve} (root
 * functions) and never throws for a root: a root that fails is reported in its measurement and
 * through `onRootError`, once per root and reason.
 */
import { performance } from 'node:perf_hooks';
import type { ResolvedMemsizeOptions } from './options.js';
import type { RootEntry, RootError, RootErrorReason, RootRegistry } from './roots/registry.js';
import { estimationOf, NON_FINAL_SHARE, scanEach, type RootBudget } from './scan.js';
import type { ScanResult, TypeTotal } from './snapshot.js';
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
  /** Bytes reachable from any measured root, each heap thing counted once (a lower bound while a root is truncated). */
  unionBytes: number;
  /** Heap things reachable from any measured root, each counted once. */
  unionObjects: number;
  /** Heap things the walk visited, summed over roots (things shared by two roots count twice). */
  walkedObjects: number;
  /** Names of weak roots found garbage-collected during this collection; they were unregistered. */
  collected: string[];
}

/** Per-entry state carried from one collection to the next. */
interface RootHistory {
  lastDurationMs: number;
  lastTruncatedByTime: boolean;
  complete: { at: number; bytes: number; objects: number; byType: Map<string, TypeTotal> } | null;
  errorCount: number;
  reported: Set<RootErrorReason>;
  /** The sampling level to start the next walk at. */
  level: number;
  /** True when `level` is a try at a finer level than the last walk needed. */
  probing: boolean;
  /** Collections to wait before the next try at a finer level, and the wait after the last failed try. */
  waitBeforeProbe: number;
  probeBackoff: number;
}

/**
 * A root walked at a sampling level (see scan.ts samplingLevels) tries the next finer level when
 * that level is expected to fit in the time a try gets (NON_FINAL_SHARE of its budget; scanEach
 * says what it expects, `finerMs`). A try that does not fit costs that collection that time (the
 * coarser walk still runs, with what is left), so failed tries back off exponentially, up to
 * MAX_PROBE_BACKOFF collections.
 */
const MAX_PROBE_BACKOFF = 64;

/** The level to start the next walk at, from this one's start and outcome. Pure. */
export function nextLevel(
  history: Pick<RootHistory, 'level' | 'probing' | 'waitBeforeProbe' | 'probeBackoff'>,
  usedLevel: number,
  result: Pick<ScanResult, 'truncated' | 'estimated'>,
  budgetMs: number,
  finerMs: number,
): void {
  if (history.probing && usedLevel > history.level) {
    history.probeBackoff = Math.min(Math.max(1, history.probeBackoff * 2), MAX_PROBE_BACKOFF);
    history.waitBeforeProbe = history.probeBackoff;
  } else if (history.probing) {
    history.probeBackoff = 0;
  }
  history.probing = false;
  history.level = usedLevel;
  // A walk that sampled nothing was exact already: a finer level would walk the same.
  if (!result.truncated && result.estimated && usedLevel > 0 && finerMs < budgetMs * NON_FINAL_SHARE) {
    if (history.waitBeforeProbe > 0) {
      history.waitBeforeProbe--;
    } else {
      history.level = usedLevel - 1;
      history.probing = true;
    }
  }
}

/**
 * What a root that completed last time is expected to need: its last walk time with headroom,
 * relative (it may have grown) and absolute (walk times jitter with GC and machine load), so a
 * small root does not flap into truncation. A root that ran out of time last time (or is new)
 * asks for as much as it can get.
 */
const NEED_FACTOR = 3;
const NEED_SLACK_OF_BUDGET = 0.05;
const NEED_FLOOR_MS = 1;
/**
 * The part of `maxMillis` the walks do not plan to use. A walk stops at its deadline only at its
 * next clock read, and a step it cannot interrupt (the visited set growing its table, a scavenge
 * of the garbage the walk itself makes) can fall just before it. `npm run bench:load` (Node
 * 20.20.2) measured collections of up to 214.5 ms against 200 with no reserve (commit ed06f97),
 * and up to 208.8 ms with 5% (commit 58e09b9, `LOAD_PREFILL=10000`): a scavenge of 3-4 ms and a
 * table growth can come together. With 10% (36f6ca1), up to 190.3 ms.
 */
export const RESERVE_OF_BUDGET = 0.1;
/** Lower bound of the walk budget when root functions used up `maxMillis`: each root still gets a token walk. */
const MIN_WALK_BUDGET_MS = 0.01;

/**
 * Split `totalMs` across roots by max-min fairness ("water-filling"): every root is guaranteed
 * `totalMs / n` unless it needs less; what small roots leave goes, in equal parts, to the roots
 * that need more. A need of `Infinity` means "as much as possible". The shares never add up to
 * more than `totalMs`. Pure.
 */
export function splitBudgetMs(needsMs: readonly number[], totalMs: number): number[] {
  const shares = new Array<number>(needsMs.length).fill(0);
  const order = needsMs.map((_, i) => i).sort((a, b) => needsMs[a]! - needsMs[b]! || a - b);
  let remaining = totalMs;
  order.forEach((index, k) => {
    const fair = remaining / (order.length - k);
    const share = Math.min(needsMs[index]!, fair);
    shares[index] = share;
    remaining -= share;
  });
  return shares;
}

/**
 * How much walk time a root is expected to need, from its last walk: with headroom if it
 * completed, `Infinity` (as much as it can get) if it ran out of time or is new. Pure.
 */
export function walkNeedMs(lastDurationMs: number, lastTruncatedByTime: boolean, maxMillis: number): number {
  if (lastTruncatedByTime) return Infinity;
  return Math.max(lastDurationMs * NEED_FACTOR, lastDurationMs + maxMillis * NEED_SLACK_OF_BUDGET, NEED_FLOOR_MS);
}

/** Walk order: finite needs before infinite ones; larger finite needs first; then registration order. */
function walkRank(needs: readonly number[], a: number, b: number): number {
  const na = needs[a]!;
  const nb = needs[b]!;
  const fa = Number.isFinite(na);
  const fb = Number.isFinite(nb);
  if (fa !== fb) return fa ? -1 : 1;
  if (fa && na !== nb) return nb - na;
  return a - b;
}

/** Called once per root and reason when a root cannot be measured. */
export type RootErrorListener = (name: string, error: RootError) => void;

/** Measures all roots of a registry in one pass, with caching, budget split and truncation hold. */
export class Collector {
  readonly #registry: RootRegistry;
  readonly #options: ResolvedMemsizeOptions;
  readonly #onRootError: RootErrorListener;
  #history = new WeakMap<RootEntry, RootHistory>();
  #cached: { collection: Collection; monotonicAt: number; generation: number } | null = null;

  constructor(registry: RootRegistry, options: ResolvedMemsizeOptions, onRootError: RootErrorListener) {
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
    const measured: { entry: RootEntry; value: object; history: RootHistory }[] = [];
    const roots = new Map<string, RootMeasurement>();
    const collected: string[] = [];

    for (const entry of this.#registry.entries()) {
      const history = this.#historyOf(entry);
      const resolveStart = performance.now();
      const resolution = entry.resolve();
      const resolveMs = performance.now() - resolveStart;
      if (resolution.status === 'collected') {
        this.#registry.drop(entry);
        this.#history.delete(entry);
        collected.push(entry.name);
      } else if (resolution.status === 'failed') {
        roots.set(entry.name, this.#failed(entry, history, resolution.error));
      } else if (resolveMs > this.#options.maxMillis) {
        // A root function cannot be interrupted: its time is spent and counts against the
        // budget. The root it returned is not walked on top of that, and it is the one that
        // reports the problem; the other roots are measured with what budget is left.
        const message =
          `the root function took ${resolveMs.toFixed(1)} ms, longer than the whole collection may take ` +
          `(maxMillis: ${this.#options.maxMillis} ms); the root was not walked and the other roots got less time`;
        roots.set(entry.name, this.#failed(entry, history, { reason: 'slow', message }));
      } else {
        roots.set(entry.name, PENDING);
        measured.push({ entry, value: resolution.value, history });
      }
    }

    const resolvedMs = performance.now() - start;
    // Root functions run before the walk and spend from the same budget.
    const walkBudgetMs = Math.max(this.#options.maxMillis * (1 - RESERVE_OF_BUDGET) - resolvedMs, MIN_WALK_BUDGET_MS);
    // A root trying a finer sampling level needs more than its last walk took: as much as it can get.
    const needs = measured.map(({ history }) =>
      history.probing ? Infinity : walkNeedMs(history.lastDurationMs, history.lastTruncatedByTime, this.#options.maxMillis),
    );
    const shares = splitBudgetMs(needs, walkBudgetMs);
    // The roots expected to complete first, and the ones that ran out of time last, in
    // registration order: what the others leave unused goes to those, walked last. Among the
    // first, the largest goes first: the first root's visited set doubles as the union's, so its
    // walk does one set operation per thing instead of two.
    const order = measured.map((_, i) => i).sort((a, b) => walkRank(needs, a, b));
    const { results, budgetsMs, levels, finerMs, unionBytes, unionObjects } = scanEach(
      order.map((i) => measured[i]!.value),
      order.map((i): RootBudget => ({ maxObjects: this.#options.maxObjects, maxMillis: shares[i]!, startLevel: measured[i]!.history.level })),
      {
        shareUnusedTime: true,
        // What no root's expected need claims is kept for a root that turns out to need more
        // (it grew since its last walk): it is spent only if such a root falls back to sampling.
        spareMs: Math.max(walkBudgetMs - shares.reduce((sum, share) => sum + share, 0), 0),
        estimation: estimationOf(this.#options),
      },
    );

    let walkedObjects = 0;
    order.forEach((i, k) => {
      const { entry, history } = measured[i]!;
      const result = results[k]!;
      walkedObjects += result.visitedObjects;
      roots.set(entry.name, this.#measured(result, history, at, budgetsMs[k]!, levels[k]!, finerMs[k]!));
    });
    const collection: Collection = {
      at,
      durationMs: performance.now() - start,
      roots,
      unionBytes,
      unionObjects,
      walkedObjects,
      collected,
    };
    this.#cached = { collection, monotonicAt: performance.now(), generation };
    return collection;
  }

  /** Forget the cached collection and every root's history (shutdown). */
  reset(): void {
    this.#cached = null;
    this.#history = new WeakMap();
  }

  /**
   * Forget a removed root's history now rather than when GC clears it: V8 does not shrink a
   * WeakMap's table for entries the GC clears, only for deleted ones (100,000 roots added and
   * removed between two full GCs left a 1 MB table behind).
   */
  forget(entry: RootEntry): void {
    this.#history.delete(entry);
  }

  #historyOf(entry: RootEntry): RootHistory {
    let history = this.#history.get(entry);
    if (history === undefined) {
      history = {
        lastDurationMs: 0,
        lastTruncatedByTime: true,
        complete: null,
        errorCount: 0,
        reported: new Set(),
        // A new root is walked at the first estimating level: exact unless it holds a collection
        // above sampleThreshold, and never an exact attempt that uses the first scrape up.
        level: 1,
        probing: false,
        waitBeforeProbe: 0,
        probeBackoff: 0,
      };
      this.#history.set(entry, history);
    }
    return history;
  }

  #failed(entry: RootEntry, history: RootHistory, error: RootError): RootMeasurement {
    history.errorCount++;
    if (!history.reported.has(error.reason)) {
      history.reported.add(error.reason);
      try {
        this.#onRootError(entry.name, error);
      } catch {
        // A logger that throws must not break the collection.
      }
    }
    return { ...emptyMeasurement(), error, errorCount: history.errorCount };
  }

  #measured(result: ScanResult, history: RootHistory, at: number, budgetMs: number, level: number, finerMs: number): RootMeasurement {
    history.lastDurationMs = result.durationMs;
    history.lastTruncatedByTime = result.truncatedBy === 'maxMillis';
    nextLevel(history, level, result, budgetMs, finerMs);
    const base = {
      truncated: result.truncated,
      truncatedBy: result.truncatedBy,
      durationMs: result.durationMs,
      estimated: result.estimated,
      bytesError: result.bytesError,
      objectsError: result.objectsError,
      sampledCollections: result.sampledCollections,
      visitedObjects: result.visitedObjects,
      samplingLevel: level,
      error: null,
      errorCount: history.errorCount,
      walkedBytes: result.bytes,
      walkedObjects: result.visitedObjects,
      budgetMs,
    };
    if (!result.truncated) {
      history.complete = { at, bytes: result.bytes, objects: result.objects, byType: result.byType };
      return { ...base, bytes: result.bytes, objects: result.objects, byType: result.byType, heldFrom: null };
    }
    const complete = history.complete;
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
