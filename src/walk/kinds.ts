/**
 * What kind of heap thing a value is, decided without running user code.
 *
 * Objects are classified once per prototype (the answer is cached on a ProtoInfo), because the
 * util.types brand checks cost ~20 ns each and a service's heap has few distinct prototypes.
 * The cache is a heuristic only where it must be: an object whose prototype was swapped to
 * another built-in's is caught when the built-in accessor rejects it (see edges.ts).
 */
import { types } from 'node:util';
import { getPrototypeOf } from './primordials.js';

/** Kinds of heap thing the walk distinguishes. Numbers, so the hot path switches on small ints. */
export const enum Kind {
  Plain = 0, // ordinary object: own properties only
  Array = 1,
  Map = 2,
  Set = 3,
  TypedArray = 4,
  DataView = 5,
  ArrayBuffer = 6,
  SharedArrayBuffer = 7,
  Function = 8,
  Date = 9,
  RegExp = 10,
  Error = 11,
  Boxed = 12, // new Number(1), new String('x'), Object(1n)...
  WeakCollection = 13, // WeakMap, WeakSet: contents not followed (not retained through them)
  WeakRef = 14, // target not followed
  Promise = 15,
  Proxy = 16, // counted as itself, never entered
  Namespace = 17, // module namespace: bindings may be in TDZ, so reads are guarded
  Arguments = 18,
  Opaque = 19, // iterators, generators, host objects: own properties only, no hidden state
  // Primitives that are heap things of their own
  String = 20,
  HeapNumber = 21,
  BigInt = 22,
  Symbol = 23,
  /**
   * A function's closure or block context, found through the inspector (walk/hidden.ts): its
   * variables are its slots. Not a primitive: its heap numbers count like an object's.
   */
  Context = 24,
}

/** Kinds identified by value rather than by an object's layout (they hold no heap numbers of their own). */
export function isPrimitiveKind(kind: Kind): boolean {
  return kind >= Kind.String && kind <= Kind.Symbol;
}

/**
 * V8 14 (Node 26) internalizes a string when it becomes a Map key or a Set member (checked with
 * heap snapshots: bench/layout-probe-node26.txt, "Set with 8 flat 16-char strings"): the string
 * table then holds it, as it holds property keys, and no collection retains it.
 */
export const COLLECTIONS_INTERNALIZE_KEYS = Number(process.versions.v8.split('.')[0]) >= 14;

/** Per-prototype facts, cached for the duration of a process (prototypes are few and long-lived). */
export interface ProtoInfo {
  readonly kind: Kind;
  /** Filled lazily by size/classify.ts: the `type` label for objects with this prototype. */
  typeName: string | undefined;
  /**
   * Set for objects classified alone because their prototype chain reaches no built-in of this
   * realm (another vm realm, a Proxy on the chain). A vm context's global object is one: its
   * interceptors answer a plain property read by calling the sandbox's getter, so edges.ts reads
   * such objects' properties through descriptors instead.
   */
  readonly foreign?: boolean;
  /**
   * Whether this class's instances have `#private` fields to read (walk/hidden.ts): `null` when
   * its instances have none (built-in prototypes, classes without fields, objects classified
   * alone), undefined until the first instance is looked at.
   */
  privateReader?: string | null;
  /** The names of those fields, in the order the reader returns them. */
  privateNames?: readonly string[];
}

const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;

/** Built-in prototypes of this realm, and the kind their instances are expected to have. */
const BUILTIN_PROTOS = new Map<object, Kind>([
  [Object.prototype, Kind.Plain],
  [Array.prototype, Kind.Array],
  [Map.prototype, Kind.Map],
  [Set.prototype, Kind.Set],
  [WeakMap.prototype, Kind.WeakCollection],
  [WeakSet.prototype, Kind.WeakCollection],
  [Promise.prototype, Kind.Promise],
  [Date.prototype, Kind.Date],
  [RegExp.prototype, Kind.RegExp],
  [Error.prototype, Kind.Error],
  [ArrayBuffer.prototype, Kind.ArrayBuffer],
  [SharedArrayBuffer.prototype, Kind.SharedArrayBuffer],
  [DataView.prototype, Kind.DataView],
  [TypedArrayPrototype, Kind.TypedArray],
  [Function.prototype, Kind.Function],
  [Number.prototype, Kind.Boxed],
  [String.prototype, Kind.Boxed],
  [Boolean.prototype, Kind.Boxed],
  [Symbol.prototype, Kind.Boxed],
  [BigInt.prototype, Kind.Boxed],
]);
const weakRefCtor = (globalThis as { WeakRef?: { prototype: object } }).WeakRef;
if (weakRefCtor !== undefined) BUILTIN_PROTOS.set(weakRefCtor.prototype, Kind.WeakRef);

/** Whether `proto` is one of this realm's built-in prototypes (their instances have no `#private` fields). */
export function isBuiltinPrototype(proto: object): boolean {
  return BUILTIN_PROTOS.has(proto);
}

/** Marker for prototype chains that reach no built-in of this realm (another vm realm). */
export const UNKNOWN_KIND = -1;

/**
 * The kind that instances of `proto` are expected to have: the first built-in prototype on its
 * chain. Chains that end without one (another realm) give UNKNOWN_KIND, and each such object is
 * classified on its own. Reads prototypes only, so the caller must have ruled out Proxies on
 * the chain (a Proxy prototype also gives UNKNOWN_KIND here).
 */
export function kindOfPrototype(proto: object | null, isProxy: (value: unknown) => boolean): Kind | typeof UNKNOWN_KIND {
  let p = proto;
  for (let depth = 0; p !== null && depth < 64; depth++) {
    const known = BUILTIN_PROTOS.get(p);
    if (known !== undefined) return known;
    if (isProxy(p)) return UNKNOWN_KIND;
    p = getPrototypeOf(p) as object | null;
  }
  return p === null && proto === null ? Kind.Plain : UNKNOWN_KIND;
}

/** Brand-check that `value` really is of the kind its prototype suggests (prototypes can be swapped). */
export function confirmKind(value: object, kind: Kind): boolean {
  switch (kind) {
    case Kind.Plain:
    case Kind.Error: // an Error subclass instance without the native brand is still just properties
      return true;
    case Kind.Array:
      return Array.isArray(value);
    case Kind.Map:
      return types.isMap(value);
    case Kind.Set:
      return types.isSet(value);
    case Kind.TypedArray:
      return types.isTypedArray(value);
    case Kind.DataView:
      return types.isDataView(value);
    case Kind.ArrayBuffer:
      return types.isArrayBuffer(value);
    case Kind.SharedArrayBuffer:
      return types.isSharedArrayBuffer(value);
    case Kind.Date:
      return types.isDate(value);
    case Kind.RegExp:
      return types.isRegExp(value);
    case Kind.Boxed:
      return types.isBoxedPrimitive(value);
    case Kind.WeakCollection:
      return types.isWeakMap(value) || types.isWeakSet(value);
    case Kind.Promise:
      return types.isPromise(value);
    case Kind.Function:
      return typeof value === 'function';
    default:
      return false;
  }
}

/** Classify one object from scratch with brand checks. Never runs user code (Proxy ruled out by the caller). */
export function kindOfObject(value: object): Kind {
  if (typeof value === 'function') return Kind.Function;
  if (Array.isArray(value)) return Kind.Array;
  if (types.isMap(value)) return Kind.Map;
  if (types.isSet(value)) return Kind.Set;
  if (types.isTypedArray(value)) return Kind.TypedArray;
  if (types.isDataView(value)) return Kind.DataView;
  if (types.isArrayBuffer(value)) return Kind.ArrayBuffer;
  if (types.isSharedArrayBuffer(value)) return Kind.SharedArrayBuffer;
  if (types.isDate(value)) return Kind.Date;
  if (types.isRegExp(value)) return Kind.RegExp;
  if (types.isNativeError(value)) return Kind.Error;
  if (types.isBoxedPrimitive(value)) return Kind.Boxed;
  if (types.isWeakMap(value) || types.isWeakSet(value)) return Kind.WeakCollection;
  if (types.isPromise(value)) return Kind.Promise;
  if (types.isModuleNamespaceObject(value)) return Kind.Namespace;
  if (types.isArgumentsObject(value)) return Kind.Arguments;
  if (types.isExternal(value)) return Kind.Opaque;
  return Kind.Plain;
}
