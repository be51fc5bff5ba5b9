/**
 * What JavaScript cannot see but a structure holds: a class instance's `#private` fields, a
 * function's Closure and Block scopes (and a bound function's target, `this` and arguments), a
 * WeakMap's entries. Read through the in-process inspector session (inspector/session.ts) and
 * handed to the walk as plain values: this module only reads; walk.ts decides what is counted.
 *
 * Never runs user code:
 * - `#private` fields are read by `Runtime.getProperties`, which reports accessors without calling
 *   them (they are left out) and lists private methods apart (`[[PrivateMethods]]`).
 * - Scopes come back as V8's own materialised scope objects (null prototype, data properties
 *   only), read by the walk like any object; `With` scopes are user objects and are skipped.
 * - Proxies never get here (the walk counts them as themselves).
 * Known exception: `Runtime.getProperties` describes every value it returns, and V8 describes an
 * Error by reading its `stack` (which may call `Error.prepareStackTrace`) and, from V8 12, its
 * `message`. So an Error held in a `#private` field, or in an own property of a function, can
 * have a prepareStackTrace hook or a `message` getter run once there (README "Limitations").
 *
 * Cost: three protocol calls per instance of a class with private fields (about 100 µs here),
 * three per function (about 100 µs), three per WeakMap. The walk runs its clock after each.
 */
import { openSession, type InspectorSession, type RemoteObject } from '../inspector/session.js';
import { types } from 'node:util';
import { isBuiltinPrototype } from './kinds.js';
import { bareArray, functionToString, getOwnPropertyDescriptor, getOwnPropertyNames, getOwnPropertySymbols, getPrototypeOf, hasOwn, regExpExec, weakMapGet, weakMapSet } from './primordials.js';

const isProxy = types.isProxy;

/** Remote objects of one walk live in this group, released when the walk ends. */
const GROUP = 'memsize-walk';

/** Per class (prototype): the names of its instances' private *fields* (accessors and methods left out). */
const fieldNames = new WeakMap<object, readonly string[]>();
/** Functions whose scope chain holds no scope of their own (only Script, Module, Global): static. */
const noOwnScopes = new WeakMap<object, true>();

interface PropertiesAnswer {
  result?: { name: string; value?: RemoteObject }[];
  internalProperties?: { name: string; value?: RemoteObject }[];
  privateProperties?: { name: string; value?: RemoteObject; get?: RemoteObject; set?: RemoteObject }[];
}

/** One scope a function holds: its label for paths, its variables' names and values. */
export interface ScopeRead {
  /** 'Closure', 'Block', 'Local', 'Catch', 'Eval' (what V8's scope iterator says). */
  type: string;
  /** e.g. "Closure (createStore)". */
  description: string;
  names: string[];
  values: unknown[];
}

/** What a function holds beyond its own properties. */
export interface FunctionRead {
  scopes: ScopeRead[];
  /** A bound function's target, bound `this` and bound arguments (empty otherwise). */
  bound: unknown[];
}

/** Scope types that belong to the function (its closure), not to its module or realm. */
const OWN_SCOPE_TYPES: Record<string, true> = { Closure: true, Block: true, Local: true, Catch: true, Eval: true };

/** Reads hidden edges for one walk at a time. */
export class HiddenReader {
  private session: InspectorSession | null = null;
  private used = false;
  /** Inspector calls made since {@link begin}: the walk charges their time to its budget. */
  calls = 0;

  /** Start a walk: the session, or false when deep reads are unavailable (see inspector/session.ts). */
  begin(): boolean {
    this.session = openSession();
    this.used = false;
    this.calls = 0;
    return this.session !== null;
  }

  /** End a walk: release every remote object it made. Never throws. */
  end(): void {
    if (this.session !== null && this.used) this.session.release(GROUP);
    this.session = null;
    this.used = false;
  }

  /**
   * The values of `obj`'s private fields, in the order of {@link privateNames}, or null when its
   * class has none (learned once per prototype: a class whose source names no `#member` costs no
   * inspector call) or they could not be read.
   *
   * `Runtime.getProperties` lists the instance's private properties: a field has a value; an
   * accessor has get/set (never read); private methods are listed apart. The values that are
   * objects come back to JavaScript in one call. That call describes the instance's values: an
   * Error held in a private field has its stack formatted then (README "Limitations").
   * (Reading fields by name in a REPL-mode evaluation costs a third of this, but its answer is a
   * promise the inspector settles later, and one collected unsettled by a GC inside a walk made
   * Node 22-26 abort: "Invoke in DisallowJavascriptExecutionScope".)
   */
  privateValues(obj: object, proto: object): unknown[] | null {
    const s = this.session;
    if (s === null) return null;
    let names = weakMapGet(fieldNames, proto);
    if (names !== undefined && names.length === 0) return null;
    if (names === undefined && !hasPrivateNames(proto)) {
      weakMapSet(fieldNames, proto, EMPTY);
      return null;
    }
    this.used = true;
    this.calls += 3;
    const found = bareArray<string>();
    const values = bareArray<unknown>();
    try {
      const remote = s.remoteOf(obj, GROUP);
      if (!hasOwn(remote, 'objectId') || remote.objectId === undefined) return null;
      const answer = s.post<PropertiesAnswer>('Runtime.getProperties', {
        objectId: remote.objectId,
        ownProperties: true,
        generatePreview: false,
        nonIndexedPropertiesOnly: true,
      });
      const list = own(answer, 'privateProperties') ?? EMPTY_LIST;
      const remotes = bareArray<RemoteObject>();
      for (let i = 0; i < list.length; i++) {
        const p = list[i]!;
        // Answers are parsed JSON: a field a record lacks is read only if it is its own (an
        // accessor on Object.prototype named `get` or `value` must not be reached).
        if (hasOwn(p, 'get') || hasOwn(p, 'set') || !hasOwn(p, 'value') || p.value === undefined) continue;
        found[found.length] = p.name;
        remotes[remotes.length] = p.value;
      }
      const live = s.valuesOf(remotes);
      for (let i = 0; i < live.length; i++) values[i] = live[i];
    } catch {
      return null;
    }
    if (names === undefined) {
      names = found;
      weakMapSet(fieldNames, proto, names);
    }
    return values.length === 0 ? null : values;
  }

  /** The field names of `proto`'s instances, as learned (empty when none). */
  privateNames(proto: object): readonly string[] {
    return weakMapGet(fieldNames, proto) ?? EMPTY;
  }

  /** The scopes and bound parts `fn` holds, or null when it holds none (remembered per function). */
  functionParts(fn: object): FunctionRead | null {
    const s = this.session;
    if (s === null || weakMapGet(noOwnScopes, fn) === true || !safeToDescribe(fn)) return null;
    this.used = true;
    this.calls += 3;
    let answer: PropertiesAnswer;
    try {
      const remote = s.remoteOf(fn, GROUP);
      if (!hasOwn(remote, 'objectId') || remote.objectId === undefined) return null;
      answer = s.post<PropertiesAnswer>('Runtime.getProperties', {
        objectId: remote.objectId,
        ownProperties: true,
        generatePreview: false,
        nonIndexedPropertiesOnly: true,
      });
    } catch {
      return null;
    }
    const internals = own(answer, 'internalProperties') ?? EMPTY_LIST;
    const bound = bareArray<unknown>();
    let scopeList: RemoteObject | undefined;
    for (let i = 0; i < internals.length; i++) {
      const p = internals[i]!;
      if (!hasOwn(p, 'value') || p.value === undefined) continue;
      switch (p.name) {
        case '[[Scopes]]':
          scopeList = p.value;
          break;
        case '[[TargetFunction]]':
        case '[[BoundThis]]':
          bound[bound.length] = s.valueOf(p.value);
          break;
        case '[[BoundArgs]]': {
          // A copy the inspector made of the bound arguments: its elements are the values.
          const args = s.valueOf(p.value);
          if (Array.isArray(args)) for (let j = 0; j < args.length; j++) bound[bound.length] = args[j];
          break;
        }
        default:
      }
    }
    const scopes = bareArray<ScopeRead>();
    let outerType = '';
    if (scopeList !== undefined) {
      const list = s.valueOf(scopeList);
      if (Array.isArray(list)) {
        for (let i = 0; i < list.length; i++) {
          const scope = list[i] as { description?: unknown; object?: unknown } | null;
          if (scope === null || typeof scope !== 'object' || !hasOwn(scope, 'object')) continue;
          const description = hasOwn(scope, 'description') && typeof scope.description === 'string' ? scope.description : '';
          const space = description.indexOf(' ');
          const type = space < 0 ? description : description.slice(0, space);
          if (OWN_SCOPE_TYPES[type] !== true) {
            // The first scope past the function's own ones says whether a Module scope holds the
            // module's bindings (an ES module) or nothing does (a wrapped module, below).
            if (outerType === '') outerType = type;
            continue;
          }
          outerType = '';
          const holder = scope.object;
          if (holder === null || typeof holder !== 'object') continue;
          // V8's materialised scope: a null-prototype object with one data property per variable.
          const names = getOwnPropertyNames(holder);
          const values = bareArray<unknown>();
          for (let j = 0; j < names.length; j++) values[j] = (holder as Record<string, unknown>)[names[j]!];
          scopes[scopes.length] = { type, description, names, values };
        }
      }
    }
    // The outermost scope of a function is often a module in disguise: CommonJS, bundlers
    // (webpack, esbuild) and test runners wrap each module in an anonymous function (a Closure
    // scope) or a block (vitest: a Block scope), which holds the module's variables (`require`,
    // `module`, every top-level binding captured). Like a Module scope, it is held by every
    // function of the module, not by one structure, and V8 counts it in no single structure's
    // retained size: an unnamed outermost Closure or Block is left out. (So is an anonymous IIFE
    // or a bare block at a module's top level: README "Limitations".)
    // Only when no Module scope follows: in an ES module, an unnamed outermost Block is a block
    // of a module-level function (a loop body holding each iteration's data), and is kept.
    const last = scopes.length - 1;
    if (last >= 0 && outerType !== 'Module' && (scopes[last]!.description === 'Closure' || scopes[last]!.description === 'Block')) scopes.length = last;
    if (scopes.length === 0 && bound.length === 0) {
      weakMapSet(noOwnScopes, fn, true);
      return null;
    }
    return { scopes, bound };
  }

  /** A WeakMap's (or WeakSet's) entries as [key, value, key, value...], or null when unreadable. */
  weakEntries(collection: object): unknown[] | null {
    const s = this.session;
    if (s === null || !safeToDescribe(collection)) return null;
    this.used = true;
    this.calls += 3;
    try {
      const remote = s.remoteOf(collection, GROUP);
      if (!hasOwn(remote, 'objectId') || remote.objectId === undefined) return null;
      const answer = s.post<PropertiesAnswer>('Runtime.getProperties', {
        objectId: remote.objectId,
        ownProperties: true,
        generatePreview: false,
        nonIndexedPropertiesOnly: true,
      });
      const internals = own(answer, 'internalProperties') ?? EMPTY_LIST;
      for (let i = 0; i < internals.length; i++) {
        const p = internals[i]!;
        if (p.name !== '[[Entries]]' || !hasOwn(p, 'value') || p.value === undefined) continue;
        const list = s.valueOf(p.value);
        if (!Array.isArray(list)) return null;
        // The inspector's entry records: null-prototype objects with data properties key and value
        // (a WeakSet's have only key).
        const out = bareArray<unknown>();
        for (let j = 0; j < list.length; j++) {
          const entry = list[j] as { key?: unknown; value?: unknown } | null;
          if (entry === null || typeof entry !== 'object' || !hasOwn(entry, 'key')) continue;
          out[out.length] = entry.key;
          out[out.length] = hasOwn(entry, 'value') ? entry.value : undefined;
        }
        return out;
      }
      return null;
    } catch {
      return null;
    }
  }
}

const EMPTY: readonly string[] = Object.freeze([]);
const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** `obj[key]` when it is an own property, else undefined: never reaches a prototype. */
function own<T, K extends keyof T>(obj: T, key: K): T[K] | undefined {
  return hasOwn(obj as object, key as string) ? obj[key] : undefined;
}
/** A private name as V8 reports it: `#` and an identifier (anything else is not put in an expression). */
const PRIVATE_NAME = /^#[A-Za-z_$][\w$]*$/;


/** Whether the source of a class on `proto`'s chain names a private member (`#name`). */
function hasPrivateNames(proto: object): boolean {
  let p: object | null = proto;
  for (let depth = 0; p !== null && depth < 32 && !isBuiltinPrototype(p); depth++) {
    if (isProxy(p)) return false;
    const desc = getOwnPropertyDescriptor(p, 'constructor');
    const ctor: unknown = desc !== undefined && hasOwn(desc, 'value') ? desc.value : undefined;
    if (typeof ctor === 'function' && !isProxy(ctor)) {
      let source = '';
      try {
        source = functionToString(ctor);
      } catch {
        source = '';
      }
      PRIVATE_USE.lastIndex = 0;
      if (regExpExec(PRIVATE_USE, source) !== null) return true;
    }
    p = getPrototypeOf(p) as object | null;
  }
  return false;
}
const PRIVATE_USE = /#[A-Za-z_$]/g;

/**
 * Whether `Runtime.getProperties` may describe `obj`'s own properties without running code. V8
 * names an object by looking up its prototype chain, which runs a Proxy's traps when the chain
 * holds one; and V8 11 (Node 20) reads `length` to describe an object that inherits from
 * Array.prototype without being an array (an Array subclass's prototype), which calls a `length`
 * getter defined there; and it describes an Error by formatting its stack. An owner with such a
 * value (or a Proxy, or an Error) in an own property is not read:
 * its hidden edges are missed. (A `#private` field's value cannot be checked before it is read.)
 */
function safeToDescribe(obj: object): boolean {
  try {
    return describable(obj, getOwnPropertyNames(obj)) && describable(obj, getOwnPropertySymbols(obj));
  } catch {
    return false;
  }
}
function describable(obj: object, keys: readonly (string | symbol)[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const desc = getOwnPropertyDescriptor(obj, keys[i]!);
    if (desc === undefined || !hasOwn(desc, 'value')) continue;
    const value: unknown = desc.value;
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue;
    // An Error is described by formatting its stack (Error.prepareStackTrace) and reading `message`.
    if (isProxy(value) || isNativeError(value)) return false;
    const array = isArray(value);
    let p = getPrototypeOf(value) as object | null;
    for (let depth = 0; p !== null && depth < 64; depth++) {
      if (isProxy(p) || p === ErrorPrototype) return false;
      if (DESCRIBES_ARRAY_LIKES_BY_LENGTH && p === ArrayPrototype && !array) return false;
      p = getPrototypeOf(p) as object | null;
    }
  }
  return true;
}
const DESCRIBES_ARRAY_LIKES_BY_LENGTH = Number(process.versions.v8.split('.')[0]) < 12;
const ArrayPrototype = Array.prototype;
const ErrorPrototype = Error.prototype;
const isNativeError = types.isNativeError;
const isArray = Array.isArray;
