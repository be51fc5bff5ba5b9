/**
 * The size model: estimated bytes of one heap thing together with the backing stores only it
 * owns (elements, out-of-object properties, hash tables, ArrayBuffer data). Pure: it sees the
 * kind and the layout facts the walk gathered, never the graph. Heap numbers held in tagged slots
 * are separate things (see HEAP_NUMBER), added by the tally.
 */
import { type Shape, ShapeFlag } from '../walk/edges.js';
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

/** Named properties: in-object slots, or a property dictionary. */
function propertyBytes(shape: Shape): number {
  if ((shape.flags & ShapeFlag.DictionaryProperties) !== 0) {
    return dictionaryBytes(shape.props, L.NAME_DICTIONARY_PREFIX);
  }
  return shape.props * L.TAGGED;
}

/** Elements of an array (or index-keyed properties of an object). */
function elementBytes(shape: Shape): number {
  const present = shape.elements;
  if (present === 0) return 0; // the shared empty FixedArray
  const holey = (shape.flags & ShapeFlag.Holey) !== 0;
  const length = Math.max(shape.length, present);
  if (holey && present * 3 < length) {
    // Mostly holes: V8 has switched to a NumberDictionary.
    return dictionaryBytes(present, L.NUMBER_DICTIONARY_PREFIX);
  }
  // FixedArray or FixedDoubleArray: 8 bytes per element either way without pointer compression.
  const slot = (shape.flags & ShapeFlag.NumericElements) !== 0 ? L.DOUBLE : L.TAGGED;
  return L.ARRAY_HEADER + length * slot;
}

/** Estimated bytes of one heap thing and the backing stores it alone owns. */
export function shallowBytes(kind: Kind, value: unknown, shape: Shape): number {
  switch (kind) {
    case Kind.String:
      return stringBytes(value as string);
    case Kind.HeapNumber:
      return L.HEAP_NUMBER;
    case Kind.BigInt:
      return bigintBytes(value as bigint);
    case Kind.Symbol:
      return L.SYMBOL;
    case Kind.Proxy:
      return L.JS_PROXY;
    case Kind.Array:
      return L.JS_ARRAY + propertyBytes(shape) + elementBytes(shape);
    case Kind.Map:
      return L.JS_COLLECTION + propertyBytes(shape) + orderedHashTableBytes(shape.length, L.ORDERED_HASH_MAP_ENTRY);
    case Kind.Set:
      return L.JS_COLLECTION + propertyBytes(shape) + orderedHashTableBytes(shape.length, L.ORDERED_HASH_SET_ENTRY);
    case Kind.TypedArray:
      return (
        L.JS_TYPED_ARRAY +
        propertyBytes(shape) +
        ((shape.flags & ShapeFlag.OnHeapBytes) !== 0 && shape.length > 0 ? L.align(L.ARRAY_HEADER + shape.length) : 0)
      );
    case Kind.DataView:
      return L.JS_DATA_VIEW + propertyBytes(shape);
    case Kind.ArrayBuffer:
    case Kind.SharedArrayBuffer:
      // The backing store lives outside the V8 heap but only this buffer holds it.
      return L.JS_ARRAY_BUFFER + propertyBytes(shape) + shape.length;
    case Kind.Function:
      return L.JS_FUNCTION_WITH_PROTOTYPE + (shape.props > 3 ? propertyBytes(shape) : 0);
    case Kind.Date:
      return L.JS_DATE + propertyBytes(shape);
    case Kind.RegExp:
      return L.JS_REG_EXP + propertyBytes(shape);
    case Kind.Boxed:
      return L.JS_PRIMITIVE_WRAPPER + propertyBytes(shape);
    case Kind.WeakCollection:
      return L.JS_COLLECTION + propertyBytes(shape);
    case Kind.WeakRef:
      return L.JS_WEAK_REF + propertyBytes(shape);
    case Kind.Promise:
      return L.JS_PROMISE + propertyBytes(shape);
    case Kind.Error:
      return L.JS_OBJECT_HEADER + propertyBytes(shape) + L.ERROR_HIDDEN_STACK;
    default:
      return L.JS_OBJECT_HEADER + propertyBytes(shape) + elementBytes(shape);
  }
}
