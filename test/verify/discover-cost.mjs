// The cost of memsize.discover() per MiB of used heap, for docs/discover.md.
//   npm run build && node test/verify/discover-cost.mjs [MiB ...]        (default: 25 50 100)
// Each heap size runs in its own child process (its peak RSS is its own): the heap is filled
// with the records of verify-cost.mjs, then discover({ force: true }) runs once.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === '--child') {
  const targetMiB = Number(process.argv[3]);
  const { createMemsize } = await import('../../dist/index.js');
  const { getHeapStatistics } = await import('node:v8');
  const records = new Map();
  const cities = ['Lisbon', 'Porto', 'Braga', 'Faro', 'Coimbra'];
  for (let i = 0; getHeapStatistics().used_heap_size < targetMiB * 1024 * 1024; ) {
    for (let k = 0; k < 1000; k++, i++) records.set(i, { id: i, name: `user-${i}`, city: Buffer.from(cities[i % 5]).toString(), tags: [i % 7, i % 11], score: i / 3 });
  }
  globalThis.records = records;
  const memsize = createMemsize({ meterProvider: null });
  const cost = memsize.discoverCost();
  const rssBefore = process.memoryUsage.rss();
  const result = memsize.discover({ force: true });
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const ref = result.candidates[0]?.ref();
  const refMs = performance.now() - started;
  console.log(JSON.stringify({
    node: process.version, heapUsedMiB: result.heapUsedBytes / 2 ** 20, nodes: result.snapshotNodes,
    durationMs: result.durationMs, snapshotMs: result.snapshotMs, parseMs: result.parseMs, analyzeMs: result.analyzeMs,
    firstRefMs: refMs, found: result.candidates[0]?.path, refOk: ref === records,
    fileMiB: result.snapshotFileBytes / 2 ** 20, peakGrowthMiB: (peakRss - rssBefore) / 2 ** 20, estimatedMs: cost.estimatedMs,
  }));
} else {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [25, 50, 100];
  const rows = [];
  for (const mib of sizes) {
    const child = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--child', String(mib)], { encoding: 'utf8' });
    if (child.status !== 0) { console.error(child.stderr); process.exit(1); }
    rows.push(JSON.parse(child.stdout.trim().split('\n').at(-1)));
  }
  const f = (x) => (typeof x === 'number' ? Math.round(x * 10) / 10 : x);
  console.log(`Node ${process.version}, ${process.arch}`);
  console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]))));
}
