// How the collector spends maxMillis when a root outgrows its share: with the time the other
// roots leave unused passed on (what collect() does), against fixed shares (each root walked in
// registration order with exactly its share, as the collector did before the carry-over; the same
// part of maxMillis kept back, the same need estimate and max-min fair split).
//
//   npm run bench:budget        (builds dist/, then: node --expose-gc bench/budget.bench.mjs)
//
// The demo shop (demo/shop.mjs: sessions, an LRU cache, the leaking request log) handles 60,000
// requests on a simulated clock (1 ms per request, sessions expired every simulated second, as
// the demo's traffic does), so the request log is larger than 200 ms can walk. Then, for each of
// ROUNDS rounds, 1,000 more requests and one collection each way, alternating which goes first.
// Two scenarios: sessions live 10 s (about 17,000 heap things), and 60 s, the demo's default
// (about 72,000, near what its share of the budget can walk).
// Prints, per scenario, medians over the rounds: how long collections blocked, and per root
// whether it was cut, how long its walk took and was allowed, and how much of it the walk saw.
import { performance } from 'node:perf_hooks';
import { createMemsize } from '../dist/index.js';
// Internal, not exported: the split and the walk the collector uses, for the fixed-share baseline.
import { RESERVE_OF_BUDGET, splitBudgetMs, walkNeedMs } from '../dist/budget.js';
import { scanEach } from '../dist/scan.js';
import { createShop } from '../demo/shop.mjs';

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
if (typeof globalThis.gc !== 'function') console.warn('note: run with --expose-gc for steadier figures');

const WARMUP_REQUESTS = 60_000;
const REQUESTS_PER_ROUND = 1_000;
const ROUNDS = 8;
const MAX_MILLIS = 200; // the default, set explicitly on both ways
const MAX_OBJECTS = 1_000_000;
const FIXED = 'fixed shares';
const CARRY = 'unused time passed on (collect())';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function scenario(label, sessionTtlMs) {
  // A deterministic request mix (logins, product views, cart additions) through shop.handle().
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const shop = createShop({ sessionTtlMs });
  const sessionIds = [];
  let now = 1_700_000_000_000;
  function requests(n) {
    for (let i = 0; i < n; i++) {
      now += 1;
      if (now % 1000 === 0) shop.sessions.expire(now);
      const roll = random();
      if (roll < 0.08 || sessionIds.length === 0) {
        sessionIds.push(JSON.parse(shop.handle('POST', '/login', { now }).body).session);
        if (sessionIds.length > 400) sessionIds.shift();
        continue;
      }
      const sessionId = sessionIds[Math.floor(random() * sessionIds.length)];
      const productId = Math.floor(shop.products * random() ** 3);
      if (roll < 0.25) shop.handle('POST', `/cart/${productId}`, { sessionId, now });
      else shop.handle('GET', `/products/${productId}`, { sessionId, now });
    }
  }

  const roots = { sessions: shop.sessions, cache: shop.cache, requestLog: shop.requestLog };
  const names = Object.keys(roots);

  // The collector itself: root functions (none here), need estimate, walk order, carry-over.
  const memsize = createMemsize({ meterProvider: null, minIntervalMs: 0, maxMillis: MAX_MILLIS, maxObjectsPerRoot: MAX_OBJECTS });
  for (const name of names) memsize.addRoot(name, roots[name]);
  function carryOver() {
    const start = performance.now();
    const collection = memsize.collect();
    const durationMs = performance.now() - start;
    const perRoot = Object.fromEntries(
      names.map((name) => {
        const m = collection.roots.get(name);
        return [name, { cut: m.truncated, walkMs: m.durationMs, allowedMs: m.budgetMs, things: m.walkedObjects }];
      }),
    );
    return { durationMs, perRoot };
  }

  // The baseline: the same need estimate, the same max-min fair split of the same time, but
  // fixed shares walked in registration order.
  const history = new Map(names.map((name) => [name, { durationMs: 0, cutByTime: true }]));
  function fixedShares() {
    const start = performance.now();
    const needs = names.map((name) => walkNeedMs(history.get(name).durationMs, history.get(name).cutByTime, MAX_MILLIS));
    const shares = splitBudgetMs(needs, MAX_MILLIS * (1 - RESERVE_OF_BUDGET));
    const { results } = scanEach(
      names.map((name) => roots[name]),
      shares.map((maxMillis) => ({ maxObjects: MAX_OBJECTS, maxMillis })),
    );
    const durationMs = performance.now() - start;
    names.forEach((name, i) => history.set(name, { durationMs: results[i].durationMs, cutByTime: results[i].truncatedBy === 'maxMillis' }));
    const perRoot = Object.fromEntries(
      names.map((name, i) => [name, { cut: results[i].truncated, walkMs: results[i].durationMs, allowedMs: shares[i], things: results[i].objects }]),
    );
    return { durationMs, perRoot };
  }

  requests(WARMUP_REQUESTS);
  // Two collections each way first, so both have the history the need estimate uses.
  for (let i = 0; i < 2; i++) {
    carryOver();
    fixedShares();
  }
  const samples = { [FIXED]: [], [CARRY]: [] };
  for (let round = 0; round < ROUNDS; round++) {
    requests(REQUESTS_PER_ROUND);
    const ways = round % 2 === 0 ? [[FIXED, fixedShares], [CARRY, carryOver]] : [[CARRY, carryOver], [FIXED, fixedShares]];
    for (const [way, run] of ways) {
      gc();
      samples[way].push(run());
    }
  }
  await memsize.shutdown();

  const whole = scanEach(
    names.map((name) => roots[name]),
    names.map(() => ({ maxObjects: Number.MAX_SAFE_INTEGER, maxMillis: 600_000 })),
  ).results;
  console.log(
    `\n${label}: heap things per root at the end, walked whole: ` +
      names.map((name, i) => `${name} ${whole[i].objects.toLocaleString('en-US')}`).join(', '),
  );
  console.table(
    Object.entries(samples).map(([way, runs]) => ({
      way,
      'collection ms (median)': median(runs.map((r) => r.durationMs)).toFixed(1),
      'collection ms (max)': Math.max(...runs.map((r) => r.durationMs)).toFixed(1),
    })),
  );
  const rows = [];
  for (const name of names) {
    const base = median(samples[FIXED].map((r) => r.perRoot[name].things));
    for (const [way, runs] of Object.entries(samples)) {
      const of = (key) => median(runs.map((r) => r.perRoot[name][key]));
      rows.push({
        root: name,
        way,
        cut: `${runs.filter((r) => r.perRoot[name].cut).length}/${runs.length}`,
        'walk ms': of('walkMs').toFixed(1),
        'allowed ms': of('allowedMs').toFixed(1),
        'things seen': Math.round(of('things')).toLocaleString('en-US'),
        'vs fixed': `${(of('things') / base).toFixed(2)}x`,
      });
    }
  }
  console.table(rows);
}

console.log(
  `memsize budget bench: Node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 10)}; ` +
    `maxMillis ${MAX_MILLIS}, ${WARMUP_REQUESTS + ROUNDS * REQUESTS_PER_ROUND} requests; medians over ${ROUNDS} rounds`,
);
await scenario('sessions live 10 s', 10_000);
await scenario('sessions live 60 s', 60_000);
