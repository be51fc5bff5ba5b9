/**
 * The traversal: synchronous, iterative (an explicit stack, never recursion), budgeted, and
 * unable to run user code. It knows nothing about bytes: it hands every distinct heap thing, with
 * its kind and the facts edges.ts gathered about its layout, to a Visitor (size/ and tally/ live
 * behind it).
 *
 * Identity: objects, functions and symbols are "seen" by identity; strings and bigints by value,
 * because JavaScript cannot tell two equal strings apart (and equal internalized strings are one
 * heap thing anyway). Numbers that are not Smis are heap numbers owned by the slot holding them,
 * so they are counted per slot, never deduplicated.
 *
 * Visited sets: objects (and symbols, bigints) in `seen`, strings counted by value in
 * `seenStrings`. Both are called as methods of a private prototype holding the built-ins as
 * captured at load (primordials.ts, visitedSet), which TurboFan calls directly. A long string
 * counted per occurrence is looked up only when a Map key or Set member of its length was met, and
 * not at all when it is the key of the Map entry whose value is being expanded (stackKeys).
 *
 * Many roots, one pass (scanEach): each root has its own `seen` set, so its figure stands alone;
 * the first root's sets are kept as the union, and later roots add to them, so the union counts every
 * thing once. A single root costs one Set insertion per distinct thing, which is most of the walk's
 * time on a large graph (a hash table of millions of entries is bound by memory latency).
 *
 * Sampled collections (an estimating walk, `Sampling.threshold` finite): a Map, Set, array or
 * map-like object with more entries than the threshold is expanded from a random sample of its
 * entries (sample.ts says how it is drawn). Its own storage is still described exactly (edges.ts
 * reports its real entry count). Every thing the walk then visits carries a *weight*: how many
 * things of the whole root it stands for. Weights live on *regions* of the explicit stack: the
 * stack is LIFO, so everything pushed while a region's items are expanded sits above them and is
 * done before the walk goes below the region's start. Draw 2 is pushed first (one region per
 * entry, weighted by entries outside draw 1 / entries in draw 2), draw 1 on top of it at the
 * collection's own weight, so draw 1 is walked entirely first and whatever it shares with draw 2
 * is already seen (and counted once) when draw 2 gets there. Closing an entry's region yields the
 * estimated bytes and things its entry added, the figures the interval is computed from.
 */
import { types } from 'node:util';
import { type EdgeWalker, expand } from './edges.js';
import { COLLECTIONS_INTERNALIZE_KEYS, Kind, kindOfObject, kindOfPrototype, confirmKind, isBuiltinPrototype, UNKNOWN_KIND, type ProtoInfo } from './kinds.js';
import { HiddenReader, type FunctionRead } from './hidden.js';
import { CLOCK_STRIDE, Limits, type Budget } from './limits.js';
import { PathTable, ROOT_PATH } from './paths.js';
import { bareArray, capturedGet, capturedSet, getOwnPropertyNames, getOwnPropertySymbols, getPrototypeOf, objectKeys, weakMapDelete, symbolDescription, type VisitedSet, visitedSet, weakMapGet, weakMapSet } from './primordials.js';
import { newShape, type Shape } from './shape.js';
import { drawPositions, firstDrawSize, OuterSample, SampleRandom, SampleStats, type SamplePositions, Z95 } from './sample.js';

const isProxy = types.isProxy;


/** Receives every distinct heap thing of a root's walk, once. */
export interface Visitor {
  /**
   * @param kind what the thing is
   * @param value the thing itself (a string, a bigint, an object...); never call into it
   * @param info per-prototype facts for objects, `null` for primitives and Proxies
   * @param shape layout facts edges.ts gathered (property and element counts...); reused, copy what you keep
   * @param firstInUnion false when an earlier root of the same pass already reached this thing
   * @param path the path id the thing was first reached through (ROOT_PATH unless paths are on)
   */
  thing(kind: Kind, value: unknown, info: ProtoInfo | null, shape: Shape, firstInUnion: boolean, path: number, weight: number): void;
  /** Weighted bytes counted so far (the walk reads it to measure each sampled entry). */
  readonly bytes: number;
  /** Weighted things counted so far. */
  readonly objects: number;
  /**
   * Strings (and other values identified by value) a sampled collection's unsampled entries are
   * estimated to hold beyond those the sample met (see SampleStats.unseenValues).
   */
  unseen(bytes: number, objects: number): void;
  /** Sum apart what is counted at weights other than `shared` (null: stop); see RootTally.scope. Optional. */
  scope?(shared: number | null): void;
  /** Scale what the open scope summed apart by `ratio`, and close it; see RootTally.rescale. Optional. */
  rescale?(ratio: number): void;
}

/** How a walk samples large collections. `threshold: Infinity` walks everything (exact). */
export interface Sampling {
  /** Collections with more entries than this are measured from a sample. */
  readonly threshold: number;
  /** Entries in one collection's sample (draws 1 and 2 together). */
  readonly size: number;
  /**
   * A collection met outside any sample with more entries than `outerThreshold` gets a sample of
   * `outerSize` (never below the second estimating level's), large enough to count the distinct
   * short strings its entries hold (see scan.ts samplingLevels). Smaller ones, and collections
   * inside a sampled entry, get `size`.
   */
  readonly outerThreshold: number;
  readonly outerSize: number;
  /** Seed of the walk's random positions. */
  readonly seed: number;
}

export const EXACT: Sampling = Object.freeze({ threshold: Infinity, size: 0, outerThreshold: Infinity, outerSize: 0, seed: 0 });

export interface WalkOutcome {
  /** Distinct things the walk visited (unweighted). */
  objects: number;
  truncatedBy: Limits['reason'];
  /** Collections measured from a sample; 0 when the figures are exact. */
  sampledCollections: number;
  /** Variance of the estimated bytes (0 when exact). */
  varianceBytes: number;
  /** Variance of the estimated things. */
  varianceObjects: number;
  /** Milliseconds spent passing over large Maps and Sets to gather samples. */
  gatherMs: number;
  /** Inspector calls the walk made for hidden edges (0 when deep reads were off or unavailable). */
  hiddenCalls: number;
  /** Whether an outermost sample was walked smaller than its level's size, to fit the time left (OuterSample). */
  shrunk: boolean;
}

/**
 * The part of its budget a walk gets once to walk an outermost sample that gathering left no time
 * (limits.ts extend).
 */
const LATE_SHARE = 0.25;
/** Entries of an outermost sample walked before its cost per entry is trusted to size the rest. */
const OUTER_MEASURED = 8;
/** Draw 2 is never shrunk below this many entries (its interval needs a spread to be computed from). */
const MIN_OUTER_DRAW2 = 2;
/** Draw 2 is stopped early (stopDraw2IfLate) only after this many of its entries were walked. */
const MIN_OUTER_KEPT = 2;

const protoInfos = new WeakMap<object, ProtoInfo>();
const NULL_PROTO_INFO: ProtoInfo = { kind: Kind.Plain, typeName: undefined, privateReader: null };
const NAMESPACE_INFO: ProtoInfo = { kind: Kind.Namespace, typeName: undefined, privateReader: null };
const isModuleNamespaceObject = types.isModuleNamespaceObject;
const PROXY_INFO: ProtoInfo = { kind: Kind.Proxy, typeName: 'Proxy', privateReader: null };
/** A function's closure or block context (read through the inspector): one type for all. */
const CONTEXT_INFO: ProtoInfo = { kind: Kind.Context, typeName: undefined, privateReader: null };

/** A ProtoInfo of its own for an object classified alone (another realm, a swapped prototype). */
function looseInfo(kind: Kind): ProtoInfo {
  return { kind, typeName: undefined, foreign: true, privateReader: null };
}

/**
 * Per-prototype classification, cached. An object's kind is what its prototype suggests,
 * confirmed by one brand check; failing that (or for another realm) it is classified alone.
 */
export function protoInfoOf(value: object): ProtoInfo {
  if (typeof value === 'function') {
    // Functions: one kind whatever their prototype, named by classify.ts from the function itself.
    return FUNCTION_INFO;
  }
  const proto = getPrototypeOf(value) as object | null;
  // Module namespaces have no prototype either, but bindings of their own (see edges.ts).
  if (proto === null) return isModuleNamespaceObject(value) ? NAMESPACE_INFO : NULL_PROTO_INFO;
  let info = lookupProto(proto);
  if (info === UNKNOWN_INFO) return looseInfo(kindOfObject(value));
  if (!confirmKind(value, info.kind)) {
    // A swapped prototype: keep the prototype's name, change only the layout kind.
    return { kind: kindOfObject(value), typeName: info.typeName, privateReader: null };
  }
  return info;
}

/**
 * ProtoInfo of a prototype. A heap has few prototypes and long runs of objects sharing them, so
 * a 4-entry most-recently-used cache answers most lookups with a few pointer compares; the
 * WeakMap behind it (weak, so a dropped class's prototype stays collectable) answers the rest.
 * The cache holds prototypes strongly, so it is emptied at the end of every walk.
 */
const recentProtos: (object | null)[] = [null, null, null, null];
const recentInfos: ProtoInfo[] = [placeholderInfo(), placeholderInfo(), placeholderInfo(), placeholderInfo()];
let recentNext = 0;
function lookupProto(proto: object): ProtoInfo {
  for (let i = 0; i < 4; i++) if (recentProtos[i] === proto) return recentInfos[i]!;
  let info = weakMapGet(protoInfos, proto);
  if (info === undefined) {
    const kind = kindOfPrototype(proto, isProxy);
    info = kind === UNKNOWN_KIND ? UNKNOWN_INFO : { kind, typeName: undefined, privateReader: isBuiltinPrototype(proto) ? null : undefined };
    weakMapSet(protoInfos, proto, info);
  }
  recentProtos[recentNext] = proto;
  recentInfos[recentNext] = info;
  recentNext = (recentNext + 1) & 3;
  return info;
}
function forgetRecentProtos(): void {
  for (let i = 0; i < 4; i++) recentProtos[i] = null;
}
function placeholderInfo(): ProtoInfo {
  return { kind: Kind.Plain, typeName: undefined };
}

/** Key lists at least this long are kept for a redo (see Walker.ownNames): listing them takes milliseconds. */
const KEEP_NAMES_MIN = 4096;
/**
 * Plain objects with this many keys or more are listed by Object.keys after the first time (see
 * Walker.ownNames): above the default sampleThreshold, so their values are sampled anyway.
 */
const LARGE_MAP_LIKE_KEYS = 16_384;
/** The map-like objects found that large, held weakly: a dropped one stays collectable. */
const largeMapLikes = new WeakMap<object, true>();
/** False until one is found, so that no other walk pays the lookup. */
let largeMapLikesSeen = false;

const FUNCTION_INFO: ProtoInfo = { kind: Kind.Function, typeName: undefined, privateReader: null };
const UNKNOWN_INFO: ProtoInfo = { kind: Kind.Plain, typeName: undefined, privateReader: null };

/** A reusable traversal engine. Not re-entrant: one walk at a time (walks never yield). */
export class Walker implements EdgeWalker {
  /** Pending objects. Strings and numbers are handled when found, never pushed. */
  private stack: unknown[] = bareArray();
  private pathStack: number[] = bareArray();
  /**
   * The string key of the Map entry whose value a stack slot holds (else undefined). A record
   * stored under its own id (`map.set(s.id, s)`) holds its key in a field: while the value is
   * expanded, a string equal to its entry's key is known to be a key already counted, with no
   * lookup in the visited strings (which would answer the same).
   */
  private stackKeys: unknown[] = bareArray();
  /** The entry key of the value being expanded, or null. */
  private entryKey: string | null = null;
  private sp = 0;
  /** Things this root has reached. */
  private seen: VisitedSet = visitedSet();
  /**
   * Strings this root has counted by value (short ones, Map keys and Set members), apart from
   * `seen`: a lookup compares the string with every candidate of its hash chain, reading each
   * one, so a set of strings alone keeps those reads off the objects.
   */
  private seenStrings: VisitedSet = visitedSet();
  /**
   * Lengths (255 for any longer) of the long strings in `seenStrings`: a string counted per
   * occurrence is looked up there only when a key of its length was met, which spares most
   * occurrences a lookup in a set of hundreds of thousands of keys.
   */
  private readonly keyLengths = new Uint8Array(256);
  /** Things earlier roots of this pass reached (null while walking the first root). */
  private union: VisitedSet | null = null;
  private unionStrings: VisitedSet | null = null;
  private rootIndex = -1;
  private readonly shape: Shape = newShape();
  private visitor: Visitor = NO_VISITOR;
  private limits: Limits | null = null;
  private objects = 0;
  private maxObjects = 0;
  /** Edges followed since the walk began: the clock is read every CLOCK_STRIDE of them. */
  private steps = 0;
  /**
   * Set when a budget ran out. Expansion loops in edges.ts check it after every child, so a
   * container of a million entries cannot carry the walk far past maxMillis.
   */
  stopped = false;
  /** True while expanding an object of another realm: edges.ts reads its properties by descriptor. */
  foreign = false;
  /** Non-null when paths are being recorded. */
  paths: PathTable | null = null;
  /** Show Map keys and dictionary keys in path labels (they are user data: off unless asked). */
  pathKeys = false;
  /** Path of the thing being expanded; children inherit it or extend it (see pushChild). */
  currentPath = ROOT_PATH;

  // Sampling (see the module comment). Configured per walk.
  private sampling: Sampling = EXACT;
  private random = new SampleRandom(0);
  /** Entries of the collection being sampled, gathered by edges.ts: values, Map keys, draw-1 marks. */
  readonly sampleValues: unknown[] = bareArray();
  readonly sampleKeys: unknown[] = bareArray();
  readonly sampleFirst: boolean[] = bareArray();
  sampleCount = 0;
  /** Positions in draw 1 and draw 2 of the sample being gathered. */
  private sampleK1 = 0;
  private sampleK2 = 0;
  /** Weight of the thing being expanded: how many things of the whole root it stands for. */
  weight = 1;
  /**
   * Weight for things identified by value (short strings, bigints, symbols) found now: the
   * weight of the collection whose sample is being walked, not its entries'. Such values repeat
   * across entries (a user name, a status, a SKU: V8 keeps one internalized copy), and a sample
   * cannot tell how many distinct ones the whole collection holds; scaling each one met in a
   * sampled entry to the collection would count a name shared by 80 sessions of a Map of 400,000
   * at draw 2's weight, about 130 (docs/estimation.md, "Values that repeat").
   */
  private shareWeight = 1;
  private regionShare: number[] = bareArray();
  /**
   * The sampled collection whose entry is being walked, and which entry (a serial number): values
   * identified by value that entries meet are counted per collection (SampleStats.valueFound),
   * to estimate how many distinct ones the entries outside the sample hold.
   */
  private trackSample: SampleStats | null = null;
  private trackEntry = 0;
  /**
   * How many entries of the whole collection the entry being walked stands for (the product of
   * entries / sampled down the nested samples it sits in): a value found in it and met nowhere
   * else in the sample stands for that many (SampleStats.valueFound).
   */
  private trackUnit = 1;
  private regionUnit: number[] = bareArray();
  private entrySerial = 0;
  private regionSample: (SampleStats | null)[] = bareArray();
  private regionEntry: number[] = bareArray();
  private regionStart: number[] = bareArray();
  private regionWeight: number[] = bareArray();
  private regionStats: (SampleStats | null)[] = bareArray();
  /** Weighted totals when an entry's region began (-1: not begun). */
  private regionBytes: number[] = bareArray();
  private regionObjects: number[] = bareArray();
  private regions = 0;
  /** Regions whose items are dropped unwalked: entries an outermost sample skipped (OuterSample). */
  private regionSkip: boolean[] = bareArray();
  /** The outermost sample a region not yet begun is an entry of, else null. */
  private regionOuter: (OuterSample | null)[] = bareArray();
  /** The region being walked is skipped. */
  private skipping = false;
  private shrunk = false;
  /** The order in which an outermost sample's gathered entries are pushed (shuffled). */
  private readonly sampleOrder: number[] = bareArray();
  /** Entry regions begun and not closed: a sample inside one is part of that entry's figure. */
  private openEntries = 0;
  private varianceBytes = 0;
  private varianceObjects = 0;
  private sampledCollections = 0;
  /** Time spent passing over Maps and Sets to gather their samples (it does not shrink with the sample). */
  gatherMs = 0;
  /** Things this walk added to the union, kept while the walk may be abandoned and redone. */
  private unionLog: unknown[] | null = null;
  /**
   * Long key lists of this root's objects, kept while its walk may be abandoned and redone (see
   * {@link ownNames}): the objects and their lists, side by side (a few at most, so searched in
   * order; no collection is constructed during a walk). Emptied before the next root and at the
   * pass's end.
   */
  private readonly keptObjects: object[] = bareArray();
  private readonly keptLists: string[][] = bareArray();
  private keepNames = false;
  /** The walk may be redone at a coarser level (a try): it is cut rather than shrunk when it does not fit. */
  private mayRedo = false;
  /** The large map-like object whose keys ownNames just listed by Object.keys, else null. */
  private timedListing: object | null = null;

  /**
   * Read what JavaScript does not show (`#private` fields, closure scopes, WeakMap entries)
   * through the inspector: set by the scan for each pass (the `deep` option).
   */
  deep = false;
  /** Deep reads are on for the walk under way (asked for, and the session is available). */
  private deepOn = false;
  private readonly hidden = new HiddenReader();
  /** WeakMap entries whose key this root had not reached when their table was expanded. */
  private readonly pendingKeys: unknown[] = bareArray();
  private readonly pendingValues: unknown[] = bareArray();
  private readonly pendingWeights: number[] = bareArray();
  /** Contexts this root has counted, and those any root of the pass has (see markContext). */
  private contexts: ContextTable = new Map();
  private unionContexts: ContextTable = new Map();

  /**
   * Walk everything reachable from `root`, handing each thing new to this root to the visitor.
   * Roots walked by one Walker share the union bookkeeping; call {@link reset} between passes.
   */
  walkRoot(root: unknown, budget: Budget, visitor: Visitor, startedAt: number, sampling: Sampling = EXACT, mayRedo = false): WalkOutcome {
    this.rootIndex++;
    this.forgetKeptNames();
    if (this.rootIndex > 0) {
      // The first root's set becomes the union; later roots get sets of their own.
      if (this.union === null) {
        this.union = this.seen;
        this.unionStrings = this.seenStrings;
      }
      this.seen = visitedSet();
      this.seenStrings = visitedSet();
    }
    return this.walk(root, budget, visitor, startedAt, sampling, mayRedo);
  }

  /**
   * Walk the current root again, forgetting the previous attempt (which must have been started
   * with `mayRedo`): what it added to the union is taken back out.
   */
  redoRoot(root: unknown, budget: Budget, visitor: Visitor, startedAt: number, sampling: Sampling, mayRedo: boolean): WalkOutcome {
    const log = this.unionLog;
    if (log !== null && this.union !== null) {
      for (let i = 0; i < log.length; i++) {
        const thing = log[i];
        if (typeof thing === 'string') this.unionStrings!.delete(thing);
        else this.union.delete(thing);
      }
    }
    this.seen = visitedSet();
    this.seenStrings = visitedSet();
    return this.walk(root, budget, visitor, startedAt, sampling, mayRedo);
  }

  private walk(root: unknown, budget: Budget, visitor: Visitor, startedAt: number, sampling: Sampling, mayRedo: boolean): WalkOutcome {
    this.visitor = visitor;
    this.objects = 0;
    this.steps = 0;
    this.stopped = false;
    this.unionLog = mayRedo && this.union !== null ? bareArray() : null;
    this.keepNames = mayRedo;
    this.mayRedo = mayRedo;
    this.keyLengths.fill(0);
    this.sampling = sampling;
    this.random = new SampleRandom(sampling.seed);
    this.weight = 1;
    this.shareWeight = 1;
    this.trackSample = null;
    this.trackEntry = 0;
    this.trackUnit = 1;
    this.openRegion(0, 1, 1, null);
    this.openEntries = 0;
    this.varianceBytes = 0;
    this.varianceObjects = 0;
    this.sampledCollections = 0;
    this.gatherMs = 0;
    this.skipping = false;
    this.shrunk = false;
    const limits = new Limits(budget, startedAt);
    this.limits = limits;
    this.maxObjects = limits.maxObjects;
    this.currentPath = ROOT_PATH;
    this.contexts = new Map();
    let hiddenCalls = 0;
    try {
      this.deepOn = this.deep && this.hidden.begin();
      if (this.child(root) === 1 && this.admit(limits)) {
        // A number root that is not a Smi is one heap number.
        this.shape.heapNumbers = 1;
        this.visitor.thing(Kind.HeapNumber, root, null, this.shape, this.rootIndex === 0, this.currentPath, 1);
      }
      this.drain(limits);
      if (!this.stopped) while (this.regions > 1) this.closeRegion();
      if (this.deepOn && !this.stopped) this.settleEphemerons(limits);
    } finally {
      if (this.deepOn) {
        hiddenCalls = this.hidden.calls;
        this.hidden.end();
        this.deepOn = false;
      }
      this.pendingKeys.length = 0;
      this.pendingValues.length = 0;
      this.pendingWeights.length = 0;
      this.contexts = new Map();
      // Drop every reference into the graph the walk still holds: a dropped root must stay collectable.
      this.stack.length = 0;
      this.pathStack.length = 0;
      this.stackKeys.length = 0;
      this.entryKey = null;
      this.timedListing = null;
      this.sp = 0;
      this.visitor = NO_VISITOR;
      this.limits = null;
      this.stopped = false;
      for (let i = 0; i < this.regions; i++) {
        this.regionStats[i] = null;
        this.regionSample[i] = null;
        this.regionOuter[i] = null;
      }
      this.trackSample = null;
      this.regions = 0;
      this.sampleValues.length = 0;
      this.sampleKeys.length = 0;
      this.sampleCount = 0;
      if (!mayRedo) {
        this.unionLog = null;
        this.forgetKeptNames();
      }
      forgetRecentProtos();
    }
    return {
      objects: this.objects,
      truncatedBy: limits.reason,
      sampledCollections: this.sampledCollections,
      varianceBytes: this.varianceBytes,
      varianceObjects: this.varianceObjects,
      gatherMs: this.gatherMs,
      hiddenCalls,
      shrunk: this.shrunk,
    };
  }

  /** Forget every thing seen (end of a pass). */
  reset(): void {
    this.unionContexts = new Map();
    this.seen = visitedSet();
    this.seenStrings = visitedSet();
    this.union = null;
    this.unionStrings = null;
    this.unionLog = null;
    this.forgetKeptNames();
    this.rootIndex = -1;
    this.paths = null;
  }

  private drain(limits: Limits): void {
    const stack = this.stack;
    while (this.sp > 0 && !this.stopped) {
      const sp = --this.sp;
      const value = stack[sp] as object;
      stack[sp] = undefined;
      const entryKey = this.stackKeys[sp];
      if (entryKey === undefined) {
        this.entryKey = null;
      } else {
        this.stackKeys[sp] = undefined;
        this.entryKey = entryKey as string;
      }
      if (this.regions > 1) {
        this.enterRegionOf(sp);
        if (this.skipping) continue;
      }
      if (this.paths !== null) this.currentPath = this.pathStack[sp]!;
      if (this.step(limits)) return;
      if (typeof value !== 'object' && typeof value !== 'function') {
        // A string, bigint or symbol of a sampled entry, pushed to be counted in its entry's turn.
        if (typeof value === 'string') this.stringOccurrence(value);
        else this.primitive(value as bigint | symbol);
        continue;
      }
      const firstInUnion = this.mark(value);
      if (firstInUnion === null) continue;
      if (!this.admit(limits)) return;
      this.visitObject(value, firstInUnion);
    }
  }

  /** One unit of work (an edge followed, a thing popped). True when the time budget ran out. */
  private step(limits: Limits): boolean {
    if ((++this.steps & (CLOCK_STRIDE - 1)) === 0 && limits.overTime()) this.stopped = true;
    return this.stopped;
  }

  /**
   * A unit of work that follows no edge, such as a hole in an array: `new Array(1 << 20)` costs a
   * million steps and almost no memory, so holes must run the clock too.
   */
  tick(): void {
    this.step(this.limits!);
  }

  /** Count one more distinct thing, unless maxObjects is reached (then stop). */
  private admit(limits: Limits): boolean {
    if (this.objects >= this.maxObjects) {
      limits.reason = 'maxObjects';
      this.stopped = true;
      return false;
    }
    this.objects++;
    return true;
  }

  /** Returns null when this root has already seen `thing`, else whether the union had not. */
  private mark(thing: unknown): boolean | null {
    const seen = this.seen;
    // has() then add(): a lookup is cheaper than an insertion, and most things met are new once
    // but met again many times (shared lists, keys); measured 400 against 440 ms for one add()
    // and a size check over 1.1 million walk-ordered values (Node 20).
    if (seen.has(thing)) return null;
    seen.add(thing);
    const union = this.union;
    if (union === null) return true;
    if (union.has(thing)) return false;
    union.add(thing);
    const log = this.unionLog;
    if (log !== null) log[log.length] = thing;
    return true;
  }

  /** {@link mark} for a string counted by value. */
  private markString(value: string): boolean | null {
    const seen = this.seenStrings;
    if (seen.has(value)) return null;
    seen.add(value);
    const length = value.length;
    if (length > SHARED_STRING_MAX_LENGTH) this.keyLengths[length < 255 ? length : 255] = 1;
    const union = this.unionStrings;
    if (union === null) return true;
    if (union.has(value)) return false;
    union.add(value);
    const log = this.unionLog;
    if (log !== null) log[log.length] = value;
    return true;
  }

  private visitObject(value: object, firstInUnion: boolean): void {
    const shape = this.shape;
    if (isProxy(value)) {
      // Counted as itself and never entered: every operation on a Proxy may run a trap.
      shape.props = 0;
      shape.heapNumbers = 0;
      this.visitor.thing(Kind.Proxy, value, PROXY_INFO, shape, firstInUnion, this.currentPath, this.weight);
      return;
    }
    let info: ProtoInfo;
    try {
      info = protoInfoOf(value);
    } catch {
      // A Proxy somewhere on the prototype chain is still never entered: classify the object alone.
      info = looseInfo(kindOfObject(value));
    }
    this.foreign = info.foreign === true;
    expand(this, value, info.kind, shape);
    if (this.deepOn) {
      if (info.kind === Kind.WeakCollection) this.weakEntries(value, shape);
      // Errors are left out: an Error subclass's fields would be read like any class's, but the
      // inspector describes an Error by formatting its stack (user code), so none is handed to it.
      else if (info.privateReader !== null && info.kind !== Kind.Error) this.privateFields(value, info, shape);
    }
    this.visitor.thing(info.kind, value, info, shape, firstInUnion, this.currentPath, this.weight);
    if (this.deepOn && info.kind === Kind.Function && !this.stopped) this.functionParts(value);
  }

  // ---- Hidden edges (walk/hidden.ts): #private fields, closure scopes, WeakMap entries ----

  /** An inspector call just ran: it costs 25-130 µs, so the clock is read now, not a stride later. */
  private hiddenStep(): void {
    if (this.limits!.overTime()) this.stopped = true;
  }

  /** The values of `obj`'s `#private` fields, as more properties of `obj` (they are slots of it). */
  private privateFields(obj: object, info: ProtoInfo, shape: Shape): void {
    let values: unknown[] | null;
    try {
      const proto = getPrototypeOf(obj) as object | null;
      if (proto === null) return;
      values = this.hidden.privateValues(obj, proto);
      if (info.privateReader === undefined) {
        // Learned once per class: the next instances skip the lookup when there are none.
        const names = this.hidden.privateNames(proto);
        if (names.length === 0) info.privateReader = null;
        else {
          info.privateReader = '';
          info.privateNames = names;
        }
      }
    } catch {
      return;
    }
    this.hiddenStep();
    if (values === null) return;
    const names = info.privateNames ?? this.hidden.privateNames(getPrototypeOf(obj) as object);
    let heapNumbers = 0;
    for (let i = 0; i < values.length && !this.stopped; i++) heapNumbers += this.childAt(values[i], names[i] ?? '#private');
    shape.props += values.length;
    shape.heapNumbers += heapNumbers;
  }

  /**
   * A WeakMap's values: an entry's value is held by its key and the table together (an
   * ephemeron), so it counts only when this root reaches the key too. Keys already reached are
   * followed now; the others wait for the end of the walk (settleEphemerons).
   */
  private weakEntries(collection: object, shape: Shape): void {
    let entries: unknown[] | null;
    try {
      entries = this.hidden.weakEntries(collection);
    } catch {
      entries = null;
    }
    this.hiddenStep();
    if (entries === null) return;
    shape.length = entries.length / 2;
    for (let i = 0; i < entries.length && !this.stopped; i += 2) {
      const key = entries[i];
      const value = entries[i + 1];
      if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'string' && typeof value !== 'bigint') {
        if (typeof value === 'number') shape.heapNumbers += this.seen.has(key) ? this.child(value) : 0;
        continue;
      }
      if (this.seen.has(key)) {
        this.childAt(value, '<WeakMap value>');
      } else {
        const n = this.pendingKeys.length;
        this.pendingKeys[n] = key;
        this.pendingValues[n] = value;
        this.pendingWeights[n] = this.weight;
      }
    }
  }

  /** Follow the WeakMap values whose keys the walk reached after their table; repeat until none is left. */
  private settleEphemerons(limits: Limits): void {
    let progress = true;
    while (progress && this.pendingKeys.length > 0 && !this.stopped) {
      progress = false;
      const keys = this.pendingKeys;
      const values = this.pendingValues;
      const weights = this.pendingWeights;
      for (let i = 0; i < keys.length && !this.stopped; i++) {
        if (keys[i] === undefined || !this.seen.has(keys[i])) continue;
        const value = values[i];
        keys[i] = undefined;
        values[i] = undefined;
        progress = true;
        this.weight = weights[i]!;
        this.shareWeight = this.weight;
        this.childAt(value, '<WeakMap value>');
        this.drain(limits);
      }
      this.weight = 1;
      this.shareWeight = 1;
    }
  }

  /**
   * A function's own scopes (Closure, Block...) and a bound function's parts. Each scope is a
   * Context of its own, counted once however many functions share it: two reads of one context
   * give the same variables holding the same objects (a scope whose values are all primitives
   * cannot be told from another one like it, and is counted per function).
   */
  private functionParts(fn: object): void {
    let parts: FunctionRead | null;
    try {
      parts = this.hidden.functionParts(fn);
    } catch {
      parts = null;
    }
    this.hiddenStep();
    if (parts === null) return;
    const bound = parts.bound;
    for (let i = 0; i < bound.length && !this.stopped; i++) this.childAt(bound[i], i === 0 ? '[[TargetFunction]]' : i === 1 ? '[[BoundThis]]' : '[[BoundArgs]]');
    const scopes = parts.scopes;
    for (let i = 0; i < scopes.length && !this.stopped; i++) {
      const scope = scopes[i]!;
      const firstInUnion = this.markContext(scope.description, scope.names, scope.values);
      if (firstInUnion === null || !this.admit(this.limits!)) continue;
      let heapNumbers = 0;
      for (let j = 0; j < scope.values.length && !this.stopped; j++) heapNumbers += this.childAt(scope.values[j], scope.names[j]!);
      const shape = this.shape;
      shape.props = scope.names.length;
      shape.elements = 0;
      shape.length = 0;
      shape.flags = 0;
      shape.outOfObject = 0;
      shape.heapNumbers = heapNumbers;
      this.visitor.thing(Kind.Context, scope, CONTEXT_INFO, shape, firstInUnion, this.currentPath, this.weight);
    }
  }

  /** {@link mark} for a context, identified by its variables (see functionParts). */
  private markContext(description: string, names: readonly string[], values: readonly unknown[]): boolean | null {
    let identifying = false;
    for (let i = 0; i < values.length; i++) {
      const t = typeof values[i];
      if ((t === 'object' && values[i] !== null) || t === 'function') identifying = true;
    }
    if (!identifying) return true;
    const key = `${description}\0${names.join(',')}`;
    if (findContext(this.contexts, key, values)) return null;
    addContext(this.contexts, key, values);
    if (this.union === null && this.rootIndex === 0) {
      addContext(this.unionContexts, key, values);
      return true;
    }
    if (findContext(this.unionContexts, key, values)) return false;
    addContext(this.unionContexts, key, values);
    return true;
  }

  /**
   * A value found in a slot of the thing being expanded. Objects are pushed; strings, bigints and
   * symbols are counted now; numbers only report whether they need a heap number.
   * @returns 1 when the value is a number that is not a Smi (a heap number in a tagged slot), else 0.
   */
  child(value: unknown): number {
    if (this.step(this.limits!)) return 0;
    switch (typeof value) {
      case 'object':
        if (value !== null) this.push(value, this.currentPath);
        return 0;
      case 'function':
        this.push(value, this.currentPath);
        return 0;
      case 'string':
        this.stringOccurrence(value);
        return 0;
      case 'bigint':
      case 'symbol':
        this.primitive(value);
        return 0;
      case 'number':
        return isSmi(value) ? 0 : 1;
      default:
        return 0;
    }
  }

  /**
   * {@link child} for the value of a Map entry whose string key was just counted (see
   * {@link stackKeys}).
   */
  entryValue(value: unknown, key: string): number {
    const sp = this.sp;
    const heapNumber = this.child(value);
    if (this.sp > sp) this.stackKeys[sp] = key;
    return heapNumber;
  }

  /** Like {@link child}, but the thing is reached through a labelled edge that may start a new path. */
  childAt(value: unknown, label: string): number {
    if (this.paths === null) return this.child(value);
    const saved = this.currentPath;
    this.currentPath = this.paths.extend(saved, label);
    const heapNumber = this.child(value);
    this.currentPath = saved;
    return heapNumber;
  }

  private push(value: object, path: number): void {
    const sp = this.sp++;
    this.stack[sp] = value;
    if (this.paths !== null) this.pathStack[sp] = path;
  }

  /**
   * A string held by V8's string table, such as a Map key or Set member on V8 >= 14, which
   * internalizes them in place: V8 counts it in no structure's retained size. Marked as seen, so
   * that another slot holding the same string (an entry's own `key` field) does not count it
   * either, but never visited.
   */
  internalizedChild(value: string): void {
    if (this.step(this.limits!)) return;
    this.markString(value);
  }

  /**
   * A string found in a slot. Counted per occurrence: equal strings in different records are
   * usually separate heap strings in V8 (each decode of a Buffer, each parse, each concatenation
   * makes its own), which per-value counting missed by 22-46% on data decoded from buffers
   * (docs/accuracy.md, "Strings: per occurrence"). The exception is a string equal to a Map key or
   * Set member already met: an entry's own `key` field is the same heap string as its key. Short
   * strings stay per value: most of them are internalized, so one heap string however often they
   * occur (code literals, property names from Object.keys, short split() pieces, and JSON.parse
   * values up to SHARED_STRING_MAX_LENGTH chars).
   */
  private stringOccurrence(value: string): void {
    if (value.length <= SHARED_STRING_MAX_LENGTH) {
      this.primitive(value);
      return;
    }
    if (value === this.entryKey) return;
    const length = value.length;
    if (this.keyLengths[length < 255 ? length : 255] !== 0 && this.seenStrings.has(value)) return;
    if (!this.admit(this.limits!)) return;
    let firstInUnion = true;
    const union = this.unionStrings;
    if (union !== null) {
      firstInUnion = !union.has(value);
      if (firstInUnion) union.add(value);
    }
    this.visitor.thing(Kind.String, value, null, this.shape, firstInUnion, this.currentPath, this.weight);
  }

  /** A Map key or Set member: counted once per value, and equal strings met later are the same one. */
  keyChild(value: unknown, label: string): number {
    if (typeof value !== 'string') return this.childAt(value, label);
    if (this.step(this.limits!)) return 0;
    const saved = this.currentPath;
    if (this.paths !== null) this.currentPath = this.paths.extend(saved, label);
    // Keys are distinct within their collection: a sampled key stands for its own entry alone.
    this.primitive(value, this.weight, false);
    this.currentPath = saved;
    return 0;
  }

  /**
   * A thing identified by its value (a short string, a bigint, a symbol), counted once per root
   * whoever reaches it: at `shareWeight`, so one first met in a sampled entry counts once, not
   * scaled to the collection (see {@link shareWeight}).
   */
  private primitive(value: string | bigint | symbol, weight = this.shareWeight, tracked = true): void {
    const firstInUnion = typeof value === 'string' ? this.markString(value) : this.mark(value);
    const sample = tracked ? this.trackSample : null;
    if (firstInUnion === null) {
      if (sample !== null) sample.valueMet(value, this.trackEntry);
      return;
    }
    if (!this.admit(this.limits!)) return;
    const before = this.visitor.bytes;
    if (typeof value === 'symbol') {
      // A symbol's description is a string of its own (shared when internalized).
      this.visitor.thing(Kind.Symbol, value, null, this.shape, firstInUnion, this.currentPath, weight);
      const description = symbolDescription(value);
      if (description !== undefined) this.child(description);
    } else {
      const kind = typeof value === 'string' ? Kind.String : Kind.BigInt;
      this.visitor.thing(kind, value, null, this.shape, firstInUnion, this.currentPath, weight);
    }
    if (sample !== null) sample.valueFound(value, this.trackEntry, (this.visitor.bytes - before) / weight, this.trackUnit);
  }

  // ---- Sampled collections ----

  /**
   * The own string keys of `obj`. Listing the keys of a map-like object is one built-in call no
   * budget can interrupt: Object.getOwnPropertyNames takes 150-280 ms for 300,000 keys on Node
   * 20-26, Object.keys 60-115 ms (`npm run bench:maplike`). So:
   * - a long list is kept while the walk may be redone, and the redo at a coarser level reuses it
   *   (it cannot be stale: the try and the redo run in one synchronous call that runs no user code);
   * - a plain or null-prototype object found with LARGE_MAP_LIKE_KEYS keys or more is remembered
   *   (weakly), and its later walks list only its enumerable keys (Object.keys): their values are
   *   sampled anyway, and a map-like object's keys are data, made enumerable by assignment. A
   *   non-enumerable property of such an object is not followed (README "Limitations").
   */
  ownNames(obj: object, plain: boolean): string[] {
    const kept = this.keptObjects;
    for (let i = 0; i < kept.length; i++) if (kept[i] === obj) return this.keptLists[i]!;
    let names: string[];
    this.timedListing = null;
    if (plain && largeMapLikesSeen && weakMapGet(largeMapLikes, obj) === true) {
      this.timedListing = obj;
      // Timed as a gather pass: it costs the same at every level, so the collector's prediction
      // of a finer level's walk does not scale it up (scan.ts finerWalkMs).
      const started = performance.now();
      names = objectKeys(obj);
      this.gatherMs += performance.now() - started;
      if (names.length < LARGE_MAP_LIKE_KEYS) weakMapDelete(largeMapLikes, obj);
    } else {
      names = getOwnPropertyNames(obj);
      if (plain && names.length >= LARGE_MAP_LIKE_KEYS) {
        weakMapSet(largeMapLikes, obj, true);
        largeMapLikesSeen = true;
      }
    }
    if (this.keepNames && names.length >= KEEP_NAMES_MIN) {
      this.keptLists[kept.length] = names;
      kept[kept.length] = obj;
    }
    return names;
  }

  private forgetKeptNames(): void {
    this.keptObjects.length = 0;
    this.keptLists.length = 0;
  }

  /** The own symbol keys of `obj`; timed as a gather pass after a large map-like object's keys (see ownNames). */
  ownSymbols(obj: object): symbol[] {
    if (obj !== this.timedListing) return getOwnPropertySymbols(obj);
    this.timedListing = null;
    const started = performance.now();
    const symbols = getOwnPropertySymbols(obj);
    this.gatherMs += performance.now() - started;
    return symbols;
  }

  /** Whether a collection of `n` entries is measured from a sample in this walk. */
  samples(n: number): boolean {
    return n > this.sampling.threshold;
  }

  /**
   * Choose the positions of a sample of a collection of `n` entries (`samples(n)` was true).
   * edges.ts then gathers the entries at those positions into sampleValues/sampleKeys/sampleFirst
   * (a hole gathers nothing) and calls {@link followSample}.
   */
  samplePositions(n: number): SamplePositions {
    // Outside any sample (only the base region open), a collection above outerThreshold.
    const sampling = this.sampling;
    const size = this.regions === 1 && n > sampling.outerThreshold ? sampling.outerSize : sampling.size;
    const k = size < n ? size : n;
    const k1 = firstDrawSize(k);
    this.sampleK1 = k1;
    this.sampleK2 = k - k1;
    this.sampleCount = 0;
    return drawPositions(this.random, n, k, k1);
  }

  /**
   * Follow the gathered sample of a collection of `n` entries: draw 2 pushed first, one weighted
   * region per entry, then draw 1 followed as ordinary children on top of it.
   * @returns the heap numbers held in the collection's own slots, extrapolated to all `n` entries
   */
  followSample(n: number, keyLabel: string, valueLabel: string): number {
    const k1 = this.sampleK1;
    const k2 = this.sampleK2;
    const count = this.sampleCount;
    const values = this.sampleValues;
    const keys = this.sampleKeys;
    const first = this.sampleFirst;
    const hasKeys = keys.length > 0;
    this.sampledCollections++;
    const scale = k2 > 0 ? (n - k1) / k2 : 0;
    const stats = new SampleStats(n, k1, k2, this.weight);
    const entryWeight = this.weight * scale;
    let heapNumbers = 0;
    let gathered2 = 0;
    const outerSample = this.trackSample;
    const outerEntry = this.trackEntry;
    const outerUnit = this.trackUnit;
    // Values identified by value (short strings, bigints, symbols) are counted once per root
    // whichever entry meets them, and their number is estimated where they were met: at the
    // outermost sample, with each entry as a unit standing for `unit` entries of the collection.
    // A collection sampled inside a sampled entry (each user's Map of events) passes its values
    // to that outermost sample, at its weight: the values its entries hold may be every user's
    // (event kinds from a vocabulary) or its own (event ids), and only the sample of all the
    // units met can tell (Chao1 over units, sample.ts unseenValues). Counting them at the
    // enclosing entry's weight read +45% on 2,000 users of 200 events at 32 x 64 entries.
    const nested = outerSample !== null;
    const valueStats = nested ? outerSample : stats;
    const valueWeight = nested ? this.shareWeight : this.weight;
    const unit = (nested ? outerUnit : 1) * (n / Math.max(k1 + k2, 1));
    // An outermost sample's entries are pushed in a random order, so that the entries walked first
    // are a uniform sample of it: it may be shrunk to the time left while it is walked (OuterSample).
    const order = this.sampleOrder;
    for (let i = 0; i < count; i++) order[i] = i;
    const outermost = this.regions === 1;
    if (outermost) {
      for (let i = count - 1; i > 0; i--) {
        const j = this.random.below(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    const first2 = this.regions;
    for (let j = 0; j < count && !this.stopped; j++) {
      const i = order[j]!;
      if (first[i]) continue;
      gathered2++;
      const start = this.sp;
      const entry = ++this.entrySerial;
      this.trackSample = valueStats;
      this.trackEntry = entry;
      this.trackUnit = unit;
      let numbers = hasKeys ? this.sampledKey(keys[i], keyLabel, entryWeight) : 0;
      numbers += this.defer(values[i], valueLabel);
      heapNumbers += numbers * scale;
      if (this.sp > start) this.openRegion(start, entryWeight, valueWeight, stats, valueStats, entry, unit);
      else stats.add(0, 0);
    }
    this.trackSample = outerSample;
    this.trackEntry = outerEntry;
    this.trackUnit = outerUnit;
    const last2 = this.regions - 1;
    // Positions of draw 2 that held nothing (holes) are entries of size 0.
    for (let i = gathered2; i < k2; i++) stats.add(0, 0);
    // Draw 1 on top, each entry a region of its own at the collection's weight (so the values it
    // meets are told apart by entry), then a region for whatever the collection pushes next.
    this.openRegion(this.sp, this.weight, this.shareWeight, null, outerSample, outerEntry);
    const first1 = this.regions;
    for (let j = 0; j < count && !this.stopped; j++) {
      const i = order[j]!;
      if (!first[i]) continue;
      const start = this.sp;
      const entry = ++this.entrySerial;
      this.trackSample = valueStats;
      this.trackEntry = entry;
      this.trackUnit = unit;
      if (hasKeys) heapNumbers += this.sampledKey(keys[i], keyLabel, this.weight);
      heapNumbers += this.childAt(values[i], valueLabel);
      if (this.sp > start) this.openRegion(start, this.weight, this.shareWeight, null, valueStats, entry, unit);
    }
    this.trackSample = outerSample;
    this.trackEntry = outerEntry;
    this.trackUnit = outerUnit;
    const last1 = this.regions - 1;
    if (outermost && !this.stopped && (last1 >= first1 || last2 >= first2)) {
      const outer = new OuterSample(stats, n, k1, k2, last2 - first2 + 1, this.weight);
      outer.first1 = first1;
      outer.last1 = last1;
      outer.first2 = first2;
      outer.last2 = last2;
      for (let r = first2; r <= last2; r++) this.regionOuter[r] = outer;
      for (let r = first1; r <= last1; r++) this.regionOuter[r] = outer;
    }
    this.openRegion(this.sp, this.weight, this.shareWeight, null, outerSample, outerEntry);
    order.length = 0;
    values.length = 0;
    keys.length = 0;
    first.length = 0;
    this.sampleCount = 0;
    if (stats.left === 0) this.finishSample(stats);
    return heapNumbers;
  }

  /**
   * A sampled Map key or Set member. A string is counted now, at the entry's weight (as the exact
   * walk counts keys: see {@link keyChild}, {@link internalizedChild}): keys are distinct, so no
   * other entry can share it. Anything else is deferred like a value.
   */
  private sampledKey(key: unknown, label: string, weight: number): number {
    if (typeof key !== 'string') return this.defer(key, label);
    if (COLLECTIONS_INTERNALIZE_KEYS) {
      this.internalizedChild(key);
      return 0;
    }
    const saved = this.weight;
    this.weight = weight;
    this.keyChild(key, label);
    this.weight = saved;
    return 0;
  }

  /** Push a sampled entry's value to be walked in its entry's turn. Returns 1 for a heap number. */
  private defer(value: unknown, label: string): number {
    if (this.step(this.limits!)) return 0;
    switch (typeof value) {
      case 'number':
        return isSmi(value) ? 0 : 1;
      case 'object':
        if (value === null) return 0;
        this.push(value, this.paths === null ? this.currentPath : this.paths.extend(this.currentPath, label));
        return 0;
      case 'function':
      case 'string':
      case 'bigint':
      case 'symbol':
        this.push(value as object, this.paths === null ? this.currentPath : this.paths.extend(this.currentPath, label));
        return 0;
      default:
        return 0;
    }
  }

  /**
   * A region of the stack from `start` up: its weight, the weight of values met in it, the draw-2
   * entry whose figure it measures (`stats`, else null) and the sampled entry it belongs to.
   */
  private openRegion(
    start: number,
    weight: number,
    shareWeight: number,
    stats: SampleStats | null,
    sample: SampleStats | null = this.trackSample,
    entry = this.trackEntry,
    unit = this.trackUnit,
  ): void {
    const r = this.regions++;
    this.regionSkip[r] = false;
    this.regionOuter[r] = null;
    this.regionStart[r] = start;
    this.regionWeight[r] = weight;
    this.regionShare[r] = shareWeight;
    this.regionStats[r] = stats;
    this.regionBytes[r] = -1;
    this.regionSample[r] = sample;
    this.regionEntry[r] = entry;
    this.regionUnit[r] = unit;
  }

  /** The walk pops stack slot `index`: close the regions it has left, begin the one it enters. */
  private enterRegionOf(index: number): void {
    while (this.regionStart[this.regions - 1]! > index) this.closeRegion();
    const top = this.regions - 1;
    const outer = this.regionOuter[top];
    if (outer !== null && outer !== undefined) {
      this.regionOuter[top] = null;
      this.beginOuterEntry(outer, top);
    }
    this.skipping = this.regionSkip[top] === true;
    if (this.skipping) return;
    if (this.regionStats[top] !== null && this.regionBytes[top] === -1) {
      this.regionBytes[top] = this.visitor.bytes;
      this.regionObjects[top] = this.visitor.objects;
      this.openEntries++;
    }
    this.weight = this.regionWeight[top]!;
    this.shareWeight = this.regionShare[top]!;
    this.trackSample = this.regionSample[top]!;
    this.trackEntry = this.regionEntry[top]!;
    this.trackUnit = this.regionUnit[top]!;
  }

  /**
   * Entry `r` of the outermost sample `outer` begins: when the entries left to walk would not end
   * by the walk's target (limits.ts OUTER_SHARE of its budget) at the cost per entry measured so
   * far, skip some not yet begun and weigh the kept ones for them (OuterSample says which may
   * shrink when). One clock read per entry of an outermost sample.
   */
  private beginOuterEntry(outer: OuterSample, r: number): void {
    const inFirst = r >= outer.first1 && r <= outer.last1;
    if (inFirst) outer.begun1++;
    else outer.begun2++;
    // The longest entry is left out of the cost per entry: one scavenge or a major GC's final
    // pause inside it says nothing about the others (a 2,000-user root's entries took 0.2 ms
    // each, and 8 ms once).
    const now = performance.now();
    const limits = this.limits!;
    if (outer.begun1 + outer.begun2 === 1) {
      outer.firstBegin = now;
      // Gathering (a large map-like object's key and symbol lists) took the time this sample had.
      const late = now - limits.target;
      if (late > 0 && late <= this.gatherMs && !limits.extended && !this.mayRedo) limits.extend(now, LATE_SHARE);
    } else {
      const gap = now - outer.lastBegin;
      if (gap > outer.longest) outer.longest = gap;
    }
    outer.lastBegin = now;
    // Past the deadline the walk is cut, as at any clock read, when the sample has not measured
    // enough entries to stand for the collection, or the walk is later than its whole budget (a
    // token budget: the last complete figures say more than a handful of entries). Otherwise (a
    // GC pause, an entry far dearer than the others, or gathering that no sample shortens:
    // listing a map-like object's 240,000 keys takes 60-100 ms) the sample ends with what it has,
    // or with the smallest draw 2: an estimate rather than a lower bound.
    // A walk that may be redone (a try at a finer level) is cut: its redo reuses the key lists it
    // made and has the rest of the time.
    if (now >= limits.deadline) {
      const over = now - limits.deadline;
      const done = outer.begun1 + outer.begun2 - 1;
      if (this.mayRedo || ((done < OUTER_MEASURED || over >= limits.budgetMs) && over >= this.gatherMs)) {
        limits.reason = 'maxMillis';
        this.stopped = true;
        return;
      }
    }
    // Draw 2 is sized once, at its first entry, from the whole of draw 1's cost: its weights are
    // fixed once one of its entries was counted. Draw 1 shrinks only when it alone would take
    // more than its share of what fits, judged from enough entries that one scavenge does not.
    if (!inFirst && outer.begun2 > 1) {
      this.stopDraw2IfLate(outer, r, now);
      return;
    }
    if (!inFirst) {
      outer.draw2At = now;
      if (this.paths === null) this.visitor.scope?.(outer.weight);
    }
    const done = outer.begun1 + outer.begun2 - 1;
    if (done < OUTER_MEASURED) return;
    const perEntry = (now - outer.firstBegin - outer.longest) / (done - 1);
    const left = limits.target - now;
    const rest1 = inFirst ? r - outer.first1 : 0;
    const rest2 = inFirst ? outer.last2 - outer.first2 + 1 : r - outer.first2 + 1;
    if ((1 + rest1 + rest2) * perEntry <= left) return;
    // A try at a finer level that does not fit is cut rather than shrunk: its redo at
    // FALLBACK_LEVEL walks that level's whole sample, often more entries than the try would keep
    // (a 240,000-key object's level-1 try after its key listing kept the smallest sample: +20%).
    if (this.mayRedo) {
      limits.reason = 'maxMillis';
      this.stopped = true;
      return;
    }
    // Entries after this one that fit.
    const fit = Math.max(Math.floor(left / perEntry) - 1, 0);
    const stats = outer.stats;
    if (inFirst) {
      // Draw 1 keeps about its usual quarter of what is walked.
      const keep1 = Math.min(rest1, Math.max(Math.floor((outer.begun1 + fit) / 4) - outer.begun1, 0));
      if (keep1 === rest1) return;
      const skip = rest1 - keep1;
      this.skipRegions(outer.first1, skip);
      outer.first1 += skip;
      outer.k1 -= skip;
    } else {
      const keep2 = Math.min(rest2, Math.max(fit + 1, Math.min(outer.regions2, MIN_OUTER_DRAW2)));
      if (keep2 === rest2) return;
      const skip = rest2 - keep2;
      this.skipRegions(outer.first2, skip);
      outer.first2 += skip;
      stats.left -= skip;
    }
    this.shrunk = true;
    // Draw 2 stands for the entries outside draw 1; of its entries, those with something to walk
    // are represented by the ones kept (two-phase sampling: the share of entries holding nothing
    // is still estimated from all of draw 2).
    const kept2 = outer.last2 - outer.first2 + 1;
    const effective2 = outer.regions2 > 0 ? (kept2 * outer.k2) / outer.regions2 : outer.k2;
    stats.population = outer.n - outer.k1;
    stats.k = effective2;
    const weight2 = effective2 > 0 ? (outer.weight * stats.population) / effective2 : 0;
    const unit = outer.n / Math.max(outer.k1 + effective2, 1);
    this.rescaleUnits(outer, unit);
    for (let x = outer.first2; x <= outer.last2; x++) {
      this.regionWeight[x] = weight2;
      this.regionUnit[x] = unit;
    }
    for (let x = outer.first1; x <= outer.last1; x++) this.regionUnit[x] = unit;
  }

  /**
   * Draw 2 of `outer` is under way and its entry `r` begins: when that entry would not end before
   * the deadline at the cost per entry of draw 2 so far (a scavenge, a busy machine), stop draw 2
   * here and count the entries it walked for all of it (the visitor rescales them) rather than be
   * cut, which would report a lower bound.
   */
  private stopDraw2IfLate(outer: OuterSample, r: number, now: number): void {
    const walked = outer.begun2 - 1;
    // A try is left to its deadline: cut, it is redone at FALLBACK_LEVEL with that level's whole sample.
    if (walked < MIN_OUTER_KEPT || this.mayRedo || this.visitor.rescale === undefined || this.paths !== null) return;
    const perEntry = (now - outer.draw2At) / walked;
    if (now + 2 * perEntry < this.limits!.deadline) return;
    const skip = r - outer.first2 + 1;
    this.skipRegions(outer.first2, skip);
    outer.first2 = r + 1;
    const stats = outer.stats;
    stats.left -= skip;
    const before = stats.k;
    stats.k = outer.regions2 > 0 ? (walked * outer.k2) / outer.regions2 : outer.k2;
    this.visitor.rescale(before / stats.k);
    this.rescaleUnits(outer, outer.n / Math.max(outer.k1 + stats.k, 1));
    this.shrunk = true;
    // Every entry it walked has closed: the sample is complete.
    if (stats.left === 0) this.finishSample(stats);
  }

  /**
   * The entries of `outer` now stand for `unit` entries each: so do the values they found
   * (SampleStats.valueFound counted them at the unit they had then).
   */
  private rescaleUnits(outer: OuterSample, unit: number): void {
    outer.stats.scaleUnits(unit / outer.unit);
    outer.unit = unit;
  }

  /** Drop the entries of the `count` regions from `first` unwalked (none was begun). */
  private skipRegions(first: number, count: number): void {
    for (let x = first; x < first + count; x++) {
      this.regionSkip[x] = true;
      this.regionStats[x] = null;
      this.regionOuter[x] = null;
    }
  }

  private closeRegion(): void {
    const r = --this.regions;
    this.regionSkip[r] = false;
    this.regionOuter[r] = null;
    const stats = this.regionStats[r];
    this.regionStats[r] = null;
    this.regionSample[r] = null;
    if (stats === null || stats === undefined) return;
    let bytes = 0;
    let objects = 0;
    if (this.regionBytes[r] !== -1) {
      this.openEntries--;
      const weight = this.regionWeight[r]!;
      bytes = (this.visitor.bytes - this.regionBytes[r]!) / weight;
      objects = (this.visitor.objects - this.regionObjects[r]!) / weight;
    }
    stats.add(bytes, objects);
    if (stats.left === 0) this.finishSample(stats);
    if (this.regions === 1) {
      this.weight = 1;
      this.shareWeight = 1;
      this.trackSample = null;
      this.trackEntry = 0;
      this.trackUnit = 1;
    }
  }

  /**
   * A sample's variance joins the root's, unless the sample sits inside an entry of another
   * sample: then it is part of that entry's figure, whose spread already carries it.
   */
  private finishSample(stats: SampleStats): void {
    // A collection inside a sampled entry: its figure is part of that entry's, and the values its
    // entries met were passed to the outermost sample (followSample).
    if (this.openEntries > 0) return;
    // Values identified by value that the entries outside the sample hold and the sample never met.
    const unseen = stats.unseenValues();
    const w = stats.outerWeight;
    if (unseen.objects > 0) this.visitor.unseen(unseen.bytes * w, unseen.objects * w);
    // The unseen values' own uncertainty, as a half-width of a 95% interval (see unseenValues).
    this.varianceBytes += stats.variance(stats.sumBytes, stats.sumSqBytes) + ((unseen.bytesSpread * w) / Z95) ** 2;
    this.varianceObjects += stats.variance(stats.sumObjects, stats.sumSqObjects) + ((unseen.objectsSpread * w) / Z95) ** 2;
  }
}

/**
 * Smis are 31-bit with pointer compression and 32-bit without (official Node builds), and
 * never -0. Anything else stored in a tagged slot is a HeapNumber (16 bytes).
 */
const SMI_BITS = (process.config.variables as { v8_enable_pointer_compression?: unknown }).v8_enable_pointer_compression ? 31 : 32;
const SMI_MIN = -(2 ** (SMI_BITS - 1));
const SMI_MAX = 2 ** (SMI_BITS - 1) - 1;
export function isSmi(value: number): boolean {
  return (value | 0) === value && value >= SMI_MIN && value <= SMI_MAX && !(value === 0 && 1 / value < 0);
}

/**
 * JSON.parse internalizes string values of up to 10 chars on V8 11 (Node 20) and 9 from V8 12
 * (checked with %IsInternalizedString on Node 20, 22, 24 and 26; docs/accuracy.md).
 */
const SHARED_STRING_MAX_LENGTH = Number(process.versions.v8.split('.')[0]) >= 12 ? 9 : 10;

/** Contexts met, by description and variable names: the value lists of each (see Walker.markContext). */
type ContextTable = Map<string, (readonly unknown[])[]>;
function findContext(table: ContextTable, key: string, values: readonly unknown[]): boolean {
  const lists = capturedGet(table, key);
  if (lists === undefined) return false;
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i]!;
    let same = list.length === values.length;
    for (let j = 0; same && j < list.length; j++) same = list[j] === values[j];
    if (same) return true;
  }
  return false;
}
function addContext(table: ContextTable, key: string, values: readonly unknown[]): void {
  const lists = capturedGet(table, key);
  if (lists === undefined) {
    const fresh = bareArray<readonly unknown[]>();
    fresh[0] = values;
    capturedSet(table, key, fresh);
  } else lists[lists.length] = values;
}

const NO_VISITOR: Visitor = { thing() {}, unseen() {}, bytes: 0, objects: 0 };
