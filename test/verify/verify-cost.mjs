// The cost of memsize.verify() per MiB of used heap: the figures behind VERIFY_COST_MODEL in
// src/verify/verify.ts and the table in docs/verify.md.
//
//   npm run build && node test/verify/verify-cost.mjs [MiB ...]        (default: 25 50 100 200 400)
//
// Each heap size runs in its own child process (so its peak RSS is its own): it fills the heap
// with records (objects, strings, arrays, a Map), registers them as one root, reads the
// estimate, runs verify({ force: true }) and prints one JSON line. The parent prints a table
// and a least-squares fit of time and peak memory against used heap.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const targetMiB = Number(process.argv[3]);
  const { createMemsize } = await import('../../dist/index.js');
  const { getHeapStatistics } = await import('node:v8');
  const records = new Map();
  const cities = ['Lisbon', 'Porto', 'Braga', 'Faro', 'Coimbra'];
  for (let i = 0; getHeapStatistics().used_heap_size < targetMiB * 1024 * 1024; i++) {
    for (let k = 0; k < 1000; k++, i++) {
      records.set(i, { id: i, name: `user-${i}`, city: Buffer.from(cities[i % 5]).toString(), tags: [i % 7, i % 11], score: i / 3 });
    }
  }
  const memsize = createMemsize({ meterProvider: null });
  memsize.addRoot('records', records, { weak: false });
  const cost = memsize.verifyCost();
  const rssBefore = process.memoryUsage.rss();
  const result = memsize.verify({ force: true });
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({
    node: process.version,
    heapUsedMiB: result.heapUsedBytes / 2 ** 20,
    entries: records.size,
    durationMs: result.durationMs,
    snapshotMs: result.snapshotMs,
    parseMs: result.parseMs,
    analyzeMs: result.analyzeMs,
    scanMs: result.scanMs,
    fileMiB: result.snapshotFileBytes / 2 ** 20,
    peakGrowthMiB: (peakRss - rssBefore) / 2 ** 20,
    estimatedMs: cost.estimatedMs,
    estimatedPeakMiB: cost.estimatedPeakBytes / 2 ** 20,
    nodes: result.snapshotNodes,
    ratio: result.roots[0]?.ratio,
  }));
} else {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [25, 50, 100, 200, 400];
  const rows = [];
  for (const mib of sizes) {
    const child = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--child', String(mib)], { encoding: 'utf8' });
    if (child.status !== 0) { console.error(child.stderr); process.exit(1); }
    rows.push(JSON.parse(child.stdout.trim().split('\n').at(-1)));
  }
  const f = (x) => (typeof x === 'number' ? Math.round(x * 10) / 10 : x);
  console.log(`Node ${process.version}, ${process.arch}`);
  console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]))));
  const fit = (ys) => {
    const xs = rows.map((r) => r.heapUsedMiB);
    const n = xs.length, mx = xs.reduce((a, b) => a + b) / n, my = ys.reduce((a, b) => a + b) / n;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    return { slope, intercept: my - slope * mx };
  };
  const t = fit(rows.map((r) => r.durationMs));
  const m = fit(rows.map((r) => r.peakGrowthMiB));
  const file = fit(rows.map((r) => r.fileMiB));
  console.log(`time ≈ ${t.intercept.toFixed(0)} ms + ${t.slope.toFixed(1)} ms/MiB; peak RSS growth ≈ ${m.intercept.toFixed(0)} MiB + ${m.slope.toFixed(2)} x heap; file ≈ ${file.slope.toFixed(2)} x heap`);
}
