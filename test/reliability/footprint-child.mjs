// Run by footprint.test.ts as `node --expose-gc --no-flush-bytecode test/reliability/footprint-child.mjs MODE` against
// the built dist/. Measures memsize's own memory (live V8 data-space bytes after forced full GCs)
// in one of these modes and prints the figures as one JSON line:
//   collections        10,000 collections of three roots (object, function, failing function)
//                      through the OpenTelemetry SDK with a delta reader (as the Prometheus helpers
//                      use it), after 2,000 to warm up: heap after each block of 1,000
//   collections-leak   the same, while the application leaks ~100 bytes per collection: the
//                      control that shows the measurement sees a leak of that size
//   scrapes            2,000 HTTP scrapes of startPrometheus() (the whole exporter path), after
//                      2,000 to warm up: heap after each block of 400; and the same against a
//                      plain node:http server (the control: Node's own HTTP stack)
//   transient          heap before, during and after single walks of a 200,000-thing root
//                      (complete, cut by maxMillis, cut by maxObjects, with paths, through
//                      collect()), and whether a truncated walk leaves the root collectable
//   roots              100,000 roots (distinct names, weak objects and functions) added and
//                      removed in batches of 40 with a collection each, some left for GC to drop:
//                      heap and data points before and after
import { createServer, request, Agent } from 'node:http';
import { setImmediate as tick } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createMemsize, scan } from '../../dist/index.js';
import { startPrometheus } from '../../dist/prometheus.js';

if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

/**
 * Bytes of live JavaScript objects after full collections (repeated: weak references and
 * finalizers settle on the later ones). Code spaces are left out: optimized code keeps arriving
 * as the JIT warms up, which is not memory memsize holds.
 */
const DATA_SPACES = new Set(['new_space', 'old_space', 'large_object_space', 'new_large_object_space', 'map_space']);
function dataHeapUsed() {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (DATA_SPACES.has(space.space_name)) used += space.space_used_size;
  return used;
}
async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await tick();
  }
  return dataHeapUsed();
}

class DeltaReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

function countPoints(collected) {
  let points = 0;
  for (const scope of collected.resourceMetrics.scopeMetrics) for (const metric of scope.metrics) points += metric.dataPoints.length;
  return points;
}

function smallRoot(seed) {
  return new Map(Array.from({ length: 10 }, (_, i) => [`key-${i}`, { id: seed + i, tags: ['a', 'b'], score: i + 0.5 }]));
}

async function collections(leakBytesPerCollection) {
  const reader = new DeltaReader();
  const provider = new MeterProvider({ readers: [reader] });
  const memsize = createMemsize({ meterProvider: provider, minIntervalMs: 0 });
  const app = { sessions: smallRoot(0) };
  memsize.addRoot('sessions', app.sessions);
  memsize.addRoot('thunk', () => app);
  memsize.addRoot('failing', () => {
    throw new Error('always fails');
  });
  const leak = [];
  const run = async () => {
    const collected = await reader.collect();
    if (leakBytesPerCollection > 0) leak.push('x'.repeat(leakBytesPerCollection - 24)); // string header 16 + slot 8
    return collected;
  };
  for (let i = 0; i < 2000; i++) await run(); // warm-up: JIT (feedback lives in the heap), SDK storage, first-error logs
  const points = [];
  const heap = [await settledHeap()];
  const started = performance.now();
  for (let block = 0; block < 10; block++) {
    let last;
    for (let i = 0; i < 1000; i++) last = await run();
    points.push(countPoints(last));
    if (last.errors.length > 0) throw new Error(`collection errors: ${last.errors}`);
    heap.push(await settledHeap());
  }
  const ms = performance.now() - started;
  const walksPerCollection = memsize.collect().walkedObjects; // the figures stay those of a small root
  await memsize.shutdown();
  await provider.shutdown();
  return { heap, points, ms, collections: 10_000, walkedObjects: walksPerCollection, leaked: leak.length };
}

function scrape(url, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

const seriesIn = (body) => body.split('\n').filter((line) => line.startsWith('memsize_')).length;

/** Scrape `url` 2,000 times to warm up, then 5 blocks of 400: heap after each block. */
async function scrapeSeries(url, agent) {
  for (let i = 0; i < 2000; i++) await scrape(url, agent); // the heap grows ~250 KB while Node's HTTP path warms up
  const heap = [await settledHeap()];
  const series = [];
  const started = performance.now();
  for (let block = 0; block < 5; block++) {
    let last;
    for (let i = 0; i < 400; i++) last = await scrape(url, agent);
    if (last.status !== 200) throw new Error(`scrape answered ${last.status}`);
    series.push(seriesIn(last.body));
    heap.push(await settledHeap());
  }
  return { heap, series, ms: performance.now() - started };
}

async function scrapes() {
  // The control: the same client against a plain node:http server answering a body of the same
  // size. Node's own HTTP stack keeps growing a little for thousands of requests (about 20-30
  // B/request on Node 22 in this window); memsize's growth is what comes on top of it.
  const memsize = await startPrometheus({ port: 0, minIntervalMs: 0 });
  const app = { sessions: smallRoot(0) };
  memsize.addRoot('sessions', app.sessions);
  memsize.addRoot('thunk', () => app);
  const sample = (await scrape(memsize.url, new Agent())).body;
  const plain = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(sample));
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const control = await scrapeSeries(`http://127.0.0.1:${plain.address().port}/metrics`, agent);
    const measured = await scrapeSeries(memsize.url, agent);
    return { heap: measured.heap, series: measured.series, ms: measured.ms, scrapes: 2000, controlHeap: control.heap };
  } finally {
    agent.destroy();
    plain.close();
    await memsize.shutdown();
  }
}

function bigRoot() {
  return Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `user-${i}` }));
}

async function transient() {
  const out = {};
  let root = bigRoot();
  const baseline = await settledHeap();
  const cases = {
    complete: () => scan(root),
    maxMillis: () => scan(root, { maxMillis: 2, estimate: false }),
    maxObjects: () => scan(root, { maxObjects: 50_000, estimate: false }),
    paths: () => scan(root, { paths: { depth: 4, top: 20 } }),
  };
  for (const [name, run] of Object.entries(cases)) {
    const before = await settledHeap();
    const result = run();
    const during = dataHeapUsed(); // before any GC: what the walk allocated
    const after = await settledHeap();
    out[name] = { before, during, after, objects: result.objects, truncated: result.truncated };
  }
  // The collector path: one collection keeps its (small) result cached, nothing of the walk.
  const memsize = createMemsize({ meterProvider: null, minIntervalMs: 0 });
  memsize.addRoot('big', root);
  const beforeCollect = await settledHeap();
  const collection = memsize.collect();
  const duringCollect = dataHeapUsed();
  const afterCollect = await settledHeap();
  out.collect = { before: beforeCollect, during: duringCollect, after: afterCollect, objects: collection.walkedObjects, truncated: collection.roots.get('big').truncated };
  // A walk cut short must not keep the graph alive through its pending stack.
  const probe = new WeakRef(root);
  scan(root, { maxMillis: 1, estimate: false });
  memsize.removeRoot('big');
  root = null;
  await settledHeap();
  out.rootCollectedAfterTruncatedWalk = probe.deref() === undefined;
  out.baseline = baseline;
  out.end = await settledHeap();
  await memsize.shutdown();
  return out;
}

/** Every GC_EVERY-th batch is left for the garbage collector to drop instead of removeRoot(). */
const GC_EVERY = 50;
async function roots() {
  const reader = new DeltaReader();
  const provider = new MeterProvider({ readers: [reader] });
  const memsize = createMemsize({ meterProvider: provider, minIntervalMs: 0 });
  const keep = { app: smallRoot(0) };
  memsize.addRoot('resident', keep.app);
  const collect = async () => {
    const collected = await reader.collect();
    if (collected.errors.length > 0) throw new Error(`collection errors: ${collected.errors}`);
    return countPoints(collected);
  };
  // Batches of 40 roots (maxRoots is 50): a third are root functions, the rest weak object roots
  // held by nothing else. Most batches are removed with removeRoot(); every GC_EVERY-th is left
  // for GC to drop (its function roots are removed), which the next collection notices.
  let extraRounds = 0;
  const churn = async (from, to) => {
    for (let start = from; start < to; start += 40) {
      const names = [];
      for (let i = start; i < start + 40; i++) {
        const name = `tenant-${i}`;
        if (i % 3 === 0) memsize.addRoot(name, () => keep.app);
        else memsize.addRoot(name, { id: i, data: [`payload-${i}`] });
        names.push(name);
      }
      await collect();
      if ((start / 40) % GC_EVERY === 0) {
        for (let i = start; i < start + 40; i++) if (i % 3 === 0) memsize.removeRoot(`tenant-${i}`);
        // Let the job that last dereferenced the weak roots end (WeakRef keeps targets until then),
        // collect garbage, and let the next collection notice the collected roots and drop them.
        // Under a loaded CI machine a batch has twice survived this once (Node 20 and 26): retried
        // up to 5 rounds, counted in `extraRounds`. A root memsize itself kept alive survives them all.
        for (let round = 0; ; round++) {
          await tick();
          globalThis.gc();
          await collect();
          if (memsize.rootNames().length === 1 || round === 4) break;
          extraRounds++;
        }
      } else {
        for (const name of names) memsize.removeRoot(name);
      }
      const left = memsize.rootNames();
      if (left.length !== 1) throw new Error(`roots left after a batch: ${left.join(', ')}`);
    }
  };
  await churn(0, 4_000); // warm-up
  await collect();
  const before = { heap: await settledHeap(), points: await collect() };
  const started = performance.now();
  await churn(4_000, 104_000);
  const ms = performance.now() - started;
  await collect();
  const after = { heap: await settledHeap(), points: await collect() };
  const rootNames = memsize.rootNames();
  await memsize.shutdown();
  await provider.shutdown();
  return { before, after, ms, added: 100_000, rootNames, extraRounds };
}

const mode = process.argv[2];
const modes = {
  collections: () => collections(0),
  'collections-leak': () => collections(100),
  scrapes,
  transient,
  roots,
};
if (!(mode in modes)) throw new Error(`unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`);
const result = await modes[mode]();
console.log(JSON.stringify({ mode, node: process.version, ...result }));
