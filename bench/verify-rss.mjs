// Where verify()'s memory goes: peak RSS per phase, per used-heap size.
//
//   npm run build && node bench/verify-rss.mjs [MiB ...]            (default: 50 150)
//
// Each heap size runs in its own child process, so each peak is its own: the child fills the
// heap with the records of test/verify/verify-cost.mjs (a Map of small objects with strings and
// arrays), then runs verify()'s steps one by one through dist/verify/ and reads
// `process.resourceUsage().maxRSS` (the high-water mark of resident memory) after each, then
// runs memsize.verify() itself once. Figures are growth over the RSS before the first step.
// The parent prints one table per heap size and the peak per MiB of used heap.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const MIB = 2 ** 20;

if (process.argv[2] === '--child') {
  const targetMiB = Number(process.argv[3]);
  const mode = process.argv[4];
  const { getHeapStatistics } = await import('node:v8');
  const records = new Map();
  const cities = ['Lisbon', 'Porto', 'Braga', 'Faro', 'Coimbra'];
  for (let i = 0; getHeapStatistics().used_heap_size < targetMiB * MIB; i++) {
    for (let k = 0; k < 1000; k++, i++) {
      records.set(i, { id: i, name: `user-${i}`, city: Buffer.from(cities[i % 5]).toString(), tags: [i % 7, i % 11], score: i / 3 });
    }
  }
  globalThis.memsizeRssRecords = records; // the snapshot must see them in both modes
  const heapUsed = getHeapStatistics().used_heap_size;
  const peak = () => process.resourceUsage().maxRSS * 1024;
  const rssBefore = process.memoryUsage.rss();
  const peakBefore = peak();
  const out = { node: process.version, heapUsedMiB: heapUsed / MIB, rssBeforeMiB: rssBefore / MIB };
  const mark = (step, extra = {}) => {
    out[step] = { peakGrowthMiB: (peak() - rssBefore) / MIB, rssGrowthMiB: (process.memoryUsage.rss() - rssBefore) / MIB, heapUsedMiB: getHeapStatistics().used_heap_size / MIB, ...extra };
  };
  if (mode === 'verify') {
    const { createMemsize } = await import('../dist/index.js');
    const memsize = createMemsize({ meterProvider: null });
    memsize.addRoot('records', records, { weak: false });
    const cost = memsize.verifyCost();
    const result = memsize.verify({ force: true });
    mark('verify', {
      estimatedPeakMiB: cost.estimatedPeakBytes / MIB,
      reportedPeakGrowthMiB: result.peakRssBytes === null ? NaN : (result.peakRssBytes - rssBefore) / MIB,
      nodes: result.snapshotNodes,
      edges: result.snapshotEdges,
      fileMiB: result.snapshotFileBytes / MIB,
      ms: result.durationMs,
    });
  } else {
    const { writeHeapSnapshot } = await import('node:v8');
    const { mkdtempSync, rmSync, openSync, readSync, closeSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { HeapSnapshotParser } = await import('../dist/verify/heap-graph.js');
    const { computeDominators } = await import('../dist/verify/dominators.js');
    const { breakdownTargets } = await import('../dist/verify/retained.js');
    // A full GC first, apart, so the write step shows V8's snapshot alone (verify() leaves this
    // GC to V8, which runs one before every snapshot).
    globalThis.gc();
    mark('gc');
    const dir = mkdtempSync(join(tmpdir(), 'memsize-rss-'));
    const file = writeHeapSnapshot(join(dir, 'heap.heapsnapshot'));
    mark('write');
    const parser = new HeapSnapshotParser();
    const fd = openSync(file, 'r');
    const chunk = Buffer.allocUnsafe(MIB);
    for (let n; (n = readSync(fd, chunk, 0, MIB, null)) > 0;) parser.push(chunk.subarray(0, n));
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    const graph = parser.finish();
    let stringChars = 0;
    for (const s of graph.strings) stringChars += s.length;
    mark('parse', { nodes: graph.nodeCount, edges: graph.edgeCount, strings: graph.strings.length, stringChars });
    const dom = computeDominators(graph);
    mark('dominators');
    breakdownTargets(graph, dom, new Map([['records', 1]]));
    mark('breakdown');
  }
  console.log(JSON.stringify(out));
} else {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [50, 150];
  console.log(`Node ${process.version}, ${process.arch}`);
  const summary = [];
  for (const mib of sizes) {
    const rows = {};
    let info = null;
    for (const mode of ['steps', 'verify']) {
      const child = spawnSync(process.execPath, ['--max-old-space-size=8192', ...(mode === 'steps' ? ['--expose-gc'] : []), self, '--child', String(mib), mode], { encoding: 'utf8' });
      if (child.status !== 0) { console.error(child.stderr); process.exit(1); }
      const r = JSON.parse(child.stdout.trim().split('\n').at(-1));
      info ??= r;
      for (const [k, v] of Object.entries(r)) if (typeof v === 'object') rows[k] = Object.fromEntries(Object.entries(v).map(([a, b]) => [a, Math.round(b * 10) / 10]));
      if (mode === 'verify') info.verify = r.verify;
    }
    console.log(`used heap ${info.heapUsedMiB.toFixed(1)} MiB, RSS before ${info.rssBeforeMiB.toFixed(0)} MiB (growth figures are over that RSS; "peak" is maxRSS)`);
    console.table(rows);
    const v = info.verify;
    console.log(
      `verify(): peak RSS growth ${v.peakGrowthMiB.toFixed(0)} MiB = ${(v.peakGrowthMiB / info.heapUsedMiB).toFixed(2)} x used heap = ` +
        `${((v.peakGrowthMiB * MIB) / v.nodes).toFixed(0)} B per snapshot node; verifyCost() estimated ${v.estimatedPeakMiB.toFixed(0)} MiB`,
    );
    summary.push({ node: process.version, heapMiB: Math.round(info.heapUsedMiB), nodes: v.nodes, peakGrowthMiB: Math.round(v.peakGrowthMiB), perHeapMiB: Math.round((v.peakGrowthMiB / info.heapUsedMiB) * 100) / 100, writeStepPeakMiB: Math.round(rows.write.peakGrowthMiB), afterVerifyMiB: Math.round(v.rssGrowthMiB), estimatedMiB: Math.round(v.estimatedPeakMiB) });
  }
  console.log('Summary (peak = maxRSS growth over the RSS before; writeStep = V8 writing the snapshot alone, in the steps run):');
  console.table(summary);
}
