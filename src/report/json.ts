/**
 * ScanResult → plain JSON data, and the report model the page and the JSON endpoint share (the
 * roots' scans, and the state of the two heap-snapshot cards).
 * Pure: no I/O, no clock (callers pass the time), never throws on a valid ScanResult.
 * The HTML renderer and the HTTP handler both read these shapes; scripts read them as JSON.
 */
import type { Collection } from '../collect.js';
import type { ScanResult } from '../results.js';
import type { DiscoverCandidate, DiscoverResult } from '../verify/discover.js';
import type { VerifyCost, VerifyPageState } from '../verify/verify.js';
import { diffScans, type ScanDiff } from './diff.js';

/** One type under a root, as in {@link ScanJSON.types}. Sizes are estimates of retained V8 heap. */
export interface TypeJSON {
  type: string;
  bytes: number;
  objects: number;
  /** `bytes` as a fraction of the root's total, 0..1 (0 when the total is 0). */
  share: number;
  /** Half-width of the 95% interval of `bytes` when the scan was estimated, else 0. */
  bytesError: number;
}

/** One place under a root, as in {@link ScanJSON.paths}. */
export interface PathJSON {
  /** e.g. `sessions › <Map value> › history`; array elements are `[]`. */
  path: string;
  bytes: number;
  objects: number;
  /** `bytes` as a fraction of the root's total, 0..1. */
  share: number;
}

/** A {@link ScanResult} as JSON-safe data: `byType` becomes `types`, sorted by bytes, largest first. */
export interface ScanJSON
  extends Pick<ScanResult, 'bytes' | 'objects' | 'truncated' | 'truncatedBy' | 'durationMs' | 'estimated' | 'bytesError' | 'objectsError'> {
  types: TypeJSON[];
  /** Largest places under the root, largest first, or null when the scan did not ask for paths. */
  paths: PathJSON[] | null;
}

/** Sort key shared by every table of types: bytes descending, then name, so the order is stable. */
export function byBytesThenName(a: { bytes: number; name: string }, b: { bytes: number; name: string }): number {
  return b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Turn a scan result into JSON-safe data (types sorted by bytes, with their share of the total).
 *
 * @param result - what {@link scan} or `Memsize.scanRoot` returned.
 * @returns a new plain object; `JSON.stringify` it as is.
 * @example
 * JSON.stringify(scanToJSON(scan(cache)))
 */
export function scanToJSON(result: ScanResult): ScanJSON {
  const share = (bytes: number) => (result.bytes > 0 ? bytes / result.bytes : 0);
  const types = [...result.byType]
    .map(([name, total]) => ({ name, bytes: total.bytes, objects: total.objects, bytesError: total.bytesError ?? 0 }))
    .sort(byBytesThenName)
    .map(({ name, bytes, objects, bytesError }) => ({ type: name, bytes, objects, share: share(bytes), bytesError }));
  const paths =
    result.paths === undefined
      ? null
      : [...result.paths]
          .sort((a, b) => b.bytes - a.bytes)
          .map((p) => ({ path: p.path, bytes: p.bytes, objects: p.objects, share: share(p.bytes) }));
  return {
    bytes: result.bytes,
    objects: result.objects,
    truncated: result.truncated,
    truncatedBy: result.truncatedBy,
    durationMs: result.durationMs,
    estimated: result.estimated,
    bytesError: result.bytesError,
    objectsError: result.objectsError,
    types,
    paths,
  };
}

/** A scan kept by the report, with when it finished. */
export interface StampedScan {
  result: ScanResult;
  /** When the scan finished, in ms since the epoch. */
  at: number;
  /** 1 for the first scan of this root through the report, then 2, 3... */
  seq: number;
}

/** What the report knows about one root: its last two scans and the last failure, if any. */
export interface RootScans {
  name: string;
  last: StampedScan | null;
  previous: StampedScan | null;
  /** The last scan attempt's failure, cleared by the next success. */
  error: { message: string; at: number } | null;
}

/** A kept scan in the JSON report. */
export interface StampedScanJSON extends ScanJSON {
  /** When the scan finished (ISO 8601). */
  at: string;
  /** 1 for the first scan of this root through the report, then 2, 3... */
  seq: number;
}

/** One root in the JSON report. */
export interface RootReportJSON {
  name: string;
  /** The last scan, or null when the root was not scanned through the report yet. */
  last: StampedScanJSON | null;
  /** The scan before `last`, or null. */
  previous: StampedScanJSON | null;
  /** What changed from `previous` to `last`, or null without two scans. */
  diff: (ScanDiff & { intervalMs: number }) | null;
  /** The last scan attempt's failure, or null. */
  error: { message: string; at: string } | null;
  /**
   * The root's figures in the last collection the metrics reported (no paths), or null when there
   * was none or the root failed in it: what the page shows before the root is scanned.
   */
  collected: { bytes: number; objects: number; estimated: boolean; bytesError: number; truncated: boolean; at: string } | null;
}

/** The whole report: every registered root, in registration order. */
export interface ReportJSON {
  /** When this report was built (ISO 8601). */
  generatedAt: string;
  /** Minimum time between two scans, in ms (the report answers 429 when asked sooner). */
  minIntervalMs: number;
  /** How long until the next scan is allowed, in ms (0 = now). */
  nextScanInMs: number;
  /** The process's V8 heap when the report was built (context for the roots' figures), or null. */
  heap: { usedBytes: number; totalBytes: number } | null;
  roots: RootReportJSON[];
}

/**
 * Build the report model from what the handler kept. Pure: the clock comes in as `now`.
 *
 * @param roots - one history per registered root, in the order to show them.
 * @param context - the current time and the scan pacing (all in ms), and the process heap if known.
 */
export function buildReport(
  roots: readonly RootScans[],
  context: { now: number; minIntervalMs: number; nextScanInMs: number; heap?: ReportJSON['heap']; collected?: Collection | null },
): ReportJSON {
  const collected = context.collected ?? null;
  return {
    generatedAt: new Date(context.now).toISOString(),
    minIntervalMs: context.minIntervalMs,
    nextScanInMs: context.nextScanInMs,
    heap: context.heap ?? null,
    roots: roots.map((history) => rootReport(history, collected)),
  };
}

function collectedFigures(collection: Collection | null, name: string): RootReportJSON['collected'] {
  const m = collection?.roots.get(name);
  if (collection === null || m === undefined || m.error !== null) return null;
  return { bytes: m.bytes, objects: m.objects, estimated: m.estimated, bytesError: m.bytesError, truncated: m.truncated, at: new Date(collection.at).toISOString() };
}

function stamped(scan: StampedScan | null): StampedScanJSON | null {
  if (scan === null) return null;
  return { ...scanToJSON(scan.result), at: new Date(scan.at).toISOString(), seq: scan.seq };
}

function rootReport(history: RootScans, collection: Collection | null): RootReportJSON {
  const { last, previous } = history;
  return {
    name: history.name,
    collected: collectedFigures(collection, history.name),
    last: stamped(last),
    previous: stamped(previous),
    diff:
      last !== null && previous !== null
        ? { ...diffScans(previous.result, last.result), intervalMs: last.at - previous.at }
        : null,
    error: history.error === null ? null : { message: history.error.message, at: new Date(history.error.at).toISOString() },
  };
}

/** One structure found by the page's search, as JSON (a {@link DiscoverCandidate} without `ref`). */
export interface CandidateJSON extends Omit<DiscoverCandidate, 'ref'> {
  /** True when the page tracked it as a root named `name` and that root is still registered. */
  tracked: boolean;
}

/** The page's last search for large structures, as JSON: a {@link DiscoverResult} without the live objects. */
export interface DiscoverJSON extends Omit<DiscoverResult, 'candidates'> {
  candidates: CandidateJSON[];
}

/** What the page shows of the check against V8, with whether the refused check was one that would keep corrections. */
export interface VerifyCardState extends VerifyPageState {
  /** True when the last refusal was of a calibrating check: "Run anyway" then calibrates too. */
  refusedCalibrate?: boolean;
}

/** What the page shows of the search for large structures. */
export interface DiscoverPageState {
  /** The cost of a search now (`discoverCost()`). */
  cost: VerifyCost;
  /** The last search's result (null before the first). */
  last: DiscoverJSON | null;
  /** The last refusal (heap above the limit); cleared by a search that ran. */
  refusal: { message: string; at: number } | null;
  /** The last failure of a search (not a refusal). */
  error: { message: string; at: number } | null;
  /** Whether the page can track a candidate (the source has `addRoot()`). */
  trackable: boolean;
}

/**
 * A discover() result as JSON-safe data. Never calls `ref()`: that would look the object up
 * (V8 walks the heap) and is for tracking only.
 *
 * @param tracked - whether the page tracked a candidate (by its name) and the root is still there.
 */
export function discoverToJSON(result: DiscoverResult, tracked: (name: string) => boolean): DiscoverJSON {
  const { candidates, ...rest } = result;
  return {
    ...rest,
    candidates: candidates.map((c) => ({
      path: c.path,
      steps: [...c.steps],
      type: c.type,
      retainedBytes: c.retainedBytes,
      objects: c.objects,
      name: c.name,
      coveredBy: c.coveredBy,
      contains: [...c.contains],
      tracked: tracked(c.name),
    })),
  };
}
