// Two builds' exact walks side by side in one process, on the bench heap (bench/scan-heap.mjs):
// rounds alternate which build goes first, and each round also times the plain generic walk.
// Prints medians and the per-round ratio A/B (above 1: B is faster). CPU time of the process
// by default (less swayed by other work on a shared machine than wall time); WALL=1 for wall time.
//
//   A=/path/to/old/dist/index.js B=dist/index.js SESSIONS=100000 node --expose-gc bench/scan.ab.mjs
import { buildSessions } from './scan-heap.mjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// Paths are taken relative to the working directory.
const load = (path) => import(pathToFileURL(resolve(path)).href);
const A = await load(process.env.A);
const B = await load(process.env.B ?? 'dist/index.js');
const sessions = buildSessions(Number(process.env.SESSIONS ?? 100000));
const EXACT = { estimate: false, maxMillis: 60_000, maxObjects: 1e8 };
const RUNS = Number(process.env.RUNS ?? 9);
const ta = [], tb = [], tg = [];
let ra, rb;
function generic(root) { const seen = new Set(); const stack = [root]; let n = 0; while (stack.length) { const v = stack.pop(); if (seen.has(v)) continue; seen.add(v); n++; if (typeof v !== 'object' || v === null) continue; if (v instanceof Map) { for (const [k, x] of v) stack.push(k, x); continue; } for (const k of Object.keys(v)) { const c = v[k]; if ((typeof c === 'object' && c !== null) || typeof c === 'string') stack.push(c); } } return n; }
A.scan(sessions, EXACT); B.scan(sessions, EXACT); generic(sessions);
for (let r = 0; r < RUNS; r++) {
  const order = r % 2 ? ['a', 'b', 'g'] : ['b', 'a', 'g'];
  for (const w of order) { gc(); const c0 = process.cpuUsage(); const t = performance.now(); if (w === 'a') ra = A.scan(sessions, EXACT); else if (w === 'b') rb = B.scan(sessions, EXACT); else generic(sessions); const c = process.cpuUsage(c0); const d = process.env.WALL ? performance.now() - t : (c.user + c.system) / 1000; (w === 'a' ? ta : w === 'b' ? tb : tg).push(d); }
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const ratios = ta.map((t, i) => t / tb[i]);
console.log(`Node ${process.version} A ${med(ta).toFixed(0)} ms, B ${med(tb).toFixed(0)} ms, generic ${med(tg).toFixed(0)} ms; A/B per round median ${med(ratios).toFixed(2)} [${ratios.map(r=>r.toFixed(2)).join(' ')}]; B/generic ${(med(tb)/med(tg)).toFixed(2)}; same figures: ${ra.bytes === rb.bytes && ra.objects === rb.objects} (${rb.bytes} B, ${rb.objects})`);
