/**
 * memsize.verify(): V8's retained size of each registered root from one live heap snapshot,
 * beside memsize's own scan. V8's figures here are always computed from a live snapshot.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMemsize, MemsizeError, type Memsize } from '../../src/index.js';
import { FIXTURES, buildAllFixtures } from '../fixtures/graphs.js';
import { measureRetained } from '../support/heap-snapshot.js';
import { estimateVerifyCost, forgetSnapshotCost } from '../../src/verify/verify.js';
import { thrown } from '../support/thrown.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const fresh = (): Memsize => createMemsize({ meterProvider: null });


describe('verify', () => {
  it("gives each root the calibration suite's own V8 figure and scanRoot's memsize figure", () => {
    // Arrange: the calibration fixtures at a fifth of their size, registered as roots.
    const fixtures = buildAllFixtures(0.2);
    // Small Buffers share Node's 8 KiB pool slab; while the fixture's last slab is still the pool's
    // current one, Node's allocator holds it too, and whether it does can change between two
    // snapshots (seen on Node 22: 'buffers' 8,320 bytes apart). Move the pool on first, so
    // both snapshots see the same owners.
    for (let i = 0; i < 4; i++) Buffer.allocUnsafe(Buffer.poolSize >>> 2);
    const memsize = fresh();
    for (const { name } of FIXTURES) memsize.addRoot(name, fixtures[name] as object, { weak: false });

    // Act: the calibration suite's computation, then verify(), both before any walk of the
    // fixtures (a walk itself changes V8's figures a little: 272 bytes of 'session-cache' here on
    // Node 20, much more on Node 26; verify() snapshots before it scans).
    // A first snapshot can itself change V8's figures a little (Node 26 once: 'class-hierarchy'
    // 1,352 bytes apart between the first and the second snapshot, none walked): one to settle.
    measureRetained(fixtures);
    const truth = measureRetained(fixtures);
    const result = memsize.verify();

    // Assert
    expect(result.roots.map((r) => r.name)).toEqual(FIXTURES.map((f) => f.name));
    for (const row of result.roots) {
      const t = truth.targets.get(row.name);
      expect(t, row.name).toBeDefined();
      expect(row.error, row.name).toBeNull();
      expect(row.v8Bytes, row.name).toBe(t?.retainedBytes);
      expect(row.v8Objects, row.name).toBe(t?.retainedNodes);
      const ours = memsize.scanRoot(row.name);
      expect(row.memsizeBytes, row.name).toBe(ours.bytes);
      expect(row.memsizeObjects, row.name).toBe(ours.objects);
      expect(row.ratio, row.name).toBeCloseTo(row.v8Bytes / row.memsizeBytes, 12);
      // Every V8 byte and node of the root lands under exactly one type label.
      expect(row.byType.reduce((a, x) => a + x.v8Bytes, 0), row.name).toBe(row.v8Bytes);
      expect(row.byType.reduce((a, x) => a + x.v8Objects, 0), row.name).toBe(row.v8Objects);
      expect(row.byType.reduce((a, x) => a + x.memsizeBytes, 0), row.name).toBe(row.memsizeBytes);
      expect(row.v8Types.reduce((a, x) => a + x.selfBytes, 0), row.name).toBeLessThanOrEqual(row.v8Bytes);
    }
    expect(result.snapshotNodes).toBeGreaterThan(result.roots.reduce((a, r) => a + r.v8Objects, 0));
    expect(result.durationMs).toBeGreaterThanOrEqual(result.snapshotMs + result.parseMs);
    expect(result.snapshotFileBytes).toBeGreaterThan(0);
    expect(result.cost.heapUsedBytes).toBe(result.heapUsedBytes);
    expect(result.corrections).toEqual({});
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // plain data
  });

  it('labels V8-internal nodes with the type of the value that holds them', () => {
    // Flat heap strings (decoded from bytes): one snapshot node each, no cons parts.
    const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');
    class Row { constructor(readonly id: number, readonly tags: string[]) {} }
    const rows: Row[] = [];
    for (let i = 0; i < 2000; i++) rows.push(new Row(i, [flat(`tag-t-${i}`), flat(`tag-u-${i}`)]));
    const memsize = fresh();
    memsize.addRoot('rows', rows, { weak: false });
    const [row] = memsize.verify().roots;
    const types = new Map(row?.byType.map((t) => [t.type, t]));
    expect(types.get('Row')?.v8Objects).toBe(2000);
    // The rows' tag arrays keep their strings in element stores ('(object elements)', V8-internal):
    // their bytes count under Array, with the JSArray objects themselves.
    const group = (type: string, name: string) => row?.v8Types.find((g) => g.type === type && g.name === name)?.selfBytes ?? 0;
    expect(group('array', '(object elements)')).toBeGreaterThan(0);
    expect(types.get('Array')?.v8Bytes).toBeGreaterThanOrEqual(group('array', '(object elements)') + group('object', 'Array'));
    expect(types.get('Array')?.v8Objects).toBeGreaterThanOrEqual(2 * 2001);
    expect(types.has('(internal)')).toBe(false);
    expect([...types.keys()].every((t) => !t.startsWith('system'))).toBe(true);
  });

  it('reports a root that cannot be resolved and still checks the others', () => {
    const memsize = fresh();
    const kept = { list: Array.from({ length: 100 }, (_, i) => ({ i })) };
    memsize.addRoot('kept', kept, { weak: false });
    memsize.addRoot('throws', () => {
      throw new Error('boom');
    });
    const result = memsize.verify();
    const byName = new Map(result.roots.map((r) => [r.name, r]));
    expect(byName.get('throws')?.error).toMatch(/boom/);
    expect(byName.get('throws')?.v8Bytes).toBe(0);
    expect(byName.get('kept')?.error).toBeNull();
    expect(byName.get('kept')?.v8Bytes).toBeGreaterThan(100 * 24);
  });

  it('does not keep a weak root alive', async () => {
    const memsize = fresh();
    let target: object | undefined = { payload: Array.from({ length: 1000 }, (_, i) => ({ i })) };
    const probe = new WeakRef(target);
    memsize.addRoot('weak', target);
    const result = memsize.verify();
    expect(result.roots[0]?.v8Bytes).toBeGreaterThan(1000 * 24);
    target = undefined;
    // A WeakRef dereferenced in this job (memsize's own deref) keeps its target until the job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(probe.deref()).toBeUndefined();
  });
});

describe('verify refusal and options', () => {
  it('refuses above maxHeapBytes, naming the heap size, the limit and the option; force overrides', () => {
    const memsize = fresh();
    memsize.addRoot('small', { a: [1, 2, 3] }, { weak: false });
    const error = thrown(() => memsize.verify({ maxHeapBytes: 1024 * 1024 }));
    expect(error.code).toBe('ERR_MEMSIZE_HEAP_TOO_LARGE');
    expect(error.message).toMatch(/verify\(\): the used heap is \d+ MiB, above options\.maxHeapBytes \(1\.0 MiB\)/);
    expect(error.message).toMatch(/\{ force: true \}/);
    const cost = memsize.verifyCost({ maxHeapBytes: 1024 * 1024 });
    expect(cost.allowed).toBe(false);
    expect(cost.estimatedMs).toBeGreaterThan(0);
    expect(cost.estimatedPeakBytes).toBeGreaterThan(cost.heapUsedBytes);
    const forced = memsize.verify({ maxHeapBytes: 1024 * 1024, force: true });
    expect(forced.roots[0]?.v8Bytes).toBeGreaterThan(0);
    expect(forced.cost.allowed).toBe(false);
  });

  it('states a cost that grows with the heap, and defaults to a limit of 256 MiB of used heap', () => {
    const memsize = fresh();
    const cost = memsize.verifyCost();
    expect(cost.maxHeapBytes).toBe(256 * 1024 * 1024);
    expect(cost.allowed).toBe(cost.heapUsedBytes <= 256 * 1024 * 1024);
    // The table alone: earlier checks in this file recorded this process's own cost.
    forgetSnapshotCost();
    const at = (mib: number) => estimateVerifyCost(1, mib * 1024 * 1024);
    expect(at(100).estimatedMs).toBe(8598); // a measured row
    expect(at(300).estimatedMs).toBeGreaterThan(at(200).estimatedMs);
    expect(at(800).estimatedMs).toBeGreaterThan(at(400).estimatedMs * 2); // beyond the table: the last segment extended
    expect(at(800).estimatedPeakBytes).toBeGreaterThan(at(400).estimatedPeakBytes);
  });

  it('rejects bad options with ERR_MEMSIZE_INVALID_OPTION naming them', () => {
    const memsize = fresh();
    memsize.addRoot('a', { x: 1 }, { weak: false });
    expect(thrown(() => memsize.verify({ maxHeapBytes: -1 })).message).toMatch(/options\.maxHeapBytes must be a positive finite number of bytes, got -1/);
    expect(thrown(() => memsize.verify({ force: 'yes' as unknown as boolean })).message).toMatch(/options\.force must be a boolean/);
    expect(thrown(() => memsize.verify({ calibrate: 3 as unknown as boolean })).code).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(thrown(() => memsize.verify({ nope: 1 } as never)).message).toMatch(/options\.nope is not an option of verify\(\)/);
    const unknown = thrown(() => memsize.verify({ calibrate: ['b'] }));
    expect(unknown.code).toBe('ERR_MEMSIZE_ROOT_UNKNOWN');
    expect(unknown.message).toMatch(/options\.calibrate names "b"/);
  });

  it('throws ERR_MEMSIZE_SHUT_DOWN after shutdown', async () => {
    const memsize = fresh();
    await memsize.shutdown();
    expect(thrown(() => memsize.verify()).code).toBe('ERR_MEMSIZE_SHUT_DOWN');
  });
});
