// Limits probe: what a JavaScript walk cannot see. For each case, one structure of 2000 records
// holds data only through a closure scope, a #private field or a WeakMap value; the probe prints
// V8's retained size (one heap snapshot) beside scan()'s figure. docs/accuracy.md quotes the output.
//
//   npm run build && node bench/layout-probe-limits.mjs
import { scan } from '../dist/index.js';
import * as H from '../test/support/heap-graph.mjs';

const N = 2000;
const payload = (i) => ({ id: i, name: Buffer.alloc(24, 97 + (i % 26)).toString('latin1') + i, tags: [i, i + 1, i + 2] });
class Holder { #data; constructor(d) { this.#data = d; } get data() { return this.#data; } }
const side = new WeakMap();
const cases = {
  // The same records in a plain array: the baseline, fully visible.
  visible: Array.from({ length: N }, (_, i) => ({ data: payload(i) })),
  closure: Array.from({ length: N }, (_, i) => { const d = payload(i); return { get: () => d }; }),
  privateField: Array.from({ length: N }, (_, i) => new Holder(payload(i))),
  weakMapValue: Array.from({ length: N }, (_, i) => { const k = { k: i }; side.set(k, payload(i)); return k; }),
};
const { dom, nodes } = H.snapshotTargets(cases);
console.log(`# node ${process.version} v8 ${process.versions.v8}; ${N} records per case`);
console.log('| case | V8 retained bytes | scan() bytes | scan/V8 |');
console.log('|---|---:|---:|---:|');
for (const [name, value] of Object.entries(cases)) {
  const v8 = H.retainedSize(dom, nodes.get(name));
  const ours = scan(value, { maxObjects: 10_000_000, maxMillis: 60_000 }).bytes;
  console.log(`| ${name} | ${v8} | ${ours} | ${(ours / v8).toFixed(2)} |`);
}
