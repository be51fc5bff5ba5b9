/**
 * Plain result types shared downstream of the walk (metrics, report). JSON-safe apart from the
 * `byType` Map, which {@link scanToJSON} in report/json.ts flattens. No logic lives here.
 */

/** Bytes and object count for one type under one root. Both are estimates of retained V8 heap. */
export interface TypeTotal {
  /** Estimated bytes of V8 heap (plus ArrayBuffer backing stores) held by things of this type. */
  bytes: number;
  /** Number of distinct heap things of this type. */
  objects: number;
  /** For an estimate: half-width of the 95% interval of `bytes` (its share of the root's). Absent when exact. */
  bytesError?: number;
  /** For an estimate: half-width of the 95% interval of `objects`. Absent when exact. */
  objectsError?: number;
}

/** Bytes held under one property path of a root (see {@link ScanOptions.paths}). */
export interface PathTotal {
  /**
   * Where under the root, e.g. `root › sessions › <Map value> › history`. Array elements are `[]`,
   * Map values `<Map value>`, Map keys `<Map key>`, Set members `<Set member>`; property names are
   * taken from code-defined keys and are length-capped. Things deeper than `paths.depth` count
   * towards the deepest path that leads to them (the path of first discovery).
   */
  path: string;
  /** Estimated bytes of everything first reached through this path. */
  bytes: number;
  /** Heap things first reached through this path. */
  objects: number;
}

/**
 * Deep reads of a walk: `'on'`, `'off'` (not asked for), or why the inspector was unavailable:
 * `'no-inspector'` (a Node built without it), `'connect-failed'` (a policy or the runtime refused
 * the session), `'session-failed'` (a call failed mid-use; deep reads stay off for the process).
 */
export type HiddenStatus = 'on' | 'off' | 'no-inspector' | 'connect-failed' | 'session-failed';

/** Why a walk stopped early. */
export type TruncationReason = 'maxObjects' | 'maxMillis';

/**
 * The result of measuring one root: {@link scan}'s return value.
 *
 * `bytes` is an *estimate of the retained size*: the V8 heap (plus ArrayBuffer backing stores)
 * reachable from the root through data JavaScript can see, each heap thing counted once.
 * For a structure only the root references, it approximates DevTools' "Retained Size".
 */
export interface ScanResult {
  /** Estimated retained bytes reachable from the root. */
  bytes: number;
  /** Distinct heap things reachable from the root (objects, strings, heap numbers, backing stores). */
  objects: number;
  /** Per-type breakdown; the values sum to `bytes` and `objects`. */
  byType: Map<string, TypeTotal>;
  /** True when `maxObjects` or `maxMillis` stopped the walk: the figures are a lower bound. */
  truncated: boolean;
  /** Which budget stopped the walk, or `null` when it ran to the end. */
  truncatedBy: TruncationReason | null;
  /** How long the walk blocked the event loop, in milliseconds. */
  durationMs: number;
  /**
   * True when the figures are estimated: some collections were too large to walk entry by entry
   * within the budget (or above `sampleThreshold`) and were measured from a random sample of their
   * entries, scaled to the whole. False when every thing was visited.
   */
  estimated: boolean;
  /**
   * Half-width of the 95% confidence interval of `bytes`: the root holds `bytes ± bytesError`
   * (sampling error only; the size model's own error is apart, see docs/accuracy.md). 0 when exact.
   */
  bytesError: number;
  /** Half-width of the 95% confidence interval of `objects`. 0 when exact. */
  objectsError: number;
  /** How many collections were measured from a sample (0 when exact). */
  sampledCollections: number;
  /** Distinct heap things the walk visited: `objects` when exact, fewer when estimated (the walk's work). */
  visitedObjects: number;
  /**
   * Whether the walk read what JavaScript does not show (`#private` fields, closure scopes,
   * WeakMap values) through the inspector: `'on'`; `'off'` when the `deep` option is false; else
   * why the inspector was unavailable (the figures then cover what JavaScript shows).
   */
  hidden: HiddenStatus;
  /** Largest places under the root, when requested with {@link ScanOptions.paths}; else undefined. */
  paths?: PathTotal[];
}
