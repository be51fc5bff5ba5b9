/**
 * Built-ins as they were when memsize loaded. The walk's own bookkeeping must not run the host's
 * code either: a program (or a dependency) that replaces Set.prototype.add, or puts an accessor
 * on Array.prototype[7], would otherwise be called by the walk itself. So every built-in the walk,
 * its sampling and the type names call (Set, Map and WeakMap methods, Object and Reflect functions,
 * the getters of Map, Set, typed arrays and buffers, the wrappers' valueOf, Math) is captured here,
 * once, and called uncurried; work arrays have no prototype (a hole never reaches one).
 */

/** `method` as a plain function taking its receiver first, `uncurryThis(m)(obj, ...args)`: no args array. */
export const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as <A extends unknown[], R>(
  method: (this: never, ...args: A) => R,
) => (self: unknown, ...args: A) => R;

export const setAdd = uncurryThis(Set.prototype.add as (this: never, value: unknown) => unknown);
export const setForEach = uncurryThis(Set.prototype.forEach as (this: never, cb: (value: unknown) => void) => void);
export const setDelete = uncurryThis(Set.prototype.delete as (this: never, value: unknown) => boolean);
export const setSize = uncurryThis(Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get as (this: never) => number);
export const weakMapGet = uncurryThis(WeakMap.prototype.get as (this: never, key: object) => unknown) as <V>(
  map: WeakMap<object, V>,
  key: object,
) => V | undefined;
export const weakMapSet = uncurryThis(WeakMap.prototype.set as (this: never, key: object, value: unknown) => unknown) as <V>(
  map: WeakMap<object, V>,
  key: object,
  value: V,
) => unknown;
export const weakMapDelete = uncurryThis(WeakMap.prototype.delete as (this: never, key: object) => boolean) as (map: WeakMap<object, unknown>, key: object) => boolean;
const mapGet = uncurryThis(Map.prototype.get as (this: never, key: unknown) => unknown);
const mapSet = uncurryThis(Map.prototype.set as (this: never, key: unknown, value: unknown) => unknown);
const setPrototypeOf = Object.setPrototypeOf;

/** An array no prototype accessor can reach. */
export function bareArray<T>(): T[] {
  return setPrototypeOf([], null) as T[];
}

/** Map.prototype.get and set as captured at load. */
export function capturedGet<K, V>(map: Map<K, V>, key: K): V | undefined {
  return mapGet(map, key) as V | undefined;
}
export function capturedSet<K, V>(map: Map<K, V>, key: K, value: V): void {
  mapSet(map, key, value);
}

/**
 * A Set the walk can call as `set.has(x)` / `set.add(x)`, which TurboFan turns into direct calls
 * of the built-ins (the uncurried form goes through Function.prototype.call and cost 20% more
 * per insertion into a walk's visited set: 537 against 440 ms for 1.1 million values, Node 20).
 * Its prototype is a private object holding the built-ins as captured at load, so replacing
 * Set.prototype.add or `size` later changes nothing. Never handed to user code.
 */
export interface VisitedSet {
  has(value: unknown): boolean;
  add(value: unknown): unknown;
  delete(value: unknown): boolean;
  readonly size: number;
}
const VISITED_SET_PROTO: object = { has: Set.prototype.has, add: Set.prototype.add, delete: Set.prototype.delete };
Object.defineProperty(VISITED_SET_PROTO, 'size', { get: Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get });
// Made from a literal, not Object.create(null, ...), which gives a dictionary-mode object whose
// methods TurboFan does not treat as constants (about 5% slower in the same loop, Node 20).
setPrototypeOf(VISITED_SET_PROTO, null);
Object.freeze(VISITED_SET_PROTO);
export function visitedSet(): VisitedSet {
  return setPrototypeOf(new SetCtor(), VISITED_SET_PROTO) as VisitedSet;
}
const SetCtor = Set;
/** The constructors themselves, for the walk's own collections (a replaced global `Set` or `Map` is never called). */
export const newSet = <T>(): Set<T> => new SetCtor<T>();
const MapCtor = Map;
export const newMap = <K, V>(): Map<K, V> => new MapCtor<K, V>();
const Float64ArrayCtor = Float64Array;
export const newFloat64Array = (length: number): Float64Array => new Float64ArrayCtor(length);

// Object, Reflect and the built-ins' own getters, for reading values without running user code
// (walk/edges.ts, size/classify.ts, walk/kinds.ts).
export const getOwnPropertyNames = Object.getOwnPropertyNames;
export const objectKeys = Object.keys;
export const getOwnPropertySymbols = Object.getOwnPropertySymbols;
export const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const getPrototypeOf = Object.getPrototypeOf;
export const hasOwn = Object.hasOwn;
export const ObjectPrototype = Object.prototype;
export const ownKeys = Reflect.ownKeys as (target: object) => (string | symbol)[];
const uncurry = uncurryThis;
export const round = Math.round;
export const sqrt = Math.sqrt;
export const log = Math.log;

/** The getter of an own or inherited accessor, or undefined (Annex B __lookupGetter__). */
export const getterOf = uncurry(
  (Object.prototype as unknown as { __lookupGetter__: (this: never, key: PropertyKey) => unknown }).__lookupGetter__,
);
export const propertyIsEnumerable = uncurry(Object.prototype.propertyIsEnumerable as (this: never, key: PropertyKey) => boolean);


function getter(proto: object, name: string): (self: unknown) => unknown {
  const desc = getOwnPropertyDescriptor(proto, name);
  const fn = desc === undefined ? undefined : desc.get;
  if (typeof fn !== 'function') throw new Error(`memsize: built-in getter ${name} is missing`);
  return uncurry(fn as (this: never) => unknown);
}
export const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
export const mapForEach = uncurry(Map.prototype.forEach as (this: never, cb: (v: unknown, k: unknown) => void) => void);
export const mapSize = getter(Map.prototype, 'size');
export const typedArrayByteLength = getter(TypedArrayPrototype, 'byteLength');
export const typedArrayByteOffset = getter(TypedArrayPrototype, 'byteOffset');
export const typedArrayBuffer = getter(TypedArrayPrototype, 'buffer');
export const dataViewBuffer = getter(DataView.prototype, 'buffer');
export const dataViewByteLength = getter(DataView.prototype, 'byteLength');
export const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
export const sharedArrayBufferByteLength = getter(SharedArrayBuffer.prototype, 'byteLength');
export const regExpSource = getter(RegExp.prototype, 'source');
export const stringValueOf = uncurry(String.prototype.valueOf as (this: never) => unknown);
export const numberValueOf = uncurry(Number.prototype.valueOf as (this: never) => unknown);
export const bigIntValueOf = uncurry(BigInt.prototype.valueOf as (this: never) => unknown);
export const symbolValueOf = uncurry(Symbol.prototype.valueOf as (this: never) => unknown);
export const booleanValueOf = uncurry(Boolean.prototype.valueOf as (this: never) => unknown);

// For the sample's positions (walk/sample.ts) and symbol descriptions (walk/walk.ts).
export const typedArraySort = uncurryThis(
  Object.getPrototypeOf(Float64Array.prototype).sort as (this: never) => unknown,
);
export const mathRandom = Math.random;
export const imul = Math.imul;
export const floor = Math.floor;
export const symbolDescription = uncurryThis(
  Object.getOwnPropertyDescriptor(Symbol.prototype, 'description')!.get as (this: never) => string | undefined,
);

/** Function.prototype.toString as captured at load: a function's source text (a class's, for its private names). */
export const functionToString = uncurryThis(Function.prototype.toString as (this: never) => string);
/** RegExp.prototype.exec as captured at load. */
export const regExpExec = uncurryThis(RegExp.prototype.exec as (this: never, text: string) => RegExpExecArray | null);
