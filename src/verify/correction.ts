/**
 * Correction factors found by a check against V8, and their pure application to a later
 * measurement of the same root. Opt-in: factors exist only after `verify({ calibrate })`.
 *
 * Model. At the check, V8's retained set of the root is split by memsize's own type labels
 * (V8-internal nodes under the label of the JavaScript value that dominates them; see
 * retained.ts). Two kinds of factor are kept:
 * - the root's ratio, V8 bytes / memsize bytes: it scales the root's total. The total follows
 *   memsize's total rather than a sum of per-type products because some of memsize's per-type
 *   figures do not grow with the root: a string value that memsize counts once while V8 holds a
 *   copy per record gives 'string' a huge factor on a figure that stays flat, and the product
 *   would stay flat with it (test/verify/correction.test.ts on Node 20.20.2: -18% at 4x growth
 *   with per-type products, 0.0% with the root ratio).
 * - per type, V8 bytes under the label / memsize bytes for it: they split the corrected total
 *   over the types (weights ms_t * f_t, V8 bytes under labels memsize lacks spread in
 *   proportion), so at the check each type gets exactly V8's figure, and a type that later grows
 *   alone takes its own factor's share. A type first seen after the check weighs with the root's
 *   ratio.
 * At the check itself the corrected total and every type equal V8's figures.
 */
import type { TypeTotal } from '../results.js';

/** Correction factors of one root, found at one check against V8. Plain, JSON-safe data. */
export interface CorrectionFactors {
  /** `Date.now()` of the check. */
  checkedAt: number;
  /** V8's retained bytes of the root at the check. */
  v8Bytes: number;
  /** memsize's bytes of the root at the check. */
  memsizeBytes: number;
  /** v8Bytes / memsizeBytes: scales the root's total, and weighs types not seen at the check. */
  ratio: number;
  /** Per memsize type label: V8's bytes under the label / memsize's bytes for it (0 when V8 had none); splits the total over the types. */
  types: Record<string, number>;
  /** V8 bytes under labels memsize did not report, as a share of memsize's total at the check. */
  unmatchedRatio: number;
}

/**
 * The band of V8 / memsize ratios kept as corrections. Outside it memsize does not see most of
 * what V8 retains (a Proxy's target, a `#private` field where deep reads are off, native
 * memory) or counts far more: scaling a figure that does not move with the data would freeze a
 * wrong number (issue 20: a 4,761x factor kept an lru-cache root at 876,064 bytes whether it grew
 * 20x or was cleared). 4x admits the ratios calibration exists for (2.0-2.3 for the records of
 * test/verify/correction.test.ts).
 */
export const CORRECTION_BAND = Object.freeze({ min: 1 / 4, max: 4 });

/** Whether a V8 / memsize ratio may be kept as a correction. */
export function ratioInBand(ratio: number): boolean {
  return Number.isFinite(ratio) && ratio >= CORRECTION_BAND.min && ratio <= CORRECTION_BAND.max;
}

/** A type V8 holds under a root far more of than memsize counted. */
export interface UnseenType {
  type: string;
  v8Bytes: number;
  memsizeBytes: number;
}

/**
 * What V8 sees that memsize does not: memsize's types (V8-internal nodes under the value that
 * holds them) where V8 holds at least twice memsize's bytes and the gap is at least 5% of V8's
 * figure, biggest gap first, at most `limit`.
 */
export function unseenTypes(v8Bytes: number, v8ByLabel: ReadonlyMap<string, { bytes: number }>, memsize: CorrectableMeasurement, limit = 5): UnseenType[] {
  const out: UnseenType[] = [];
  for (const [type, total] of v8ByLabel) {
    const ours = memsize.byType.get(type)?.bytes ?? 0;
    if (total.bytes >= 2 * ours && total.bytes - ours >= 0.05 * v8Bytes) out.push({ type, v8Bytes: total.bytes, memsizeBytes: ours });
  }
  return out.sort((a, b) => b.v8Bytes - b.memsizeBytes - (a.v8Bytes - a.memsizeBytes)).slice(0, limit);
}

/** What a corrected measurement says about its correction. */
export interface AppliedCorrection {
  /** Always true: the figures were scaled by factors from a check against V8. */
  applied: true;
  /** When the factors were found (`Date.now()` of the check). */
  checkedAt: number;
  /** memsize's own bytes before the correction. */
  uncorrectedBytes: number;
  /** The factor the total was scaled by (V8 / memsize at the check). */
  ratio: number;
}

/** The part of a measurement a correction reads and rewrites. */
export interface CorrectableMeasurement {
  bytes: number;
  byType: Map<string, TypeTotal>;
}

/**
 * Factors from one check: V8's bytes per memsize label (`v8ByLabel`) against memsize's byType.
 * Returns null when memsize measured nothing (no ratio can be formed).
 */
export function correctionFactors(
  v8Bytes: number,
  v8ByLabel: ReadonlyMap<string, { bytes: number }>,
  memsize: CorrectableMeasurement,
  checkedAt: number,
): CorrectionFactors | null {
  if (!(memsize.bytes > 0) || !(v8Bytes >= 0)) return null;
  const types: Record<string, number> = {};
  let matched = 0;
  for (const [type, total] of memsize.byType) {
    if (!(total.bytes > 0)) continue;
    const v8 = v8ByLabel.get(type)?.bytes ?? 0;
    types[type] = v8 / total.bytes;
    matched += v8;
  }
  return {
    checkedAt,
    v8Bytes,
    memsizeBytes: memsize.bytes,
    ratio: v8Bytes / memsize.bytes,
    types,
    unmatchedRatio: Math.max(0, v8Bytes - matched) / memsize.bytes,
  };
}

/**
 * A copy of `measurement` with `bytes` scaled by the root's ratio and split over the types by
 * the per-type factors (an estimate's `bytesError`, of the root and of each type, scaled alike),
 * and a `correction` field saying so. Object counts are left as memsize
 * counted them. Pure: the input is not modified. Bytes are rounded to whole bytes, and the
 * types' bytes sum to `bytes` up to that rounding.
 */
export function applyCorrection<T extends CorrectableMeasurement>(measurement: T, factors: CorrectionFactors): T & { correction: AppliedCorrection } {
  const corrected = Math.round(measurement.bytes * factors.ratio);
  const weights = new Map<string, number>();
  let weightSum = 0;
  for (const [type, total] of measurement.byType) {
    const factor = Object.hasOwn(factors.types, type) ? (factors.types[type] ?? factors.ratio) : factors.ratio;
    const weight = total.bytes * factor;
    weights.set(type, weight);
    weightSum += weight;
  }
  const byType = new Map<string, TypeTotal>();
  for (const [type, total] of measurement.byType) {
    // No weight at all (every type had a zero factor): keep memsize's own shares.
    const share = weightSum > 0 ? (weights.get(type) ?? 0) / weightSum : measurement.bytes > 0 ? total.bytes / measurement.bytes : 0;
    const bytes = Math.round(corrected * share);
    // An estimate's interval scales with the figure it bounds.
    const error = total.bytesError === undefined || total.bytes <= 0 ? {} : { bytesError: Math.round((total.bytesError * bytes) / total.bytes) };
    byType.set(type, { ...total, bytes, ...error });
  }
  const rootError = (measurement as { bytesError?: unknown }).bytesError;
  return {
    ...measurement,
    ...(typeof rootError === 'number' ? { bytesError: Math.round(rootError * factors.ratio) } : {}),
    bytes: corrected,
    byType,
    correction: {
      applied: true,
      checkedAt: factors.checkedAt,
      uncorrectedBytes: measurement.bytes,
      ratio: factors.ratio,
    },
  };
}

/** The factors of each calibrated root, by root name. Replaced whole at each calibrating check. */
export class CorrectionStore {
  readonly #byRoot = new Map<string, CorrectionFactors>();

  set(root: string, factors: CorrectionFactors): void { this.#byRoot.set(root, Object.freeze({ ...factors, types: Object.freeze({ ...factors.types }) })); }
  get(root: string): CorrectionFactors | undefined { return this.#byRoot.get(root); }
  delete(root: string): boolean { return this.#byRoot.delete(root); }
  clear(): void { this.#byRoot.clear(); }
  get size(): number { return this.#byRoot.size; }
  /** A plain copy, by root name. */
  toJSON(): Record<string, CorrectionFactors> { return Object.fromEntries(this.#byRoot); }
}
