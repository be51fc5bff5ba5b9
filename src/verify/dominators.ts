/**
 * Retained sizes from a heap graph: the dominator tree over "essential" edges and, read off it,
 * every node's retained size. Pure functions of a {@link HeapGraph}; no I/O, no user code.
 *
 * Retained size: the total self_size of the nodes that become unreachable from the snapshot's
 * root when the target node is cut off, weak edges ignored. That set is exactly the set of nodes
 * the target dominates, so one Lengauer-Tarjan pass gives the retained size of every node at
 * once. `retainedByCut` computes the same figure the slow, obviously-correct way (two
 * reachability passes); test/support/heap-snapshot.test.ts checks that both agree.
 *
 * Edge policy (as Chrome DevTools' "essential edges"): weak edges are ignored everywhere, and so
 * are `shortcut` edges leaving the synthetic root (they duplicate paths that the root's
 * "(GC roots)" subtree already provides, e.g. root -> global object).
 */
import type { HeapGraph } from './heap-graph.js';

/** Dominator tree over the nodes reachable from the root (essential edges only). */
export interface Dominators {
  /** Node -> DFS number, -1 when unreachable. */
  dfn: Int32Array;
  /** DFS number -> node. */
  order: Uint32Array;
  /** DFS number -> DFS number of the immediate dominator (0 for the root). */
  idom: Uint32Array;
  /** DFS number -> retained size in bytes. */
  retained: Float64Array;
  reachableCount: number;
}

function isEssential(g: HeapGraph, from: number, e: number): boolean {
  const t = g.edgeType[e];
  if (t === g.weakEdgeType) return false;
  if (from === g.rootIndex && t === g.shortcutEdgeType) return false;
  return true;
}

/**
 * Dominator tree of the snapshot graph from the root over essential edges, and every reachable
 * node's retained size ("simple" Lengauer-Tarjan with iterative path compression). Arrays in
 * DFS-number space are indexed by dfn[node]; use {@link retainedSize} / {@link dominatedNodes}.
 */
export function computeDominators(g: HeapGraph): Dominators {
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
  stackEdge[sp++] = firstEdge[g.rootIndex]!;
  while (sp > 0) {
    const v = stackNode[sp - 1]!;
    const e = stackEdge[sp - 1]!;
    if (e >= firstEdge[v + 1]!) { sp--; continue; }
    stackEdge[sp - 1] = e + 1;
    if (!isEssential(g, v, e)) continue;
    const w = edgeTo[e]!;
    if (dfn[w]! >= 0) continue;
    dfn[w] = n;
    parent[n] = dfn[v]!;
    order[n++] = w;
    stackNode[sp] = w;
    stackEdge[sp++] = firstEdge[w]!;
  }
  const R = n; // reachable nodes

  // Predecessors in dfnum space (CSR), essential edges between reachable nodes.
  const predStart = new Uint32Array(R + 1);
  for (let i = 0; i < R; i++) {
    const v = order[i]!;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) {
      if (!isEssential(g, v, e)) continue;
      const w = dfn[edgeTo[e]!]!;
      if (w >= 0) predStart[w + 1]!++;
    }
  }
  for (let i = 0; i < R; i++) predStart[i + 1]! += predStart[i]!;
  const fill = predStart.slice(0, R);
  const preds = new Uint32Array(predStart[R]!);
  for (let i = 0; i < R; i++) {
    const v = order[i]!;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) {
      if (!isEssential(g, v, e)) continue;
      const w = dfn[edgeTo[e]!]!;
      if (w >= 0) preds[fill[w]!++] = i;
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

  const evaluate = (v: number): number => {
    if (ancestor[v]! < 0) return v;
    // compress(v), iteratively: climb while the ancestor has an ancestor, then fix labels top-down.
    let top = 0;
    let x = v;
    while (ancestor[ancestor[x]!]! >= 0) { cstack[top++] = x; x = ancestor[x]!; }
    while (top > 0) {
      x = cstack[--top]!;
      const a = ancestor[x]!;
      if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
      ancestor[x] = ancestor[a]!;
    }
    return label[v]!;
  };

  for (let w = R - 1; w >= 1; w--) {
    for (let k = predStart[w]!; k < predStart[w + 1]!; k++) {
      const u = evaluate(preds[k]!);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    const s = semi[w]!;
    bucketNext[w] = bucketHead[s]!;
    bucketHead[s] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v >= 0; v = bucketNext[v]!) {
      const u = evaluate(v);
      idom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let w = 1; w < R; w++) {
    if (idom[w] !== semi[w]) idom[w] = idom[idom[w]!]!;
  }
  idom[0] = 0;

  const retained = new Float64Array(R);
  for (let i = 0; i < R; i++) retained[i] = g.selfSize[order[i]!]!;
  for (let i = R - 1; i >= 1; i--) retained[idom[i]!]! += retained[i]!;

  return { dfn, order, idom, retained, reachableCount: R };
}

/** Retained size of a node (0 when unreachable from the root). */
export function retainedSize(dom: Dominators, node: number): number {
  const d = dom.dfn[node] ?? -1;
  return d < 0 ? 0 : dom.retained[d]!;
}

/** The node's immediate dominator (a node index), or -1 for the root and unreachable nodes. */
export function immediateDominator(dom: Dominators, node: number): number {
  const d = dom.dfn[node] ?? -1;
  return d <= 0 ? -1 : dom.order[dom.idom[d]!]!;
}

/** Every node the target dominates, the target included (its retained set), in DFS order. */
export function dominatedNodes(dom: Dominators, node: number): number[] {
  const t = dom.dfn[node] ?? -1;
  if (t < 0) return [];
  const R = dom.reachableCount;
  const inside = new Uint8Array(R);
  inside[t] = 1;
  const out = [node];
  // Dominated nodes are DFS-tree descendants, so they have larger DFS numbers, and idom[i] < i.
  for (let i = t + 1; i < R; i++) {
    if (inside[dom.idom[i]!]) { inside[i] = 1; out.push(dom.order[i]!); }
  }
  return out;
}

/** Mark of nodes reachable from the root over essential edges, never entering `cut` (-1: none). */
export function reachableFromRoot(g: HeapGraph, cut = -1): Uint8Array {
  const seen = new Uint8Array(g.nodeCount);
  const queue = new Uint32Array(g.nodeCount);
  let head = 0;
  let tail = 0;
  seen[g.rootIndex] = 1;
  queue[tail++] = g.rootIndex;
  while (head < tail) {
    const v = queue[head++]!;
    for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++) {
      if (!isEssential(g, v, e)) continue;
      const w = g.edgeTo[e]!;
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
export function retainedByCut(g: HeapGraph, target: number, baseline: Uint8Array = reachableFromRoot(g)): number {
  if (target === g.rootIndex) {
    let all = 0;
    for (let i = 0; i < g.nodeCount; i++) if (baseline[i]) all += g.selfSize[i]!;
    return all;
  }
  if (!baseline[target]) return 0;
  const after = reachableFromRoot(g, target);
  let bytes = 0;
  for (let i = 0; i < g.nodeCount; i++) if (baseline[i] && !after[i]) bytes += g.selfSize[i]!;
  return bytes;
}
