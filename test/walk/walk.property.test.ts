/**
 * Property-based tests of the walk: fast-check generates object graphs mixing every
 * kind of value scan() must handle, wired with cycles and shared subgraphs, and full of traps:
 * accessors, Proxies, and classes whose every overridable hook (Symbol.iterator, entries,
 * forEach, size, constructor, name, toJSON, valueOf, toString, Symbol.toPrimitive...) records a
 * call. For every graph:
 * - scan() returns and no user code ran (not one recorded call);
 * - the walk reaches exactly the distinct values an independent reference walk (below, written
 *   from the contract in README "What bytes means", not from src/walk) finds;
 * - a second scan gives the same figures, byType sums to the totals, paths change no total;
 * - a maxObjects budget below the graph's size truncates it with partial figures, above it changes nothing.
 *
 * fast-check generates a recipe (plain data) and the test builds the graph from it, so a failure
 * shrinks to a small recipe. Shrunk counterexamples that failed are kept in test/regress/.
 */
import vm from 'node:vm';
import { types } from 'node:util';
import fc from 'fast-check';
import { propertyParams, propertyRuns } from '../support/property.js';
import { describe, expect, it } from 'vitest';
import { scan, type ScanResult } from '../../src/index.js';
import { visitedValues } from '../../src/walk/debug.js';

// ---------------------------------------------------------------------------------------------
// Recording user code

const calls: string[] = [];
function record(what: string): void {
  calls.push(what);
}

/** A handler whose every trap records a call, then does what the target would. */
function recordingHandler(): ProxyHandler<object> {
  const handler: ProxyHandler<object> = {};
  for (const trap of [
    'apply', 'construct', 'defineProperty', 'deleteProperty', 'get', 'getOwnPropertyDescriptor', 'getPrototypeOf',
    'has', 'isExtensible', 'ownKeys', 'preventExtensions', 'set', 'setPrototypeOf',
  ] as const) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      record(`proxy trap ${trap}`);
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return handler;
}

/** Every hook user code can put on an instance or a prototype to be called by a careless walk. */
function defineHostileHooks(target: object, where: string): void {
  const methods: PropertyKey[] = [Symbol.iterator, 'entries', 'keys', 'values', 'forEach', 'toJSON', 'valueOf', 'toString', Symbol.toPrimitive, 'get', 'has', 'then'];
  for (const key of methods) {
    Object.defineProperty(target, key, {
      configurable: true,
      writable: true,
      value: function hostileMethod() {
        record(`${where} ${String(key)}()`);
        return undefined;
      },
    });
  }
  const accessors: PropertyKey[] = ['size', 'length', 'constructor', 'buffer', 'byteLength', 'byteOffset', 'source', 'description', Symbol.toStringTag, 'prototype', 'stack', 'message', 'cause'];
  for (const key of accessors) {
    try {
      Object.defineProperty(target, key, {
        configurable: true,
        get() {
          record(`${where} get ${String(key)}`);
          return undefined;
        },
        set() {
          record(`${where} set ${String(key)}`);
        },
      });
    } catch {
      // Not configurable here (an array's length): nothing to hook.
    }
  }
}

class HostileClass {
  field = 'instance field';
  static get name(): string {
    record('static get name');
    return 'HostileClass';
  }
}
defineHostileHooks(HostileClass.prototype, 'HostileClass.prototype');

class HostileMap extends Map<unknown, unknown> {}
defineHostileHooks(HostileMap.prototype, 'HostileMap.prototype');
class HostileSet extends Set<unknown> {}
defineHostileHooks(HostileSet.prototype, 'HostileSet.prototype');
class HostileArray extends Array<unknown> {}
defineHostileHooks(HostileArray.prototype, 'HostileArray.prototype');
class HostileBytes extends Uint8Array {}
defineHostileHooks(HostileBytes.prototype, 'HostileBytes.prototype');
class HostileError extends Error {}
defineHostileHooks(HostileError.prototype, 'HostileError.prototype');
const mapSet = Map.prototype.set;
const setAdd = Set.prototype.add;

// Another realm: plain objects and built-ins from a vm context, and its global object, whose
// interceptors stand in front of a sandbox with a getter.
const sandbox = {
  get sandboxGetter(): string {
    record('vm sandbox getter');
    return 'computed';
  },
  sandboxData: { kept: 'sandbox data' },
};
vm.createContext(sandbox);
const foreignGlobal = vm.runInContext('globalThis', sandbox) as object;

// ---------------------------------------------------------------------------------------------
// Recipes

type Prim = string | number | bigint | boolean | null | undefined | { sym: number };
type Edge = { node: number } | { prim: Prim };
type Key = string | { sym: number };
interface PropRecipe {
  key: Key;
  enumerable: boolean;
  accessor: 'none' | 'get' | 'set' | 'both';
  value: Edge;
}
const KINDS = [
  'plain', 'nullproto', 'instance', 'hostileClass', 'packed', 'holey', 'sparse', 'long', 'hostileArray',
  'map', 'hostileMap', 'set', 'hostileSet', 'buffer', 'shared', 'view', 'hostileBytes', 'dataview',
  'proxy', 'revoked', 'proxyProto', 'arrow', 'date', 'regexp', 'error', 'boxed', 'weak', 'promise', 'foreign',
] as const;
type NodeKind = (typeof KINDS)[number];
interface NodeRecipe {
  kind: NodeKind;
  props: PropRecipe[];
  items: (Edge | null)[]; // null: a hole
  pairs: [Edge, Edge][];
  ref: number; // target of a Proxy, buffer of a view, prototype...
  n: number; // sizes, offsets, lengths
  flag: boolean; // kind-specific variant
  freeze: boolean;
  hostile: boolean; // hooks on the instance itself
}

const SYMBOL_COUNT = 4;
const STRING_POOL = ['', 'a', 'key', 'size', '<script>alert(1)</script>', '"quoted"\n', 'é', '😀 grinning', 'x'.repeat(300), '__proto__'];
const primArb: fc.Arbitrary<Prim> = fc.oneof(
  fc.constantFrom(...STRING_POOL),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, NaN, Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 0.5),
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
  fc.nat({ max: SYMBOL_COUNT - 1 }).map((sym) => ({ sym })),
  fc.constantFrom(undefined, null, true, false),
);
const edgeArb: fc.Arbitrary<Edge> = fc.oneof(
  { weight: 5, arbitrary: fc.nat({ max: 40 }).map((node) => ({ node })) },
  { weight: 4, arbitrary: primArb.map((prim) => ({ prim })) },
);
const keyArb: fc.Arbitrary<Key> = fc.oneof(
  fc.constantFrom('a', 'b', 'size', 'constructor', 'toJSON', 'valueOf', 'then', 'stack', 'prototype', 'length', 'name', '__proto__', '<b>', 'cause'),
  fc.string({ maxLength: 8 }),
  fc.nat({ max: 70 }).map(String),
  fc.nat({ max: SYMBOL_COUNT - 1 }).map((sym) => ({ sym })),
);
const propArb: fc.Arbitrary<PropRecipe> = fc.record({
  key: keyArb,
  enumerable: fc.boolean(),
  accessor: fc.constantFrom('none', 'none', 'none', 'get', 'set', 'both'),
  value: edgeArb,
});
const nodeArb: fc.Arbitrary<NodeRecipe> = fc.record({
  kind: fc.constantFrom(...KINDS),
  props: fc.array(propArb, { maxLength: 4 }),
  items: fc.array(fc.option(edgeArb, { nil: null, freq: 4 }), { maxLength: 8 }),
  pairs: fc.array(fc.tuple(edgeArb, edgeArb), { maxLength: 4 }),
  ref: fc.nat({ max: 40 }),
  n: fc.nat({ max: 300 }),
  flag: fc.boolean(),
  freeze: fc.integer({ min: 0, max: 3 }).map((k) => k === 0), // 1 in 4
  hostile: fc.boolean(),
});
const graphArb = fc.array(nodeArb, { minLength: 1, maxLength: 24 });

// ---------------------------------------------------------------------------------------------
// Building a graph from a recipe

function build(recipe: NodeRecipe[]): unknown {
  const symbols = [Symbol('local'), Symbol(), Symbol.for('memsize.property'), Symbol.iterator];
  const n = recipe.length;
  const nodes: object[] = new Array(n);
  const prim = (p: Prim): unknown => (p !== null && typeof p === 'object' ? symbols[p.sym] : p);
  const value = (e: Edge): unknown => ('node' in e ? nodes[e.node % n] : prim(e.prim));
  const keyOf = (k: Key): PropertyKey => (typeof k === 'string' ? k : symbols[k.sym]!);
  const isBuffer = (i: number) => ['buffer', 'shared'].includes(recipe[i % n]!.kind);
  const revokers: (() => void)[] = [];

  // Phase 1: every node that needs nothing else to exist.
  const deferred: number[] = [];
  recipe.forEach((r, i) => {
    switch (r.kind) {
      case 'plain': nodes[i] = {}; break;
      case 'nullproto': nodes[i] = Object.create(null) as object; break;
      case 'instance': nodes[i] = new HostileClass(); break;
      case 'hostileClass': nodes[i] = HostileClass; break;
      case 'packed': case 'holey': case 'sparse': nodes[i] = []; break;
      case 'long': nodes[i] = new Array<unknown>(65 + (r.n % 100)); break;
      case 'hostileArray': nodes[i] = new HostileArray(); break;
      case 'map': nodes[i] = new Map(); break;
      case 'hostileMap': nodes[i] = new HostileMap(); break;
      case 'set': nodes[i] = new Set(); break;
      case 'hostileSet': nodes[i] = new HostileSet(); break;
      case 'buffer': nodes[i] = new ArrayBuffer(r.n); break;
      case 'shared': nodes[i] = new SharedArrayBuffer(r.n); break;
      case 'arrow': nodes[i] = r.flag ? () => r.n : function named() { return r.n; }; break;
      case 'date': nodes[i] = new Date(r.n * 1e9); break;
      case 'regexp': nodes[i] = new RegExp(`ab+c${r.n}`, r.flag ? 'gi' : ''); break;
      case 'error': nodes[i] = r.flag ? new HostileError(`hostile ${r.n}`) : new Error(`error ${r.n}`); break;
      case 'boxed': nodes[i] = [new Number(r.n + 0.5), new String(`s${r.n}`), Object(BigInt(r.n)), new Boolean(r.flag), Object(symbols[r.n % SYMBOL_COUNT])][r.n % 5] as object; break;
      case 'weak': nodes[i] = [new WeakMap(), new WeakSet(), new WeakRef({})][r.n % 3]!; break;
      case 'promise': nodes[i] = Promise.resolve(r.n); break;
      case 'foreign':
        nodes[i] = r.flag && r.n % 4 === 0 ? foreignGlobal : (vm.runInContext(['({ f: 1.5 })', '[1, "two", { three: 3n }]', 'new Map([[1, { v: "w" }]])', 'new Set(["s"])'][r.n % 4]!, sandbox) as object);
        break;
      default: deferred.push(i);
    }
  });
  // Phase 2: views (over a buffer node when ref names one), then Proxies (in order: a Proxy may wrap an earlier one).
  for (const i of deferred) {
    const r = recipe[i]!;
    if (r.kind === 'view' || r.kind === 'hostileBytes' || r.kind === 'dataview') {
      const buffer = isBuffer(r.ref) ? (nodes[r.ref % n] as ArrayBuffer) : null;
      const offset = buffer === null ? 0 : Math.min(r.n % 32, buffer.byteLength);
      const length = buffer === null ? r.n % 130 : Math.max(0, buffer.byteLength - offset) >> 3;
      if (r.kind === 'dataview') nodes[i] = buffer === null ? new DataView(new ArrayBuffer(r.n % 130)) : new DataView(buffer, offset);
      else if (r.kind === 'hostileBytes') nodes[i] = buffer === null ? new HostileBytes(length) : new HostileBytes(buffer, offset, length);
      else if (buffer === null) nodes[i] = r.flag ? new Float64Array(length) : new Uint8Array(length);
      else nodes[i] = r.flag ? new Float64Array(buffer, offset & ~7, length) : new Uint8Array(buffer, offset, length);
    }
  }
  for (const i of deferred) {
    const r = recipe[i]!;
    if (r.kind !== 'proxy' && r.kind !== 'revoked' && r.kind !== 'proxyProto') continue;
    let target = nodes[r.ref % n];
    if (target === undefined) target = r.flag ? () => 0 : {};
    if (r.kind === 'proxyProto') {
      // An ordinary object whose prototype is a Proxy: reading through the chain would run traps.
      nodes[i] = Object.create(new Proxy(target, recordingHandler())) as object;
    } else {
      const { proxy, revoke } = Proxy.revocable(target, recordingHandler());
      nodes[i] = proxy;
      if (r.kind === 'revoked') revokers.push(revoke);
    }
  }

  // Phase 3: contents, then hostile hooks, then freezing and revoking.
  recipe.forEach((r, i) => {
    const node = nodes[i]!;
    if (types.isProxy(node)) return; // never touched again: its traps would record
    if (node === foreignGlobal || node === HostileClass) return; // shared between runs: left as they are
    if (Array.isArray(node)) {
      if (r.kind === 'sparse') {
        r.items.forEach((e, k) => { if (e !== null) node[k * 1000 + r.n] = value(e); });
        if (r.flag) node[2 ** 32 - 2] = value(r.items.find((e) => e !== null) ?? { prim: 'far' });
      } else if (r.kind === 'long') {
        for (let k = 0; k < node.length; k += 1 + (r.n % 3)) node[k] = value(r.items[k % Math.max(1, r.items.length)] ?? { prim: k + 0.5 });
      } else {
        r.items.forEach((e, k) => { if (e !== null || r.kind !== 'holey') node[k] = e === null ? undefined : value(e); });
        if (r.kind === 'holey') node[r.items.length + 2] = 'after a hole';
      }
    } else if (types.isMap(node)) {
      for (const [k, v] of r.pairs) mapSet.call(node, value(k), value(v));
    } else if (types.isSet(node)) {
      for (const [k] of r.pairs) setAdd.call(node, value(k));
    } else if (types.isNativeError(node) && r.pairs.length > 0) {
      Object.defineProperty(node, 'cause', { value: value(r.pairs[0]![0]), configurable: true, writable: true, enumerable: false });
    }
    for (const p of r.props) {
      const key = keyOf(p.key);
      // Defining these would convert the value to a number (ToPrimitive on a graph node: a join of
      // a 2^32-long sparse array takes minutes), and they are elements or lengths, not properties.
      if (Array.isArray(node) && key === 'length') continue;
      if (types.isTypedArray(node) && isIndex(key)) continue;
      const descriptor: PropertyDescriptor =
        p.accessor === 'none'
          ? { value: value(p.value), enumerable: p.enumerable, configurable: true, writable: true }
          : {
              enumerable: p.enumerable,
              configurable: true,
              get: p.accessor === 'set' ? undefined : () => { record(`getter ${String(key)}`); return value(p.value); },
              set: p.accessor === 'get' ? undefined : () => record(`setter ${String(key)}`),
            };
      try {
        Object.defineProperty(node, key, descriptor);
      } catch {
        // Not definable on this node (an array's length, a frozen foreign object): skipped.
      }
    }
    if (r.hostile) defineHostileHooks(node, `instance of ${r.kind}`);
  });
  recipe.forEach((r, i) => {
    const node = nodes[i]!;
    if (!r.freeze || types.isProxy(node) || node === foreignGlobal || node === HostileClass) return;
    try {
      Object.freeze(node);
    } catch {
      // Typed arrays with elements cannot be frozen.
    }
  });
  for (const revoke of revokers) revoke();
  return nodes[0];
}

// ---------------------------------------------------------------------------------------------
// The reference walk: what README's "What bytes means" says the walk follows, written plainly. Deliberately not
// shared with src/walk: it reads through descriptors everywhere and classifies with util.types.

const V8_MAJOR = Number(process.versions.v8.split('.')[0]);
const descriptionOf = Object.getOwnPropertyDescriptor(Symbol.prototype, 'description')!.get!;
const sourceOf = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source')!.get!;
const typedBuffer = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'buffer')!.get!;
const typedByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'byteLength')!.get!;
const typedByteOffset = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'byteOffset')!.get!;
const viewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, 'buffer')!.get!;
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const valueOfs: ((this: unknown) => unknown)[] = [String, Number, BigInt, Symbol, Boolean].map((wrapper) => wrapper.prototype.valueOf as (this: unknown) => unknown);
const isIndex = (key: PropertyKey) => typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;

/** Documented limits of the walk (docs/reliability.md), mirrored here so the comparison is exact. */
const ARRAY_NAMED_PROPS_MAX_LENGTH = 64; // longer arrays: their named (string) properties are not followed
const TYPED_ARRAY_ON_HEAP_MAX_BYTES = 64; // small views at offset 0: their buffer is not read (it may not exist yet)

/**
 * From V8 14 (Node 26) a string that is a Map key or Set member is internalized: the string table
 * holds it, and the walk marks it seen without visiting it. Held in another slot too, it is
 * visited there if the walk gets there first. Such strings are left out of the comparison.
 */
const internalized = new Set<unknown>();

function referenceValues(root: unknown): Set<unknown> {
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  internalized.clear();
  const keyOf = (key: unknown) => {
    if (V8_MAJOR >= 14 && typeof key === 'string') internalized.add(key);
  };
  const ownData = (obj: object, filter: (key: PropertyKey) => boolean) => {
    for (const key of Reflect.ownKeys(obj)) {
      if (!filter(key)) continue;
      // An error's stack: formatted on first read before V8 12 (skipped), an accessor since.
      if (key === 'stack' && V8_MAJOR < 12 && !Object.prototype.propertyIsEnumerable.call(obj, key)) continue;
      let desc: PropertyDescriptor | undefined;
      try {
        desc = Object.getOwnPropertyDescriptor(obj, key);
      } catch {
        continue; // a module binding in its temporal dead zone
      }
      if (desc !== undefined && 'value' in desc) stack.push(desc.value);
    }
  };
  while (stack.length > 0) {
    const v = stack.pop();
    const t = typeof v;
    if (t !== 'object' && t !== 'function' && t !== 'string' && t !== 'bigint' && t !== 'symbol') continue;
    if (v === null || seen.has(v)) continue;
    seen.add(v);
    if (t === 'symbol') {
      stack.push(descriptionOf.call(v));
      continue;
    }
    if (t === 'string' || t === 'bigint') continue;
    const obj = v as object;
    if (types.isProxy(obj)) continue; // counted, never entered
    if (Array.isArray(obj)) {
      const long = obj.length > ARRAY_NAMED_PROPS_MAX_LENGTH;
      ownData(obj, (key) => key !== 'length' && (isIndex(key) || typeof key === 'symbol' || !long));
    } else if (types.isTypedArray(obj)) {
      const bytes = typedByteLength.call(obj) as number;
      if (bytes > TYPED_ARRAY_ON_HEAP_MAX_BYTES || (typedByteOffset.call(obj) as number) !== 0) stack.push(typedBuffer.call(obj));
      ownData(obj, (key) => typeof key === 'symbol'); // index keys are the bytes
    } else if (types.isDataView(obj)) {
      stack.push(viewBuffer.call(obj));
      ownData(obj, () => true);
    } else if (types.isMap(obj)) {
      mapForEach.call(obj, (val: unknown, key: unknown) => {
        keyOf(key);
        stack.push(key, val);
      });
      ownData(obj, () => true);
    } else if (types.isSet(obj)) {
      setForEach.call(obj, (val: unknown) => {
        keyOf(val);
        stack.push(val);
      });
      ownData(obj, () => true);
    } else if (types.isRegExp(obj)) {
      stack.push(sourceOf.call(obj));
      ownData(obj, () => true);
    } else if (types.isBoxedPrimitive(obj)) {
      let inner: unknown;
      for (const valueOf of valueOfs) {
        try {
          inner = valueOf.call(obj);
          break;
        } catch {
          // not this wrapper
        }
      }
      stack.push(inner);
      if (typeof inner !== 'string') ownData(obj, () => true); // a String wrapper's keys are its characters
    } else {
      // Plain objects, class instances, functions, dates, errors, weak collections (contents not
      // followed), promises (state not followed), module namespaces, objects of another realm.
      ownData(obj, () => true);
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (types.isProxy(v)) return 'Proxy';
  if (typeof v === 'function') return `function ${Object.getOwnPropertyDescriptor(v, 'name')?.value as string}`;
  return Object.prototype.toString.call(v);
}

function figures(result: ScanResult) {
  return {
    bytes: result.bytes,
    objects: result.objects,
    truncated: result.truncated,
    byType: [...result.byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** scan() with Error.prepareStackTrace recording too (Node 20 formatted unread stacks). */
function scanRecording(root: unknown, options?: Parameters<typeof scan>[1]): ScanResult {
  const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  Error.prepareStackTrace = () => {
    record('Error.prepareStackTrace');
    return '';
  };
  try {
    return scan(root, options);
  } finally {
    if (saved === undefined) delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    else Object.defineProperty(Error, 'prepareStackTrace', saved);
  }
}

/** Seeds and replay: see test/support/property.ts (MEMSIZE_PROPERTY_SEED, _RUNS, _NO_SHRINK). */
const NUM_RUNS = propertyRuns(250);

describe('walk properties (fast-check)', () => {
  it('scan() never throws, never runs user code, and reaches exactly what the reference walk reaches', () => {
    fc.assert(
      fc.property(graphArb, (recipe) => {
        const root = build(recipe);
        calls.length = 0;
        // The reference walk follows what JavaScript shows: deep reads (closure scopes of the
        // graph's functions reach this file's own bindings) are checked by the next property.
        const first = scanRecording(root, { deep: false });
        const deepScan = scanRecording(root);
        expect(calls, 'user code ran during the deep walk').toEqual([]);
        expect(deepScan.bytes).toBeGreaterThanOrEqual(first.bytes);
        const visited = visitedValues(root);
        expect(calls, 'user code ran during the walk').toEqual([]);

        const reference = referenceValues(root);
        const walked = new Set(visited.values);
        // Long strings are counted per slot holding them (docs/accuracy.md); anything else once.
        const once = visited.values.filter((v) => typeof v !== 'string' || v.length <= 9);
        expect(new Set(once).size, 'the walk visited a value twice').toBe(once.length);
        const missed = [...reference].filter((v) => !walked.has(v) && !internalized.has(v)).map(describeValue);
        const extra = [...walked].filter((v) => !reference.has(v)).map(describeValue);
        expect({ missed, extra }).toEqual({ missed: [], extra: [] });
        // The walk's own count is the values it visited (plus one heap number when the root is one).
        expect(visited.objects).toBe(visited.values.length);
        expect(first.objects).toBeGreaterThanOrEqual(visited.values.length);
        expect(first.truncated).toBe(false);
      }),
      propertyParams({ numRuns: NUM_RUNS }),
    );
  });

  it('gives the same figures on a second scan, with or without paths, and byType adds up to the totals', () => {
    fc.assert(
      fc.property(graphArb, (recipe) => {
        const root = build(recipe);
        calls.length = 0;
        const first = scanRecording(root);
        const second = scanRecording(root);
        const withPaths = scanRecording(root, { paths: { depth: 4, top: 50 } });
        expect(calls).toEqual([]);
        expect(figures(second)).toEqual(figures(first));
        expect(figures(withPaths)).toEqual(figures(first));
        let bytes = 0;
        let objects = 0;
        for (const total of first.byType.values()) {
          expect(total.bytes).toBeGreaterThanOrEqual(0);
          expect(total.objects).toBeGreaterThan(0);
          bytes += total.bytes;
          objects += total.objects;
        }
        expect(bytes).toBe(first.bytes);
        expect(objects).toBe(first.objects);
        // Every path's figures are part of the root's.
        for (const path of withPaths.paths ?? []) {
          expect(path.bytes).toBeLessThanOrEqual(first.bytes);
          expect(path.objects).toBeLessThanOrEqual(first.objects);
        }
      }),
      propertyParams({ numRuns: NUM_RUNS }),
    );
  });

  it('stops at maxObjects with partial figures, and changes nothing when the budget is not reached', () => {
    fc.assert(
      fc.property(graphArb, fc.nat({ max: 60 }), (recipe, extra) => {
        const root = build(recipe);
        // The reference count (visitedValues) is of what JavaScript shows: deep reads off here.
        const full = scan(root, { deep: false });
        const distinct = visitedValues(root).objects;
        const maxObjects = Math.max(1, extra % (distinct + 2));
        calls.length = 0;
        // Exact or truncated: with estimation on, a walk over budget is redone from samples.
        const partial = scanRecording(root, { maxObjects, estimate: false, deep: false });
        expect(calls).toEqual([]);
        if (maxObjects >= distinct) {
          expect(figures(partial)).toEqual(figures(full));
        } else {
          expect(partial.truncated).toBe(true);
          expect(partial.truncatedBy).toBe('maxObjects');
          expect(visitedValues(root, { maxObjects, maxMillis: 60_000 }).objects).toBe(maxObjects);
          expect(partial.bytes).toBeLessThanOrEqual(full.bytes);
          expect(partial.objects).toBeLessThanOrEqual(full.objects);
        }
      }),
      propertyParams({ numRuns: Math.max(50, Math.floor(NUM_RUNS / 2)) }),
    );
  });
});
