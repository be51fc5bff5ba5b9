/**
 * Built-ins as they were when memsize loaded. The walk's own bookkeeping must not run the host's
 * code either: a program (or a dependency) that replaces Set.prototype.add, or puts an accessor
 * on Array.prototype[7], would otherwise be called by the walk itself. So Set, Map and WeakMap
 * methods are captured here and called uncurried, and work arrays have no prototype (a hole
 * never reaches one).
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
