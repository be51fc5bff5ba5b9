/**
 * V8 heap layout numbers for the size model, for the build running this process.
 *
 * Sources: V8's object definitions (src/objects/*.tq and *.h: JSObject, JSArray, FixedArray,
 * HeapNumber, String, OrderedHashTable, HashTable, JSArrayBuffer, JSTypedArray...) at the V8
 * lines Node 20 (V8 11.3), 22 (12.4), 24 (13.6) and 26 (14.6) ship, checked on 2026-11-26 (Node 26:
 * later, with bench/layout-probe-node26.txt) against the self sizes heap snapshots report on those Node versions (bench/layout-probe-node*.txt is the
 * evidence, regenerated with `node bench/layout-probe.mjs`). Official Node builds have pointer
 * compression off (process.config.variables.v8_enable_pointer_compression === 0): tagged
 * slots are 8 bytes. Builds with it on get 4-byte slots and the header sizes that follow.
 */

const pointerCompression = Boolean(
  (process.config.variables as { v8_enable_pointer_compression?: unknown }).v8_enable_pointer_compression,
);
const v8Major = Number(process.versions.v8.split('.')[0]);

/** Size of one tagged slot (pointer or Smi). */
export const TAGGED = pointerCompression ? 4 : 8;
/** Every heap object is aligned to this many bytes. */
export const OBJECT_ALIGNMENT = pointerCompression ? 4 : 8;

export function align(bytes: number): number {
  return Math.ceil(bytes / OBJECT_ALIGNMENT) * OBJECT_ALIGNMENT;
}

/** JSObject: map, properties-or-hash, elements. In-object properties follow. */
export const JS_OBJECT_HEADER = 3 * TAGGED;
/** JSArray: a JSObject plus its length. */
export const JS_ARRAY = 4 * TAGGED;
/** FixedArray, FixedDoubleArray, PropertyArray, ByteArray: map and length. */
export const ARRAY_HEADER = 2 * TAGGED;
/** A double element is 8 bytes whatever the build. */
export const DOUBLE = 8;
/** HeapNumber: map and an 8-byte double (12 with compression: no padding). */
export const HEAP_NUMBER = TAGGED + DOUBLE;
/** String: map, 32-bit hash field, 32-bit length. */
export const STRING_HEADER = TAGGED + 8;
/** BigInt: map and a 32-bit bitfield (length and sign), padded; 64-bit digits follow. */
export const BIGINT_HEADER = pointerCompression ? 8 : 16;
/** Symbol: map, hash and flags, description. */
export const SYMBOL = align(TAGGED + 8 + TAGGED);
/** JSFunction: map, properties, elements, shared info, context, feedback cell, code (arrows, methods). */
export const JS_FUNCTION = 7 * TAGGED;
/** ...plus prototype-or-initial-map for functions that can be constructors. */
export const JS_FUNCTION_WITH_PROTOTYPE = 8 * TAGGED;
/** JSCollection (Map, Set, WeakMap, WeakSet): a JSObject plus its table. */
export const JS_COLLECTION = JS_OBJECT_HEADER + TAGGED;
/** OrderedHashTable prefix: element count, deleted count, bucket count. */
export const ORDERED_HASH_PREFIX = 3;
/** Slots per entry: Map key, value, chain; Set key, chain. */
export const ORDERED_HASH_MAP_ENTRY = 3;
export const ORDERED_HASH_SET_ENTRY = 2;
/** OrderedHashTable: new tables hold 4 entries, and capacity doubles (src/objects/ordered-hash-table.h). */
export const ORDERED_HASH_MIN_CAPACITY = 4;
/** Entries per bucket (kLoadFactor). */
export const ORDERED_HASH_LOAD = 2;
/** NameDictionary prefix: element count, deleted count, capacity, next enumeration index, hash, flags. */
export const NAME_DICTIONARY_PREFIX = 6;
/** NumberDictionary prefix: element count, deleted count, capacity, max number key. */
export const NUMBER_DICTIONARY_PREFIX = 4;
/** Dictionary entries: key, value, details. */
export const DICTIONARY_ENTRY = 3;
/** JSDate: a JSObject plus value and a cache of 7 broken-down fields and its stamp. */
export const JS_DATE = JS_OBJECT_HEADER + 9 * TAGGED;
/** JSRegExp: a JSObject plus data, source, flags; lastIndex is an in-object property. */
export const JS_REG_EXP = JS_OBJECT_HEADER + 4 * TAGGED;
/**
 * The RegExp's data array (pattern, flags, capture count...; 112 bytes), plus from V8 13 a
 * wrapper of 16; V8 14 (Node 26) adds a slot to the data (IrRegExpData 120). Literal RegExps share it with their boilerplate, computed ones own it: counted,
 * since data-held RegExps are usually computed. Compiled code (after the first exec) is not.
 */
export const REG_EXP_DATA = 14 * TAGGED + (v8Major >= 13 ? 2 * TAGGED : 0) + (v8Major >= 14 ? TAGGED : 0);
/** JSPrimitiveWrapper: a JSObject plus the wrapped value. */
export const JS_PRIMITIVE_WRAPPER = JS_OBJECT_HEADER + TAGGED;
/** JSWeakRef: a JSObject plus the target. */
export const JS_WEAK_REF = JS_OBJECT_HEADER + TAGGED;
/** JSPromise: a JSObject plus reactions-or-result, flags and an embedder slot. */
export const JS_PROMISE = JS_OBJECT_HEADER + 3 * TAGGED;
/** JSProxy: map, properties, target, handler (32 bytes); V8 14 (Node 26) shows 40. */
export const JS_PROXY = (v8Major >= 14 ? 5 : 4) * TAGGED;
/**
 * JSArrayBuffer: a JSObject plus byte length, max byte length, backing store, extension,
 * bit field and 2 embedder fields (88 bytes); V8 13 (Node 24) adds a slot (96).
 */
export const JS_ARRAY_BUFFER = JS_OBJECT_HEADER + (v8Major >= 13 ? 9 : 8) * TAGGED;
/**
 * JSTypedArray: JSArrayBufferView (buffer, offset, length, bit field, 2 embedder fields) plus
 * length, external and base pointers (96 bytes); V8 13 adds a slot (104).
 */
export const JS_TYPED_ARRAY = JS_OBJECT_HEADER + (v8Major >= 13 ? 10 : 9) * TAGGED;
/** JSDataView: JSArrayBufferView plus the data pointer (80 bytes; 88 on V8 13). */
export const JS_DATA_VIEW = JS_OBJECT_HEADER + (v8Major >= 13 ? 8 : 7) * TAGGED;
/** Empty `{}` literals get this many in-object slots (kInitialGlobalObjectUnusedPropertiesCount). */
export const EMPTY_LITERAL_IN_OBJECT = 4;
/**
 * Errors: JSObject with message and stack slots plus one for the captured frames, which are kept
 * until someone reads `stack`: a FixedArray of CallSiteInfo (56 bytes each), one per frame up to
 * Error.stackTraceLimit (10 by default; a service's stacks are rarely shallower).
 */
export const JS_ERROR = JS_OBJECT_HEADER + 3 * TAGGED;
export const CALL_SITE_INFO = 7 * TAGGED;
export const ERROR_FRAMES = 10;
/** WeakMap and WeakSet: an EphemeronHashTable, 104 bytes empty; its entries are not visible. */
/**
 * A closure or block Context: map, length, ScopeInfo and previous context, then one slot per
 * context-allocated variable (V8 src/objects/contexts.h; heap snapshots of Node 20.20.2 and
 * 26.12.1 read 40, 48 and 72 bytes for 1, 2 and 5 variables, 2026-12-03).
 */
export const CONTEXT_HEADER = ARRAY_HEADER + 2 * TAGGED;
/** EphemeronHashTable prefix (elements, deleted, capacity) and slots per entry (key, value). */
export const EPHEMERON_PREFIX = 3;
export const EPHEMERON_ENTRY = 2;
export const WEAK_COLLECTION_TABLE = ARRAY_HEADER + (3 + 4 * 2) * TAGGED; // prefix 3, 4 entries of 2
/** PropertyArray grows by this many slots (JSObject::kFieldsAdded). */
export const PROPERTY_ARRAY_STEP = 3;
/** Array growth on push: new capacity = needed + needed / 2 + 16 (JSObject::NewElementsCapacity). */
export function grownCapacity(needed: number): number {
  return needed + (needed >> 1) + 16;
}
