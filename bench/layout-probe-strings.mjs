// Does a one-byte check flatten cons strings (i.e. does the walk change the heap)? And what do
// common string provenances (crypto.randomUUID, +=, templates) cost in V8?
// Run: node --expose-gc bench/layout-probe-strings.mjs   (each Node binary; no natives syntax needed)
// Method: build 2000 cons strings, apply one check to each, take a heap snapshot (which collects
// garbage first: a flattened ConsString is short-cut to its flat copy by the GC) and count the
// "concatenated string" nodes and the self bytes of all strings left.
import v8 from 'node:v8';
import crypto from 'node:crypto';

function typeTotals() {
  const json = JSON.parse(readSnapshot());
  const f = json.snapshot.meta.node_fields;
  const types = json.snapshot.meta.node_types[0];
  const ti = f.indexOf('type'), si = f.indexOf('self_size'), width = f.length;
  const nodes = json.nodes;
  const out = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const t = types[nodes[i + ti]];
    const e = out.get(t) ?? { count: 0, bytes: 0 };
    e.count++; e.bytes += nodes[i + si];
    out.set(t, e);
  }
  return out;
}
function readSnapshot() {
  const chunks = [];
  const stream = v8.getHeapSnapshot();
  let c;
  while ((c = stream.read()) !== null) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}
const part = (i, k) => String.fromCharCode(97 + ((i * 7 + k) % 26)).repeat(1 + (k % 5)) + (i % 10);
function makeCons(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    let s = 'x' + i;
    for (let k = 0; k < 8; k++) s += part(i, k);
    out.push(s);
  }
  return out;
}
const v8mod = v8;
const checks = {
  'none (s.length only)': (s) => s.length,
  'RegExp test /[^\\u0000-\\u00ff]/': (s) => /[^\u0000-\u00ff]/.test(s),
  'v8.isStringOneByteRepresentation': typeof v8mod.isStringOneByteRepresentation === 'function' ? (s) => v8mod.isStringOneByteRepresentation(s) : null,
  's.isWellFormed()': typeof ''.isWellFormed === 'function' ? (s) => s.isWellFormed() : null,
  'Buffer.byteLength(s, "utf8")': (s) => Buffer.byteLength(s, 'utf8'),
  's.charCodeAt(0)': (s) => s.charCodeAt(0),
  's === copy (compare)': (s) => s === s.length + '',
  'Map.set(s) (hash)': (s) => new Map([[s, 1]]).size,
};
console.log(`Node ${process.version} (V8 ${process.versions.v8})`);
const N = 2000;
for (const [name, check] of Object.entries(checks)) {
  if (check === null) { console.log(`${name}: not available`); continue; }
  globalThis.__keep = makeCons(N);
  const before = typeTotals().get('concatenated string')?.count ?? 0;
  for (const s of globalThis.__keep) check(s);
  const after = typeTotals().get('concatenated string')?.count ?? 0;
  console.log(`${name}: cons nodes before ${before}, after ${after} -> ${after < before * 0.5 ? 'FLATTENS' : 'leaves cons strings alone'}`);
  globalThis.__keep = null;
}
// Provenances: bytes of strings per kept string (concatenated + flat string self sizes).
function perString(label, make) {
  globalThis.__keep = null;
  const base = typeTotals();
  globalThis.__keep = Array.from({ length: N }, (_, i) => make(i));
  const t = typeTotals();
  const d = (k) => (t.get(k)?.bytes ?? 0) - (base.get(k)?.bytes ?? 0);
  const cons = ((t.get('concatenated string')?.count ?? 0) - (base.get('concatenated string')?.count ?? 0)) / N;
  console.log(`${label}: ${((d('string') + d('concatenated string') + d('sliced string')) / N).toFixed(1)} string bytes each, ${cons.toFixed(1)} cons nodes each (flat estimate ${16 + Math.ceil(globalThis.__keep[0].length / 8) * 8 - (globalThis.__keep[0].length % 8 === 0 ? 0 : 0)})`);
}
perString('crypto.randomUUID()', () => crypto.randomUUID());
perString('randomBytes(16).toString("hex")', () => crypto.randomBytes(16).toString('hex'));
perString('template `t${i%50}:user:${i}`', (i) => `t${i % 50}:user:${i}`);
perString('JSON.parse of a 36-char id', (i) => JSON.parse(JSON.stringify(crypto.randomUUID())));

// The walk itself: scan() over an array of cons strings (needs `npm run build`).
{
  const { scan } = await import('../dist/index.js');
  globalThis.__keep = makeCons(N);
  const before = typeTotals().get('concatenated string')?.count ?? 0;
  scan(globalThis.__keep);
  const after = typeTotals().get('concatenated string')?.count ?? 0;
  console.log(`scan() of ${N} cons strings: cons nodes before ${before}, after ${after} -> ${after < before * 0.5 ? 'the walk FLATTENS them' : 'the walk leaves them alone'}`);
  const set = new Set();
  globalThis.__keep = makeCons(N);
  const b2 = typeTotals().get('concatenated string')?.count ?? 0;
  for (const s of globalThis.__keep) set.has(s);
  const a2 = typeTotals().get('concatenated string')?.count ?? 0;
  console.log(`Set#has(s): cons nodes before ${b2}, after ${a2} -> ${a2 < b2 * 0.5 ? 'FLATTENS' : 'leaves cons strings alone'}`);
}
