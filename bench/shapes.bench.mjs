// Roots of many shapes at one budget: how close each collection comes to the exact walk of the
// same root, at which sampling level, with which 95% interval and pause. Built as applications
// build data: sessions from JSON request bodies (bench/fixtures/sessions.mjs), a heavy tail, an
// object every session shares, each user's Map of parsed events (kinds from shared vocabularies,
// or ids of each event's own), an object used as a map of parsed profiles, an array of records,
// a request log of concatenated lines. Each root is registered alone on a fresh collector
// (cacheMillis 0) and collected RUNS times in a row: the first collection is a new root's.
//
//   npm run bench:shapes                         (builds dist/, then this at memsize's default budget)
//   MAX_MILLIS=25 npm run bench:shapes           (another budget)
//   RUNS=10 ONLY=heavy,users npm run bench:shapes
//
// Per root and collection: estimate / exact walk, T when cut (a truncated root's figure is held
// from its last complete walk), ! when the interval misses the exact walk, the level, the pause.
import { cpus, loadavg } from 'node:os';
import { createMemsize, scan } from '../dist/index.js';
import { DEFAULTS } from '../dist/options.js';
import { growSessions } from './fixtures/sessions.mjs';

const MAX_MILLIS = process.env.MAX_MILLIS === undefined ? DEFAULTS.memsize.maxMillis : Number(process.env.MAX_MILLIS);
const RUNS = Number(process.env.RUNS ?? 6);
const ONLY = process.env.ONLY?.split(',');

const usersOf = (event) => {
  const users = new Map();
  for (let u = 0; u < 2_000; u++) {
    const events = new Map();
    for (let e = 0; e < 200; e++) events.set(e, JSON.parse(event(u, e)));
    users.set(`user-${u}`, events);
  }
  return users;
};
const ROOTS = {
  'sessions 25k': () => growSessions(new Map(), 25_000),
  'sessions 100k': () => growSessions(new Map(), 100_000),
  'sessions 400k': () => growSessions(new Map(), 400_000),
  'heavy tail 50k': () => growSessions(new Map(), 50_000, { heavyEvery: 100, heavyLines: 200 }),
  'shared object 100k': () => {
    const config = { limits: Array.from({ length: 2_000 }, (_, i) => ({ i, name: `limit-${i}` })) };
    return growSessions(new Map(), 100_000, { extra: (s) => Object.assign(s, { config }) });
  },
  'users x events, shared kinds': () => usersOf((u, e) => `{"kind":"k${(u * 31 + e * 7) % 5000}","region":"r${(u * 13 + e) % 3000}","status":"s${(u + e * 11) % 4000}"}`),
  'users x events, own ids': () => usersOf((u, e) => `{"id":"e${u}-${e}","n":${e}}`),
  'object as map 240k': () => {
    const cache = {};
    for (let i = 0; i < 240_000; i++) cache[`user:${i}`] = JSON.parse(`{"id":${i},"name":"user-${i % 4000}","plan":"${i % 3 ? 'free' : 'pro'}","seen":[${i % 97},${i % 89}]}`);
    return cache;
  },
  'array of records 300k': () => {
    const out = [];
    for (let i = 0; i < 300_000; i++) out.push({ i, label: `item ${i % 1000}`, tags: [i] });
    return out;
  },
  'request log 100k': () => {
    const out = [];
    for (let i = 0; i < 100_000; i++) out.push({ line: 'GET /p/' + (i % 300) + ' ' + i, at: 1_767_000_000_000 + i });
    return out;
  },
};

console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'CPU'}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}; maxMillis ${MAX_MILLIS}, ${RUNS} collections per root\n`);
console.log('| root | exact walk | each collection: estimate / exact, level, pause, ± (95%) | worst | intervals holding the exact walk |');
console.log('|---|---:|---|---:|---:|');
for (const [name, build] of Object.entries(ROOTS)) {
  if (ONLY && !ONLY.some((o) => name.includes(o))) continue;
  const root = build();
  const exact = scan(root, { estimate: false, maxMillis: 600_000, maxObjects: 2 ** 31 }).bytes;
  const memsize = createMemsize({ meterProvider: null, cacheMillis: 0, maxMillis: MAX_MILLIS });
  memsize.addRoot('root', root, { weak: false });
  const cells = [];
  let worst = 0;
  let held = 0;
  for (let k = 0; k < RUNS; k++) {
    const t = performance.now();
    const m = memsize.collect().roots.get('root');
    const pause = performance.now() - t;
    const ratio = m.bytes / exact;
    const holds = !m.truncated && Math.abs(m.bytes - exact) <= m.bytesError;
    if (holds) held++;
    worst = Math.max(worst, Math.abs(ratio - 1));
    cells.push(`${ratio.toFixed(3)}${m.truncated ? 'T' : ''}${holds ? '' : '!'} L${m.samplingLevel} ${pause.toFixed(0)} ms ±${((m.bytesError / Math.max(m.bytes, 1)) * 100).toFixed(1)}%`);
  }
  await memsize.shutdown();
  console.log(`| ${name} | ${(exact / 2 ** 20).toFixed(1)} MiB | ${cells.join('; ')} | ${(worst * 100).toFixed(1)}% | ${held} / ${RUNS} |`);
}
