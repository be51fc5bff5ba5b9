// memsize's figure beside V8's retained size for structures that keep their data in #private
// fields, closure scopes and WeakMaps (bench/fixtures/hidden.mjs), with the defaults (deep reads
// on) and with `deep: false`; and what each scan cost. One heap snapshot holds every structure.
// Usage: npm run bench:deep   (DEEP_SCALE=0.25 for a quicker run; builds dist/ first)
import { scan } from '../dist/index.js';
import { snapshotTargets, truthOf } from '../dist/verify/retained.js';
import { dominatedNodes } from '../dist/verify/dominators.js';
import { HIDDEN_FIXTURES } from './fixtures/hidden.mjs';

const scale = Number(process.env.DEEP_SCALE ?? 1);
const built = {};
HIDDEN_FIXTURES.forEach((f, i) => {
  built[`f${i}`] = f.build(undefined) ;
  if (scale !== 1) built[`f${i}`] = f.build(Math.max(10, Math.round((f.build.length, defaultsOf(f)) * scale)));
});
function defaultsOf(f) {
  const m = /=\s*([\d_]+)/.exec(String(f.build));
  return m ? Number(m[1].replaceAll('_', '')) : 1000;
}
const { graph, dom, nodes } = snapshotTargets(built);
const rows = [];
HIDDEN_FIXTURES.forEach((f, i) => {
  const node = nodes.get(`f${i}`);
  const v8 = truthOf(graph, dom, node, dominatedNodes(dom, node).length).retainedBytes;
  const deep = scan(built[`f${i}`]);
  const shallow = scan(built[`f${i}`], { deep: false });
  rows.push({
    structure: f.name,
    'V8 retained MB': +(v8 / 1e6).toFixed(2),
    'memsize MB': +(deep.bytes / 1e6).toFixed(2),
    ratio: +(deep.bytes / v8).toFixed(3),
    '± (95%)': deep.estimated ? `${((100 * deep.bytesError) / deep.bytes).toFixed(1)}%` : 'exact',
    'scan ms': +deep.durationMs.toFixed(1),
    'deep:false ratio': +(shallow.bytes / v8).toFixed(3),
    'deep:false ms': +shallow.durationMs.toFixed(1),
    hidden: deep.hidden,
  });
});
console.log(`bench:deep, Node ${process.version}, scan() defaults, scale ${scale}`);
console.table(rows);
