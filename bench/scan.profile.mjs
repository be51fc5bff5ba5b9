// Where the exact walk's time goes: `node --cpu-prof --cpu-prof-dir=DIR bench/scan.profile.mjs`
// walks the bench heap (bench/scan-heap.mjs) exactly RUNS times, then summarises the profile it
// finds in DIR (self time per function, top 25) when given PROFILE_DIR=DIR too. Without
// --cpu-prof it just prints the walk times (quick A/B: DIST=<other dist/index.js>).
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/scan.profile.mjs && PROFILE_DIR=/tmp/prof node bench/scan.profile.mjs --summary
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSessions } from './scan-heap.mjs';

if (process.argv.includes('--summary')) {
  const dir = process.env.PROFILE_DIR;
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  // Per phase: each function's self time goes to the phase its name says it serves.
  const PHASES = [
    ['visited sets (objects)', /^mark walk/],
    ['visited sets (strings)', /^(markString|stringOccurrence|internalizedChild|keyChild) walk/],
    ['reading properties and entries', /^(propertyValue|followProperty|expandProperties|arrayExtras|expandArray|expandCollection|expand|onMapEntry|onSetMember|child|childAt|push|isIndexKey) edges|^(child|childAt|push|tick) walk/],
    ['walk loop and classification', /^(drain|visitObject|protoInfoOf|lookupProto|admit|step|primitive|walk|walkRoot) walk|kinds\.js/],
    ['sizes and tally', /tally\.js|shallow\.js|classify\.js|layout\.js|primordials\.js|RegExp:/],
    ['garbage collector', /^\(garbage collector\)/],
    ['building the heap, other', /./],
  ];
  const perPhase = new Map(PHASES.map(([name]) => [name, 0]));
  for (const [k, v] of self) {
    const phase = PHASES.find(([, re]) => re.test(k))[0];
    perPhase.set(phase, perPhase.get(phase) + v);
  }
  for (const [name, v] of perPhase) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  [${name}]`);
  console.log('');
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25));
  for (const [k, v] of rows) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  process.exit(0);
}

// DIST is taken relative to the working directory.
const { scan } = await import(process.env.DIST ? pathToFileURL(resolve(process.env.DIST)).href : '../dist/index.js');
const SESSIONS = Number(process.env.SESSIONS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 5);
const sessions = buildSessions(SESSIONS);
const EXACT = { estimate: false, maxMillis: 60_000, maxObjects: 1e8 };
const times = [];
let result;
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  result = scan(sessions, EXACT);
  times.push(performance.now() - t);
}
console.log(`Node ${process.version}: ${result.objects} things, ${result.bytes} B; runs (ms) ${times.map((t) => t.toFixed(0)).join(', ')}`);
