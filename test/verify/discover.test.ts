/**
 * memsize.discover(): the largest structures from one live heap snapshot, with readable paths,
 * suggested names and weak refs. The judged scenario of issue 17 runs in a child process of the
 * Node under test (real ES modules, as a service loads them); the candidate rules and the
 * nothing-kept-alive checks run in process. Every expected figure comes from a live snapshot.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemsize, MemsizeError, type Memsize } from '../../src/index.js';
import type { DiscoverCandidate } from '../../src/verify/discover.js';
import { suggestName, shortModuleName } from '../../src/verify/discover.js';
import { assertDistFresh, DIST_INDEX, ROOT_DIR } from '../support/dist.js';
import { thrown } from '../support/thrown.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const fresh = (): Memsize => createMemsize({ meterProvider: null });


interface JudgeOutput {
  node: string;
  refsUnavailable: string | null;
  candidates: { path: string; steps: string[]; type: string; name: string; retainedBytes: number; coveredBy: string | null }[];
  picked: Record<string, { rank: number; name: string; refType: string | null; refSize: number | null }> & { cacheSize: number };
  metrics: Record<string, number>;
  v8: Record<string, number>;
  again: { name: string; path: string; coveredBy: string | null }[];
}

describe('discover() on a service with three unregistered leaks (child process)', () => {
  const REQUESTS = 20_000;
  let out: JudgeOutput;
  beforeAll(() => {
    assertDistFresh();
    const child = spawnSync(process.execPath, ['--expose-gc', join(ROOT_DIR, 'test/fixtures/discover/judge.mjs'), DIST_INDEX, String(REQUESTS)], { encoding: 'utf8', timeout: 110_000 });
    if (child.status !== 0) throw new Error(`judge.mjs failed (${child.status}): ${child.stderr}`);
    out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as JudgeOutput;
  });

  it('lists each leak among its top 5, with a path naming its variable or field', () => {
    const module = 'module test/fixtures/discover/service.mjs';
    const find = (last: string) => out.candidates.find((c) => c.steps.at(-1) === last);
    expect(find('requestLog')?.steps).toEqual([module, 'requestLog']);
    expect(find('#entries')?.steps).toEqual([module, 'responseCache', '#entries']);
    expect(find('hits')?.steps).toEqual(['(closure createLimiter)', 'hits']);
    expect(find('requestLog')?.path).toBe(`${module} › requestLog`);
    for (const leak of ['requestLog', 'entries', 'hits']) expect(out.picked[leak]?.rank, `${leak} on ${out.node}`).toBeLessThanOrEqual(5);
    // The cache is offered as its #private Map (the instance only forwards to it).
    expect(find('#entries')?.type).toBe('Map');
    expect(out.candidates.some((c) => c.type === 'ResponseCache')).toBe(false);
  });

  it('hands back the live objects through ref()', () => {
    expect(out.refsUnavailable).toBeNull();
    expect(out.picked.requestLog).toMatchObject({ refType: 'Array', refSize: REQUESTS });
    expect(out.picked.entries).toMatchObject({ refType: 'Map', refSize: out.picked.cacheSize });
    expect(out.picked.hits).toMatchObject({ refType: 'Map', refSize: REQUESTS / 2 });
  });

  it('registered from the candidates, each reports through /metrics within 20% of V8', () => {
    // The roots are the Map and the array themselves: the walk reads them whole without reading
    // #private fields or closure scopes, so this does not wait for deep reads.
    // V8's figure is discover()'s, from the snapshot taken before any walk: on Node 26 a walk
    // makes V8 internalize strings used as Map keys, which then leave the Map's retained set
    // (docs/verify.md; the cache read 1.19-1.20 of a snapshot taken after the scrapes).
    for (const leak of ['requestLog', 'entries', 'hits']) {
      const name = out.picked[leak]!.name;
      const v8 = out.candidates.find((c) => c.name === name)!.retainedBytes;
      expect(v8, name).toBeGreaterThan(500_000);
      expect(out.metrics[name]! / v8, `${name}: /metrics ${out.metrics[name]} against V8 ${v8} on ${out.node}`).toBeGreaterThan(0.8);
      expect(out.metrics[name]! / v8, name).toBeLessThan(1.2);
    }
  });

  it('says which registered root already holds a candidate', () => {
    for (const leak of ['requestLog', 'entries', 'hits']) {
      const name = out.picked[leak]!.name;
      const path = out.candidates.find((c) => c.name === name)!.path;
      const again = out.again.find((c) => c.path === path);
      expect(again?.coveredBy, path).toBe(name);
      // The suggested name steps aside from the registered one.
      expect(again?.name).not.toBe(name);
    }
  });
});

/** Structures other services hold, on the global object so that their paths are known. */
class Store {
  sessions = new Map<number, { id: number; user: string; pages: string[] }>();
  orders = new Map<number, { id: number; lines: number[] }>();
}

describe('discover() candidate rules (in process)', () => {
  const g = globalThis as Record<string, unknown>;
  let found: DiscoverCandidate[];
  beforeAll(() => {
    const store = new Store();
    for (let i = 0; i < 8000; i++) {
      store.sessions.set(i, { id: i, user: `user-${i}`, pages: [`/a/${i}`, `/b/${i}`] });
      store.orders.set(i, { id: i, lines: [i, i + 1, i + 2, i + 3] });
    }
    g.__memsizeRulesStore = store;
    // A wrapper: one object that only forwards to a large child.
    g.__memsizeRulesWrapper = { inner: { byKey: Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`key-${i}`, { n: i, label: `label-${i}` }])) } };
    // A collection of large entries: offered as the collection, not as each entry.
    g.__memsizeRulesBatches = new Map(Array.from({ length: 40 }, (_, i) => [i, Array.from({ length: 2000 }, (_, k) => ({ k: k + i }))]));
    found = fresh().discover({ top: 15 }).candidates;
  });

  it('offers the structures that hold the bytes, not wrappers, entries or the global object', () => {
    const paths = found.map((c) => c.path);
    expect(paths).toContain('global › __memsizeRulesStore › sessions');
    expect(paths).toContain('global › __memsizeRulesStore › orders');
    // The store holds nothing but its two Maps: shown through them, not again as a whole.
    expect(paths).not.toContain('global › __memsizeRulesStore');
    expect(paths).toContain('global › __memsizeRulesWrapper › inner › byKey');
    expect(paths).not.toContain('global › __memsizeRulesWrapper');
    expect(paths).not.toContain('global › __memsizeRulesWrapper › inner');
    expect(paths).toContain('global › __memsizeRulesBatches');
    expect(paths.filter((p) => p.startsWith('global › __memsizeRulesBatches ›'))).toEqual([]);
    // Entries of any Map are offered through it, however deep (module records' parts included).
    expect(found.filter((c) => c.path.includes('(entry)')).map((c) => `${c.path} ${c.type} ${c.retainedBytes}`)).toEqual([]);
    expect(found.some((c) => c.type === 'global' || c.path === '(unnamed)' && c.type === 'Object' && c.retainedBytes > 50e6)).toBe(false);
  });

  it('gives names addRoot() accepts, unique, and sizes from the snapshot', () => {
    const memsize = fresh();
    const names = new Set<string>();
    for (const c of found) {
      expect(names.has(c.name)).toBe(false);
      names.add(c.name);
      expect(() => memsize.addRoot(c.name, {})).not.toThrow();
      expect(c.retainedBytes).toBeGreaterThanOrEqual(64 * 1024);
      expect(c.objects).toBeGreaterThan(1);
    }
    expect(found.find((c) => c.path === 'global › __memsizeRulesStore › sessions')?.name).toBe('__memsizeRulesStore.sessions');
    // Largest first, except where a candidate follows what it contains.
    const sorted = found.filter((c) => c.contains.length === 0);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.retainedBytes).toBeGreaterThanOrEqual(sorted[i]!.retainedBytes);
    const position = new Map(found.map((c, i) => [c.name, i]));
    for (const c of found) for (const inner of c.contains) expect(position.get(inner)!).toBeLessThan(position.get(c.name)!);
    const store = g.__memsizeRulesStore as Store;
    expect(found.find((c) => c.path.endsWith('__memsizeRulesStore › sessions'))?.ref()).toBe(store.sessions);
  });

  it('keeps nothing alive: a structure the app drops is collected, and ref() then answers undefined', async () => {
    let batches = g.__memsizeRulesBatches as Map<number, unknown> | undefined;
    const probe = new WeakRef(batches!);
    const candidate = found.find((c) => c.path === 'global › __memsizeRulesBatches')!;
    expect(candidate.ref()).toBe(batches);
    batches = undefined;
    delete g.__memsizeRulesBatches;
    // A WeakRef dereferenced in this job keeps its target until the job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(probe.deref()).toBeUndefined();
    expect(candidate.ref()).toBeUndefined();
  });

  it('answers undefined from ref() for a structure collected before its first ref()', async () => {
    const wrapper = g.__memsizeRulesWrapper as { inner: { byKey: object } };
    const probe = new WeakRef(wrapper.inner.byKey);
    const candidate = found.find((c) => c.path === 'global › __memsizeRulesWrapper › inner › byKey')!;
    delete g.__memsizeRulesWrapper;
    wrapper.inner.byKey = {};
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(probe.deref()).toBeUndefined();
    expect(candidate.ref()).toBeUndefined();
  });
});

describe('discover() options and refusal', () => {
  it('refuses above maxHeapBytes naming the call, the limit and force', () => {
    const error = thrown(() => fresh().discover({ maxHeapBytes: 1024 * 1024 }));
    expect(error.code).toBe('ERR_MEMSIZE_HEAP_TOO_LARGE');
    expect(error.message).toMatch(/^discover\(\): the used heap is \d+ MiB, above options\.maxHeapBytes \(1\.0 MiB\).*\{ force: true \}/);
    expect(fresh().discoverCost({ maxHeapBytes: 1024 * 1024 }).allowed).toBe(false);
  });

  it('rejects bad options at the call, naming them', () => {
    const memsize = fresh();
    expect(thrown(() => memsize.discover({ top: 0 })).message).toBe('discover(): options.top must be an integer from 1 to 1000, got 0');
    expect(thrown(() => memsize.discover({ minBytes: -1 })).message).toMatch(/options\.minBytes must be a non-negative number of bytes, got -1/);
    expect(thrown(() => memsize.discover({ force: 'yes' } as never)).message).toMatch(/options\.force must be a boolean/);
    expect(thrown(() => memsize.discover({ tops: 3 } as never)).message).toMatch(/options\.tops is not an option of discover\(\)/);
    expect(thrown(() => memsize.discover(7 as never)).code).toBe('ERR_MEMSIZE_INVALID_OPTION');
  });

  it('throws after shutdown', async () => {
    const memsize = fresh();
    await memsize.shutdown();
    expect(thrown(() => memsize.discover()).code).toBe('ERR_MEMSIZE_SHUT_DOWN');
  });
});

describe('suggestName and shortModuleName', () => {
  it('names a root after its variable and field', () => {
    expect(suggestName(['module app/cache.mjs', 'responseCache', '#entries'], 'Map')).toBe('responseCache.entries');
    expect(suggestName(['(closure createLimiter)', 'hits'], 'Map')).toBe('createLimiter.hits');
    expect(suggestName(['global', 'weird name!', '[3]'], 'Array')).toBe('weird_name_');
    expect(suggestName(['(unnamed)'], 'Map')).toBe('Map');
  });

  it('shows module files relative to the working directory', () => {
    expect(shortModuleName('file:///srv/app/cache.mjs', '/srv')).toBe('app/cache.mjs');
    expect(shortModuleName('node:internal/errors', '/srv')).toBe('node:internal/errors');
  });
});
