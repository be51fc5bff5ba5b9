// Roots of any size: estimates against V8's own retained size, computed live from a heap snapshot
// of this process (test/support/heap-snapshot.ts), on structures built the way a service builds
// them (bench/fixtures/sessions.mjs: sessions parsed from JSON bodies, ids decoded from bytes).
// Every scenario prints its figures. The growth scenario, through a real /metrics with the
// defaults, is test/estimate-growth.test.ts.
import { describe, expect, it } from 'vitest';
import { createMemsize, scan } from '../src/index.js';
import { DEFAULTS } from '../src/options.js';
import { scanEach } from '../src/scan.js';
import { growSessions, type Session } from '../bench/fixtures/sessions.mjs';
import { measureRetained } from './support/heap-snapshot.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Sessions that all reference one large routing config, built here and held by them alone (no
 * local of the test keeps it, so V8 counts it in the Map's retained size), and the config's size
 * by memsize's exact walk, to check the fixture is what it claims.
 */
function sharingSessions(size: number): { sessions: Map<string, Session>; configBytes: number } {
  const config = { rules: Array.from({ length: 50_000 }, (_, i) => JSON.parse(`{"id":${i},"pattern":"^/api/v${i % 9}/items/${i}$"}`) as object) };
  const configBytes = scan(config, { estimate: false }).bytes;
  return { sessions: growSessions(new Map(), size, { extra: (s) => Object.assign(s, { config }) }), configBytes };
}

describe('estimates from samples against V8', () => {
  it('a heavy tail (1% of sessions 100 times larger): within 20%, and the 95% interval holds V8 in at least 36 of 40 seeds', () => {
    const sessions = growSessions(new Map(), 50_000, { heavyEvery: 100, heavyLines: 200 });
    const v8 = measureRetained({ sessions }).targets.get('sessions')!.retainedBytes;
    const exact = scan(sessions, { estimate: false, maxMillis: 60_000 });
    let covered = 0;
    let worst = 0;
    const errors: number[] = [];
    const { sampleThreshold, sampleSize } = DEFAULTS.memsize;
    for (let seed = 1; seed <= 40; seed++) {
      // As the collector walks a root that does not fit exactly: at the first estimating level,
      // with the default sample. The budget lets that level finish (on a loaded machine 200 ms
      // may not, and a coarser level with a wider interval is used instead: the growth test).
      const r = scanEach([sessions], [{ maxObjects: 10_000_000, maxMillis: 2_000, startLevel: 1 }], { estimation: { sampleThreshold, sampleSize, seed } }).results[0]!;
      expect(r.estimated, `seed ${seed}`).toBe(true);
      expect(r.truncated, `seed ${seed}`).toBe(false);
      const error = r.bytes / v8 - 1;
      errors.push(error);
      worst = Math.max(worst, Math.abs(error));
      if (Math.abs(r.bytes - v8) <= r.bytesError) covered++;
    }
    console.log(
      `Node ${process.version}: heavy tail, 50,000 sessions (500 with 200 cart lines): V8 ${v8}, exact walk ${exact.bytes} (${pct(exact.bytes / v8 - 1)}); ` +
        `40 seeded estimates: worst ${pct(worst)}, median ${pct(errors.sort((a, b) => a - b)[20]!)}, interval holds V8 in ${covered}/40`,
    );
    expect(worst).toBeLessThanOrEqual(0.2);
    expect(covered).toBeGreaterThanOrEqual(36);
  });

  it('an object every entry shares counts once: within 10%', () => {
    // Reached only through the sessions (no local keeps it), so V8 counts it in the Map's size.
    const { sessions, configBytes } = sharingSessions(40_000);
    const v8 = measureRetained({ sessions }).targets.get('sessions')!.retainedBytes;
    const r = scan(sessions, { maxMillis: 200 });
    const exact = scan(sessions, { estimate: false, maxMillis: 60_000 });
    console.log(
      `Node ${process.version}: 40,000 sessions sharing one ${configBytes}-byte config: V8 ${v8}, memsize ${r.bytes} ± ${r.bytesError} (${pct(r.bytes / v8 - 1)}), ` +
        `exact walk ${exact.bytes} (${pct(exact.bytes / v8 - 1)})`,
    );
    expect(r.estimated).toBe(true);
    expect(configBytes / v8, 'fixture: the shared object is a large part of the root').toBeGreaterThan(0.05);
    expect(Math.abs(r.bytes / v8 - 1)).toBeLessThanOrEqual(0.1);
  });

  it('a Map of 1,000 Maps of 1,000 entries, through the collector with its defaults: within 10%', () => {
    const outer = new Map<number, Map<string, { at: number; path: string }>>();
    for (let i = 0; i < 1_000; i++) {
      const inner = new Map<string, { at: number; path: string }>();
      // Entries as a service decodes them from JSON: flat strings, not concatenations.
      for (let j = 0; j < 1_000; j++) inner.set(`k${i}-${j}`, JSON.parse(`{"at":${i * 1_000 + j},"path":"/users/${i}/items/${j}?v=${(i * 31 + j) % 97}"}`));
      outer.set(i, inner);
    }
    const v8 = measureRetained({ outer }).targets.get('outer')!.retainedBytes;
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0 });
    memsize.addRoot('nested', outer);
    const seen: string[] = [];
    let last = memsize.collect().roots.get('nested')!;
    for (let k = 0; k < 4; k++) {
      last = memsize.collect().roots.get('nested')!;
      seen.push(`${last.bytes} (level ${last.samplingLevel}, ${last.durationMs.toFixed(0)} ms)`);
    }
    console.log(`Node ${process.version}: a Map of 1,000 Maps of 1,000 entries: V8 ${v8}, collections ${seen.join(', ')}`);
    expect(last.estimated).toBe(true);
    expect(last.truncated).toBe(false);
    expect(Math.abs(last.bytes / v8 - 1)).toBeLessThanOrEqual(0.1);
    void memsize.shutdown();
  });

  it('short strings in records: within 2% at the coarsest level, and a 64-entry sample says how unsure it is', () => {
    // Records parsed from request bodies: a `who` from 5,000 short names, or a short id of its
    // own. A sample of 64 entries almost never meets one of 5,000 names twice, so it cannot tell
    // that vocabulary from an id per record: the interval must say so. The collector's coarsest
    // level keeps outermost collections at 512 entries, which can.
    const build = (field: (i: number) => string) => {
      const records = new Map<number, unknown>();
      for (let i = 0; i < 100_000; i++) records.set(i, JSON.parse(`{"who":"${field(i)}","n":${i % 1000},"tags":["a","b${i % 5}"]}`));
      return records;
    };
    const cases = { vocabulary: build((i) => `u${(i * 7919) % 5000}`), 'id per entry': build((i) => `i${i}`) };
    const rows: string[] = [];
    for (const [name, records] of Object.entries(cases)) {
      const exact = scan(records, { estimate: false, maxMillis: 60_000 }).bytes;
      let covered = 0;
      const small: number[] = [];
      const coarsest: number[] = [];
      for (let seed = 1; seed <= 20; seed++) {
        const budget = { maxObjects: 10_000_000, maxMillis: 10_000, startLevel: 1 };
        // A user's sampleSize of 64: every sample has 64 entries.
        const r = scanEach([records], [budget], { estimation: { sampleThreshold: 128, sampleSize: 64, seed } }).results[0]!;
        small.push(r.bytes / exact);
        if (Math.abs(r.bytes - exact) <= r.bytesError) covered++;
        // The defaults at their coarsest level.
        const run = scanEach([records], [{ ...budget, startLevel: 3 }], { estimation: { ...DEFAULTS.memsize, seed } });
        expect(run.levels[0]).toBe(3);
        coarsest.push(run.results[0]!.bytes / exact);
      }
      const range = (xs: number[]) => `${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}`;
      rows.push(`${name}: 64-entry samples ${range(small)} of the exact walk, interval holds it in ${covered}/20; defaults at level 3 ${range(coarsest)}`);
      expect(covered, name).toBeGreaterThanOrEqual(17);
      for (const ratio of coarsest) expect(Math.abs(ratio - 1), `${name} at level 3`).toBeLessThanOrEqual(0.02);
    }
    console.log(`Node ${process.version}: 100,000 parsed records: ${rows.join('; ')}`);
  });

  it('collections inside sampled entries: values they share with other entries are not counted as their own', () => {
    // Each user's Map of events, parsed from request bodies: three short fields from vocabularies
    // of thousands that every user shares, or ids of each user's own. With the defaults the
    // collector samples the users and, inside each sampled user, the events.
    const build = (event: (u: number, e: number) => string) => {
      const users = new Map<string, Map<number, unknown>>();
      for (let u = 0; u < 2_000; u++) {
        const events = new Map<number, unknown>();
        for (let e = 0; e < 200; e++) events.set(e, JSON.parse(event(u, e)));
        users.set(`user-${u}`, events);
      }
      return users;
    };
    const cases = {
      shared: build((u, e) => `{"kind":"k${(u * 31 + e * 7) % 5000}","region":"r${(u * 13 + e) % 3000}","status":"s${(u + e * 11) % 4000}"}`),
      'own ids': build((u, e) => `{"id":"e${u}-${e}","n":${e}}`),
    };
    const rows: string[] = [];
    for (const [name, users] of Object.entries(cases)) {
      const exact = scan(users, { estimate: false, maxMillis: 60_000 }).bytes;
      const memsize = createMemsize({ meterProvider: null, cacheMillis: 0 });
      memsize.addRoot('users', users);
      // The first collection of a new root runs on code the JIT has not optimized for it yet and
      // may be cut (docs/estimation.md, failure modes); the ones after it are what a user sees.
      memsize.collect();
      // A level-3 walk of this root takes 45-165 ms of the 200 (bench/README.md, bench:shapes): with
      // the test files running in parallel in CI, one was cut (Node 24 and 22, once each). A cut
      // collection is a timing matter, not this test's: the planner goes coarser after it, and the
      // three complete collections that follow (within eight) are the ones checked.
      const ratios: number[] = [];
      let cut = 0;
      for (let k = 0; k < 8 && ratios.length < 3; k++) {
        const m = memsize.collect().roots.get('users')!;
        if (m.truncated) {
          cut++;
          continue;
        }
        expect(m.estimated, name).toBe(true);
        ratios.push(m.bytes / exact);
      }
      void memsize.shutdown();
      expect(ratios.length, `${name}: complete collections (${cut} cut)`).toBe(3);
      rows.push(`${name}: ${ratios.map((r) => r.toFixed(4)).join(', ')} of the exact walk${cut > 0 ? ` (${cut} collection(s) cut first)` : ''}`);
      // Shared: +3.3% before such collections weighed what they missed by what the walk had met
      // elsewhere; +2.0% after; 1.000 since their values are estimated at the outermost sample,
      // one unit per sampled event (and at maxMillis 25, 32 users x 64 events: 1.45 before, 1.00 after).
      for (const ratio of ratios) expect(Math.abs(ratio - 1), name).toBeLessThanOrEqual(0.025);
    }
    console.log(`Node ${process.version}: 2,000 users x 200 events, collector defaults: ${rows.join('; ')}`);
  });

  it('a root that fits its budget stays exact', () => {
    const sessions = growSessions(new Map(), 2_000);
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0 });
    memsize.addRoot('small', sessions);
    // A new root's first walk runs on code the JIT has not optimized for it and may be redone
    // coarser when the machine is busy (it was, once each on Node 22 in CI, with the test files
    // running in parallel); the planner then brings it back to exact: by the third collection.
    let measured = memsize.collect().roots.get('small')!;
    for (let k = 0; k < 2 && measured.estimated; k++) measured = memsize.collect().roots.get('small')!;
    const exact = scan(sessions, { estimate: false });
    expect(measured.estimated).toBe(false);
    expect(measured.bytesError).toBe(0);
    expect(measured.bytes).toBe(exact.bytes);
    void memsize.shutdown();
  });

  it('does not jitter on an unchanged root: consecutive collections stay within their intervals', () => {
    const sessions = growSessions(new Map(), 200_000);
    // The figure every estimate aims at: the exact walk of the same root, with time to finish.
    const exact = scan(sessions, { estimate: false, maxMillis: 60_000, maxObjects: 100_000_000 });
    expect(exact.truncated).toBe(false);
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0 });
    memsize.addRoot('sessions', sessions);
    memsize.collect();
    const figures: { bytes: number; error: number; level: number }[] = [];
    for (let k = 0; k < 30; k++) {
      const m = memsize.collect().roots.get('sessions')!;
      expect(m.estimated).toBe(true);
      figures.push({ bytes: m.bytes, error: m.bytesError, level: m.samplingLevel });
    }
    const mean = figures.reduce((a, f) => a + f.bytes, 0) / figures.length;
    const spread = (Math.max(...figures.map((f) => f.bytes)) - Math.min(...figures.map((f) => f.bytes))) / mean;
    const widest = Math.max(...figures.map((f) => f.error / f.bytes));
    const holdExact = figures.filter((f) => Math.abs(f.bytes - exact.bytes) <= f.error).length;
    const levels = new Map<number, number>();
    for (const f of figures) levels.set(f.level, (levels.get(f.level) ?? 0) + 1);
    console.log(
      `Node ${process.version}: 30 collections of 200,000 unchanged sessions: spread (max - min) / mean ${pct(spread)}, ` +
        `mean against the exact walk ${pct(mean / exact.bytes - 1)}, widest interval ±${pct(widest)}, ` +
        `intervals holding the exact figure ${holdExact}/30, levels ${[...levels].sort((a, b) => a[0] - b[0]).map(([l, n]) => `${l}: ${n}`).join(', ')}`,
    );
    // Each figure's 95% interval holds the exact walk's figure (so the jitter is what the intervals
    // say; at least 24 of 30 fails by chance with odds under 1 in 1,000 when the intervals are
    // right). Not the mean of the 30: on a busy machine the collector moves between levels, and a
    // mean pulled by coarse figures (±3%) misses the narrow intervals of level 1 (±0.4%). And the
    // spread is a few percent: MemsizeRootGrowing needs a 30-minute trend of 1 MiB/h that would
    // double the root within a day, which noise around a flat mean cannot make (the promtool test
    // "estimate jitter" in deploy/prometheus/tests).
    expect(holdExact).toBeGreaterThanOrEqual(24);
    expect(spread).toBeLessThan(0.1);
    void memsize.shutdown();
  });
});
