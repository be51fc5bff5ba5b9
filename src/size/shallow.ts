/**
 * The size model: estimated bytes of one heap thing together with the backing stores only it
 * owns (elements, out-of-object properties, hash tables, ArrayBuffer data). Pure: it sees the
 * kind and the layout facts the walk gathered, never the graph. Heap numbers held in tagged slots
 * are separate things (see HEAP_NUMBER), added by the tally.
 */
import { type Shape, ShapeFlag } from '../walk/shape.js';
import { Kind } from '../walk/kinds.js';
import * as L from './layout.js';

const isOneByteRepresentation = resolveOneByteCheck();

function resolveOneByteCheck(): (s: string) => boolean {
  // Node >= 22.15 asks V8 for the string's actual representation. Older: judge by content, which
  // agrees except for Latin-1 text cut out of a two-byte string.
  const v8 = process.getBuiltinModule?.('node:v8') as { isStringOneByteRepresentation?: (s: string) => boolean } | undefined;
  if (v8 !== undefined && typeof v8.isStringOneByteRepresentation === 'function') return v8.isStringOneByteRepresentation;
  const wide = /[^\u0000-\u00ff]/;
  return (s) => !wide.test(s);
}

export function stringBytes(s: string): number {
  const chars = isOneByteRepresentation(s) ? s.length : 2 * s.length;
  return L.align(L.STRING_HEADER + chars);
}

export function bigintBytes(b: bigint): number {
  const magnitude = b < 0n ? -b : b;
  // 64-bit digits; 0n has none.
  let digits = 0;
  for (let rest = magnitude; rest > 0n; rest >>= 64n) digits++;
  return L.BIGINT_HEADER + 8 * digits;
}

function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/** OrderedHashMap/Set backing a Map or Set of `size` entries. */
export function orderedHashTableBytes(size: number, entrySlots: number): number {
  const capacity = Math.max(L.ORDERED_HASH_MIN_CAPACITY, nextPowerOfTwo(size));
  const buckets = capacity / L.ORDERED_HASH_LOAD;
  return L.ARRAY_HEADER + (L.ORDERED_HASH_PREFIX + buckets + capacity * entrySlots) * L.TAGGED;
}

/** HashTable (NameDictionary, NumberDictionary) holding `count` entries: capacity 1.5x, power of two. */
export function dictionaryBytes(count: number, prefix: number): number {
  const capacity = Math.max(4, nextPowerOfTwo(count + (count >> 1)));
  return L.ARRAY_HEADER + (prefix + capacity * L.DICTIONARY_ENTRY) * L.TAGGED;
}

/**
 * Capacity of an array's backing store for `length` elements. Arrays made whole (literals,
 * JSON.parse, Array.from, map, slice, `new Array(n)`) are exact; arrays grown by push have up to
 * 50% + 16 spare (L.grownCapacity): a short list pushed onto `[]` has room for 17. JavaScript
 * cannot tell which, so:
 * - holey arrays come from `new Array(n)` or index stores, not push: exact;
 * - long arrays are mostly grown (logs, queues, lists): the grown capacity;
 * - short ones are made both ways (tuples and parsed JSON, or small lists pushed onto `[]`);
 *   exact measured best on the calibration fixtures (the midpoint put literal tuples 50-100%
 *   over), so a short list grown by push is under-counted by up to 16 slots.
 * The calibration suite (test/size/calibration.test.ts) measures the result against V8.
 */
export function elementCapacity(length: number, holey: boolean): number {
  if (holey || length <= SHORT_ARRAY_MAX) return length;
  let grown = 0;
  while (grown < length) grown = L.grownCapacity(grown + 1);
  return grown;
}
const SHORT_ARRAY_MAX = 16;

/**
 * EphemeronHashTable of a WeakMap or WeakSet with `count` entries: capacity 1.5x rounded up to a
 * power of two, at least 4 (V8 HashTable::ComputeCapacity; a WeakMap of 10 entries read 296 bytes
 * in heap snapshots of Node 20.20.2 and 26.12.1, an empty one 104).
 */
export function ephemeronTableBytes(count: number): number {
  const capacity = Math.max(4, nextPowerOfTwo(count + (count >> 1)));
  return L.ARRAY_HEADER + (L.EPHEMERON_PREFIX + capacity * L.EPHEMERON_ENTRY) * L.TAGGED;
}

/** Estimated bytes and heap-object count of one thing; written by {@link sizeOf}. */
export interface Size {
  bytes: number;
  /** The thing itself plus each backing store it owns (elements, properties, table, data). */
  things: number;
}

/**
 * Bytes of the named properties: in-object slots (fast mode), or a dictionary, which is a
 * backing store of its own (counted in `out.things`).
 */
function propertyBytes(out: Size, shape: Shape): number {
  if ((shape.flags & ShapeFlag.DictionaryProperties) !== 0) {
    out.things++;
    return dictionaryBytes(shape.props, L.NAME_DICTIONARY_PREFIX);
  }
  const late = shape.outOfObject;
  if (late === 0) return shape.props * L.TAGGED;
  // Added after the object was made (symbol-keyed on a plain object): the object has no slot for
  // them, so V8 moved them to a PropertyArray (%DebugPrint: "location: properties[0]").
  out.things++;
  return (shape.props - late) * L.TAGGED + propertyArrayBytes(late);
}

/** PropertyArray holding `count` out-of-object properties: capacity grows in steps of 3. */
function propertyArrayBytes(count: number): number {
  return L.ARRAY_HEADER + Math.ceil(count / L.PROPERTY_ARRAY_STEP) * L.PROPERTY_ARRAY_STEP * L.TAGGED;
}

/** Named properties of an object with no in-object slots (arrays): a PropertyArray or a dictionary. */
function outOfObjectBytes(out: Size, shape: Shape): number {
  if (shape.props === 0) return 0;
  if ((shape.flags & ShapeFlag.DictionaryProperties) !== 0) return propertyBytes(out, shape);
  out.things++;
  return propertyArrayBytes(shape.props);
}

/** Elements of an array (or index-keyed properties of an object). */
function elementBytes(out: Size, shape: Shape): number {
  const present = shape.elements;
  if (present === 0) return 0; // the shared empty FixedArray
  out.things++;
  const holey = (shape.flags & ShapeFlag.Holey) !== 0;
  const length = Math.max(shape.length, present);
  if (holey && present * 3 < length) {
    // Mostly holes: V8 has switched to a NumberDictionary.
    return dictionaryBytes(present, L.NUMBER_DICTIONARY_PREFIX);
  }
  // FixedArray or FixedDoubleArray: 8 bytes per element either way without pointer compression.
  const slot = (shape.flags & ShapeFlag.NumericElements) !== 0 ? L.DOUBLE : L.TAGGED;
  return L.ARRAY_HEADER + elementCapacity(length, holey) * slot;
}

/** Estimate one heap thing and the backing stores it alone owns into `out`. */
export function sizeOf(kind: Kind, value: unknown, shape: Shape, out: Size): void {
  out.things = 1;
  switch (kind) {
    case Kind.String:
      out.bytes = stringBytes(value as string);
      return;
    case Kind.HeapNumber:
      out.bytes = L.HEAP_NUMBER;
      return;
    case Kind.BigInt:
      out.bytes = bigintBytes(value as bigint);
      return;
    case Kind.Symbol:
      out.bytes = L.SYMBOL;
      return;
    case Kind.Proxy:
      out.bytes = L.JS_PROXY;
      return;
    case Kind.Array:
      out.bytes = L.JS_ARRAY + outOfObjectBytes(out, shape) + elementBytes(out, shape);
      return;
    case Kind.Map:
    case Kind.Set:
      out.bytes = L.JS_COLLECTION + propertyBytes(out, shape);
      out.bytes += orderedHashTableBytes(shape.length, kind === Kind.Map ? L.ORDERED_HASH_MAP_ENTRY : L.ORDERED_HASH_SET_ENTRY);
      out.things++;
      return;
    case Kind.TypedArray:
      out.bytes = L.JS_TYPED_ARRAY + outOfObjectBytes(out, shape);
      if ((shape.flags & ShapeFlag.OnHeapBytes) !== 0) {
        // Its ArrayBuffer object exists but was not read (that would move the bytes off the heap).
        out.bytes += L.JS_ARRAY_BUFFER;
        out.things++;
        if (shape.length > 0) {
          out.bytes += L.align(L.ARRAY_HEADER + shape.length);
          out.things++;
        }
      }
      return;
    case Kind.DataView:
      out.bytes = L.JS_DATA_VIEW + propertyBytes(out, shape);
      return;
    case Kind.ArrayBuffer:
    case Kind.SharedArrayBuffer:
      // The backing store lives outside the V8 heap, held by this buffer alone.
      out.bytes = L.JS_ARRAY_BUFFER + propertyBytes(out, shape);
      if (shape.length > 0) {
        out.bytes += shape.length;
        out.things++;
      }
      return;
    case Kind.Function:
      out.bytes = (shape.flags & ShapeFlag.PrototypeSlot) !== 0 ? L.JS_FUNCTION_WITH_PROTOTYPE : L.JS_FUNCTION;
      return;
    case Kind.Date:
      out.bytes = L.JS_DATE + propertyBytes(out, shape);
      return;
    case Kind.RegExp:
      out.bytes = L.JS_REG_EXP + L.REG_EXP_DATA;
      out.things++;
      return;
    case Kind.Boxed:
      out.bytes = L.JS_PRIMITIVE_WRAPPER + propertyBytes(out, shape);
      return;
    case Kind.WeakCollection:
      // The table's size is known when the inspector listed the entries (shape.length), else its
      // smallest capacity.
      out.bytes = L.JS_COLLECTION + ephemeronTableBytes(shape.length) + propertyBytes(out, shape);
      out.things++;
      return;
    case Kind.WeakRef:
      out.bytes = L.JS_WEAK_REF + propertyBytes(out, shape);
      return;
    case Kind.Context:
      out.bytes = L.CONTEXT_HEADER + shape.props * L.TAGGED;
      return;
    case Kind.Promise:
      out.bytes = L.JS_PROMISE + propertyBytes(out, shape);
      return;
    case Kind.Error: {
      // message and stack are in-object; other own properties (cause...) go to a PropertyArray.
      const extra = Math.max(0, shape.props - 2);
      out.bytes = L.JS_ERROR + (extra > 0 ? L.ARRAY_HEADER + L.PROPERTY_ARRAY_STEP * L.TAGGED : 0);
      out.bytes += L.ARRAY_HEADER + L.ERROR_FRAMES * (L.TAGGED + L.CALL_SITE_INFO);
      out.things += 1 + L.ERROR_FRAMES + (extra > 0 ? 1 : 0);
      return;
    }
    default:
      out.bytes = L.JS_OBJECT_HEADER + propertyBytes(out, shape) + elementBytes(out, shape);
  }
}
