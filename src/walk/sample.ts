/**
 * Random samples of a large collection's entries, for the estimating walk (see walk.ts,
 * "Sampled collections"). Owns the random number generator and the choice of positions; knows
 * nothing about what an entry holds.
 *
 * A sample is drawn in two parts, both uniform over all entries (never the first k, which in a
 * Map are the oldest):
 * - draw 1 (a quarter of the sample) is walked first and counted as it is: whatever the entries
 *   share with each other (a config object, a repeated string) is found here and counted once;
 * - draw 2 (the rest) is walked afterwards, so what it finds is what draw 1 did not: mostly what
 *   its entries hold alone. That part is scaled up to the entries outside draw 1.
 * The idea comes from Apache Spark's SizeEstimator (two draws, so shared sub-objects are not
 * extrapolated); this implementation and its statistics are memsize's own.
 *
 * Never runs user code: Math.random, Math.log and Math.sqrt, and the Set, Map and typed-array
 * constructors and methods it uses were captured when memsize loaded.
 */
import { bareArray, capturedGet as mapGet, capturedSet as mapSet, floor, imul, log, mathRandom, newFloat64Array, newMap, newSet, setAdd, setForEach, setSize, sqrt, typedArraySort } from './primordials.js';


/** A small, fast, seedable generator (mulberry32). Not for cryptography: only to pick entries. */
export class SampleRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A uniform 32-bit unsigned integer. */
  next32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** A uniform integer in [0, n), for n up to 2^53. */
  below(n: number): number {
    const x = (this.next32() * 2 ** 21 + (this.next32() >>> 11)) / 2 ** 53;
    return floor(x * n);
  }
}

/** A fresh seed for a walk that was given none. */
export function freshSeed(): number {
  return floor(mathRandom() * 2 ** 32);
}

/**
 * Positions of one sample, ascending, each encoded as `position * 2 + (in draw 1 ? 1 : 0)`
 * (positions stay far below 2^52, so the encoding is exact).
 */
export type SamplePositions = Float64Array;

/**
 * `k` distinct positions out of `[0, n)`, uniformly (Floyd's algorithm), of which a uniform
 * `k1` are marked as draw 1. Requires `k1 <= k <= n`.
 */
export function drawPositions(random: SampleRandom, n: number, k: number, k1: number): SamplePositions {
  const chosen = newSet<number>();
  for (let j = n - k; j < n; j++) {
    const t = random.below(j + 1);
    const before = setSize(chosen);
    setAdd(chosen, t);
    if (setSize(chosen) === before) setAdd(chosen, j);
  }
  const out = newFloat64Array(k);
  let i = 0;
  setForEach(chosen, (p: unknown) => {
    out[i++] = p as number;
  });
  // Which k1 of them form draw 1: a partial Fisher-Yates shuffle, then the marks.
  for (let m = 0; m < k1; m++) {
    const r = m + random.below(k - m);
    const t = out[m]!;
    out[m] = out[r]!;
    out[r] = t;
  }
  for (let m = 0; m < k; m++) out[m] = out[m]! * 2 + (m < k1 ? 1 : 0);
  typedArraySort(out);
  return out;
}

/** The 0.975 quantile of the normal distribution: a 95% interval is ± Z95 standard deviations. */
export const Z95 = 1.959964;
const LN_20 = log(20);
const NOTHING_UNSEEN = Object.freeze({ bytes: 0, objects: 0, bytesSpread: 0, objectsSpread: 0 });

/** The share of a sample that goes to draw 1 (the rest is draw 2, which is extrapolated). */
export function firstDrawSize(k: number): number {
  return k < 8 ? 1 : floor(k / 4);
}

/**
 * Running statistics of one sampled collection: the estimated bytes and things each entry of
 * draw 2 added (for the variance of the extrapolated total), and the values identified by value
 * (short strings, bigints, symbols) its sampled entries met, with how many entries met each.
 */
export class SampleStats {
  /** Entries draw 2 stands for: the collection's entries outside draw 1 (fewer walked in draw 1 make it larger: OuterSample). */
  population: number;
  /** Entries of draw 2 whose figures are still to come. */
  left: number;
  sumBytes = 0;
  sumSqBytes = 0;
  sumObjects = 0;
  sumSqObjects = 0;
  /** Per value met: its index in `entriesMeeting` and `lastEntry`. */
  readonly #values = newMap<unknown, number>();
  readonly #entriesMeeting: number[] = bareArray();
  readonly #lastEntry: number[] = bareArray();
  #valueBytes = 0;
  /** Sum over the values found of the entries their finder stands for (see {@link valueFound}). */
  #valueUnits = 0;

  constructor(
    /** Entries in the collection. */
    readonly entries: number,
    /** Entries in draw 1. */
    readonly k1: number,
    /** Entries in draw 2 (fractional once an outermost sample was shrunk: see OuterSample). */
    public k: number,
    /** Weight of the collection itself (its own share of an enclosing sample's extrapolation). */
    readonly outerWeight: number,
  ) {
    this.population = entries - k1;
    this.left = k;
  }

  add(bytes: number, objects: number): void {
    this.sumBytes += bytes;
    this.sumSqBytes += bytes * bytes;
    this.sumObjects += objects;
    this.sumSqObjects += objects * objects;
    this.left--;
  }

  /** Variance of the extrapolated total (without-replacement sampling), in the enclosing scale. */
  variance(sum: number, sumSq: number): number {
    const k = this.k;
    const n = this.population;
    if (k < 2 || n <= k) return 0;
    const mean = sum / k;
    const spread = (sumSq - k * mean * mean) / (k - 1);
    const s2 = spread > 0 ? spread : 0;
    const w = this.outerWeight;
    return w * w * n * n * (1 - k / n) * (s2 / k);
  }

  /**
   * A sampled entry counted a value for the first time (`bytes` of it). `unit` is how many entries
   * of the collection that entry stands for: entries / sampled, times the same ratio of each
   * collection sampled inside an entry on the way to it (the values of each user's sampled events
   * are tracked here, by event).
   */
  valueFound(value: unknown, entry: number, bytes: number, unit: number): void {
    this.#valueUnits += unit;
    const index = this.#entriesMeeting.length;
    mapSet(this.#values, value, index);
    this.#entriesMeeting[index] = 1;
    this.#lastEntry[index] = entry;
    this.#valueBytes += bytes;
  }

  /** The entries that found the values so far stand for `ratio` times as many (an outermost sample shrank: OuterSample). */
  scaleUnits(ratio: number): void {
    this.#valueUnits *= ratio;
  }

  /** A sampled entry met a value already counted: one more entry meeting it, if it is another one. */
  valueMet(value: unknown, entry: number): void {
    const index = mapGet(this.#values, value) as number | undefined;
    // Counted by another part of the walk before this sample began.
    if (index === undefined) return;
    if (this.#lastEntry[index] === entry) return;
    this.#entriesMeeting[index]!++;
    this.#lastEntry[index] = entry;
  }

  /**
   * How many distinct values the entries outside the sample hold that it never met, and their
   * bytes (at the average size of those it met). Chao1's estimator of the number of distinct
   * values, from how many were met by exactly one and exactly two sampled entries, bounded by what
   * scaling every value met to the whole collection would give: values each entry holds alone
   * (every one met once) come out scaled to all entries, a vocabulary the sample has mostly seen
   * (user names, statuses) adds little.
   *
   * With no value met twice, the values are taken to be each entry's own. A small sample cannot
   * tell that from a vocabulary much larger than itself: `seen` values from a vocabulary of V show
   * no repeat with probability about exp(-seen² / 2V), still 5% for V = seen² / (2 ln 20). So
   * `bytesSpread` and `objectsSpread` say how far the figure may be above that vocabulary's (the
   * half-width of this term's 95% interval); 0 when the sample is large enough to tell. When
   * some value was met twice, the spread is that of Chao's estimate itself.
   */
  unseenValues(): { bytes: number; objects: number; bytesSpread: number; objectsSpread: number } {
    const seen = this.#entriesMeeting.length;
    if (seen === 0) return NOTHING_UNSEEN;
    let once = 0;
    let twice = 0;
    for (let i = 0; i < seen; i++) {
      const met = this.#entriesMeeting[i]!;
      if (met === 1) once++;
      else if (met === 2) twice++;
    }
    // No value met by two entries: no sign that entries share values at all.
    const chao = twice > 0 ? (once * once) / (2 * twice) : Infinity;
    // Every value met standing for as many as its finder's entry stands for: values of each entry's own.
    const scaledAll = this.#valueUnits - seen;
    const unseen = chao < scaledAll ? chao : scaledAll;
    if (!(unseen > 0)) return NOTHING_UNSEEN;
    let spread = 0;
    if (twice === 0) {
      const smallestVocabulary = (seen * seen) / (2 * LN_20);
      const low = smallestVocabulary > seen ? smallestVocabulary - seen : 0;
      if (low < unseen) spread = unseen - low;
    } else if (chao < scaledAll) {
      // Chao's (1987) variance of the estimate: wide when most values were met once.
      const r = once / twice;
      spread = Z95 * sqrt(twice * (r * r * r * r * 0.25 + r * r * r + r * r * 0.5));
    }
    const perValue = this.#valueBytes / seen;
    return { bytes: unseen * perValue, objects: unseen, bytesSpread: spread * perValue, objectsSpread: spread };
  }
}

/**
 * The outermost sample being walked, sized to the time left while it is walked. Its entries are
 * walked in a random order (walk.ts followSample shuffles them), so the entries walked first are a
 * uniform sample of the sample: when the time left does not hold them all, the walk skips entries
 * not yet begun and weighs the ones it keeps accordingly, instead of being cut (issue 16: a level
 * whose sample fitted 200 ms did not fit 25, and a cut walk reports a lower bound).
 *
 * Draw 1 may shrink at any of its entries (a skipped entry of draw 1 joins the entries draw 2
 * stands for); draw 2 only before its first entry, while none of its entries was counted at the
 * weight it had. Region indices are the walker's (its stack regions), kept entries above skipped
 * ones: the stack walks the highest region first.
 */
export class OuterSample {
  /** Entries of draw 1 (with or without a region of their own) still counted as draw 1. */
  k1: number;
  /** Regions of draw 1's entries still to walk or walked: `first1..last1` (empty when first1 > last1). */
  first1 = 0;
  last1 = -1;
  /** Regions of draw 2's entries, the same way. */
  first2 = 0;
  last2 = -1;
  begun1 = 0;
  begun2 = 0;
  /** `performance.now()` when draw 2's first entry began. */
  draw2At = 0;
  /** When the first and the last entry began, and the longest time between two entries' beginnings (ms). */
  firstBegin = 0;
  lastBegin = 0;
  longest = 0;
  /** Entries of the collection each entry of the sample stands for (walk.ts followSample's unit). */
  unit: number;

  constructor(
    readonly stats: SampleStats,
    /** Entries in the collection. */
    readonly n: number,
    k1: number,
    /** Entries in draw 2, and how many of them have a region (the others hold nothing to walk). */
    readonly k2: number,
    readonly regions2: number,
    /** The collection's own weight. */
    readonly weight: number,
  ) {
    this.k1 = k1;
    this.unit = n / Math.max(k1 + k2, 1);
  }
}
