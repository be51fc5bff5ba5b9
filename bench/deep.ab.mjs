// Paired A/B in one process: an exact scan() of 50,000 sessions (class instances without #private
// fields, no functions) with deep reads (the default) and with deep: false; prints the medians of
// 15 pairs and the median ratio. Usage: npm run build && node bench/deep.ab.mjs
import { scan } from '../dist/index.js';
import { growSessions } from './fixtures/sessions.mjs';
const m = new Map(); growSessions(m, 50000);
scan(m, { estimate: false }); scan(m, { estimate: false, deep: false });
const ratios = [], a = [], b = [];
for (let i = 0; i < 15; i++) {
  const x = scan(m, { estimate: false }).durationMs; const y = scan(m, { estimate: false, deep: false }).durationMs;
  a.push(x); b.push(y); ratios.push(x / y);
}
const med = (v) => v.slice().sort((p, q) => p - q)[7];
console.log(JSON.stringify({ node: process.version, deepMs: med(a).toFixed(1), shallowMs: med(b).toFixed(1), ratioMedian: med(ratios).toFixed(3) }));
