// How the collector spends maxMillis when one root outgrows its share: with the time the small
// roots leave unused passed on (what collect() does), against fixed shares (each root walked in
// registration order with exactly its share, as the collector did before the carry-over).
//
//   npm run bench:budget        (builds dist/, then: node --expose-gc bench/budget.bench.mjs)
//
// The demo shop (demo/shop.mjs) handles 60,000 requests, so its leaking request log is larger
// than a third of the default 200 ms can walk; then, for each of ROUNDS rounds, 1,000 more
// requests and one collection each way, alternating which goes first. Prints, per way, medians
// over the rounds: how long the collection blocked, whether the request log was cut, and how much
// of it the walk saw.
import { performance } from 'node:perf_hooks';
import { createMemsize } from '../dist/index.js';
// Internal, not exported: the split and the walk the collector uses, for the fixed-share baseline.
import { splitBudgetMs } from '../dist/collect.js';
import { scanEach } from '../dist/scan.js';
import { createShop } from '../demo/shop.mjs';

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
if (typeof globalThis.gc !== 'function') console.warn('note: run with --expose-gc for steadier figures');

const WARMUP_REQUESTS = 60_000;
const REQUESTS_PER_ROUND = 1_000;
const ROUNDS = 8;
const MAX_MILLIS = 200; // the default, set explicitly on both ways
const MAX_OBJECTS = 1_000_000;

// A deterministic request mix (logins, product views, cart additions) through shop.handle().
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const shop = createShop();
const sessionIds = [];
function requests(n) {
  for (let i = 0; i < n; i++) {
    const roll = random();
    if (roll < 0.08 || sessionIds.length === 0) {
      sessionIds.push(JSON.parse(shop.handle('POST', '/login').body).session);
      if (sessionIds.length > 400) sessionIds.shift();
      continue;
    }
    const sessionId = sessionIds[Math.floor(random() * sessionIds.length)];
    const productId = Math.floor(shop.products * random() ** 3);
    if (roll < 0.25) shop.handle('POST', `/cart/${productId}`, { sessionId });
    else shop.handle('GET', `/products/${productId}`, { sessionId });
  }
}

const roots = { sessions: shop.sessions, cache: shop.cache, requestLog: shop.requestLog };
const names = Object.keys(roots);

// The collector itself: root functions (none here), need estimate, carry-over.
const memsize = createMemsize({ meterProvider: null, minIntervalMs: 0, maxMillis: MAX_MILLIS, maxObjectsPerRoot: MAX_OBJECTS });
for (const name of names) memsize.addRoot(name, roots[name]);

// The baseline: the same need estimate (docs/metrics.md, "Budget and truncation": 3x the last
// walk, at least the last walk plus 5% of maxMillis; a root cut by time asks for everything),
// the same max-min fair split, but fixed shares walked in registration order.
const history = new Map(names.map((name) => [name, { durationMs: 0, cutByTime: true }]));
function fixedShares() {
  const start = performance.now();
  const needs = names.map((name) => {
    const h = history.get(name);
    return h.cutByTime ? Infinity : Math.max(h.durationMs * 3, h.durationMs + MAX_MILLIS * 0.05, 1);
  });
  const shares = splitBudgetMs(needs, MAX_MILLIS);
  const { results } = scanEach(
    names.map((name) => roots[name]),
    shares.map((maxMillis) => ({ maxObjects: MAX_OBJECTS, maxMillis })),
  );
  names.forEach((name, i) => history.set(name, { durationMs: results[i].durationMs, cutByTime: results[i].truncatedBy === 'maxMillis' }));
  const log = results[names.indexOf('requestLog')];
  return { durationMs: performance.now() - start, cut: log.truncated, logObjects: log.objects, logBudgetMs: shares[names.indexOf('requestLog')] };
}

function carryOver() {
  const start = performance.now();
  const collection = memsize.collect();
  const durationMs = performance.now() - start;
  const log = collection.roots.get('requestLog');
  return { durationMs, cut: log.truncated, logObjects: log.walkedObjects, logBudgetMs: log.budgetMs };
}

requests(WARMUP_REQUESTS);
// Two collections each way first, so both have the history the need estimate uses.
for (let i = 0; i < 2; i++) {
  carryOver();
  fixedShares();
}
const samples = { 'fixed shares (before)': [], 'unused time passed on (collect())': [] };
for (let round = 0; round < ROUNDS; round++) {
  requests(REQUESTS_PER_ROUND);
  const ways = round % 2 === 0 ? [['fixed shares (before)', fixedShares], ['unused time passed on (collect())', carryOver]] : [['unused time passed on (collect())', carryOver], ['fixed shares (before)', fixedShares]];
  for (const [label, run] of ways) {
    gc();
    samples[label].push(run());
  }
}
await memsize.shutdown();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const logThings = scanEach([shop.requestLog], [{ maxObjects: Number.MAX_SAFE_INTEGER, maxMillis: 600_000 }]).results[0].objects;

console.log(
  `memsize budget bench: Node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 10)}; ` +
    `maxMillis ${MAX_MILLIS}, ${WARMUP_REQUESTS + ROUNDS * REQUESTS_PER_ROUND} requests, requestLog ${logThings.toLocaleString('en-US')} heap things at the end`,
);
const base = median(samples['fixed shares (before)'].map((s) => s.logObjects));
console.table(
  Object.entries(samples).map(([way, runs]) => ({
    way,
    'collection ms (median)': median(runs.map((r) => r.durationMs)).toFixed(1),
    'requestLog cut': `${runs.filter((r) => r.cut).length}/${runs.length}`,
    'requestLog budget ms (median)': median(runs.map((r) => r.logBudgetMs)).toFixed(1),
    'requestLog things seen (median)': Math.round(median(runs.map((r) => r.logObjects))).toLocaleString('en-US'),
    'vs fixed shares': `${(median(runs.map((r) => r.logObjects)) / base).toFixed(2)}x`,
  })),
);
