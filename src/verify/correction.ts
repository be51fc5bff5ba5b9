/**
 * Correction factors found by a check against V8, and their pure application to a later
 * measurement of the same root. Opt-in: factors exist only after `verify({ calibrate })`.
 *
 * Model. At the check, V8's retained set of the root is split by memsize's own type labels
 * (V8-internal nodes under the label of the JavaScript value that dominates them; see
 * retained.ts). For each type memsize reported, the factor is V8's bytes under that label over
 * memsize's bytes for it. V8 bytes under labels memsize did not report at all (e.g. a value kind
 * the walk cannot see) become `unmatchedRatio`, a share of memsize's total, spread over the
 * types in proportion. At the check itself the corrected total therefore equals V8's figure
 * exactly; later, each type scales with its own factor, so a root that grows with the same
 * composition keeps V8's ratio, and a type that grows alone is corrected by its own factor.
 * A type first seen after the check gets the root's overall ratio.
 */
import type { TypeTotal } from '../snapshot.js';

/** Correction factors of one root, found at one check against V8. Plain, JSON-safe data. */
export interface CorrectionFactors {
  /** `Date.now()` of the check. */
  checkedAt: number;
  /** V8's retained bytes of the root at the check. */
  v8Bytes: number;
  /** memsize's bytes of the root at the check. */
  memsizeBytes: number;
  /** v8Bytes / memsizeBytes: the factor for types not seen at the check. */
  ratio: number;
  /** Per memsize type label: V8's bytes under the label / memsize's bytes for it (0 when V8 had none). */
  types: Record<string, number>;
  /** V8 bytes under labels memsize did not report, as a share of memsize's total at the check. */
  unmatchedRatio: number;
}

/** What a corrected measurement says about its correction. */
export interface AppliedCorrection {
  /** Always true: the figures were scaled by factors from a check against V8. */
  applied: true;
  /** When the factors were found (`Date.now()` of the check). */
  checkedAt: number;
  /** memsize's own bytes before the correction. */
  uncorrectedBytes: number;
  /** corrected bytes / uncorrected bytes of this measurement. */
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
 * A copy of `measurement` with `bytes` and each type's bytes corrected by `factors`, and a
 * `correction` field saying so. Object counts are left as memsize counted them. Pure: the input
 * is not modified. Bytes are rounded to whole bytes.
 */
export function applyCorrection<T extends CorrectableMeasurement>(measurement: T, factors: CorrectionFactors): T & { correction: AppliedCorrection } {
  const scaled = new Map<string, number>();
  let sum = 0;
  for (const [type, total] of measurement.byType) {
    const factor = Object.hasOwn(factors.types, type) ? (factors.types[type] ?? factors.ratio) : factors.ratio;
    const bytes = total.bytes * factor;
    scaled.set(type, bytes);
    sum += bytes;
  }
  // V8 bytes under labels memsize never reports, spread over the types in proportion.
  const unmatched = measurement.bytes * factors.unmatchedRatio;
  const spread = sum > 0 ? (sum + unmatched) / sum : 1;
  const byType = new Map<string, TypeTotal>();
  let corrected = 0;
  for (const [type, total] of measurement.byType) {
    const bytes = Math.round((scaled.get(type) ?? 0) * spread);
    byType.set(type, { ...total, bytes });
    corrected += bytes;
  }
  if (measurement.byType.size === 0) corrected = Math.round(measurement.bytes * factors.ratio);
  return {
    ...measurement,
    bytes: corrected,
    byType,
    correction: {
      applied: true,
      checkedAt: factors.checkedAt,
      uncorrectedBytes: measurement.bytes,
      ratio: measurement.bytes > 0 ? corrected / measurement.bytes : 1,
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
