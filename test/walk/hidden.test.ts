/**
 * Deep reads (walk/hidden.ts): what #private fields, closure scopes and WeakMap values hold is
 * counted, against V8's retained size from a live heap snapshot; through scan() and through a real
 * /metrics; without calling accessors, trapping Proxies or walking private methods.
 * The structures are bench/fixtures/hidden.mjs (the same ones `npm run bench:deep` prints),
 * built smaller here. Keeping nothing alive, the fallback without an inspector and --inspect are
 * checked in a child process (test/walk/fixtures/hidden-child.mjs).
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { startPrometheus } from '../../src/prometheus.js';
import { HIDDEN_FIXTURES } from '../../bench/fixtures/hidden.mjs';
import { measureRetained } from '../support/heap-snapshot.js';
import { lastJsonLine, runNode } from '../support/node.js';

/** The bound: each structure within 20% of V8 with the defaults. */
const WITHIN = 0.2;

function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 20_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('deep reads', () => {
  it(`count #private fields, closures, listeners and WeakMap values within ${WITHIN * 100}% of V8's retained size (scan() defaults)`, () => {
    // Arrange: every structure at a quarter of the bench's size, held by one snapshot holder.
    const built: Record<string, unknown> = {};
    HIDDEN_FIXTURES.forEach((f, i) => (built[`f${i}`] = f.build(f.name.includes('EventEmitter') ? 500 : 5_000)));
    const truth = measureRetained(built);
    // Act
    const rows = HIDDEN_FIXTURES.map((f, i) => {
      const v8 = truth.targets.get(`f${i}`)!.retainedBytes;
      const deep = scan(built[`f${i}`]);
      const shallow = scan(built[`f${i}`], { deep: false });
      return { structure: f.name, v8, memsize: deep.bytes, ratio: deep.bytes / v8, shallowRatio: shallow.bytes / v8, hidden: deep.hidden, truncated: deep.truncated };
    });
    console.table(rows.map((r) => ({ ...r, ratio: r.ratio.toFixed(3), shallowRatio: r.shallowRatio.toFixed(3) })));
    // Assert
    for (const row of rows) {
      expect(row.hidden, row.structure).toBe('on');
      expect(row.truncated, row.structure).toBe(false);
      expect(Math.abs(row.ratio - 1), `${row.structure}: memsize ${row.memsize} against V8 ${row.v8}`).toBeLessThan(WITHIN);
    }
    // Without deep reads the caches read next to nothing: the reads are what makes the difference.
    expect(rows[0]!.shallowRatio).toBeLessThan(0.05);
    expect(rows[1]!.shallowRatio).toBeLessThan(0.05);
  });

  it('report an lru-cache through /metrics within 20% of V8, with memsize_root_hidden 1', async () => {
    const cache = HIDDEN_FIXTURES[0]!.build(5_000) as object;
    const memsize = await startPrometheus({ port: 0 });
    try {
      memsize.addRoot('cache', cache, { weak: false });
      const body = await scrape(memsize.url);
      const bytes = Number(/^memsize_root_bytes\{[^}]*root="cache"[^}]*\} (\S+)$/m.exec(body)?.[1]);
      const hidden = Number(/^memsize_root_hidden\{[^}]*root="cache"[^}]*\} (\S+)$/m.exec(body)?.[1]);
      const v8 = measureRetained({ cache }).targets.get('cache')!.retainedBytes;
      expect(hidden).toBe(1);
      expect(Math.abs(bytes / v8 - 1), `/metrics ${bytes} against V8 ${v8}`).toBeLessThan(WITHIN);
    } finally {
      await memsize.shutdown();
    }
  });

  it('never call a private accessor, never trap a Proxy in a private field, never walk a private method', () => {
    let getterCalls = 0;
    let trapCalls = 0;
    const big = Array.from({ length: 10_000 }, (_, i) => ({ i }));
    class Guarded {
      static cache = big; // held by the class, reachable from a private method's scopes: not the instance's
      #data = { values: [1, 2, 3] };
      #proxy = new Proxy({}, { get: () => (trapCalls++, 1), ownKeys: () => (trapCalls++, []), getPrototypeOf: () => (trapCalls++, null) });
      get #expensive() {
        getterCalls++;
        return [];
      }
      #method() {
        return Guarded.cache.length;
      }
      touch() {
        return this.#expensive.length + this.#method() + this.#data.values.length + (this.#proxy === null ? 0 : 1);
      }
    }
    const instances = Array.from({ length: 3 }, () => new Guarded());
    const result = scan(instances);
    expect(getterCalls).toBe(0);
    expect(trapCalls).toBe(0);
    expect(result.hidden).toBe('on');
    // The three #data objects and their arrays are counted; the class's static array is not.
    expect(result.bytes).toBeGreaterThan(scan(instances, { deep: false }).bytes);
    expect(result.bytes).toBeLessThan(scan(big).bytes / 4);
  });

  it('count a context shared by two closures once', () => {
    function createStore() {
      const map = new Map(Array.from({ length: 1_000 }, (_, i) => [i, { i }]));
      return { get: (k: number) => map.get(k), set: (k: number, v: { i: number }) => map.set(k, v) };
    }
    const store = createStore();
    const both = scan(store);
    const one = scan({ get: store.get });
    const contexts = (r: ReturnType<typeof scan>) => r.byType.get('(closure)')?.objects ?? 0;
    // The shared context (and the test's own enclosing scopes, the same for both) counted once each.
    expect(contexts(one)).toBeGreaterThan(0);
    expect(contexts(both)).toBe(contexts(one));
    expect(both.byType.get('Map')?.objects).toBe(one.byType.get('Map')?.objects);
  });

  it('count a WeakMap value only when the root reaches its key too', () => {
    const meta = new WeakMap<object, unknown>();
    const keys = Array.from({ length: 500 }, (_, i) => ({ i }));
    for (const key of keys) meta.set(key, { payload: Array.from({ length: 20 }, (_, j) => j * 1.5) });
    const withKeys = scan({ meta, keys });
    const tableOnly = scan({ meta });
    const keysOnly = scan({ keys });
    expect(withKeys.bytes).toBeGreaterThan(keysOnly.bytes + tableOnly.bytes + 500 * 20 * 8);
    expect(tableOnly.bytes).toBeLessThan(keysOnly.bytes);
  });

  it('keep nothing alive, fall back when the inspector fails, and work beside --inspect (child process)', async () => {
    const script = join(import.meta.dirname, 'fixtures', 'hidden-child.mjs');
    const plain = lastJsonLine<{ collected: boolean; fallback: string; fallbackEqualsShallow: boolean; deepBytes: number; shallowBytes: number }>(
      await runNode(script, { execArgv: ['--expose-gc'], timeoutMs: 60_000 }),
    );
    expect(plain.collected).toBe(true);
    expect(plain.deepBytes).toBeGreaterThan(plain.shallowBytes * 10);
    expect(plain.fallback).toBe('session-failed');
    expect(plain.fallbackEqualsShallow).toBe(true);
    const inspected = lastJsonLine<{ collected: boolean; deepBytes: number; shallowBytes: number; hidden: string }>(
      await runNode(script, { execArgv: ['--expose-gc', '--inspect=127.0.0.1:0'], timeoutMs: 60_000 }),
    );
    expect(inspected.hidden).toBe('on');
    expect(inspected.deepBytes).toBeGreaterThan(inspected.shallowBytes * 10);
    expect(inspected.collected).toBe(true);
  });
});
