// scan() against what a user would do instead, in one process, on one realistic heap:
// a Map of 200,000 session objects (about 1.8 million V8 heap objects).
//
//   npm run bench            (= npm run build && node --expose-gc bench/scan.bench.mjs)
//   SESSIONS=50000 npm run bench   (smaller heap)
//
// Prints, with the Node version: scan()'s exact walk (estimate: false, median of RUNS; with
// BASELINE=<another build's dist/index.js>, that build's too, alternating), the default scan(),
// a plain generic walk (a Set of
// visited things, Object.keys and property reads: the baseline the issue names), object-sizeof,
// and v8.writeHeapSnapshot() plus its parse; heap things per second, the ratio to the snapshot,
// each estimate against the snapshot's retained size of the Map, and scan()'s transient memory.
// Absolute times on a shared machine are noisy: read the ratios, which come from one process.

import { writeHeapSnapshot, getHeapStatistics } from 'node:v8';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { scan } from '../dist/index.js';
import { parseHeapSnapshot, computeDominators, findNodes, childByEdgeName, retainedSize } from '../test/support/heap-graph.mjs';
import { readFileSync } from 'node:fs';
import { buildSessions } from './scan-heap.mjs';

const require = createRequire(import.meta.url);
const sizeof = require('object-sizeof');

const SESSIONS = Number(process.env.SESSIONS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 7);
const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench does)');
  process.exit(2);
}

// ---- the heap (bench/scan-heap.mjs) ----------------------------------------------------------

/** The naive baseline: what a first-attempt walker does (runs getters; here there are none). */
function genericWalk(root) {
  const seen = new Set();
  const stack = [root];
  let things = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (seen.has(v)) continue;
    seen.add(v);
    things++;
    if (typeof v !== 'object' || v === null) continue;
    if (v instanceof Map) {
      for (const [k, val] of v) stack.push(k, val);
      continue;
    }
    for (const k of Object.keys(v)) {
      const c = v[k];
      if ((typeof c === 'object' && c !== null) || typeof c === 'string') stack.push(c);
    }
  }
  return things;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function timeMs(fn) {
  const t = performance.now();
  const out = fn();
  return [performance.now() - t, out];
}

const sessions = buildSessions(SESSIONS);
globalThis.__memsizeBench = sessions; // keep it reachable by name for the snapshot

// ---- scan(): warm up, then median of RUNS, with heap growth measured around one run ----------
// The exact walk (estimate: false) is what the speed targets are about; the default scan() samples the
// Map (200,000 entries > sampleThreshold 8192) and is a row of its own. BASELINE=<dist/index.js
// of another build> also times that build's exact walk in the same process, alternating with this
// one round by round, so the two see the same machine load.
const EXACT = { estimate: false, maxMillis: 60_000, maxObjects: 1e8 };
const baseline = process.env.BASELINE ? await import(process.env.BASELINE) : null;
const scanExact = () => scan(sessions, EXACT);
scanExact();
if (baseline) baseline.scan(sessions, EXACT);
const scanTimes = [];
const baseTimes = [];
let result;
let baseResult;
for (let r = 0; r < RUNS; r++) {
  const order = r % 2 === 0 || !baseline ? ['new', 'base'] : ['base', 'new'];
  for (const which of order) {
    if (which === 'base' && !baseline) continue;
    gc();
    if (which === 'new') {
      const [ms, res] = timeMs(scanExact);
      scanTimes.push(ms);
      result = res;
    } else {
      const [ms, res] = timeMs(() => baseline.scan(sessions, EXACT));
      baseTimes.push(ms);
      baseResult = res;
    }
  }
}
if (result.truncated) throw new Error('scan() was truncated: raise maxMillis');
if (baseResult && (baseResult.bytes !== result.bytes || baseResult.objects !== result.objects)) {
  console.log(`NOTE: figures differ from the baseline: ${result.bytes} B / ${result.objects} things against ${baseResult.bytes} B / ${baseResult.objects}`);
}
// Transient memory: heap growth across one walk, measured right after it (young garbage the walk
// left that no scavenge has collected yet is included: an upper bound), and again after a
// scavenge (what is left: the visited set and stack tables, which outgrew the young generation).
function transient(fn) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const committedBefore = getHeapStatistics().total_heap_size;
  fn();
  const after = process.memoryUsage().heapUsed;
  const committedGrowth = Math.max(0, getHeapStatistics().total_heap_size - committedBefore);
  gc({ type: 'minor' });
  const afterScavenge = process.memoryUsage().heapUsed;
  gc();
  return { transientBytes: Math.max(0, after - before), tablesBytes: Math.max(0, afterScavenge - before), committedGrowth };
}
const { transientBytes, tablesBytes, committedGrowth } = transient(scanExact);
const baseMemory = baseline ? transient(() => baseline.scan(sessions, EXACT)) : null;

// ---- the default scan(): estimating (the Map is sampled) ----------------------------------------
scan(sessions);
const estTimes = [];
let estResult;
for (let r = 0; r < RUNS; r++) {
  gc();
  const [ms, res] = timeMs(() => scan(sessions));
  estTimes.push(ms);
  estResult = res;
}

// ---- generic walk baseline -------------------------------------------------------------------
genericWalk(sessions);
const genericTimes = [];
let genericThings = 0;
for (let r = 0; r < RUNS; r++) {
  gc();
  const [ms, n] = timeMs(() => genericWalk(sessions));
  genericTimes.push(ms);
  genericThings = n;
}

// ---- object-sizeof -----------------------------------------------------------------------------
gc();
const sizeofTimes = [];
let sizeofBytes = 0;
for (let r = 0; r < 3; r++) {
  const [ms, b] = timeMs(() => sizeof(sessions));
  sizeofTimes.push(ms);
  sizeofBytes = b;
}

// ---- heap snapshot: what a user would take instead, then its retained size of the Map ----------
gc();
const dir = mkdtempSync(join(tmpdir(), 'memsize-bench-'));
let snapshotMs;
let parseMs;
let truthBytes;
let snapshotNodes;
let snapshotFileBytes;
try {
  const file = join(dir, 'bench.heapsnapshot');
  [snapshotMs] = timeMs(() => writeHeapSnapshot(file));
  snapshotFileBytes = statSync(file).size;
  [parseMs, truthBytes] = timeMs(() => {
    const g = parseHeapSnapshot(readFileSync(file));
    snapshotNodes = g.nodeCount;
    const dom = computeDominators(g);
    // The Map is the only value of globalThis.__memsizeBench.
    const globals = findNodes(g, 'Map', 'object');
    let best = -1;
    let bestSize = -1;
    for (const node of globals) {
      const size = retainedSize(dom, node);
      if (size > bestSize) {
        bestSize = size;
        best = node;
      }
    }
    return best >= 0 ? bestSize : NaN;
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// ---- table -------------------------------------------------------------------------------------
const scanMs = median(scanTimes);
const genericMs = median(genericTimes);
const sizeofMs = median(sizeofTimes);
const estMs = median(estTimes);
const mega = (n) => (n / 1e6).toFixed(2);
const pct = (est) => `${(((est - truthBytes) / truthBytes) * 100).toFixed(1)}%`;
const row = (tool, ms, bytes) => ({
  tool,
  'ms (median)': ms.toFixed(0),
  'M things/s': mega(result.objects / (ms / 1000)),
  'x faster than snapshot': (snapshotMs / ms).toFixed(1),
  'estimate vs V8 retained': typeof bytes === 'number' ? pct(bytes) : bytes,
});
const rows = [row('memsize scan() exact (estimate: false)', scanMs, result.bytes)];
if (baseline) rows.push(row(`baseline scan() exact (${process.env.BASELINE_NAME ?? process.env.BASELINE})`, median(baseTimes), baseResult.bytes));
rows.push(
  row('memsize scan() default (estimating)', estMs, estResult.bytes),
  row('generic walk (baseline)', genericMs, '(no size)'),
  row('object-sizeof', sizeofMs, sizeofBytes),
  row('v8.writeHeapSnapshot()', snapshotMs, '(truth)'),
);
console.log(`memsize scan bench: Node ${process.version} (V8 ${process.versions.v8}), ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`heap: Map of ${SESSIONS} sessions; scan() saw ${result.objects} heap things (${(result.bytes / 2 ** 20).toFixed(1)} MiB); the generic walk saw ${genericThings} values`);
console.log(`V8 retained size of the Map: ${(truthBytes / 2 ** 20).toFixed(1)} MiB; snapshot ${snapshotNodes} nodes, ${(snapshotFileBytes / 2 ** 20).toFixed(0)} MiB file, parse + dominators ${parseMs.toFixed(0)} ms (not in its time)`);
console.log(`default scan(): ${estResult.estimated ? 'estimated' : 'exact'}, ${estResult.bytes} ± ${estResult.bytesError ?? 0} B, walk visited ${estResult.visitedObjects} things`);
console.table(rows);
console.log(`scan() exact runs (ms): ${scanTimes.map((t) => t.toFixed(0)).join(', ')}; generic walk runs (ms): ${genericTimes.map((t) => t.toFixed(0)).join(', ')}`);
if (baseline) {
  const ratios = scanTimes.map((t, i) => baseTimes[i] / t);
  console.log(`baseline exact runs (ms): ${baseTimes.map((t) => t.toFixed(0)).join(', ')}; baseline / scan() per round: ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`);
}
console.log(`default scan() runs (ms): ${estTimes.map((t) => t.toFixed(0)).join(', ')}`);
const perThing = (b) => (b / result.objects).toFixed(1);
const memoryLine = (m) =>
  `${perThing(m.committedGrowth)} B committed growth, ${perThing(m.transientBytes)} B right after the walk (young garbage included), ${perThing(m.tablesBytes)} B after a scavenge`;
console.log(`scan() exact transient heap per heap thing: ${memoryLine({ transientBytes, tablesBytes, committedGrowth })}`);
if (baseMemory) console.log(`baseline exact transient heap per heap thing: ${memoryLine(baseMemory)}`);

// ---- the exact walk's speed targets --------------------------------------------------------------
const rate = result.objects / (scanMs / 1000);
const ratio = scanMs / genericMs;
const snapshotX = snapshotMs / scanMs;
const worstMemory = Math.max(committedGrowth, tablesBytes) / result.objects;
console.table([
  {
    target: 'exact scan(): >= 2 M heap things/s, or <= 1.25x the generic walk time',
    measured: `${mega(rate)} M/s; ${ratio.toFixed(2)}x the generic walk`,
    met: rate >= 2e6 || ratio <= 1.25 ? 'yes' : 'no',
  },
  { target: 'exact scan(): >= 12x faster than the heap snapshot', measured: `${snapshotX.toFixed(1)}x`, met: snapshotX >= 12 ? 'yes' : 'no' },
  {
    target: 'exact scan(): <= 40 B transient memory per heap thing',
    measured: `${worstMemory.toFixed(1)} B (the larger of committed growth and what a scavenge leaves)`,
    met: worstMemory <= 40 ? 'yes' : 'no',
  },
]);
