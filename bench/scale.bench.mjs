// Roots of any size: how a collection's pause, its estimate and its transient memory grow with
// the root. One process grows one Map of sessions (bench/fixtures/sessions.mjs) through the sizes
// below and, at each, runs the metrics collector with its defaults (maxMillis 25, estimation on)
// as a scrape would, RUNS times, then COVERAGE more times against an exact walk of the same Map:
// how often the 95% interval holds it (each collection draws a fresh random seed).
//
//   npm run bench:scale                       (= build, then node --expose-gc bench/scale.bench.mjs)
//   SIZES=10000,100000 npm run bench:scale     (fewer sizes)
//   SNAPSHOT_MAX=400000 npm run bench:scale    (largest size to check against a heap snapshot)
//   ESTIMATE=false npm run bench:scale         (the collector with estimate: false, as before sampling)
//   COVERAGE=0 npm run bench:scale             (no exact walks, no coverage; default 40 collections)
//
// Per size it prints: the pause of each collection (p50 and max, timed around collect(), which
// is synchronous: the time the event loop was blocked), memsize_root_bytes and its 95% interval,
// V8's retained size of the Map from a heap snapshot where one is taken (a snapshot of the
// 400,000-session heap takes ~40 s and 3 GB here; larger ones are skipped and say so), and the
// heap a collection leaves allocated right after it returns (transient memory: its visited set
// and work arrays, garbage once it is done), per heap thing the walk visited.

import { getHeapStatistics } from 'node:v8';
import { cpus } from 'node:os';
import { createMemsize, scan } from '../dist/index.js';
import { DEFAULTS } from '../dist/options.js';
import { snapshotTargets, retainedSize } from '../test/support/heap-graph.mjs';
import { growSessions } from './fixtures/sessions.mjs';

const SIZES = (process.env.SIZES ?? '10000,100000,400000,1000000,5000000').split(',').map(Number);
const SNAPSHOT_MAX = Number(process.env.SNAPSHOT_MAX ?? 400_000);
const RUNS = Number(process.env.RUNS ?? 7);
const COVERAGE = Number(process.env.COVERAGE ?? 40);
const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench:scale does)');
  process.exit(2);
}

const sessions = new Map();
// cacheMillis 0: every collect() walks (a scrape every few seconds would, with the default).
const ESTIMATE = process.env.ESTIMATE !== 'false';
const memsize = createMemsize({ meterProvider: null, cacheMillis: 0, estimate: ESTIMATE });
memsize.addRoot('sessions', sessions);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const mb = (b) => (b / 2 ** 20).toFixed(1);

const rows = [];
for (const size of SIZES) {
  growSessions(sessions, size);
  gc();
  const pauses = [];
  const transient = [];
  let last = null;
  for (let run = 0; run < RUNS; run++) {
    gc();
    const before = getHeapStatistics().used_heap_size;
    const t = performance.now();
    const collection = memsize.collect();
    pauses.push(performance.now() - t);
    const after = getHeapStatistics().used_heap_size;
    last = collection.roots.get('sessions');
    transient.push({ bytes: Math.max(after - before, 0), walked: last.walkedObjects });
  }
  // Interval coverage: COVERAGE collections against the exact walk of the same (unchanged) Map.
  let held = 0;
  let exact = null;
  const ratios = [];
  if (COVERAGE > 0 && ESTIMATE) {
    gc();
    const walked = scan(sessions, { estimate: false, maxMillis: 3_600_000, maxObjects: 2 ** 31 });
    // A visited set holds at most 2^24 things (V8's limit for a Set): a larger root has no exact walk.
    exact = walked.truncated ? null : walked.bytes;
    for (let run = 0; run < (exact === null ? 0 : COVERAGE); run++) {
      const m = memsize.collect().roots.get('sessions');
      ratios.push(m.bytes / exact);
      if (!m.truncated && Math.abs(m.bytes - exact) <= m.bytesError) held++;
    }
  }
  let v8 = null;
  let snapshotMs = null;
  if (size <= SNAPSHOT_MAX) {
    gc();
    const t = performance.now();
    const { dom, nodes } = snapshotTargets({ sessions });
    v8 = retainedSize(dom, nodes.get('sessions'));
    snapshotMs = performance.now() - t;
  }
  const medianTransient = quantile(transient.map((x) => x.bytes), 0.5);
  const walked = quantile(transient.map((x) => x.walked), 0.5);
  rows.push({
    size,
    p50: quantile(pauses, 0.5),
    max: Math.max(...pauses),
    bytes: last.bytes,
    interval: last.bytes > 0 ? last.bytesError / last.bytes : 0,
    estimated: last.estimated,
    level: last.samplingLevel,
    truncated: last.truncated,
    v8,
    snapshotMs,
    transientMb: medianTransient / 2 ** 20,
    perThing: walked > 0 ? medianTransient / walked : 0,
    walked,
    heapMb: getHeapStatistics().used_heap_size / 2 ** 20,
    held,
    exact,
    ratioLow: ratios.length > 0 ? Math.min(...ratios) : null,
    ratioHigh: ratios.length > 0 ? Math.max(...ratios) : null,
  });
  console.error(`size ${size} done`);
}

console.log(
  `Node ${process.version} (V8 ${process.versions.v8}), ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${new Date().toISOString().slice(0, 10)}; ` +
    `collector defaults (maxMillis ${DEFAULTS.memsize.maxMillis}, estimation ${ESTIMATE ? 'on' : 'OFF'}), ${RUNS} collections per size for the pause, ${COVERAGE} more for the coverage\n`,
);
console.log('| sessions | heap used | pause p50 | pause max | memsize_root_bytes | ± (95%) | level | V8 retained | estimate / V8 | exact walk | estimates / exact (min-max) | intervals holding the exact walk | heap things walked | transient heap | per thing walked |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.size.toLocaleString('en-US')} | ${mb(r.heapMb * 2 ** 20)} MiB | ${r.p50.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${mb(r.bytes)} MiB${r.truncated ? ' (truncated)' : ''} | ` +
      `${r.estimated ? `${(r.interval * 100).toFixed(2)}%` : 'exact'} | ${r.level} | ` +
      `${r.v8 === null ? `no snapshot (above ${SNAPSHOT_MAX.toLocaleString('en-US')})` : `${mb(r.v8)} MiB`} | ${r.v8 === null ? '—' : (r.bytes / r.v8).toFixed(3)} | ` +
      `${r.exact === null ? '—' : `${mb(r.exact)} MiB`} | ${r.ratioLow === null ? '—' : `${r.ratioLow.toFixed(3)}-${r.ratioHigh.toFixed(3)}`} | ${r.exact === null ? '—' : `${r.held} / ${COVERAGE}`} | ` +
      `${r.walked.toLocaleString('en-US')} | ${r.transientMb.toFixed(1)} MiB | ${r.perThing.toFixed(0)} B |`,
  );
}
const first = rows[0];
const lastRow = rows[rows.length - 1];
if (first !== undefined && lastRow !== undefined && lastRow !== first) {
  console.log(
    `\nFrom ${first.size.toLocaleString('en-US')} to ${lastRow.size.toLocaleString('en-US')} sessions (x${(lastRow.size / first.size).toFixed(0)}): ` +
      `pause p50 x${(lastRow.p50 / first.p50).toFixed(2)}, heap things walked x${(lastRow.walked / first.walked).toFixed(2)}, ` +
      `transient heap x${(lastRow.transientMb / Math.max(first.transientMb, 1e-9)).toFixed(2)}.`,
  );
}
