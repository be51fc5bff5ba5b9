// Ground truth for memsize: V8 heap snapshots parsed into a compact graph, and retained sizes
// computed from them. Plain JavaScript (typed by heap-graph.d.mts) so that both the vitest
// suites and the plain `node bench/layout-probe.mjs` script on Node 20 share one implementation.
//
// Retained size, as the issue defines it: the total self_size of the nodes that become
// unreachable from the snapshot's root when the target node is cut off, weak edges ignored.
// That set is exactly the set of nodes the target dominates in the dominator tree of the
// snapshot graph (root = node 0, weak edges removed), so one Lengauer-Tarjan pass gives the
// retained size of every node at once. `retainedByCut` computes the same figure the slow,
// obviously-correct way (two reachability passes) and the self-tests compare the two.
//
// Edge policy (same as Chrome DevTools' "essential edges"): weak edges are ignored everywhere,
// and so are `shortcut` edges leaving the synthetic root node (they duplicate paths that the
// root's "(GC roots)" subtree already provides, e.g. root -> global object).

import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Take a heap snapshot of this process (synchronous; V8 runs a full GC first) and parse it. */
export function takeHeapGraph() {
  const dir = mkdtempSync(join(tmpdir(), 'memsize-snap-'));
  try {
    const file = writeHeapSnapshot(join(dir, 'heap.heapsnapshot'));
    const buf = readFileSync(file);
    return parseHeapSnapshot(buf);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CH_OPEN_BRACKET = 0x5b; // [
const CH_CLOSE_BRACKET = 0x5d; // ]
const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_MINUS = 0x2d;

/**
 * Parse a `.heapsnapshot` file held in a Buffer. Field positions are read from the snapshot's
 * `meta` (node_fields, edge_fields, node_types, edge_types), never assumed. The big `nodes` and
 * `edges` arrays are parsed byte by byte straight into typed arrays (no giant JS string or
 * array), so snapshots of a few hundred MB are fine.
 */
export function parseHeapSnapshot(buf) {
  const nodesKey = buf.indexOf('"nodes":[');
  if (nodesKey < 0) throw new Error('heap snapshot: no "nodes" array');
  // Header: `{"snapshot":{...},\n"nodes":[` -> take the text before `,"nodes"` and close it.
  let headerEnd = nodesKey - 1;
  while (headerEnd > 0 && buf[headerEnd] !== 0x2c /* , */) headerEnd--;
  const header = JSON.parse(buf.toString('utf8', 0, headerEnd) + '}').snapshot;
  const meta = header.meta;
  const nodeFields = meta.node_fields;
  const edgeFields = meta.edge_fields;
  const nodeFieldCount = nodeFields.length;
  const edgeFieldCount = edgeFields.length;
  const fType = nodeFields.indexOf('type');
  const fName = nodeFields.indexOf('name');
  const fId = nodeFields.indexOf('id');
  const fSelf = nodeFields.indexOf('self_size');
  const fEdgeCount = nodeFields.indexOf('edge_count');
  const fDetached = nodeFields.indexOf('detachedness');
  const eType = edgeFields.indexOf('type');
  const eName = edgeFields.indexOf('name_or_index');
  const eTo = edgeFields.indexOf('to_node');
  for (const [what, v] of [['type', fType], ['name', fName], ['id', fId], ['self_size', fSelf], ['edge_count', fEdgeCount], ['edge type', eType], ['name_or_index', eName], ['to_node', eTo]]) {
    if (v < 0) throw new Error(`heap snapshot: meta lacks field ${what}`);
  }
  const nodeTypeNames = meta.node_types[fType];
  const edgeTypeNames = meta.edge_types[eType];
  const nodeCount = header.node_count;
  const edgeCount = header.edge_count;

  const nodeType = new Uint8Array(nodeCount);
  const nodeName = new Uint32Array(nodeCount);
  const nodeId = new Float64Array(nodeCount);
  const selfSize = new Float64Array(nodeCount);
  const edgeCountOf = new Uint32Array(nodeCount);
  const detachedness = new Uint8Array(nodeCount);
  const edgeType = new Uint8Array(edgeCount);
  const edgeName = new Uint32Array(edgeCount);
  const edgeTo = new Uint32Array(edgeCount);

  // Number arrays: non-negative integers separated by commas and newlines.
  let pos = nodesKey + '"nodes":['.length;
  const nodeSinks = [];
  for (let f = 0; f < nodeFieldCount; f++) {
    nodeSinks.push(f === fType ? nodeType : f === fName ? nodeName : f === fId ? nodeId : f === fSelf ? selfSize
      : f === fEdgeCount ? edgeCountOf : f === fDetached ? detachedness : null);
  }
  pos = readNumbers(buf, pos, nodeSinks, nodeCount, 1, 'nodes');

  const edgesKey = buf.indexOf('"edges":[', pos);
  if (edgesKey < 0) throw new Error('heap snapshot: no "edges" array');
  const edgeSinks = [];
  for (let f = 0; f < edgeFieldCount; f++) {
    edgeSinks.push(f === eType ? edgeType : f === eName ? edgeName : f === eTo ? edgeTo : null);
  }
  pos = readNumbers(buf, edgesKey + '"edges":['.length, edgeSinks, edgeCount, nodeFieldCount, 'edges', eTo);

  const stringsKey = buf.indexOf('"strings":[', pos);
  if (stringsKey < 0) throw new Error('heap snapshot: no "strings" array');
  let stringsEnd = buf.length - 1;
  while (stringsEnd > stringsKey && buf[stringsEnd] !== CH_CLOSE_BRACKET) stringsEnd--;
  const strings = JSON.parse(buf.toString('utf8', stringsKey + '"strings":'.length, stringsEnd + 1));

  const firstEdge = new Uint32Array(nodeCount + 1);
  let acc = 0;
  for (let i = 0; i < nodeCount; i++) {
    firstEdge[i] = acc;
    acc += edgeCountOf[i];
  }
  firstEdge[nodeCount] = acc;
  if (acc !== edgeCount) throw new Error(`heap snapshot: edge counts sum to ${acc}, header says ${edgeCount}`);

  return {
    nodeCount, edgeCount, nodeTypeNames, edgeTypeNames, strings,
    nodeType, nodeName, nodeId, selfSize, detachedness, firstEdge, edgeType, edgeName, edgeTo,
    rootIndex: 0,
    weakEdgeType: edgeTypeNames.indexOf('weak'),
    shortcutEdgeType: edgeTypeNames.indexOf('shortcut'),
    elementEdgeType: edgeTypeNames.indexOf('element'),
    hiddenEdgeType: edgeTypeNames.indexOf('hidden'),
  };
}

/**
 * Read `count` records of `sinks.length` numbers each; sink null drops the field. The field at
 * `divideField` is divided by `divisor` (to_node is an offset into the flat nodes array; we store
 * the node ordinal). Returns the position after the closing bracket. Two passes: a tight loop
 * that parses every number into one flat array, then a split into the per-field arrays.
 */
function readNumbers(buf, pos, sinks, count, divisor, what, divideField = -1) {
  const fields = sinks.length;
  const total = count * fields;
  const flat = new Float64Array(total);
  let n = 0;
  let value = 0;
  let inNumber = false;
  const len = buf.length;
  for (; pos < len; pos++) {
    const c = buf[pos];
    const d = c - CH_0;
    if (d >= 0 && d <= 9) {
      value = value * 10 + d;
      inNumber = true;
    } else {
      if (inNumber) {
        if (n >= total) throw new Error(`heap snapshot: ${what} holds more than ${total} numbers`);
        flat[n++] = value;
        value = 0;
        inNumber = false;
      }
      if (c === CH_CLOSE_BRACKET) break;
      if (c === CH_MINUS) throw new Error(`heap snapshot: negative number in ${what}`);
      if (c === CH_OPEN_BRACKET) throw new Error(`heap snapshot: nested array in ${what}`);
    }
  }
  if (n !== total) throw new Error(`heap snapshot: ${what} holds ${n} numbers, expected ${total}`);
  for (let f = 0; f < fields; f++) {
    const sink = sinks[f];
    if (sink === null) continue;
    if (f === divideField) {
      for (let r = 0, k = f; r < count; r++, k += fields) sink[r] = flat[k] / divisor;
    } else {
      for (let r = 0, k = f; r < count; r++, k += fields) sink[r] = flat[k];
    }
  }
  return pos + 1;
}

// ---------------------------------------------------------------------------------------------
// Small accessors

export function nodeTypeName(g, i) { return g.nodeTypeNames[g.nodeType[i]]; }
export function nodeNameOf(g, i) { return g.strings[g.nodeName[i]]; }
export function edgeTypeName(g, e) { return g.edgeTypeNames[g.edgeType[e]]; }
/** An edge's name: a string for properties and internals, the index (a number) for elements and hidden edges. */
export function edgeNameOf(g, e) {
  const t = g.edgeType[e];
  return t === g.elementEdgeType || t === g.hiddenEdgeType ? g.edgeName[e] : g.strings[g.edgeName[e]];
}

/** Nodes with this name (and, when given, this node type such as 'object'). */
export function findNodes(g, name, type) {
  const out = [];
  const typeIndex = type === undefined ? -1 : g.nodeTypeNames.indexOf(type);
  for (let i = 0; i < g.nodeCount; i++) {
    if (typeIndex >= 0 && g.nodeType[i] !== typeIndex) continue;
    if (g.strings[g.nodeName[i]] === name) out.push(i);
  }
  return out;
}

/** The target of the first edge out of `from` with this name (any edge type but weak), or -1. */
export function childByEdgeName(g, from, name) {
  for (let e = g.firstEdge[from]; e < g.firstEdge[from + 1]; e++) {
    if (g.edgeType[e] === g.weakEdgeType) continue;
    if (edgeNameOf(g, e) === name) return g.edgeTo[e];
  }
  return -1;
}

/** Outgoing edges of a node, for debugging: [{ type, name, to, toType, toName, toSelf }]. */
export function edgesOf(g, from) {
  const out = [];
  for (let e = g.firstEdge[from]; e < g.firstEdge[from + 1]; e++) {
    const to = g.edgeTo[e];
    out.push({ type: edgeTypeName(g, e), name: edgeNameOf(g, e), to, toType: nodeTypeName(g, to), toName: nodeNameOf(g, to), toSelf: g.selfSize[to] });
  }
  return out;
}

function isEssential(g, from, e) {
  const t = g.edgeType[e];
  if (t === g.weakEdgeType) return false;
  if (from === g.rootIndex && t === g.shortcutEdgeType) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Dominators (Lengauer-Tarjan, "simple" eval/link with iterative path compression)

/**
 * Dominator tree of the snapshot graph from the root over essential edges, and every reachable
 * node's retained size. Returns { dfn, order, idom, retained, reachableCount } where arrays in
 * DFS-number space are indexed by dfn[node]; use retainedSize()/dominatedNodes() to read them.
 */
export function computeDominators(g) {
  const N = g.nodeCount;
  const { firstEdge, edgeTo } = g;
  const dfn = new Int32Array(N).fill(-1);
  const order = new Uint32Array(N); // dfnum -> node
  const parent = new Uint32Array(N); // dfnum -> dfnum of DFS parent
  // Iterative preorder DFS.
  const stackNode = new Uint32Array(N);
  const stackEdge = new Uint32Array(N);
  let n = 0;
  let sp = 0;
  dfn[g.rootIndex] = n;
  order[n++] = g.rootIndex;
  stackNode[sp] = g.rootIndex;
  stackEdge[sp++] = firstEdge[g.rootIndex];
  while (sp > 0) {
    const v = stackNode[sp - 1];
    const e = stackEdge[sp - 1];
    if (e >= firstEdge[v + 1]) { sp--; continue; }
    stackEdge[sp - 1] = e + 1;
    if (!isEssential(g, v, e)) continue;
    const w = edgeTo[e];
    if (dfn[w] >= 0) continue;
    dfn[w] = n;
    parent[n] = dfn[v];
    order[n++] = w;
    stackNode[sp] = w;
    stackEdge[sp++] = firstEdge[w];
  }
  const R = n; // reachable nodes

  // Predecessors in dfnum space (CSR), essential edges between reachable nodes.
  const predStart = new Uint32Array(R + 1);
  for (let i = 0; i < R; i++) {
    const v = order[i];
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e++) {
      if (!isEssential(g, v, e)) continue;
      const w = dfn[edgeTo[e]];
      if (w >= 0) predStart[w + 1]++;
    }
  }
  for (let i = 0; i < R; i++) predStart[i + 1] += predStart[i];
  const fill = predStart.slice(0, R);
  const preds = new Uint32Array(predStart[R]);
  for (let i = 0; i < R; i++) {
    const v = order[i];
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e++) {
      if (!isEssential(g, v, e)) continue;
      const w = dfn[edgeTo[e]];
      if (w >= 0) preds[fill[w]++] = i;
    }
  }

  const semi = new Uint32Array(R);
  const label = new Uint32Array(R);
  const ancestor = new Int32Array(R).fill(-1);
  const idom = new Uint32Array(R);
  const bucketHead = new Int32Array(R).fill(-1);
  const bucketNext = new Int32Array(R).fill(-1);
  const cstack = new Uint32Array(R);
  for (let i = 0; i < R; i++) { semi[i] = i; label[i] = i; }

  const evaluate = (v) => {
    if (ancestor[v] < 0) return v;
    // compress(v), iteratively: climb while the ancestor has an ancestor, then fix labels top-down.
    let top = 0;
    let x = v;
    while (ancestor[ancestor[x]] >= 0) { cstack[top++] = x; x = ancestor[x]; }
    while (top > 0) {
      x = cstack[--top];
      const a = ancestor[x];
      if (semi[label[a]] < semi[label[x]]) label[x] = label[a];
      ancestor[x] = ancestor[a];
    }
    return label[v];
  };

  for (let w = R - 1; w >= 1; w--) {
    for (let k = predStart[w]; k < predStart[w + 1]; k++) {
      const u = evaluate(preds[k]);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    const s = semi[w];
    bucketNext[w] = bucketHead[s];
    bucketHead[s] = w;
    const p = parent[w];
    ancestor[w] = p;
    for (let v = bucketHead[p]; v >= 0; v = bucketNext[v]) {
      const u = evaluate(v);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let w = 1; w < R; w++) {
    if (idom[w] !== semi[w]) idom[w] = idom[idom[w]];
  }
  idom[0] = 0;

  const retained = new Float64Array(R);
  for (let i = 0; i < R; i++) retained[i] = g.selfSize[order[i]];
  for (let i = R - 1; i >= 1; i--) retained[idom[i]] += retained[i];

  return { dfn, order, idom, retained, reachableCount: R };
}

/** Retained size of a node (0 when unreachable from the root). */
export function retainedSize(dom, node) {
  const d = dom.dfn[node];
  return d < 0 ? 0 : dom.retained[d];
}

/** The node's immediate dominator (a node index), or -1 for the root and unreachable nodes. */
export function immediateDominator(dom, node) {
  const d = dom.dfn[node];
  return d <= 0 ? -1 : dom.order[dom.idom[d]];
}

/** Every node the target dominates, the target included (its retained set). */
export function dominatedNodes(dom, node) {
  const t = dom.dfn[node];
  if (t < 0) return [];
  const R = dom.reachableCount;
  const inside = new Uint8Array(R);
  inside[t] = 1;
  const out = [node];
  // Dominated nodes are DFS-tree descendants, so they have larger DFS numbers, and idom[i] < i.
  for (let i = t + 1; i < R; i++) {
    if (inside[dom.idom[i]]) { inside[i] = 1; out.push(dom.order[i]); }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reachability (the definition itself; slow but obviously right, used to cross-check)

/** Mark of nodes reachable from the root over essential edges, never entering `cut` (-1: none). */
export function reachableFromRoot(g, cut = -1) {
  const seen = new Uint8Array(g.nodeCount);
  const queue = new Uint32Array(g.nodeCount);
  let head = 0;
  let tail = 0;
  seen[g.rootIndex] = 1;
  queue[tail++] = g.rootIndex;
  while (head < tail) {
    const v = queue[head++];
    for (let e = g.firstEdge[v]; e < g.firstEdge[v + 1]; e++) {
      if (!isEssential(g, v, e)) continue;
      const w = g.edgeTo[e];
      if (seen[w] || w === cut) continue;
      seen[w] = 1;
      queue[tail++] = w;
    }
  }
  return seen;
}

/**
 * Retained size by the definition: self sizes of the nodes reachable from the root that are no
 * longer reachable once `target` is removed. Pass `baseline` (reachableFromRoot(g)) to reuse it.
 */
export function retainedByCut(g, target, baseline = reachableFromRoot(g)) {
  if (target === g.rootIndex) {
    let all = 0;
    for (let i = 0; i < g.nodeCount; i++) if (baseline[i]) all += g.selfSize[i];
    return all;
  }
  if (!baseline[target]) return 0;
  const after = reachableFromRoot(g, target);
  let bytes = 0;
  for (let i = 0; i < g.nodeCount; i++) if (baseline[i] && !after[i]) bytes += g.selfSize[i];
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Debugging views

/**
 * Group nodes by (snapshot node type, name) with counts and self sizes, biggest first.
 * Names of string nodes are their contents, so strings group by type only (name '(string)').
 */
export function summarizeNodes(g, nodes) {
  const groups = new Map();
  for (const i of nodes) {
    const type = nodeTypeName(g, i);
    const name = groupName(g, i, type);
    const key = type + '\u0000' + name;
    let row = groups.get(key);
    if (row === undefined) { row = { type, name, count: 0, selfBytes: 0 }; groups.set(key, row); }
    row.count++;
    row.selfBytes += g.selfSize[i];
  }
  return [...groups.values()].sort((a, b) => b.selfBytes - a.selfBytes || b.count - a.count);
}

function groupName(g, i, type) {
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(' + type + ')';
  if (type === 'number') return '(heap number)';
  const name = nodeNameOf(g, i);
  return name.length > 60 ? name.slice(0, 57) + '...' : name;
}

/** One line per retained node: type, name (strings abbreviated), self size; in DFS order. */
export function describeNodes(g, nodes, limit = Infinity) {
  const out = [];
  for (const i of nodes) {
    if (out.length >= limit) { out.push(`... ${nodes.length - limit} more`); break; }
    let name = nodeNameOf(g, i);
    name = JSON.stringify(name.length > 40 ? name.slice(0, 37) + '...' : name);
    out.push(`${nodeTypeName(g, i)} ${name} ${g.selfSize[i]}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Holding targets so the snapshot can find them

let holderSerial = 0;

/** The class whose instance holds the targets; its name is what the snapshot search looks for. */
class MemsizeSnapshotHolder {}

/**
 * Hold `targets` (name -> value; names must not look like array indices) in an instance of
 * MemsizeSnapshotHolder, take a snapshot and locate each target's node by the holder's property
 * edges. The holder also carries a token string unique to this call, so a stale holder from an
 * earlier call (or another copy of this module) cannot be confused with this one.
 *
 * Returns { graph, dom, holder, nodes: Map<name, node index> }; values that are not heap
 * objects (Smis) have no node and are absent from `nodes`.
 */
export function snapshotTargets(targets) {
  // Flattened (a template literal makes a cons string, whose snapshot name is not its text).
  const token = JSON.parse(JSON.stringify(`memsize-holder-token-${process.pid}-${++holderSerial}-${Date.now()}`));
  const holder = new MemsizeSnapshotHolder();
  holder.memsizeHolderToken = token;
  for (const [name, value] of Object.entries(targets)) {
    if (/^(0|[1-9][0-9]*)$/.test(name)) throw new Error(`target name ${name} looks like an array index`);
    if (name === 'memsizeHolderToken') throw new Error('target name memsizeHolderToken is reserved');
    holder[name] = value;
  }
  const graph = takeHeapGraph();
  keepAlive(holder);
  const found = findNodes(graph, 'MemsizeSnapshotHolder', 'object').filter((h) => {
    const t = childByEdgeName(graph, h, 'memsizeHolderToken');
    return t >= 0 && nodeNameOf(graph, t) === token;
  });
  if (found.length !== 1) throw new Error(`expected one MemsizeSnapshotHolder node with token ${token}, found ${found.length}`);
  const holderNode = found[0];
  const nodes = new Map();
  for (const name of Object.keys(targets)) {
    const node = childByEdgeName(graph, holderNode, name);
    if (node >= 0) nodes.set(name, node);
  }
  const dom = computeDominators(graph);
  return { graph, dom, holder: holderNode, nodes };
}

let sink;
function keepAlive(value) { sink = value; sink = undefined; }
