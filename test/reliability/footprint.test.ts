/**
 * memsize's own footprint (issue 6): across 10,000 collections its memory stays flat, a walk's
 * transient memory is freed when it ends (cut short or not), and 100,000 roots registered and
 * removed over time leave nothing behind. Each case runs test/reliability/footprint-child.mjs in a
 * child `node --expose-gc` on dist/ (vitest workers cannot force GC) and judges its figures here.
 *
 * Heap figures are live bytes in V8's data spaces after full GCs. A leak shows as a slope: the
 * least-squares growth per collection across the samples. The noise of that slope on these
 * machines is about 15 B per collection, so the bound is 50 B, and a control run with a known
 * ~100-byte-per-collection leak must show more than 80 B, or the measurement is not sensitive.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh, lastJsonLine, runNode } from './support.js';

const CHILD = join(import.meta.dirname, 'footprint-child.mjs');
const KB = 1024;

async function child<T>(mode: string): Promise<T> {
  assertDistFresh();
  return lastJsonLine<T>(await runNode(CHILD, { execArgv: ['--expose-gc'], args: [mode], timeoutMs: 110_000 }));
}

/** Least-squares slope of heap (bytes) over collections, from samples taken every `step` collections. */
function slopePer(heap: number[], step: number): number {
  const n = heap.length;
  const xs = heap.map((_, i) => i * step);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = heap.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (heap[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

interface Collections {
  heap: number[];
  points: number[];
  ms: number;
  collections: number;
  leaked: number;
}

describe('memsize footprint', () => {
  it('stays flat across 10,000 collections through the OpenTelemetry SDK', async () => {
    const run = await child<Collections>('collections');
    const slope = slopePer(run.heap, 1000);
    console.log(`10,000 collections: ${slope.toFixed(1)} B/collection (heap after GC ${(run.heap[0]! / KB).toFixed(0)} KB → ${(run.heap.at(-1)! / KB).toFixed(0)} KB, ${(run.ms / run.collections).toFixed(3)} ms/collection)`);
    expect(run.collections).toBe(10_000);
    expect(slope).toBeLessThan(50);
    expect(Math.max(...run.heap) - Math.min(...run.heap)).toBeLessThan(512 * KB);
    // The same series every time: nothing accumulates in the exported data either.
    expect(new Set(run.points).size).toBe(1);
  });

  it('sees a ~100-byte-per-collection leak when there is one (the control)', async () => {
    const run = await child<Collections>('collections-leak');
    const slope = slopePer(run.heap, 1000);
    console.log(`control with a leak of ~100 B/collection: measured ${slope.toFixed(1)} B/collection`);
    expect(run.leaked).toBeGreaterThan(10_000);
    expect(slope).toBeGreaterThan(80);
  });

  it('stays flat across 1,000 HTTP scrapes of startPrometheus()', async () => {
    const run = await child<{ heap: number[]; series: number[]; ms: number; scrapes: number }>('scrapes');
    const slope = slopePer(run.heap, 200);
    console.log(`1,000 scrapes: ${slope.toFixed(1)} B/scrape, ${(run.ms / run.scrapes).toFixed(2)} ms/scrape`);
    expect(slope).toBeLessThan(50);
    expect(new Set(run.series).size).toBe(1);
  });

  it('frees a walk\'s transient memory when it ends, complete or cut short, and keeps no reference to the graph', async () => {
    interface Case {
      before: number;
      during: number;
      after: number;
      objects: number;
      truncated: boolean;
    }
    const run = await child<Record<'complete' | 'maxMillis' | 'maxObjects' | 'paths' | 'collect', Case> & { rootCollectedAfterTruncatedWalk: boolean }>('transient');
    for (const name of ['complete', 'maxMillis', 'maxObjects', 'paths', 'collect'] as const) {
      const c = run[name];
      console.log(`${name}: ${c.objects} things, ${((c.during - c.before) / KB).toFixed(0)} KB during the walk (${((c.during - c.before) / Math.max(1, c.objects)).toFixed(1)} B/thing), ${((c.after - c.before) / KB).toFixed(1)} KB left after GC`);
      expect(c.after - c.before, `${name}: heap left after the walk`).toBeLessThan(256 * KB);
    }
    // The measurement sees the walk's transient memory (so "left after GC" is meaningful)...
    expect(run.complete.during - run.complete.before).toBeGreaterThan(1024 * KB);
    expect(run.maxObjects.truncated).toBe(true);
    expect(run.maxMillis.truncated).toBe(true);
    // ...and a walk cut short drops its pending stack: the dropped root was collected.
    expect(run.rootCollectedAfterTruncatedWalk).toBe(true);
  });

  it('leaves nothing behind after 100,000 roots were registered and removed over time', async () => {
    const run = await child<{ before: { heap: number; points: number }; after: { heap: number; points: number }; ms: number; added: number; rootNames: string[] }>('roots');
    console.log(`100,000 roots: ${((run.after.heap - run.before.heap) / KB).toFixed(1)} KB left (${((run.after.heap - run.before.heap) / run.added).toFixed(2)} B/root), ${run.ms.toFixed(0)} ms`);
    expect(run.added).toBe(100_000);
    expect(run.rootNames).toEqual(['resident']);
    expect(run.after.points).toBe(run.before.points);
    expect(run.after.heap - run.before.heap).toBeLessThan(300 * KB);
  });
});
