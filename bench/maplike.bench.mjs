// A plain object used as a large map, against a Map of the same entries: what one collection
// costs with the collector's defaults. JavaScript lists an object's keys only all at once
// (Object.getOwnPropertyNames, one built-in call no budget can interrupt), while a Map's sample
// is gathered by one pass that checks the clock. Same process, the two roots alternating.
//
//   npm run bench:maplike                 (= build, then node bench/maplike.bench.mjs)
//   KEYS=300000 RUNS=7 npm run bench:maplike
//
// Prints, per root: the key listing alone (Object.getOwnPropertyNames and Object.keys, median of
// RUNS), then three times RUNS collections of a fresh memsize with that one root (the first one
// in the process, whose walk has not met the root before, and all later ones: median and max),
// timed around collect(), which is synchronous.
//
// Last, what remembering large map-like objects costs the rest of the walk: once one has been
// met, every plain object the walk expands is looked up (one WeakMap get). An exact scan() of
// 100,000 parsed plain records is timed before any large map-like object was met and again after
// (median of RUNS each, after 3 unmeasured scans; in this order only, as the memory is per process).
import { cpus } from 'node:os';
import { createMemsize, scan } from '../dist/index.js';

const KEYS = Number(process.env.KEYS ?? 300_000);
const RUNS = Number(process.env.RUNS ?? 7);

const record = (i) => ({ id: i, name: `user-${i % 5000}`, tags: ['a', `t${i % 7}`] });
const object = {};
const map = new Map();
for (let i = 0; i < KEYS; i++) {
  object[`key-${i}`] = record(i);
  map.set(`key-${i}`, record(i));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
function time(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const plainRecords = Array.from({ length: 100_000 }, (_, i) => JSON.parse(`{"id":${i},"name":"user-${i % 4000}","meta":{"a":${i},"b":"x${i % 50}"}}`));
function timePlainWalk() {
  for (let k = 0; k < 3; k++) scan(plainRecords, { estimate: false, maxMillis: 60_000 });
  const took = [];
  for (let k = 0; k < RUNS; k++) took.push(time(() => scan(plainRecords, { estimate: false, maxMillis: 60_000 })));
  return median(took);
}
const plainBefore = timePlainWalk();

const listing = { names: [], keys: [] };
for (let r = 0; r < RUNS; r++) {
  listing.names.push(time(() => Object.getOwnPropertyNames(object)));
  listing.keys.push(time(() => Object.keys(object)));
}

const roots = { 'plain object': object, Map: map };
const collections = { 'plain object': { first: [], later: [] }, Map: { first: [], later: [] } };
let estimate = {};
for (let r = 0; r < 3; r++) {
  for (const [name, root] of Object.entries(roots)) {
    const memsize = createMemsize({ meterProvider: null, cacheMillis: 0 });
    memsize.addRoot('root', root, { weak: false });
    for (let k = 0; k < RUNS; k++) {
      let m;
      const took = time(() => {
        m = memsize.collect().roots.get('root');
      });
      (r === 0 && k === 0 ? collections[name].first : collections[name].later).push(took);
      estimate[name] = m;
    }
    await memsize.shutdown();
  }
}

console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model.trim()}, ${new Date().toISOString().slice(0, 10)}; ${KEYS.toLocaleString('en')} keys, collector defaults (maxMillis 200)`);
console.log(`key listing alone (median of ${RUNS}): Object.getOwnPropertyNames ${ms(median(listing.names))}, Object.keys ${ms(median(listing.keys))}`);
console.log('');
console.log('| root | first collection in the process | later collections p50 | later max | level | memsize_root_bytes | ± (95%) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const name of Object.keys(roots)) {
  const c = collections[name];
  const m = estimate[name];
  console.log(
    `| ${name} | ${ms(c.first[0])} | ${ms(median(c.later))} | ${ms(Math.max(...c.later))} | ${m.samplingLevel} | ${(m.bytes / 2 ** 20).toFixed(1)} MiB | ${((m.bytesError / m.bytes) * 100).toFixed(1)}% |`,
  );
}
const plainAfter = timePlainWalk();
console.log('');
console.log(
  `exact scan() of 100,000 plain records (median of ${RUNS}): ${ms(plainBefore)} before a large map-like object was met, ` +
    `${ms(plainAfter)} after (x${(plainAfter / plainBefore).toFixed(3)})`,
);
