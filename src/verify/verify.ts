/**
 * The check against V8 behind `memsize.verify()`: scan each registered root, hold them all,
 * take ONE heap snapshot of the process, and set V8's retained size of each root (per root and
 * per type) beside memsize's figure. Also the cost estimate stated before it runs, and the
 * refusal above a heap size. Runs only on an explicit call, synchronously: it blocks the event
 * loop for the whole snapshot (V8 runs a full GC first) and keeps no reference to any root
 * afterwards, so weak roots stay weak.
 */
import { getHeapStatistics } from 'node:v8';
import { describeValue, MemsizeError } from '../errors.js';
import { scan } from '../scan.js';
import type { ScanResult } from '../results.js';
import { CORRECTION_BAND, correctionFactors, ratioInBand, unseenTypes, type CorrectionFactors, type UnseenType } from './correction.js';
import { breakdownTargets, snapshotTargets, type NodeGroup } from './retained.js';

/** Options for `memsize.verify()`. Every field is optional. */
export interface VerifyOptions {
  /** Refuse (ERR_MEMSIZE_HEAP_TOO_LARGE) when the used V8 heap is above this many bytes. @defaultValue 268_435_456 (256 MiB: about 37 s and 2.7 GiB more memory by the cost table) */
  maxHeapBytes?: number;
  /** Run even above `maxHeapBytes`. @defaultValue false */
  force?: boolean;
  /**
   * Keep the ratios found by this check as correction factors for later collections: `true` for
   * every root checked, or a list of root names. Opt-in. @defaultValue false
   */
  calibrate?: boolean | string[];
  /** Check only these roots (registered names). @defaultValue every registered root */
  roots?: string[];
  /** How many snapshot (type, name) groups to list per root. @defaultValue 20 */
  maxV8Types?: number;
}

export const VERIFY_DEFAULTS = Object.freeze({ maxHeapBytes: 256 * 1024 * 1024, force: false, calibrate: false as boolean | string[], maxV8Types: 20 });
const KNOWN = ['maxHeapBytes', 'force', 'calibrate', 'roots', 'maxV8Types'];

export interface ResolvedVerifyOptions {
  maxHeapBytes: number;
  force: boolean;
  calibrate: boolean | readonly string[];
  roots: readonly string[] | null;
  maxV8Types: number;
}

/** Validate verify()'s options at the user's call; errors name the option. */
export function resolveVerifyOptions(call: string, input: unknown): ResolvedVerifyOptions {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options must be an object, got ${describeValue(input)}`);
  }
  const given = (input ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN.includes(key)) throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `options.${key} is not an option of ${call} (known: ${KNOWN.join(', ')})`);
  }
  const maxHeapBytes = given.maxHeapBytes ?? VERIFY_DEFAULTS.maxHeapBytes;
  if (typeof maxHeapBytes !== 'number' || !(maxHeapBytes > 0) || maxHeapBytes === Infinity) throw invalidOption(call, 'maxHeapBytes', 'a positive finite number of bytes', maxHeapBytes);
  const force = given.force ?? VERIFY_DEFAULTS.force;
  if (typeof force !== 'boolean') throw invalidOption(call, 'force', 'a boolean', force);
  const calibrate = given.calibrate ?? VERIFY_DEFAULTS.calibrate;
  if (typeof calibrate !== 'boolean' && !isStringArray(calibrate)) throw invalidOption(call, 'calibrate', 'a boolean or an array of root names', calibrate);
  const roots = given.roots ?? null;
  if (roots !== null && !isStringArray(roots)) throw invalidOption(call, 'roots', 'an array of root names', roots);
  const maxV8Types = given.maxV8Types ?? VERIFY_DEFAULTS.maxV8Types;
  if (typeof maxV8Types !== 'number' || !Number.isInteger(maxV8Types) || maxV8Types < 0) throw invalidOption(call, 'maxV8Types', 'a non-negative integer', maxV8Types);
  return Object.freeze({ maxHeapBytes, force, calibrate: Array.isArray(calibrate) ? Object.freeze([...calibrate]) : calibrate, roots: roots === null ? null : Object.freeze([...roots]), maxV8Types });
}

/** The message format of src/options.ts: the call, the option, what it must be, the value. */
function invalidOption(call: string, option: string, expected: string, got: unknown): MemsizeError {
  return new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.${option} must be ${expected}, got ${describeValue(got)}`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'string');
}

// ---------------------------------------------------------------------------------------------
// Cost

/**
 * Measured cost of verify() by used heap: `[heapMiB, ms, peakRssGrowthMiB, fileMiB]`, each the
 * larger of two runs of test/verify/verify-cost.mjs on a 2-core machine shared with other jobs
 * (Node 20.20.2 and Node 24.22.3, 2026-11-29; tables in docs/verify.md). The peak column at 25
 * and 50 MiB is the larger of those and of bench/verify-rss.mjs (Node 20.20.2 and 26.12.1,
 * 2026-12-03), which measured more there. Most of the time and memory is V8 building and writing
 * the snapshot. Estimates interpolate linearly between the rows and extend the last segment
 * beyond them (cost grows faster than the heap).
 */
export const VERIFY_COST_TABLE: readonly (readonly [number, number, number, number])[] = Object.freeze([
  [0, 300, 40, 1],
  [25, 2453, 256, 30],
  [50, 4638, 508, 55],
  [100, 8598, 993, 134],
  [200, 22114, 1959, 275],
  [400, 75251, 4647, 627],
]);

function interpolate(heapMiB: number, column: 1 | 2 | 3): number {
  const t = VERIFY_COST_TABLE;
  let i = 1;
  while (i < t.length - 1 && t[i]![0] < heapMiB) i++;
  const [x0, y0] = [t[i - 1]![0], t[i - 1]![column]];
  const [x1, y1] = [t[i]![0], t[i]![column]];
  return y0 + ((y1 - y0) * (heapMiB - x0)) / (x1 - x0);
}

/** What a check against V8 would cost now, estimated before it runs. */
export interface VerifyCost {
  /** V8's used heap now (`v8.getHeapStatistics().used_heap_size`). */
  heapUsedBytes: number;
  /** The limit verify() refuses above without `force`. */
  maxHeapBytes: number;
  /** True when the used heap is within `maxHeapBytes` (verify() runs without `force`). */
  allowed: boolean;
  /** Estimated time the event loop is blocked, ms. */
  estimatedMs: number;
  /**
   * Estimated growth of resident memory (RSS) at the peak, bytes: V8's in-memory snapshot while it
   * writes the file, which sets the peak (7-11 times the used heap here, docs/verify.md "Memory";
   * memsize's parse and analysis reuse what V8 freed).
   */
  estimatedPeakBytes: number;
  /**
   * Estimated resident memory of the process at the peak, bytes: its RSS now plus
   * `estimatedPeakBytes`. The figure to hold against a container's memory limit.
   */
  estimatedPeakRssBytes: number;
  /** Estimated size of the temporary snapshot file, bytes (deleted afterwards). */
  estimatedFileBytes: number;
  /** Where the cost model comes from. */
  basis: string;
}

const MIB = 1024 * 1024;

/** The last snapshot this process took (verify() or discover()): what it cost against the table. */
interface MeasuredRun { heapMiB: number; ms: number; peakMiB: number; fileMiB: number }
let lastRun: MeasuredRun | null = null;

/**
 * Remember what a snapshot of this process cost, so that later estimates follow this process's
 * heap rather than the table's fixture: the cost follows the number of heap objects and edges,
 * not the bytes, and a heap of many small objects cost twice the table's time (issue 20: 7.2 s
 * estimated, 15.1 s taken). `peakBytes` is the peak RSS growth seen ({@link RssSeen}.peakGrowthBytes).
 */
export function recordSnapshotCost(heapUsedBytes: number, durationMs: number, peakBytes: number, fileBytes: number): void {
  if (!(heapUsedBytes > 0) || !(durationMs > 0)) return;
  lastRun = { heapMiB: heapUsedBytes / MIB, ms: durationMs, peakMiB: peakBytes / MIB, fileMiB: fileBytes / MIB };
}

/** Forget the recorded run (tests). */
export function forgetSnapshotCost(): void {
  lastRun = null;
}

/** What a snapshot call did to resident memory, from {@link watchRss}. */
export interface RssSeen {
  /** RSS after the call minus RSS before it (0 if it fell): a lower bound of the peak growth. */
  rssGrowthBytes: number;
  /**
   * The process's peak RSS during the call, when the call set a new high-water mark
   * (`process.resourceUsage().maxRSS` rose); null when the process had been higher before.
   */
  peakRssBytes: number | null;
  /** Peak growth over the RSS before the call: exact when `peakRssBytes` is known, else `rssGrowthBytes`. */
  peakGrowthBytes: number;
}

/** Start watching resident memory around a snapshot call; the returned function reads the result. */
export function watchRss(): () => RssSeen {
  const rssBefore = process.memoryUsage.rss();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  return () => {
    const rssGrowthBytes = Math.max(0, process.memoryUsage.rss() - rssBefore);
    const maxAfter = process.resourceUsage().maxRSS * 1024;
    const peakRssBytes = maxAfter > maxBefore ? maxAfter : null;
    return { rssGrowthBytes, peakRssBytes, peakGrowthBytes: peakRssBytes === null ? rssGrowthBytes : Math.max(rssGrowthBytes, peakRssBytes - rssBefore) };
  };
}

/**
 * The cost of a check against V8 at the current heap size. Cheap: reads heap statistics only.
 * The table gives the shape; after a snapshot of this process, each figure is the table's scaled
 * by what that run measured against the table at its own heap size (never below the table for
 * memory: the RSS seen is a lower bound of the peak).
 */
export function estimateVerifyCost(maxHeapBytes: number, heapUsedBytes = getHeapStatistics().used_heap_size, rssBytes = process.memoryUsage.rss()): VerifyCost {
  const heapMiB = heapUsedBytes / MIB;
  let ms = interpolate(heapMiB, 1);
  let peakMiB = interpolate(heapMiB, 2);
  let fileMiB = interpolate(heapMiB, 3);
  let basis = 'runs of test/verify/verify-cost.mjs on Node 20.20.2 and 24.22.3, 2 cores (docs/verify.md)';
  if (lastRun !== null) {
    const timeFactor = lastRun.ms / interpolate(lastRun.heapMiB, 1);
    const peakFactor = Math.max(1, lastRun.peakMiB / interpolate(lastRun.heapMiB, 2));
    const fileFactor = lastRun.fileMiB > 0 ? lastRun.fileMiB / interpolate(lastRun.heapMiB, 3) : 1;
    ms *= timeFactor;
    peakMiB *= peakFactor;
    fileMiB *= fileFactor;
    basis = `the table of docs/verify.md scaled by this process's last snapshot (${mib(lastRun.heapMiB * MIB)} of heap took ${(lastRun.ms / 1000).toFixed(1)} s: ${timeFactor.toFixed(2)}x the table's time)`;
  }
  return {
    heapUsedBytes,
    maxHeapBytes,
    allowed: heapUsedBytes <= maxHeapBytes,
    estimatedMs: Math.round(ms),
    estimatedPeakBytes: Math.round(peakMiB * MIB),
    estimatedPeakRssBytes: Math.round(rssBytes + peakMiB * MIB),
    estimatedFileBytes: Math.round(fileMiB * MIB),
    basis,
  };
}

const mib = (bytes: number): string => `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;

/** The refusal: names the heap size, the limit, the option and the way round it. */
export function heapTooLarge(call: string, cost: VerifyCost): MemsizeError {
  return new MemsizeError(
    'ERR_MEMSIZE_HEAP_TOO_LARGE',
    `${call}: the used heap is ${mib(cost.heapUsedBytes)}, above options.maxHeapBytes (${mib(cost.maxHeapBytes)}); ` +
      `a heap snapshot would block the event loop for about ${(cost.estimatedMs / 1000).toFixed(1)} s and need about ` +
      `${mib(cost.estimatedPeakBytes)} more memory. Pass { force: true } to run it anyway, or raise maxHeapBytes.`,
  );
}

// ---------------------------------------------------------------------------------------------
// The check

/** V8 against memsize for one type label under one root. */
export interface VerifyTypeRow {
  type: string;
  /** V8's retained bytes under this label (internal nodes under their dominating value's label). */
  v8Bytes: number;
  /** Snapshot nodes under this label. */
  v8Objects: number;
  /** memsize's bytes for this type (0 when memsize has no such type). */
  memsizeBytes: number;
  memsizeObjects: number;
  /** v8Bytes / memsizeBytes, or null when memsize counted no bytes of this type. */
  ratio: number | null;
}

/** One root checked against V8. Sizes are retained sizes in bytes. */
export interface VerifyRootResult {
  name: string;
  /** Why this root could not be checked (collected, its function threw, not found in the snapshot), else null. */
  error: string | null;
  /** V8's retained size of the root, from the heap snapshot: ground truth. */
  v8Bytes: number;
  /** Snapshot nodes in the root's retained set (the root included). */
  v8Objects: number;
  /** memsize's estimate from a fresh scan of the root (as `scanRoot(name)`). */
  memsizeBytes: number;
  memsizeObjects: number;
  /** True when memsize's scan hit its budget (its figure is a lower bound). */
  memsizeTruncated: boolean;
  /** v8Bytes / memsizeBytes (null when memsize counted nothing). Above 1: memsize is under. */
  ratio: number | null;
  /** Per memsize type label, biggest V8 figure first. */
  byType: VerifyTypeRow[];
  /** The retained set by snapshot node (type, name), as DevTools shows it; the biggest `maxV8Types`. */
  v8Types: NodeGroup[];
  /** True when this check stored the root's correction factors (`calibrate`). */
  calibrated: boolean;
  /**
   * Why the ratio was not kept although `calibrate` asked for it (outside the sane band, see
   * CORRECTION_BAND), or why the ratio deserves a look even without calibrate; else null.
   */
  warning: string | null;
  /** What V8 holds under this root that memsize does not count, by memsize type. */
  unseen: UnseenType[];
}

/** What `memsize.verify()` returns. Plain, JSON-safe data. */
export interface VerifyResult {
  /** `Date.now()` when the check started. */
  at: number;
  /** Wall time of the whole check (scans, snapshot, analysis), ms: how long the event loop was blocked. */
  durationMs: number;
  /** Writing the snapshot (V8, a full GC included), ms. */
  snapshotMs: number;
  /** Reading and parsing the snapshot file, ms. */
  parseMs: number;
  /** Dominator tree and per-root breakdown (the rest of `durationMs`), ms. */
  analyzeMs: number;
  /** memsize's scans of the roots, ms. */
  scanMs: number;
  /** Used heap before the check, bytes. */
  heapUsedBytes: number;
  /** Resident set size growth seen after the check (a lower bound of its peak), bytes. */
  rssGrowthBytes: number;
  /**
   * The process's peak resident memory during the check, bytes (`process.resourceUsage().maxRSS`),
   * when the check set the process's high-water mark; null when the process had been higher
   * before (the peak of the check is then not measurable).
   */
  peakRssBytes: number | null;
  /** Size of the temporary snapshot file, bytes. */
  snapshotFileBytes: number;
  snapshotNodes: number;
  snapshotEdges: number;
  /** The estimate stated before the run. */
  cost: VerifyCost;
  /** Node.js version the figures come from. */
  nodeVersion: string;
  roots: VerifyRootResult[];
  /** Factors stored by this check (`calibrate`), by root name. */
  corrections: Record<string, CorrectionFactors>;
}

/** A root handed to {@link runVerify}: resolved to its value, or the reason it could not be. */
export type VerifyInput = { name: string; value: object; error?: undefined } | { name: string; value?: undefined; error: string };

const HOLDER_PREFIX = 'root:';

/**
 * Hold the values in one holder, take one snapshot, scan every input, compare. The caller has
 * already applied the heap-size limit. Returns plain data; keeps no reference to any value.
 */
export function runVerify(inputs: VerifyInput[], options: ResolvedVerifyOptions, cost: VerifyCost): VerifyResult {
  const at = Date.now();
  const started = performance.now();
  const rss = watchRss();
  const targets: Record<string, unknown> = {};
  for (const input of inputs) if (input.value !== undefined) targets[HOLDER_PREFIX + input.name] = input.value;
  // The snapshot comes before memsize's scans: on Node 26 a walk changes how V8 holds the strings
  // it visits (docs/verify.md), and V8's figure should be that of the data as the program left it.
  const snap = snapshotTargets(targets);
  const scanStarted = performance.now();
  const scans = new Map<string, ScanResult>();
  for (const input of inputs) if (input.value !== undefined) scans.set(input.name, scan(input.value));
  const scanMs = performance.now() - scanStarted;
  // Drop our own references before analysing: the values must not outlive this call.
  for (const key of Object.keys(targets)) delete targets[key];
  const nodes = new Map<string, number>();
  for (const [key, node] of snap.nodes) nodes.set(key.slice(HOLDER_PREFIX.length), node);
  const breakdown = breakdownTargets(snap.graph, snap.dom, nodes);
  const roots: VerifyRootResult[] = [];
  const corrections: Record<string, CorrectionFactors> = {};
  for (const input of inputs) {
    const result = scans.get(input.name);
    const truth = breakdown.get(input.name);
    const row: VerifyRootResult = {
      name: input.name,
      error: input.error ?? (truth === undefined ? 'the root was not found in the heap snapshot' : null),
      v8Bytes: truth?.retainedBytes ?? 0,
      v8Objects: truth?.retainedNodes ?? 0,
      memsizeBytes: result?.bytes ?? 0,
      memsizeObjects: result?.objects ?? 0,
      memsizeTruncated: result?.truncated ?? false,
      ratio: null,
      byType: [],
      v8Types: truth?.groups.slice(0, options.maxV8Types) ?? [],
      calibrated: false,
      warning: null,
      unseen: [],
    };
    if (result !== undefined && truth !== undefined) {
      row.ratio = result.bytes > 0 ? truth.retainedBytes / result.bytes : null;
      const types = new Set([...truth.labels.keys(), ...result.byType.keys()]);
      for (const type of types) {
        const v8 = truth.labels.get(type);
        const ours = result.byType.get(type);
        row.byType.push({
          type,
          v8Bytes: v8?.bytes ?? 0,
          v8Objects: v8?.objects ?? 0,
          memsizeBytes: ours?.bytes ?? 0,
          memsizeObjects: ours?.objects ?? 0,
          ratio: ours !== undefined && ours.bytes > 0 ? (v8?.bytes ?? 0) / ours.bytes : null,
        });
      }
      row.byType.sort((a, b) => b.v8Bytes - a.v8Bytes || b.memsizeBytes - a.memsizeBytes);
      row.unseen = unseenTypes(truth.retainedBytes, truth.labels, result);
      const wanted = options.calibrate === true || (Array.isArray(options.calibrate) && options.calibrate.includes(input.name));
      const inBand = row.ratio !== null && ratioInBand(row.ratio);
      if (!inBand) row.warning = bandWarning(row, wanted);
      if (wanted && inBand) {
        const factors = correctionFactors(truth.retainedBytes, truth.labels, result, at);
        if (factors !== null) {
          corrections[input.name] = factors;
          row.calibrated = true;
        }
      }
    }
    roots.push(row);
  }
  const done = performance.now();
  const seen = rss();
  // The scans are not part of a discover(); the snapshot and its analysis are in both.
  recordSnapshotCost(cost.heapUsedBytes, done - started - scanMs, seen.peakGrowthBytes, snap.stats.fileBytes);
  return {
    at,
    durationMs: done - started,
    snapshotMs: snap.stats.writeMs,
    parseMs: snap.stats.parseMs,
    analyzeMs: Math.max(0, done - started - scanMs - snap.stats.writeMs - snap.stats.parseMs),
    scanMs,
    heapUsedBytes: cost.heapUsedBytes,
    rssGrowthBytes: seen.rssGrowthBytes,
    peakRssBytes: seen.peakRssBytes,
    snapshotFileBytes: snap.stats.fileBytes,
    snapshotNodes: snap.graph.nodeCount,
    snapshotEdges: snap.graph.edgeCount,
    cost,
    nodeVersion: process.version,
    roots,
    corrections,
  };
}

const pct = (share: number): string => `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;

/** The warning of a ratio outside CORRECTION_BAND: what memsize misses, and that no factor was kept. */
function bandWarning(row: VerifyRootResult, wanted: boolean): string {
  const kept = wanted ? ' Not kept as a correction: scaling a figure that does not follow the data would freeze a wrong number.' : '';
  const unseen = row.unseen.map((u) => `${u.type} (V8 ${mib(u.v8Bytes)}, memsize ${mib(u.memsizeBytes)})`).join(', ');
  const what = unseen === '' ? '' : ` V8 holds what memsize does not count: ${unseen}.`;
  if (row.ratio === null) return `memsize counted nothing under this root; V8 retains ${mib(row.v8Bytes)}.${what}${kept}`;
  const band = `${CORRECTION_BAND.min}-${CORRECTION_BAND.max}x`;
  const share = row.v8Bytes > 0 ? row.memsizeBytes / row.v8Bytes : 0;
  return row.ratio > CORRECTION_BAND.max
    ? `memsize sees ${pct(share)} of what V8 retains (ratio ${row.ratio.toFixed(1)}x, outside ${band}): the walk does not reach most of this root (a Proxy's target, #private fields or closure scopes without deep reads, memory outside the heap).${what}${kept}`
    : `memsize counts ${row.ratio > 0 ? (1 / row.ratio).toFixed(1) : '∞'}x what V8 retains (ratio ${row.ratio.toFixed(2)}x, outside ${band}): much of what it reaches is held elsewhere too (shared with other structures).${kept}`;
}

/** What the page shows of the check against V8: the last result, or the last refusal. */
export interface VerifyPageState {
  /** The cost of a check now. */
  cost: VerifyCost;
  /** The last check's result (null before the first). */
  last: VerifyResult | null;
  /** The last refusal (heap above the limit), with its message; cleared by a check that ran. */
  refusal: { message: string; at: number } | null;
  /** The last failure of a check (not a refusal), with its message. */
  error: { message: string; at: number } | null;
}
