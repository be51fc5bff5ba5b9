/**
 * What JavaScript cannot see but a structure holds: a class instance's `#private` fields, a
 * function's Closure and Block scopes (and a bound function's target, `this` and arguments), a
 * WeakMap's entries. Read through the in-process inspector session (inspector/session.ts) and
 * handed to the walk as plain values: this module only reads; walk.ts decides what is counted.
 *
 * Never runs user code:
 * - `#private` fields are read by name in a REPL-mode evaluation (`$t.#name`), which reads the
 *   field's slot; accessors are never named (their names come from the first instance's
 *   `Runtime.getProperties`, which reports accessors without calling them, and are left out) and
 *   private methods are not fields (they are listed apart, under `[[PrivateMethods]]`).
 * - Scopes come back as V8's own materialised scope objects (null prototype, data properties
 *   only), read by the walk like any object; `With` scopes are user objects and are skipped.
 * - Proxies never get here (the walk counts them as themselves).
 * Known exception: `Runtime.getProperties` describes every value it returns, and V8 describes an
 * Error by reading its `stack` (which may call `Error.prepareStackTrace`) and, from V8 12, its
 * `message`. So the values of a class's *first* instance (read once per class, to learn the
 * field names) and a function's own properties are described: a user getter on an Error
 * subclass's `message`, or a prepareStackTrace hook, can run once there (README "Limitations").
 *
 * Cost: one evaluation per instance of a class with private fields (25-35 µs here), three
 * protocol calls per function (about 100 µs), two per WeakMap. The walk runs its clock after each.
 */
import { NOT_READ, openSession, type InspectorSession, type RemoteObject } from '../inspector/session.js';
import { types } from 'node:util';
import { isBuiltinPrototype } from './kinds.js';
import { bareArray, functionToString, getOwnPropertyDescriptor, getOwnPropertyNames, getPrototypeOf, hasOwn, regExpExec, weakMapGet, weakMapSet } from './primordials.js';

const isProxy = types.isProxy;

/** Remote objects of one walk live in this group, released when the walk ends. */
const GROUP = 'memsize-walk';

/** Per class (prototype): the names of its instances' private *fields* (accessors and methods left out). */
const fieldNames = new WeakMap<object, readonly string[]>();
/** The REPL expression reading a class's fields, per prototype. */
const fieldReaders = new WeakMap<object, string>();
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
   * class has none (learned once per prototype) or they could not be read.
   */
  privateValues(obj: object, proto: object): unknown[] | null {
    const s = this.session;
    if (s === null) return null;
    let names = weakMapGet(fieldNames, proto);
    if (names === undefined) {
      names = this.learnFields(s, obj, proto);
      weakMapSet(fieldNames, proto, names);
      if (names.length > 0) weakMapSet(fieldReaders, proto, readerExpression(s.sinkName, names));
    }
    if (names.length === 0) return null;
    const expression = weakMapGet(fieldReaders, proto)!;
    this.used = true;
    this.calls++;
    const read = s.evaluateWith(obj, expression, GROUP);
    if (read === NOT_READ || !Array.isArray(read)) return null;
    return read as unknown[];
  }

  /** The field names of `proto`'s instances, as learned (empty when none). */
  privateNames(proto: object): readonly string[] {
    return weakMapGet(fieldNames, proto) ?? EMPTY;
  }

  /**
   * The names of the private *fields* of `obj`'s class, learned from its first instance. A class
   * whose source (and its ancestors') has no `#name` has none, and costs no inspector call: most
   * classes. Otherwise `Runtime.getProperties` lists the instance's private properties: a field
   * has a value; an accessor has get/set (never read); private methods are listed apart.
   * That call describes the instance's values: the one place where an Error held by the first
   * instance of such a class has its stack formatted (README "Limitations").
   */
  private learnFields(s: InspectorSession, obj: object, proto: object): readonly string[] {
    try {
      if (!hasPrivateNames(proto)) return EMPTY;
      this.used = true;
      this.calls += 2;
      const remote = s.remoteOf(obj, GROUP);
      if (!hasOwn(remote, 'objectId') || remote.objectId === undefined) return EMPTY;
      const answer = s.post<PropertiesAnswer>('Runtime.getProperties', {
        objectId: remote.objectId,
        ownProperties: true,
        generatePreview: false,
        nonIndexedPropertiesOnly: true,
      });
      const names = bareArray<string>();
      const list = own(answer, 'privateProperties') ?? EMPTY_LIST;
      for (let i = 0; i < list.length; i++) {
        const p = list[i]!;
        // Answers are parsed JSON: a field a record lacks is read only if it is its own (an
        // accessor on Object.prototype named `get` or `value` must not be reached).
        if (!hasOwn(p, 'get') && !hasOwn(p, 'set') && hasOwn(p, 'value') && PRIVATE_NAME.test(p.name)) names[names.length] = p.name;
      }
      return names;
    } catch {
      return EMPTY;
    }
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
    if (scopeList !== undefined) {
      const list = s.valueOf(scopeList);
      if (Array.isArray(list)) {
        for (let i = 0; i < list.length; i++) {
          const scope = list[i] as { description?: unknown; object?: unknown } | null;
          if (scope === null || typeof scope !== 'object' || !hasOwn(scope, 'object')) continue;
          const description = hasOwn(scope, 'description') && typeof scope.description === 'string' ? scope.description : '';
          const space = description.indexOf(' ');
          const type = space < 0 ? description : description.slice(0, space);
          if (OWN_SCOPE_TYPES[type] !== true) continue;
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
    const last = scopes.length - 1;
    if (last >= 0 && (scopes[last]!.description === 'Closure' || scopes[last]!.description === 'Block')) scopes.length = last;
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

function readerExpression(sinkName: string, names: readonly string[]): string {
  const t = `globalThis.${sinkName}.t`;
  let list = '';
  for (let i = 0; i < names.length; i++) list += `${i === 0 ? '' : ', '}${t}.${names[i]!}`;
  // One top-level expression: REPL mode resolves `#name` on the object only there (not inside a
  // block, so not inside try). Every instance of a class has the fields its first one had.
  return `void (globalThis.${sinkName}.v = [${list}])`;
}

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
 * Whether `Runtime.getProperties` may describe `obj`'s own properties without running code.
 * V8 11 (Node 20) reads `length` to describe an object that inherits from Array.prototype
 * without being an array (an Array subclass's prototype, the `prototype` of `class extends
 * Array`), which calls a `length` getter defined there; later V8 does not. Such an owner is not
 * read (its hidden edges are missed). Other values are described from V8's own data.
 */
function safeToDescribe(obj: object): boolean {
  if (!DESCRIBES_ARRAY_LIKES_BY_LENGTH) return true;
  try {
    return noArrayLikeValues(obj);
  } catch {
    return false;
  }
}
function noArrayLikeValues(obj: object): boolean {
  const names = getOwnPropertyNames(obj);
  for (let i = 0; i < names.length; i++) {
    const desc = getOwnPropertyDescriptor(obj, names[i]!);
    if (desc === undefined || !hasOwn(desc, 'value')) continue;
    const value: unknown = desc.value;
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || isProxy(value) || isArray(value)) continue;
    let p = getPrototypeOf(value) as object | null;
    for (let depth = 0; p !== null && depth < 32; depth++) {
      if (p === ArrayPrototype) return false;
      if (isProxy(p)) return false;
      p = getPrototypeOf(p) as object | null;
    }
  }
  return true;
}
const DESCRIBES_ARRAY_LIKES_BY_LENGTH = Number(process.versions.v8.split('.')[0]) < 12;
const ArrayPrototype = Array.prototype;
const isArray = Array.isArray;
