// Limits study: memory JavaScript cannot see (closure scopes, #private fields, WeakMap values held
// through their key, the parent of a sliced string, cons-string trees, hidden classes) and V8
// layout choices it cannot observe (array capacity after push, hash tables after churn,
// internalized strings, double fields boxing integers). For each case: V8's retained size from
// one heap snapshot, scan()'s estimate, and their ratio. Only what must hold is asserted (scan
// returns finite figures without throwing; V8 sees the case); the ratios are printed for
// docs/accuracy.md and the README.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { text } from '../fixtures/graphs.js';
import { measureRetained } from '../support/heap-snapshot.js';

interface LimitCase {
  name: string;
  /** What JavaScript cannot see, or what V8 does that the walk cannot observe. */
  why: string;
  build: () => unknown;
}

const bigRecords = (n: number, seed: number): Array<{ id: number; name: string }> => {
  const out = new Array<{ id: number; name: string }>(n);
  for (let i = 0; i < n; i++) out[i] = { id: i, name: text(seed + i, 16) };
  return out;
};

class Vault {
  #secrets: Array<{ id: number; name: string }>;
  readonly label: string;
  constructor(n: number) {
    this.#secrets = bigRecords(n, 1_000_000);
    this.label = text(5, 10);
  }
  count(): number { return this.#secrets.length; }
}

const CASES: LimitCase[] = [
  {
    name: 'closure-captures-array',
    why: 'a function whose closure scope holds 10,000 records: the scope is invisible',
    build: () => {
      const records = bigRecords(10_000, 0);
      return { lookup: (id: number) => records[id] };
    },
  },
  {
    name: 'private-field-array',
    why: 'a class instance whose #private field holds 10,000 records',
    build: () => new Vault(10_000),
  },
  {
    name: 'weakmap-value-via-key',
    why: 'the key of an entry (in a long-lived WeakMap) whose value holds 10,000 records; V8 hangs the value from both key and table, so neither retains it',
    build: () => {
      const key = { kind: 'request', id: 42 };
      sideTable.set(key, bigRecords(10_000, 2_000_000));
      return key;
    },
  },
  {
    name: 'weakmap-with-its-keys',
    why: 'a structure holding both a WeakMap and its keys: the values (10 x 1,000 records) are retained, but scan() does not follow WeakMap contents',
    build: () => {
      const table = new WeakMap<object, unknown>();
      const keys = Array.from({ length: 10 }, (_, i) => ({ slot: i }));
      for (const k of keys) table.set(k, bigRecords(1000, 2_500_000 + k.slot * 1000));
      return { table, keys };
    },
  },
  {
    name: 'sliced-string-parent',
    why: 'a 19-char slice of a 1 MB string keeps the whole parent alive',
    build: () => ({ token: text(7, 1 << 20).slice(1, 20) }),
  },
  {
    name: 'cons-string-tree',
    why: 'a string built by 2,000 appends is a tree of cons strings until flattened',
    build: () => {
      let s = '';
      for (let i = 0; i < 2000; i++) s += text(i, 20);
      return { log: s };
    },
  },
  {
    name: 'template-keys-in-map',
    why: 'Map keys built by templates are cons strings whose parts (literal, number string) are shared',
    build: () => {
      const m = new Map<string, number>();
      for (let i = 0; i < 10_000; i++) m.set(`user:session:${i}`, i);
      return m;
    },
  },
  {
    name: 'distinct-shapes',
    why: '2,000 objects with distinct key sets: each retains its own hidden class and descriptors',
    build: () => {
      const out: Array<Record<string, number>> = [];
      for (let i = 0; i < 2000; i++) {
        const o: Record<string, number> = {};
        o['field_' + i] = i;
        o['other_' + i] = i + 1;
        out.push(o);
      }
      return out;
    },
  },
  {
    name: 'push-grown-small-arrays',
    why: '10,000 arrays of 3 elements grown by push: capacity 17 each, not 3',
    build: () => {
      const out: number[][] = [];
      for (let i = 0; i < 10_000; i++) {
        const a: number[] = [];
        a.push(i, i + 1, i + 2);
        out.push(a);
      }
      return out;
    },
  },
  {
    name: 'map-after-churn',
    why: 'a Map holding 2,000 entries after 50,000 inserts and deletes: its table never shrank',
    build: () => {
      const m = new Map<number, number>();
      for (let i = 0; i < 50_000; i++) {
        m.set(i, i);
        if (m.size > 2000) m.delete(i - 2000);
      }
      return m;
    },
  },
  {
    name: 'object-keys-internalized',
    why: 'an object used as a hash map: its 10,000 keys are internalized strings, rooted by the string table',
    build: () => {
      const o: Record<string, number> = {};
      for (let i = 0; i < 10_000; i++) o[text(i + 3_000_000, 14)] = i;
      return o;
    },
  },
  {
    name: 'json-short-strings',
    why: 'JSON.parse internalizes short string values (<= 10 chars on Node 20, <= 9 on 22 and 24)',
    build: () => JSON.parse(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => text(i + 4_000_000, 8)))),
  },
  {
    name: 'double-field-integers',
    why: 'a field that once held a double stores every later value, integers too, as a heap number',
    build: () => {
      const out: Array<{ price: number }> = [];
      for (let i = 0; i < 10_000; i++) out.push({ price: i % 2 === 0 ? i : i + 0.5 });
      return out;
    },
  },
  {
    name: 'errors-with-stacks',
    why: '500 Errors: each holds its captured stack frames (CallSiteInfo) until .stack is read',
    build: () => Array.from({ length: 500 }, (_, i) => new Error(text(i, 12))),
  },
  {
    name: 'external-string',
    why: 'a 2 MB string decoded from a Buffer is external: rooted by V8\'s external string table, so no structure retains it (Node 24 puts the payload in its self size, 20/22 only the header)',
    build: () => ({ body: Buffer.alloc(2 << 20, 97).toString('latin1') }),
  },
];

const sideTable = new WeakMap<object, unknown>();

describe('limits: what scan() cannot see, measured against V8', () => {
  it(`prints V8 retained vs scan() for each invisible-memory case (Node ${process.versions.node})`, () => {
    const built: Record<string, unknown> = {};
    for (const c of CASES) built[c.name] = c.build();
    const m = measureRetained(built);
    const lines = [
      `Node ${process.version} (V8 ${process.versions.v8}): V8 retained vs scan()`,
      '',
      '| case | V8 retained bytes | scan() bytes | scan / V8 | what is invisible |',
      '|---|---:|---:|---:|---|',
    ];
    for (const c of CASES) {
      const truth = m.targets.get(c.name);
      expect(truth, c.name).toBeDefined();
      const v8Bytes = truth?.retainedBytes ?? NaN;
      const result = scan(built[c.name], { maxObjects: 10_000_000, maxMillis: 30_000 });
      expect(Number.isFinite(result.bytes), c.name).toBe(true);
      expect(result.truncated, c.name).toBe(false);
      expect(v8Bytes, c.name).toBeGreaterThan(0);
      lines.push(`| ${c.name} | ${v8Bytes} | ${result.bytes} | ${(result.bytes / v8Bytes).toFixed(2)} | ${c.why} |`);
    }
    console.log(lines.join('\n'));
  });
});
