// What a Prometheus scrape costs beyond the walk itself.
//
//   npm run bench:collect        (builds dist/, then: node --expose-gc bench/collect.bench.mjs)
//
// For each fixture scale it times, over several runs (median; gc before each run):
//   walk alone        scanEach() of all roots: the very walk a collection runs, the unavoidable part
//   collect()         one memsize collection: root functions, budget split, one walk of all roots
//   scrape (fresh)    GET /metrics from startPrometheus() with minIntervalMs 0: collection, batch
//                     callback, SDK aggregation, text serialization, HTTP
//   scrape (cached)   the same with the collection cached (minIntervalMs large): everything but
//                     the walk, i.e. what a scrape costs beyond the walk. Measured directly: the
//                     walk's own run-to-run spread (GC) is larger than this cost, so "fresh minus
//                     walk" would mostly show noise.
// and prints medians and ratios against the walk alone, then how a collection with the default
// options (maxMillis 200) fares on the same roots: its duration and how many roots it truncated.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createMemsize, scan, startPrometheus } from '../dist/index.js';
// The walk a collection runs (one pass over all roots, with the union): internal, not exported.
import { scanEach } from '../dist/scan.js';

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
if (typeof globalThis.gc !== 'function') console.warn('note: run with --expose-gc for steadier figures');

const DEFAULT_MAX_MILLIS = 200; // MEMSIZE_DEFAULTS.maxMillis, repeated here to label the output

class Session {
  constructor(id) {
    this.id = id;
    this.user = { name: `user-${id}`, roles: ['reader'] };
    this.history = [`/home`, `/item/${id}`];
    this.lastSeen = 1_700_000_000_000 + id;
  }
}

/** Three roots shaped like a service's big structures; `scale` multiplies their sizes. */
function fixture(scale) {
  const sessions = new Map();
  for (let i = 0; i < 2_000 * scale; i++) sessions.set(`s${i}`, new Session(i));
  const cache = [];
  for (let i = 0; i < 1_000 * scale; i++) cache.push({ key: `k${i}`, value: { price: i * 1.5, tags: ['a', 'b'] } });
  const blobs = { chunks: Array.from({ length: 20 * scale }, () => new Uint8Array(4096)) };
  return { sessions, cache, blobs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function scrape(url, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 30_000 }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function benchScale(label, scale, runs) {
  const roots = fixture(scale);
  const objects = Object.values(roots).reduce((sum, r) => sum + scan(r).objects, 0);
  const name = `${label}: 3 roots, ${objects.toLocaleString('en')} heap things`;
  // Budgets wide enough that nothing is truncated: compare like with like.
  const limits = { maxMillis: 60_000, maxObjectsPerRoot: 50_000_000 };
  const register = (m) => {
    for (const [key, root] of Object.entries(roots)) m.addRoot(key, root);
    return m;
  };
  const plain = register(createMemsize({ meterProvider: null, minIntervalMs: 0, ...limits }));
  const fresh = register(await startPrometheus({ port: 0, minIntervalMs: 0, ...limits }));
  const cached = register(await startPrometheus({ port: 0, minIntervalMs: 3_600_000, ...limits }));
  // A connection per scrape: an idle keep-alive socket may be closed by the server between rounds.
  const agent = false;
  let payloadBytes = 0;

  const modes = {
    walk: () => {
      const list = Object.values(roots);
      scanEach(list, list.map(() => ({ maxObjects: limits.maxObjectsPerRoot, maxMillis: limits.maxMillis })));
    },
    collect: () => plain.collect(),
    scrapeFresh: async () => {
      payloadBytes = await scrape(fresh.url, agent);
    },
    scrapeCached: () => scrape(cached.url, agent),
  };
  const CACHED_PER_ROUND = 5;
  const samples = { walk: [], collect: [], scrapeFresh: [], scrapeCached: [] };
  // Warm up every path, then interleave the modes round by round so that load from other
  // processes on the machine hits them alike; "beyond" pairs each fresh scrape with the walk
  // of the same round.
  for (let i = 0; i < 3; i++) for (const fn of Object.values(modes)) await fn();
  for (let round = 0; round < runs; round++) {
    for (const [mode, fn] of Object.entries(modes)) {
      for (let i = 0; i < (mode === 'scrapeCached' ? CACHED_PER_ROUND : 1); i++) {
        gc();
        const start = performance.now();
        await fn();
        samples[mode].push(performance.now() - start);
      }
    }
  }
  await plain.shutdown();
  await fresh.shutdown();
  await cached.shutdown();

  // The default options on the same roots: a few collections so the budget split has history.
  const defaults = register(createMemsize({ meterProvider: null, minIntervalMs: 0 }));
  let last;
  for (let i = 0; i < 5; i++) last = defaults.collect();
  await defaults.shutdown();

  return {
    name,
    walk: median(samples.walk),
    collect: median(samples.collect),
    scrapeFresh: median(samples.scrapeFresh),
    scrapeCached: median(samples.scrapeCached),
    payloadBytes,
    defaultBudget: {
      durationMs: last.durationMs,
      truncated: [...last.roots.values()].filter((r) => r.truncated).length,
    },
  };
}

const scales = [
  ['small', 1, 30],
  ['default', 3, 15],
  ['large', 20, 5],
];
const rows = [];
const budgetRows = [];
for (const [label, scale, runs] of scales) {
  const r = await benchScale(label, scale, runs);
  const ms = (v) => v.toFixed(2);
  const x = (v) => `${(v / r.walk).toFixed(2)}x`;
  rows.push(
    { scenario: `${r.name} | walk alone (scanEach)`, 'median ms': ms(r.walk), 'vs walk': '1.00x' },
    { scenario: `${r.name} | collect()`, 'median ms': ms(r.collect), 'vs walk': x(r.collect) },
    { scenario: `${r.name} | scrape /metrics, fresh walk`, 'median ms': ms(r.scrapeFresh), 'vs walk': x(r.scrapeFresh) },
    { scenario: `${r.name} | scrape /metrics, cached = cost beyond the walk`, 'median ms': ms(r.scrapeCached), 'vs walk': x(r.scrapeCached) },
  );
  budgetRows.push({
    fixture: r.name,
    'collection ms, default options (5th)': r.defaultBudget.durationMs.toFixed(1),
    'maxMillis': DEFAULT_MAX_MILLIS,
    'share of budget': `${((r.defaultBudget.durationMs / DEFAULT_MAX_MILLIS) * 100).toFixed(0)}%`,
    'truncated roots': r.defaultBudget.truncated,
    '/metrics bytes': r.payloadBytes,
  });
}

console.log(`memsize collect bench: Node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 10)}`);
console.table(rows);
console.table(budgetRows);
