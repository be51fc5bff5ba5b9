// scan() against what a user would do instead, in one process, on one realistic heap:
// a Map of 200,000 session objects (about 1.8 million V8 heap objects).
//
//   npm run bench            (= npm run build && node --expose-gc bench/scan.bench.mjs)
//   SESSIONS=50000 npm run bench   (smaller heap)
//
// Prints, with the Node version: scan() (median of RUNS), a plain generic walk (a Set of
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

const require = createRequire(import.meta.url);
const sizeof = require('object-sizeof');

const SESSIONS = Number(process.env.SESSIONS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 7);
const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench does)');
  process.exit(2);
}

// ---- the heap ----------------------------------------------------------------------------
const T0 = 1_767_000_000_000; // ms epoch: beyond Smi range, so timestamps are heap numbers
class CartItem {
  constructor(sku, qty) {
    this.sku = sku;
    this.qty = qty;
  }
}
class Session {
  constructor(i) {
    this.id = `sess-${(i * 2654435761 >>> 0).toString(36)}-${i.toString(36)}`; // unique, also the Map key
    this.userId = i % 50_000;
    this.createdAt = T0 + i * 37;
    this.lastSeen = T0 + i * 53;
    this.ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    this.roles = ROLES[i % ROLES.length]; // shared role lists
    this.cart = [new CartItem(`sku-${(i * 7919) % 100_000}`, 1 + (i % 3))];
  }
}
const ROLES = [['user'], ['user', 'admin'], ['guest']];

function buildSessions(n) {
  const m = new Map();
  for (let i = 0; i < n; i++) {
    const s = new Session(i);
    m.set(s.id, s);
  }
  return m;
}

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
scan(sessions, { maxMillis: 60_000 });
const scanTimes = [];
let result;
for (let r = 0; r < RUNS; r++) {
  gc();
  [, result] = [0, null];
  const [ms, res] = timeMs(() => scan(sessions, { maxMillis: 60_000 }));
  scanTimes.push(ms);
  result = res;
}
if (result.truncated) throw new Error('scan() was truncated: raise maxMillis');
// Transient memory: heap growth across one walk, measured right after it (young garbage the walk
// left that no scavenge has collected yet is included: an upper bound), and again after a
// scavenge (what is left: the visited set and stack tables, which outgrew the young generation).
gc();
const before = process.memoryUsage().heapUsed;
const committedBefore = getHeapStatistics().total_heap_size;
scan(sessions, { maxMillis: 60_000 });
const after = process.memoryUsage().heapUsed;
const committedGrowth = Math.max(0, getHeapStatistics().total_heap_size - committedBefore);
gc({ type: 'minor' });
const afterScavenge = process.memoryUsage().heapUsed;
const transientBytes = Math.max(0, after - before);
const tablesBytes = Math.max(0, afterScavenge - before);
gc();

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
const mega = (n) => (n / 1e6).toFixed(2);
const pct = (est) => `${(((est - truthBytes) / truthBytes) * 100).toFixed(1)}%`;
const rows = [
  {
    tool: 'memsize scan()',
    'ms (median)': scanMs.toFixed(0),
    'M things/s': mega(result.objects / (scanMs / 1000)),
    'x faster than snapshot': (snapshotMs / scanMs).toFixed(1),
    'estimate vs V8 retained': pct(result.bytes),
  },
  {
    tool: 'generic walk (baseline)',
    'ms (median)': genericMs.toFixed(0),
    'M things/s': mega(result.objects / (genericMs / 1000)),
    'x faster than snapshot': (snapshotMs / genericMs).toFixed(1),
    'estimate vs V8 retained': '(no size)',
  },
  {
    tool: 'object-sizeof',
    'ms (median)': sizeofMs.toFixed(0),
    'M things/s': mega(result.objects / (sizeofMs / 1000)),
    'x faster than snapshot': (snapshotMs / sizeofMs).toFixed(1),
    'estimate vs V8 retained': pct(sizeofBytes),
  },
  {
    tool: 'v8.writeHeapSnapshot()',
    'ms (median)': snapshotMs.toFixed(0),
    'M things/s': mega(result.objects / (snapshotMs / 1000)),
    'x faster than snapshot': '1.0',
    'estimate vs V8 retained': '(truth)',
  },
];
console.log(`memsize scan bench: Node ${process.version} (V8 ${process.versions.v8}), ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`heap: Map of ${SESSIONS} sessions; scan() saw ${result.objects} heap things (${(result.bytes / 2 ** 20).toFixed(1)} MiB); the generic walk saw ${genericThings} values`);
console.log(`V8 retained size of the Map: ${(truthBytes / 2 ** 20).toFixed(1)} MiB; snapshot ${snapshotNodes} nodes, ${(snapshotFileBytes / 2 ** 20).toFixed(0)} MiB file, parse + dominators ${parseMs.toFixed(0)} ms (not in its time)`);
console.table(rows);
console.log(`scan() runs (ms): ${scanTimes.map((t) => t.toFixed(0)).join(', ')}; generic walk runs (ms): ${genericTimes.map((t) => t.toFixed(0)).join(', ')}`);
console.log(
  `scan() transient heap: ${(transientBytes / 2 ** 20).toFixed(1)} MiB = ${(transientBytes / result.objects).toFixed(1)} bytes per heap thing right after the walk ` +
    `(uncollected young garbage included), ${(tablesBytes / 2 ** 20).toFixed(1)} MiB = ${(tablesBytes / result.objects).toFixed(1)} bytes per heap thing after a scavenge ` +
    `(the visited set's last table and the dead smaller ones it grew from); the heap's committed size grew by ${(committedGrowth / 2 ** 20).toFixed(1)} MiB = ${(committedGrowth / result.objects).toFixed(1)} bytes per heap thing`,
);
console.log(`scan() / generic walk time ratio: ${(scanMs / genericMs).toFixed(2)}`);
