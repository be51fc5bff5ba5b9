/**
 * The children of one heap thing, per kind, and the layout facts the size model needs (how many
 * named properties, elements, entries...). Each kind is one branch here.
 *
 * Never runs user code. An own property is read only after the built-in __lookupGetter__
 * (captured at load) has said it has no getter: for an own data property it answers without
 * looking further, and an accessor with only a setter reads as undefined without calling it. This
 * is allocation-free, unlike a descriptor per property: on the 50,000-session benchmark heap the
 * walk's transient heap fell from 82 to 59 bytes per heap thing, and reading 1M array elements
 * took 56 ms instead of 153 (Node 20, 2026-11-26). Proxies never get here (walk.ts counts them as
 * themselves). Map, Set, typed-array and buffer internals are read through built-in methods
 * captured when this module loads, so overriding `entries`, `size`, `buffer` or
 * `Symbol.iterator` on an instance or prototype changes nothing.
 */
import { COLLECTIONS_INTERNALIZE_KEYS, Kind } from './kinds.js';
import type { PathTable } from './paths.js';
import type { SamplePositions } from './sample.js';
import { type Shape, ShapeFlag } from './shape.js';
import { ObjectPrototype, arrayBufferByteLength, bigIntValueOf, booleanValueOf, dataViewBuffer, dataViewByteLength, getOwnPropertyDescriptor, getOwnPropertyNames, getOwnPropertySymbols, getPrototypeOf, getterOf, hasOwn, mapForEach, mapSize, numberValueOf, ownKeys, propertyIsEnumerable, regExpSource, round, setForEach, setSize, sharedArrayBufferByteLength, stringValueOf, symbolValueOf, typedArrayBuffer, typedArrayByteLength, typedArrayByteOffset } from './primordials.js';

/**
 * What expansion needs from the walk: where to send each child, the budget's stop flag, and the
 * sample buffers a sampled collection fills. walk.ts's Walker implements it; declared here so that
 * this module does not import walk.ts (which imports {@link expand}).
 */
export interface EdgeWalker {
  /** Set when a budget ran out: expansion loops check it after every child. */
  readonly stopped: boolean;
  /** True while expanding an object of another realm: its properties are read by descriptor. */
  readonly foreign: boolean;
  /** Path attribution, when the scan asked for paths. */
  readonly paths: PathTable | null;
  /** Whether data-like keys (map-like objects, Map keys) may label paths. */
  readonly pathKeys: boolean;
  /** Sampled entries gathered for {@link followSample}: values, Map keys, and draw (true: draw 1). */
  readonly sampleValues: unknown[];
  readonly sampleKeys: unknown[];
  readonly sampleFirst: boolean[];
  /** How many sampled entries the buffers hold. */
  sampleCount: number;
  /** Time spent gathering samples from Maps and Sets in this walk. */
  gatherMs: number;
  /** A unit of work that follows no edge (a hole): runs the clock. */
  tick(): void;
  /** Follow one edge; returns 1 when the value is a number boxed as a HeapNumber, else 0. */
  child(value: unknown): number;
  /** A Map value stored under the string `key`. */
  entryValue(value: unknown, key: string): number;
  /** Like child, through a labelled edge that may start a new path. */
  childAt(value: unknown, label: string): number;
  /** A string V8 internalized (a Map key or Set member on V8 14 and later). */
  internalizedChild(value: string): void;
  /** A Map key or Set member. */
  keyChild(value: unknown, label: string): number;
  /**
   * The own string keys of `obj`; a long list may come from the abandoned try of this root's walk,
   * and a large map-like object's (`plain`: plain or null-prototype) may be its enumerable ones only.
   */
  ownNames(obj: object, plain: boolean): string[];
  /** The own symbol keys of `obj` (after its ownNames). */
  ownSymbols(obj: object): symbol[];
  /** Whether a collection of `n` entries is measured from a sample in this walk. */
  samples(n: number): boolean;
  /** The sampled positions among `n` entries, sorted, each coded `2 * position + (draw 1 ? 1 : 0)`. */
  samplePositions(n: number): SamplePositions;
  /** Walk the gathered sample and scale it to `n` entries; returns heap numbers found directly. */
  followSample(n: number, keyLabel: string, valueLabel: string): number;
}

/**
 * Whether V8 keeps an object's properties in a hash table. Null-prototype objects start that way;
 * others switch when they collect many properties: after about a dozen stores with computed keys
 * (an object used as a map), or 128 named ones (V8 `kFastPropertiesSoftLimit`,
 * `kMaxFastProperties`, src/objects/js-objects.h; checked against heap snapshots of Node 20-24).
 * JavaScript cannot see which, so objects with more than DICTIONARY_MIN_PROPS properties are
 * taken to be dictionaries, which holds for the map-like objects that have that many.
 */
export const DICTIONARY_MIN_PROPS = 32;
export function isDictionaryMode(props: number, nullPrototype: boolean): boolean {
  return nullPrototype || props > DICTIONARY_MIN_PROPS;
}

/**
 * Before V8 12 (Node 20), an error's `stack` (also the one Error.captureStackTrace puts on any
 * object) looks like a data property but is formatted when first read, which calls
 * Error.prepareStackTrace: user code. Its non-enumerable attribute can be read without
 * formatting it, so such a `stack` is skipped, as the accessor it became in V8 12 (Node 22, 24)
 * always is. The size model counts an error's captured frames instead (size/layout.ts). An
 * enumerable one was redefined by the application, and V8 formatted it then; it is read through
 * its descriptor, because __lookupGetter__ looks through that special property to the prototype
 * (a `stack` accessor on the error's class would hide the value).
 */
const STACK_FORMATS_ON_READ = Number(process.versions.v8.split('.')[0]) < 12;
function isLazyStack(obj: object, key: string | symbol): boolean {
  return key === 'stack' && !propertyIsEnumerable(obj, key);
}

/** V8 keeps typed arrays of at most this many bytes on the heap (V8_TYPED_ARRAY_MAX_SIZE_IN_HEAP). */
const TYPED_ARRAY_MAX_ON_HEAP_BYTES = 64;
/** Arrays longer than this are read by their real keys, so `a[2 ** 32 - 2] = 1` costs one step. */
const ARRAY_INDEX_SCAN_MAX = 1 << 20;
/** Small arrays are also checked for named properties besides `length` (e.g. RegExp match results). */
const ARRAY_NAMED_PROPS_MAX_LENGTH = 64;
/** Objects with more keys than this are map-like: their keys are data, so paths do not show them. */
const PATH_KEYS_MAX = 32;

/** Marks a property that must not be read (a getter, a lazy stack): nothing to follow. */
const NO_VALUE = Symbol('memsize.noValue');

/** The value of one own property, or NO_VALUE when reading it could run code. */
function propertyValue(w: EdgeWalker, obj: object, key: string | symbol): unknown {
  let descriptorRead = w.foreign;
  if (STACK_FORMATS_ON_READ && key === 'stack') {
    if (isLazyStack(obj, key)) return NO_VALUE;
    descriptorRead = true;
  }
  if (descriptorRead) {
    // Possibly a vm context's global, whose interceptor would call the sandbox's getter on a
    // read; or a redefined stack on Node 20 (see isLazyStack).
    const desc = getOwnPropertyDescriptor(obj, key);
    if (desc === undefined || !hasOwn(desc, 'value')) return NO_VALUE;
    return desc.value;
  }
  if (getterOf(obj, key) !== undefined) return NO_VALUE; // a getter: never called
  return (obj as Record<string | symbol, unknown>)[key];
}

/** Follow one own property unless it has a getter. Returns 1 when it holds a heap number. */
function followProperty(w: EdgeWalker, obj: object, key: string | symbol, labelled: boolean): number {
  const value = propertyValue(w, obj, key);
  if (value === NO_VALUE) return 0;
  return labelled ? w.childAt(value, pathLabel(w, key)) : w.child(value);
}

function pathLabel(w: EdgeWalker, key: string | symbol): string {
  if (typeof key === 'symbol') return '[symbol]';
  if (w.paths !== null && w.pathKeys) return key.length > 64 ? `${key.slice(0, 61)}…` : key;
  return IDENTIFIER.test(key) ? key : '<key>';
}
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,63}$/;

/** True for canonical array-index strings ("0", "17", not "017" or "4294967295"). */
function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0); // NaN for "", which is not an index
  if (!(c >= 48 && c <= 57)) return false;
  if (key.length > 10 || (c === 48 && key.length > 1)) return false;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(key) < 4294967295;
}

/** Own string- and symbol-keyed properties, data only. Fills props, elements, heapNumbers. */
function expandProperties(w: EdgeWalker, obj: object, shape: Shape, nullPrototype: boolean, plain = false): void {
  const names = w.ownNames(obj, nullPrototype || plain);
  const labelled = w.paths !== null && (names.length <= PATH_KEYS_MAX || w.pathKeys);
  let props = 0;
  let elements = 0;
  let heapNumbers = 0;
  if (w.samples(names.length) && !w.foreign) {
    // A map-like object: its keys are counted exactly, its values from a sample.
    for (let i = 0; i < names.length; i++) {
      if (isIndexKey(names[i]!)) elements++;
      else props++;
    }
    heapNumbers = sampleProperties(w, obj, names);
  } else {
    for (let i = 0; i < names.length && !w.stopped; i++) {
      const key = names[i]!;
      if (isIndexKey(key)) elements++;
      else props++;
      heapNumbers += followProperty(w, obj, key, labelled);
    }
  }
  const symbols = w.ownSymbols(obj);
  for (let i = 0; i < symbols.length && !w.stopped; i++) {
    props++;
    heapNumbers += followProperty(w, obj, symbols[i]!, labelled);
  }
  // Property keys are internalized strings, held by the string table whatever mode the object
  // is in, so they are never part of the object's retained size and are not followed.
  if (isDictionaryMode(props, nullPrototype)) shape.flags |= ShapeFlag.DictionaryProperties;
  else if (plain) shape.outOfObject = symbols.length;
  shape.props = props;
  shape.elements = elements;
  shape.heapNumbers = heapNumbers;
}

function expandArray(w: EdgeWalker, arr: unknown[], shape: Shape): void {
  const length = arr.length; // own data property of every array: no user code
  let present = 0;
  let numbers = 0;
  let nonSmi = 0;
  const labelled = w.paths !== null;
  const indexScan = length <= ARRAY_INDEX_SCAN_MAX;
  if (w.samples(length) && (indexScan || mostlyPresent(w, arr, length))) {
    sampleArray(w, arr, length, shape);
  } else {
    // Short arrays: every index. Long ones: their real keys (sparse arrays may claim 2^32-1).
    // getOwnPropertyNames, not Object.keys: a non-enumerable element is still an element.
    const keys = indexScan ? null : w.ownNames(arr, false);
    const end = keys === null ? length : keys.length;
    for (let i = 0; i < end && !w.stopped; i++) {
      let key: number | string = i;
      if (keys !== null) {
        key = keys[i]!;
        if (!isIndexKey(key)) continue;
      }
      if (!hasOwn(arr, key)) {
        w.tick(); // a hole: never read through the prototype chain, but it costs time
        continue;
      }
      present++;
      if (getterOf(arr, key) !== undefined) continue; // an accessor element: never called
      const value: unknown = arr[key as number];
      if (typeof value === 'number') numbers++;
      nonSmi += labelled ? w.childAt(value, '[]') : w.child(value);
    }
    const numeric = present > 0 && numbers === present;
    shape.flags |= numeric ? ShapeFlag.NumericElements : 0;
    // In a numeric backing store doubles are unboxed: no heap numbers.
    shape.heapNumbers = numeric ? 0 : nonSmi;
    shape.elements = present;
    // A budget ran out inside this array: how many elements it holds is unknown, and guessing
    // from those seen so far could even read as a dictionary bigger than the real store. Describe
    // only what was seen, tightly packed, so a truncated figure stays a lower bound.
    shape.length = w.stopped ? present : length;
    if (w.stopped || present < length) shape.flags |= ShapeFlag.Holey;
  }
  arrayExtras(w, arr, length, shape, labelled);
}

/**
 * A long array sampled by position: its length is exact; how many elements it holds, whether
 * they are all numbers (an unboxed double store) and what they reference come from the sample.
 */
function sampleArray(w: EdgeWalker, arr: unknown[], length: number, shape: Shape): void {
  const positions = w.samplePositions(length);
  let present = 0;
  let numbers = 0;
  let gathered = 0;
  for (let i = 0; i < positions.length && !w.stopped; i++) {
    const code = positions[i]!;
    const index = (code - (code % 2)) / 2;
    if (!hasOwn(arr, index)) continue; // a hole: an entry of size 0
    present++;
    if (getterOf(arr, index) !== undefined) continue; // an accessor element: never called
    const value: unknown = arr[index];
    if (typeof value === 'number') numbers++;
    w.sampleValues[gathered] = value;
    w.sampleFirst[gathered] = code % 2 === 1;
    gathered++;
  }
  w.sampleCount = gathered;
  const heapNumbers = w.followSample(length, '', '[]');
  const numeric = present > 0 && numbers === present;
  shape.flags |= numeric ? ShapeFlag.NumericElements : 0;
  shape.heapNumbers = numeric ? 0 : heapNumbers;
  const k = positions.length;
  shape.elements = present === k ? length : round((length * present) / k);
  shape.length = length;
  if (present < k) shape.flags |= ShapeFlag.Holey;
}

/** Whether a very long array is dense enough to sample by position (else it is read by its keys). */
function mostlyPresent(w: EdgeWalker, arr: unknown[], length: number): boolean {
  const probe = w.samplePositions(length);
  let present = 0;
  for (let i = 0; i < probe.length; i++) {
    const code = probe[i]!;
    if (hasOwn(arr, (code - (code % 2)) / 2)) present++;
  }
  return present * 8 >= probe.length;
}

/** A map-like object's values from a sample of its keys. @returns heap numbers, extrapolated */
function sampleProperties(w: EdgeWalker, obj: object, names: readonly string[]): number {
  const positions = w.samplePositions(names.length);
  let gathered = 0;
  for (let i = 0; i < positions.length && !w.stopped; i++) {
    const code = positions[i]!;
    const value = propertyValue(w, obj, names[(code - (code % 2)) / 2]!);
    if (value === NO_VALUE) continue;
    w.sampleValues[gathered] = value;
    w.sampleFirst[gathered] = code % 2 === 1;
    gathered++;
  }
  w.sampleCount = gathered;
  return w.followSample(names.length, '', '<key>');
}

/** An array's named and symbol-keyed properties besides its elements. */
function arrayExtras(w: EdgeWalker, arr: unknown[], length: number, shape: Shape, labelled: boolean): void {
  // Named and symbol-keyed properties. A short array lists all its keys in one call; a long one
  // only its symbols, because listing its names would list every index too.
  let props = 0;
  let heapNumbers = 0;
  const extras: readonly (string | symbol)[] = length <= ARRAY_NAMED_PROPS_MAX_LENGTH ? ownKeys(arr) : getOwnPropertySymbols(arr);
  for (let i = 0; i < extras.length && !w.stopped; i++) {
    const key = extras[i]!;
    if (typeof key === 'string' && (key === 'length' || isIndexKey(key))) continue;
    props++;
    heapNumbers += followProperty(w, arr, key, labelled);
  }
  shape.heapNumbers += heapNumbers;
  shape.props = props;
}

// Map and Set entries go through one module-level callback each, with the walker in a module
// variable, so iterating allocates no closure per collection.
let entryWalker: EdgeWalker | null = null;
let entryHeapNumbers = 0;
/** Thrown out of a Map/Set forEach when the budget runs out mid-collection (forEach cannot break). */
const STOP = Symbol('memsize.stop');


function onMapEntry(value: unknown, key: unknown): void {
  const w = entryWalker!;
  if (w.stopped) throw STOP;
  const internalizedKey = COLLECTIONS_INTERNALIZE_KEYS && typeof key === 'string';
  if (internalizedKey) w.internalizedChild(key);
  if (w.paths === null) {
    if (typeof key === 'string') {
      entryHeapNumbers += (internalizedKey ? 0 : w.keyChild(key, '<Map key>')) + w.entryValue(value, key);
    } else {
      entryHeapNumbers += w.keyChild(key, '<Map key>') + w.child(value);
    }
  } else {
    if (!internalizedKey) entryHeapNumbers += w.keyChild(key, '<Map key>');
    entryHeapNumbers += w.childAt(value, w.pathKeys && (typeof key === 'string' || typeof key === 'number') ? `<Map value ${JSON.stringify(String(key).slice(0, 40))}>` : '<Map value>');
  }
}
function onSetMember(value: unknown): void {
  const w = entryWalker!;
  if (w.stopped) throw STOP;
  if (COLLECTIONS_INTERNALIZE_KEYS && typeof value === 'string') w.internalizedChild(value);
  else entryHeapNumbers += typeof value === 'string' ? w.keyChild(value, '<Set member>') : w.childAt(value, '<Set member>');
}

// Gathering a sample of a Map or Set: one pass in iteration order (entries cannot be reached by
// position any other way), keeping the entries at the chosen positions and stopping after the
// last. The callback does one compare for an entry it skips, and reads the clock every 64K
// entries, so the pass costs about what a bare forEach does (bench/README.md, roots of any size).
let gatherPositions: Float64Array | null = null;
let gatherNext = 0;
/** Position of the next entry to keep. */
let gatherAt = 0;
let gatherIndex = 0;
let gatherTaken = 0;
const GATHER_CLOCK_MASK = 0xffff;
function skipOrTake(value: unknown, key: unknown, isMap: boolean): void {
  const w = entryWalker!;
  if ((gatherIndex & GATHER_CLOCK_MASK) === 0) {
    w.tick();
    if (w.stopped) throw STOP;
  }
  if (gatherIndex++ !== gatherAt) return;
  const positions = gatherPositions!;
  // A Set member is kept as a key: it is counted the way Map keys are.
  w.sampleValues[gatherTaken] = isMap ? value : undefined;
  w.sampleKeys[gatherTaken] = isMap ? key : value;
  w.sampleFirst[gatherTaken] = positions[gatherNext]! % 2 === 1;
  gatherTaken++;
  if (++gatherNext === positions.length) throw STOP;
  gatherAt = positionAt(positions, gatherNext);
}
function onMapGather(value: unknown, key: unknown): void {
  if (gatherIndex !== gatherAt && (gatherIndex & GATHER_CLOCK_MASK) !== 0) {
    gatherIndex++;
    return;
  }
  skipOrTake(value, key, true);
}
function onSetGather(value: unknown): void {
  if (gatherIndex !== gatherAt && (gatherIndex & GATHER_CLOCK_MASK) !== 0) {
    gatherIndex++;
    return;
  }
  skipOrTake(value, undefined, false);
}
/** The position encoded at `i` of a sample (see sample.ts SamplePositions). */
function positionAt(positions: Float64Array, i: number): number {
  const code = positions[i]!;
  return (code - (code % 2)) / 2;
}

function sampleCollection(w: EdgeWalker, obj: object, n: number, forEach: (self: unknown, cb: never) => void, isMap: boolean): number {
  gatherPositions = w.samplePositions(n);
  gatherNext = 0;
  gatherAt = positionAt(gatherPositions, 0);
  gatherIndex = 0;
  gatherTaken = 0;
  entryWalker = w;
  const started = performance.now();
  try {
    forEach(obj, (isMap ? onMapGather : onSetGather) as never);
  } catch (error) {
    if (error !== STOP) throw error;
  } finally {
    entryWalker = null;
    gatherPositions = null;
    w.gatherMs += performance.now() - started;
  }
  w.sampleCount = gatherTaken;
  return isMap ? w.followSample(n, '<Map key>', '<Map value>') : w.followSample(n, '<Set member>', '');
}

function expandCollection(
  w: EdgeWalker,
  obj: object,
  shape: Shape,
  forEach: (self: unknown, cb: never) => void,
  size: (self: unknown) => unknown,
  onEntry: (...args: never[]) => void,
): void {
  const n = size(obj) as number;
  if (w.samples(n)) {
    shape.length = n;
    const sampledNumbers = sampleCollection(w, obj, n, forEach, onEntry === onMapEntry);
    expandProperties(w, obj, shape, false);
    shape.heapNumbers += sampledNumbers;
    return;
  }
  entryWalker = w;
  entryHeapNumbers = 0;
  try {
    forEach(obj, onEntry as never);
    shape.length = n;
  } finally {
    entryWalker = null;
  }
  const heapNumbers = entryHeapNumbers;
  expandProperties(w, obj, shape, false);
  shape.heapNumbers += heapNumbers;
}

function expandTypedArray(w: EdgeWalker, view: object, shape: Shape): void {
  const byteLength = typedArrayByteLength(view) as number;
  const byteOffset = typedArrayByteOffset(view) as number;
  shape.length = byteLength;
  if (byteLength <= TYPED_ARRAY_MAX_ON_HEAP_BYTES && byteOffset === 0) {
    // Probably on the heap with no ArrayBuffer yet: reading `buffer` would allocate one.
    shape.flags |= ShapeFlag.OnHeapBytes;
  } else {
    w.childAt(typedArrayBuffer(view), 'buffer');
  }
  // Typed arrays list every index as an own key; only symbol-keyed extras are followed.
  const symbols = getOwnPropertySymbols(view);
  for (let i = 0; i < symbols.length; i++) shape.heapNumbers += followProperty(w, view, symbols[i]!, true);
  shape.props = symbols.length;
}

/** Push the children of `obj` (of the given kind) and describe its layout in `shape`. */
export function expand(w: EdgeWalker, obj: object, kind: Kind, shape: Shape): void {
  shape.props = 0;
  shape.elements = 0;
  shape.length = 0;
  shape.heapNumbers = 0;
  shape.flags = 0;
  shape.outOfObject = 0;
  try {
    switch (kind) {
      case Kind.Array:
        expandArray(w, obj as unknown[], shape);
        return;
      case Kind.Map:
        expandCollection(w, obj, shape, mapForEach, mapSize, onMapEntry);
        return;
      case Kind.Set:
        expandCollection(w, obj, shape, setForEach, setSize, onSetMember);
        return;
      case Kind.TypedArray:
        expandTypedArray(w, obj, shape);
        return;
      case Kind.DataView:
        shape.length = dataViewByteLength(obj) as number;
        w.childAt(dataViewBuffer(obj), 'buffer');
        expandProperties(w, obj, shape, false);
        return;
      case Kind.ArrayBuffer:
        shape.length = arrayBufferByteLength(obj) as number;
        expandProperties(w, obj, shape, false);
        return;
      case Kind.SharedArrayBuffer:
        shape.length = sharedArrayBufferByteLength(obj) as number;
        expandProperties(w, obj, shape, false);
        return;
      case Kind.RegExp:
        w.child(regExpSource(obj));
        expandProperties(w, obj, shape, false);
        return;
      case Kind.Boxed:
        expandBoxed(w, obj, shape);
        return;
      case Kind.Function:
        expandProperties(w, obj, shape, false);
        if (hasOwn(obj, 'prototype')) shape.flags |= ShapeFlag.PrototypeSlot;
        return;
      case Kind.Proxy:
        return;
      case Kind.Namespace:
        expandNamespace(w, obj, shape);
        return;
      default: {
        const proto = getPrototypeOf(obj) as object | null;
        expandProperties(w, obj, shape, proto === null, proto === ObjectPrototype);
      }
    }
  } catch {
    // A module namespace binding still in its temporal dead zone, a detached buffer, an object
    // whose prototype was swapped under a built-in's: what was found so far stands.
  }
}

/**
 * A module namespace: reading a binding whose module has not run yet throws (temporal dead zone),
 * so each binding is read on its own and one in its dead zone does not hide the others. V8 keeps
 * a namespace's properties in a dictionary, like a null-prototype object.
 */
function expandNamespace(w: EdgeWalker, ns: object, shape: Shape): void {
  const names = getOwnPropertyNames(ns);
  const symbols = getOwnPropertySymbols(ns); // Symbol.toStringTag
  const labelled = w.paths !== null && (names.length <= PATH_KEYS_MAX || w.pathKeys);
  shape.heapNumbers = followBindings(w, ns, names, labelled) + followBindings(w, ns, symbols, labelled);
  shape.flags |= ShapeFlag.DictionaryProperties;
  shape.props = names.length + symbols.length;
}
function followBindings(w: EdgeWalker, ns: object, keys: readonly (string | symbol)[], labelled: boolean): number {
  let heapNumbers = 0;
  for (let i = 0; i < keys.length && !w.stopped; i++) {
    try {
      heapNumbers += followProperty(w, ns, keys[i]!, labelled);
    } catch {
      // In its temporal dead zone: nothing to follow yet.
    }
  }
  return heapNumbers;
}

function expandBoxed(w: EdgeWalker, obj: object, shape: Shape): void {
  // Each wrapper's valueOf is tried through the captured built-in; the wrong one throws.
  // An index loop: for...of would call Array.prototype[Symbol.iterator], which a program may replace.
  for (let i = 0; i < BOXED_VALUE_OF.length; i++) {
    const valueOf = BOXED_VALUE_OF[i]!;
    let value: unknown;
    try {
      value = valueOf(obj);
    } catch {
      continue;
    }
    w.child(value); // a Number wrapper keeps its double in the wrapper: no heap number
    // A String wrapper lists its characters as index keys; only other wrappers get properties.
    if (typeof value !== 'string') {
      expandProperties(w, obj, shape, false);
    }
    return;
  }
}
const BOXED_VALUE_OF = [stringValueOf, numberValueOf, bigIntValueOf, symbolValueOf, booleanValueOf];
