/**
 * Hostile inputs for scan(), beyond what test/scan.test.ts covers: polluted built-in prototypes,
 * other vm realms with their own traps, throwing and revoked Proxies deep in a graph, pathological
 * shapes (deep Maps, 100k properties, detached and resizable buffers, huge sparse lengths) and
 * their budgets, and type names built to break labels and pages. Every test records what user
 * code ran and expects nothing; budgets are checked with generous bounds (a busy 2-core machine).
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { sumByType } from '../support/result.js';
import { scan, type ScanResult } from '../../src/index.js';
import { scanEach } from '../../src/scan.js';


/**
 * Record user code only while `run` runs: setting traps up and taking them down uses the very
 * built-ins being trapped (descriptors inherit from Object.prototype, loops use iterators).
 */
let armed = false;
/** What ran, as text: appending to an array would itself go through a trapped Object.prototype index setter. */
interface Log {
  text: string;
}
function note(log: Log, what: string): void {
  if (armed) log.text += `${what}; `;
}
function armedRun<T>(run: () => T): T {
  armed = true;
  try {
    return run();
  } finally {
    armed = false;
  }
}
/** A descriptor with no prototype, so traps on Object.prototype cannot answer for its fields. */
function bare(desc: PropertyDescriptor): PropertyDescriptor {
  return Object.assign(Object.create(null) as PropertyDescriptor, desc);
}

/** Define `keys` on `target` as recording accessors for the duration of `run`, then restore them. */
function withTrap<T>(target: object, keys: PropertyKey[], calls: Log, run: () => T): T {
  const saved = keys.map((key) => [key, Object.getOwnPropertyDescriptor(target, key)] as const);
  for (const key of keys) {
    Object.defineProperty(
      target,
      key,
      bare({
        configurable: true,
        get() {
          note(calls, `get ${String(key)}`);
          return undefined;
        },
        set() {
          note(calls, `set ${String(key)}`);
        },
      }),
    );
  }
  try {
    return armedRun(run);
  } finally {
    for (let i = 0; i < saved.length; i++) {
      const [key, desc] = saved[i]!;
      if (desc === undefined) delete (target as Record<PropertyKey, unknown>)[key];
      else Object.defineProperty(target, key, bare(desc));
    }
  }
}

/** Replace methods and getters of built-in prototypes with recording wrappers for the duration of `run`. */
function withWrapped<T>(targets: [object, PropertyKey][], calls: Log, run: () => T): T {
  const saved = targets.map(([target, key]) => [target, key, Object.getOwnPropertyDescriptor(target, key)!] as const);
  for (let i = 0; i < saved.length; i++) {
    const [target, key, desc] = saved[i]!;
    if (typeof desc.value === 'function') {
      const original = desc.value as (...args: unknown[]) => unknown;
      const wrapped = function (this: unknown, ...args: unknown[]) {
        note(calls, `${String(key)}()`);
        return Reflect.apply(original, this, args);
      };
      Object.defineProperty(target, key, bare({ ...desc, value: wrapped }));
    } else {
      const original = desc.get!;
      const get = function (this: unknown) {
        note(calls, `get ${String(key)}`);
        return Reflect.apply(original, this, []);
      };
      Object.defineProperty(target, key, bare({ ...desc, get }));
    }
  }
  try {
    return armedRun(run);
  } finally {
    for (let i = 0; i < saved.length; i++) {
      const [target, key, desc] = saved[i]!;
      Object.defineProperty(target, key, bare(desc));
    }
  }
}

const sampleGraph = () => {
  const shared = { s: 'shared'.repeat(10) };
  const map = new Map<unknown, unknown>([['k', shared], [{ key: 1 }, [1.5, 2.5]]]);
  const holey: unknown[] = [];
  holey[5] = shared;
  return {
    map,
    set: new Set([shared, 'member']),
    holey,
    bytes: new Uint8Array(100),
    view: new DataView(new ArrayBuffer(16)),
    date: new Date(0),
    re: /ab+c/gi,
    err: new Error('e', { cause: shared }),
    boxed: [new Number(1), new String('s'), Object(1n)],
    sym: Symbol('d'),
    weak: new WeakMap([[shared, 1]]),
  };
};

describe('polluted built-in prototypes', () => {
  it('do not run: Object.prototype accessors named like descriptor fields and indices', () => {
    const calls: Log = { text: '' };
    const graph = sampleGraph();
    const result = withTrap(Object.prototype, ['value', 'get', 'set', 'writable', 'enumerable', 'configurable', 'constructor', 'name', 'stack', 'length', 'size'], calls, () => scan(graph));
    expect(calls.text).toBe('');
    expect(result.truncated).toBe(false);
    // The same figures as without the traps: nothing was read through them.
    expect(scan(graph).bytes).toBe(result.bytes);
  });

  it('do not run: replaced built-ins that memsize reads user objects through (captured at load)', () => {
    const calls: Log = { text: '' };
    const graph = sampleGraph();
    const expected = scan(graph);
    const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
    const result = withWrapped(
      [
        [Map.prototype, 'forEach'], [Map.prototype, 'entries'], [Map.prototype, Symbol.iterator], [Map.prototype, 'size'],
        [Set.prototype, 'forEach'], [Set.prototype, 'values'], [Set.prototype, Symbol.iterator],
        [TypedArrayPrototype, 'buffer'], [TypedArrayPrototype, 'byteLength'], [TypedArrayPrototype, 'byteOffset'],
        [DataView.prototype, 'buffer'], [DataView.prototype, 'byteLength'], [ArrayBuffer.prototype, 'byteLength'], [RegExp.prototype, 'source'],
        [Symbol.prototype, 'description'], [Number.prototype, 'valueOf'], [String.prototype, 'valueOf'], [BigInt.prototype, 'valueOf'],
        [Array.prototype, Symbol.iterator], [Object.prototype, 'toString'], [Object.prototype, '__lookupGetter__'],
        [Object.prototype, 'propertyIsEnumerable'], [Function.prototype, 'toString'],
      ],
      calls,
      () => scan(graph),
    );
    expect(calls.text).toBe('');
    expect(result.bytes).toBe(expected.bytes);
  });

  it('do not run: Set, Map and WeakMap methods replaced globally (the walk keeps its books with built-ins captured at load)', () => {
    const calls: Log = { text: '' };
    const graph = sampleGraph();
    const expected = scan(graph);
    const result = withWrapped(
      [[Set.prototype, 'add'], [Set.prototype, 'size'], [Set.prototype, 'has'], [Map.prototype, 'get'], [Map.prototype, 'set'], [WeakMap.prototype, 'get'], [WeakMap.prototype, 'set']],
      calls,
      () => scan(graph, { paths: true }),
    );
    expect(calls.text).toBe('');
    expect(result.bytes).toBe(expected.bytes);
  });

  it('do not run: the Set and Float64Array constructors and Object key listings replaced after load, while sampling', () => {
    // A sampled walk builds its own position sets and arrays and lists large objects' keys; all
    // with built-ins captured at load. (scanEach, the collector's entry: scan() resolves its
    // options first, with the globals of the call.)
    const records = new Map<number, object>();
    const mapLike: Record<string, object> = {};
    for (let i = 0; i < 20_000; i++) {
      records.set(i, JSON.parse(`{"who":"u${i % 3000}","n":${i}}`) as object);
      mapLike[`k${i}`] = { who: `u${i % 3000}` };
    }
    const graph = { records, mapLike };
    const called: string[] = [];
    const g = globalThis as Record<string, unknown>;
    const originals = { Set, Float64Array, keys: Object.keys, names: Object.getOwnPropertyNames };
    const logging = (Base: new (...args: never[]) => object, name: string) =>
      class extends (Base as new (...args: unknown[]) => object) {
        constructor(...args: unknown[]) {
          called.push(name);
          super(...args);
        }
      };
    try {
      g.Set = logging(Set, 'Set');
      g.Float64Array = logging(Float64Array, 'Float64Array');
      Object.keys = (o: object) => (called.push('Object.keys'), originals.keys(o));
      Object.getOwnPropertyNames = (o: unknown) => (called.push('getOwnPropertyNames'), originals.names(o));
      // Twice: the second walk lists the large map-like object by its enumerable keys. maxObjects
      // cuts the first level's try, so each walk is also redone at the coarsest level.
      for (let pass = 0; pass < 2; pass++) {
        const run = scanEach([graph], [{ maxObjects: 800, maxMillis: 60_000, startLevel: 1 }], { estimation: { sampleThreshold: 1024, sampleSize: 512, seed: pass + 1 } });
        expect(run.results[0]!.estimated).toBe(true);
        expect(run.levels[0]).toBeGreaterThan(1);
      }
    } finally {
      g.Set = originals.Set;
      g.Float64Array = originals.Float64Array;
      Object.keys = originals.keys;
      Object.getOwnPropertyNames = originals.names;
    }
    expect(called, called.join(', ')).toEqual([]);
  });

  it('do not run: an index accessor on Array.prototype (the walk\'s own work arrays have no prototype)', () => {
    const calls: Log = { text: '' };
    const graph = Array.from({ length: 20 }, (_, i) => ({ i: { j: i } }));
    const result = withTrap(Array.prototype, ['7', '8', '9'], calls, () => scan(graph, { paths: true }));
    expect(calls.text).toBe('');
    expect(result.objects).toBe(scan(graph).objects);
    expect(result.truncated).toBe(false);
  });

  it('do not run: Error.prepareStackTrace, for errors whose stack nobody read', () => {
    const calls: string[] = [];
    const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    Error.prepareStackTrace = () => {
      calls.push('prepareStackTrace');
      return 'formatted';
    };
    try {
      const holder = {};
      Error.captureStackTrace(holder);
      const aggregate = new AggregateError([new TypeError('a'), new RangeError('b')], 'many');
      scan({ plain: new Error('x'), aggregate, holder, nested: new Error('outer', { cause: new Error('inner') }) });
    } finally {
      if (saved === undefined) delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      else Object.defineProperty(Error, 'prepareStackTrace', saved);
    }
    expect(calls).toEqual([]);
  });
});

describe('other vm realms', () => {
  it('never run the traps a realm defines for itself: its getters, Proxies, classes and global interceptors', () => {
    const sandbox = { calls: [] as string[] };
    vm.createContext(sandbox);
    const realm = vm.runInContext(
      `
      class Trap {
        get size() { calls.push('realm getter'); return 1; }
        toJSON() { calls.push('realm toJSON'); }
        [Symbol.iterator]() { calls.push('realm iterator'); return [][Symbol.iterator](); }
      }
      Object.defineProperty(Trap, 'name', { get() { calls.push('realm name getter'); return 'X'; } });
      const handler = new Proxy({}, { get(_t, trap) { calls.push('realm proxy ' + String(trap)); return undefined; } });
      class RealmMap extends Map { get size() { calls.push('realm map size'); return 0; } forEach() { calls.push('realm map forEach'); } }
      globalThis.kept = { data: 'in the global'.repeat(10) };
      Object.defineProperty(globalThis, 'lazy', { get() { calls.push('realm global getter'); return 1; }, configurable: true });
      ({
        instance: new Trap(),
        proxy: new Proxy({ inside: 'x' }, handler),
        map: new RealmMap([[1, { v: 'w' }]]),
        global: globalThis,
        bytes: new Float64Array(32),
        err: new Error('realm error'),
      })`,
      sandbox,
    ) as Record<string, unknown>;
    const result = scan(realm);
    expect(sandbox.calls).toEqual([]);
    expect(result.truncated).toBe(false);
    // Named by the realm's own constructors, read as data: the name getter was not called.
    expect(result.byType.has('RealmMap')).toBe(true);
    expect(result.byType.has('X')).toBe(false);
    // The realm's Map was walked through this realm's captured built-ins: its entry is counted.
    const withoutMap = scan({ ...realm, map: undefined });
    expect(result.bytes).toBeGreaterThan(withoutMap.bytes);
  });
});

describe('Proxies and revoked Proxies inside a graph', () => {
  it('count as themselves whatever their traps do, thrown errors and revocation included', () => {
    const calls: string[] = [];
    const throwing = new Proxy(
      {},
      new Proxy({}, {
        get(_target, trap) {
          calls.push(`handler lookup ${String(trap)}`);
          return () => {
            throw new Error('trap');
          };
        },
      }),
    );
    const { proxy: revoked, revoke } = Proxy.revocable({ big: 'r'.repeat(1000) }, {});
    revoke();
    const { proxy: revokedFn, revoke: revokeFn } = Proxy.revocable(function f() {}, {});
    revokeFn();
    const graph = { throwing, revoked, revokedFn, list: [revoked, throwing], map: new Map([[revoked, throwing]]), set: new Set([revokedFn]), weak: new WeakRef(throwing), proto: Object.create(throwing) as object };
    const result = scan(graph);
    expect(calls).toEqual([]);
    expect(result.byType.get('Proxy')?.objects).toBe(3);
    expect(scan(revoked).objects).toBe(1);
    expect(scan(throwing).truncated).toBe(false);
  });
});

describe('pathological shapes', () => {
  it('walks Maps and Sets nested 100,000 deep', () => {
    let nested: Map<string, unknown> | Set<unknown> = new Map();
    for (let i = 0; i < 100_000; i++) nested = i % 2 === 0 ? new Set([nested]) : new Map([['k', nested]]);
    const result = scan(nested, { maxMillis: 60_000 });
    expect(result.truncated).toBe(false);
    expect((result.byType.get('Map')?.objects ?? 0) + (result.byType.get('Set')?.objects ?? 0)).toBe(2 * 100_001); // each with its table
  });

  it('walks a million-long linked list with paths on, keeping the path table bounded', () => {
    let head: { next: unknown; v: string } | null = null;
    for (let i = 0; i < 1_000_000; i++) head = { next: head, v: i % 2 === 0 ? 'even' : 'odd' };
    const result = scan(head, { maxMillis: 60_000, paths: { depth: 16, top: 100 } });
    expect(result.truncated).toBe(false);
    expect(result.paths!.length).toBeLessThanOrEqual(100);
    // Everything deeper than 16 levels counts towards the deepest path: the paths hold it all.
    expect(result.paths![0]!.objects).toBeGreaterThan(999_000);
  });

  it('walks an object with 100,000 properties (dictionary mode) and a 2^32-2 sparse index', () => {
    const dict: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) dict[`key-${i}`] = i;
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = 'far';
    Object.defineProperty(sparse, 7, { value: 'hidden', enumerable: false });
    const result = scan({ dict, sparse });
    expect(result.truncated).toBe(false);
    expect(result.byType.get('string')?.objects).toBe(2);
    expect(sumByType(result)).toEqual({ bytes: result.bytes, objects: result.objects });
  });

  it('measures detached, transferred, resizable and growable buffers without throwing', () => {
    const detached = new ArrayBuffer(1024);
    const viewOfDetached = new Uint8Array(detached, 8);
    structuredClone(detached, { transfer: [detached] });
    const resizable = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(128, { maxByteLength: 4096 });
    const tracking = new Uint8Array(resizable);
    const growable = new (SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer)(256, { maxByteLength: 1024 });
    const result = scan({ detached, viewOfDetached, resizable, tracking, growable, dv: new DataView(resizable, 4) });
    expect(result.truncated).toBe(false);
    // The live buffers' bytes are counted once each: 128 + 256 at least.
    expect(result.bytes).toBeGreaterThanOrEqual(128 + 256);
    expect(scan(viewOfDetached).truncated).toBe(false);
  });

  it('walks functions of every kind, generators, arguments objects and class static blocks', () => {
    class WithStatic {
      static held: unknown;
      static {
        WithStatic.held = { v: 'static'.repeat(10) };
      }
    }
    function* gen() {
      yield 1;
    }
    async function* agen() {
      yield 1;
    }
    const args = (function (this: unknown, _a: unknown, _b: unknown) {
      // eslint-disable-next-line prefer-rest-params
      return arguments;
    })({ x: 1 }, 'two');
    const bound = function target(this: unknown) {}.bind({ self: 1 });
    const result = scan({ WithStatic, gen, agen, iterator: gen(), asyncIterator: agen(), args, bound, arrow: () => 1, promise: Promise.reject(new Error('handled')).catch(() => undefined) });
    expect(result.truncated).toBe(false);
    expect(result.byType.get('Function')?.objects).toBeGreaterThanOrEqual(4);
  });
});

describe('budgets on hostile shapes', () => {
  it('hold maxMillis on a million strings in one array and a million holes in many arrays', () => {
    const strings = Array.from({ length: 1_000_000 }, (_, i) => `s${i}`);
    const holes = Array.from({ length: 64 }, () => new Array(1 << 20));
    for (const root of [strings, holes]) {
      const started = performance.now();
      const result = scan(root, { maxMillis: 10, estimate: false });
      const elapsedMs = performance.now() - started;
      expect(result.truncatedBy).toBe('maxMillis');
      expect(elapsedMs).toBeLessThan(500);
    }
  });

  it('hold maxObjects exactly on primitives, symbols and their descriptions', () => {
    const symbols = Array.from({ length: 1000 }, (_, i) => Symbol(`description-${i}`));
    const bigints = Array.from({ length: 1000 }, (_, i) => 2n ** 70n + BigInt(i));
    for (const root of [symbols, bigints, { symbols, bigints }]) {
      const result = scan(root, { maxObjects: 100, estimate: false });
      expect(result.truncatedBy).toBe('maxObjects');
      // 100 things admitted, plus backing stores of the containers reached (at most a few).
      expect(result.objects).toBeLessThan(110);
      expect(sumByType(result)).toEqual({ bytes: result.bytes, objects: result.objects });
    }
  });

  it('keep partial figures a lower bound of the full ones, with paths on too', () => {
    const records = Array.from({ length: 50_000 }, (_, i) => ({ id: i, tags: [`t${i % 100}`], meta: new Map([['k', i + 0.5]]) }));
    const full = scan(records, { paths: true });
    for (const options of [{ maxObjects: 5000 }, { maxMillis: 2 }]) {
      const cut = scan(records, { ...options, paths: true, estimate: false });
      expect(cut.truncated).toBe(true);
      expect(cut.bytes).toBeLessThan(full.bytes);
      expect(cut.objects).toBeLessThan(full.objects);
      for (const [type, total] of cut.byType) expect(total.bytes).toBeLessThanOrEqual(full.byType.get(type)!.bytes);
    }
  });
});

describe('type names built to break labels and pages', () => {
  it('are stripped of control characters, capped in length, and never read through a getter', () => {
    const names = [
      '<script>alert(1)</script>',
      'Quote"Back\\slash',
      'New\nLine\r\u2028Sep\u0000Null\u0085',
      'x'.repeat(10_000),
      '\u202Eevil\u200B zero width',
      '😀'.repeat(100),
      '',
      '   ',
    ];
    const instances = names.map((name) => {
      const C = class {};
      Object.defineProperty(C, 'name', { value: name });
      return new C();
    });
    const result = scan(instances);
    const types = [...result.byType.keys()].filter((t) => t !== 'Array');
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) {
      expect(type.length).toBeLessThanOrEqual(64);
      // eslint-disable-next-line no-control-regex
      expect(type).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(type.trim()).toBe(type);
      expect(type).not.toBe('');
    }
    expect(types).toContain('<script>alert(1)</script>'); // kept as text: labels and pages escape it (see test/reliability/security.test.ts)
    expect(types).toContain('(anonymous class)');
  });
});

describe('the global object', () => {
  it('can be scanned under a budget without running its getters', () => {
    const calls: Log = { text: '' };
    const result = withTrap(globalThis, ['__memsizeHostileGlobal'], calls, () => scan(globalThis, { maxMillis: 200 }));
    expect(calls.text).toBe('');
    expect(result.objects).toBeGreaterThan(100);
    expect(sumByType(result)).toEqual({ bytes: result.bytes, objects: result.objects });
  });
});
