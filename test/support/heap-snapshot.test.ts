// Checks the ground-truth tool itself: the snapshot parser reads field positions from `meta`, and
// dominator-based retained sizes equal the definition (cut the node, see what is lost).
import { describe, expect, it } from 'vitest';
import {
  computeDominators,
  dominatedNodes,
  measureRetained,
  parseHeapSnapshot,
  reachableFromRoot,
  retainedByCut,
  retainedSize,
  immediateDominator,
  type HeapGraph,
} from './heap-snapshot.js';

interface FakeEdge { from: number; to: number; type?: string }

/**
 * A hand-made .heapsnapshot with node and edge fields in an unusual order plus an extra field,
 * so a parser that assumed V8's usual offsets would misread it.
 */
function fakeSnapshot(selfSizes: number[], edges: FakeEdge[]): Buffer {
  const nodeFields = ['id', 'edge_count', 'extra', 'self_size', 'name', 'type'];
  const edgeFields = ['to_node', 'type', 'name_or_index'];
  const nodeTypes = ['hidden', 'object', 'synthetic'];
  const edgeTypes = ['element', 'property', 'weak', 'shortcut', 'hidden', 'internal'];
  const strings = ['', 'root', 'n'];
  const nodes: number[] = [];
  for (let i = 0; i < selfSizes.length; i++) {
    const count = edges.filter((e) => e.from === i).length;
    nodes.push(i * 2 + 1, count, 7, selfSizes[i] ?? 0, i === 0 ? 1 : 2, i === 0 ? 2 : 1);
  }
  const flatEdges: number[] = [];
  for (let i = 0; i < selfSizes.length; i++) {
    for (const e of edges.filter((x) => x.from === i)) {
      flatEdges.push(e.to * nodeFields.length, edgeTypes.indexOf(e.type ?? 'element'), flatEdges.length);
    }
  }
  const doc = {
    snapshot: {
      meta: {
        node_fields: nodeFields,
        node_types: ['number', 'number', 'number', 'number', 'string', nodeTypes],
        edge_fields: edgeFields,
        edge_types: ['node', edgeTypes, 'string_or_number'],
      },
      node_count: selfSizes.length,
      edge_count: flatEdges.length / edgeFields.length,
    },
    nodes,
    edges: flatEdges,
    locations: [],
    strings,
  };
  // V8 writes one record per line; mimic that so the byte parser sees newlines too.
  return Buffer.from(JSON.stringify(doc).replace(/,(?=\d)/g, ',\n'));
}

/** Deterministic pseudo-random graph (a linear congruential generator with a fixed seed). */
function generatedGraph(nodeCount: number, edgeCount: number, seed: number): { sizes: number[]; edges: FakeEdge[] } {
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const sizes = Array.from({ length: nodeCount }, (_, i) => (i === 0 ? 0 : 8 + 8 * next(10)));
  const edges: FakeEdge[] = [];
  for (let i = 1; i < nodeCount; i += 7) edges.push({ from: 0, to: i });
  for (let k = 0; k < edgeCount; k++) {
    const r = next(20);
    edges.push({ from: next(nodeCount), to: 1 + next(nodeCount - 1), type: r === 0 ? 'weak' : r === 1 ? 'shortcut' : 'property' });
  }
  return { sizes, edges };
}

function assertDominatorsMatchCut(g: HeapGraph): void {
  const dom = computeDominators(g);
  const baseline = reachableFromRoot(g);
  for (let i = 1; i < g.nodeCount; i++) {
    expect(retainedSize(dom, i), `node ${i}`).toBe(retainedByCut(g, i, baseline));
  }
}

describe('parseHeapSnapshot', () => {
  it('reads field positions from meta, not from fixed offsets', () => {
    const g = parseHeapSnapshot(fakeSnapshot([0, 10, 20, 30], [{ from: 0, to: 1 }, { from: 1, to: 2 }, { from: 1, to: 3, type: 'weak' }]));
    expect(g.nodeCount).toBe(4);
    expect([...g.selfSize]).toEqual([0, 10, 20, 30]);
    expect([...g.nodeId]).toEqual([1, 3, 5, 7]);
    expect(g.nodeTypeNames[g.nodeType[0] ?? -1]).toBe('synthetic');
    expect([...g.edgeTo]).toEqual([1, 2, 3]);
    expect(g.edgeTypeNames[g.edgeType[2] ?? -1]).toBe('weak');
    expect([...g.firstEdge]).toEqual([0, 1, 3, 3, 3]);
  });
});

describe('computeDominators', () => {
  it('gives a diamond\'s join node to the root, not to either branch', () => {
    // 0 -> 1 -> {2, 3} -> 4; 1 dominates everything below it, 2 and 3 dominate only themselves.
    const g = parseHeapSnapshot(fakeSnapshot([0, 1, 10, 100, 1000], [
      { from: 0, to: 1 }, { from: 1, to: 2 }, { from: 1, to: 3 }, { from: 2, to: 4 }, { from: 3, to: 4 },
    ]));
    const dom = computeDominators(g);
    expect(retainedSize(dom, 1)).toBe(1111);
    expect(retainedSize(dom, 2)).toBe(10);
    expect(retainedSize(dom, 3)).toBe(100);
    expect(immediateDominator(dom, 4)).toBe(1);
  });

  it('ignores weak edges and shortcut edges out of the root', () => {
    // 3 is reachable only through a weak edge: unreachable. 2 is reached by a root shortcut and
    // by 1: only 1's path counts, so 1 retains 2.
    const g = parseHeapSnapshot(fakeSnapshot([0, 1, 10, 100], [
      { from: 0, to: 1 }, { from: 0, to: 2, type: 'shortcut' }, { from: 1, to: 2 }, { from: 2, to: 3, type: 'weak' },
    ]));
    const dom = computeDominators(g);
    expect(retainedSize(dom, 1)).toBe(11);
    expect(retainedSize(dom, 3)).toBe(0);
    expect(dom.reachableCount).toBe(3);
  });

  it('handles cycles: a ring hanging off one node is retained by it', () => {
    const g = parseHeapSnapshot(fakeSnapshot([0, 1, 2, 4, 8], [
      { from: 0, to: 1 }, { from: 1, to: 2 }, { from: 2, to: 3 }, { from: 3, to: 4 }, { from: 4, to: 2 },
    ]));
    const dom = computeDominators(g);
    expect(retainedSize(dom, 1)).toBe(15);
    expect(retainedSize(dom, 2)).toBe(14);
    expect(dominatedNodes(dom, 2).sort()).toEqual([2, 3, 4]);
  });

  it('agrees with the cut-and-recount definition on generated graphs', () => {
    for (const [nodes, edges, seed] of [[60, 90, 1], [200, 260, 2], [200, 500, 3], [400, 420, 4]] as const) {
      const { sizes, edges: list } = generatedGraph(nodes, edges, seed);
      assertDominatorsMatchCut(parseHeapSnapshot(fakeSnapshot(sizes, list)));
    }
  });
});

describe('measureRetained', () => {
  class Row { constructor(readonly id: number, readonly label: string) {} }
  const rows = (n: number, from: number): Row[] => {
    const out = new Array<Row>(n);
    for (let i = 0; i < n; i++) out[i] = new Row(from + i, `row-${from + i}`);
    return out;
  };
  const shared = rows(500, 1e6);

  it('finds targets in a real snapshot and agrees with the definition', () => {
    const m = measureRetained({
      rows1000: rows(1000, 100_000),
      rows2000: rows(2000, 200_000),
      rows3000: rows(3000, 300_000),
      sharer: { own: rows(100, 30_000), shared },
      alsoShared: { shared },
      weakHolder: { ref: new WeakRef(rows(50, 40_000)), keep: shared },
    });
    const r = (name: string): number => m.targets.get(name)?.retainedBytes ?? NaN;
    // Linear growth: equal steps per 1000 distinct rows.
    expect(r('rows2000') - r('rows1000')).toBeGreaterThan(0);
    expect(r('rows3000') - r('rows2000')).toBe(r('rows2000') - r('rows1000'));
    // Each row is an object plus its string: at least 1000 * (object header + 2 fields + string).
    expect(r('rows1000')).toBeGreaterThan(1000 * 48);
    // The shared array is held by two targets (and this closure): neither retains it.
    const sharedRetained = measureRetained({ shared }).targets.get('shared')?.retainedBytes ?? NaN;
    expect(sharedRetained).toBeGreaterThan(500 * 48);
    expect(r('sharer')).toBeLessThan(sharedRetained);
    expect(r('alsoShared')).toBeLessThan(500 * 48);
    expect(m.groups('alsoShared').some((x) => x.name === 'Row')).toBe(false);
    // A WeakRef does not retain its 50 rows (the holder may retain its own hidden class).
    expect(r('weakHolder')).toBeLessThan(50 * 48);
    expect(m.groups('weakHolder').some((x) => x.name === 'Row')).toBe(false);

    const baseline = reachableFromRoot(m.graph);
    for (const [name, truth] of m.targets) {
      expect(retainedByCut(m.graph, truth.node, baseline), name).toBe(truth.retainedBytes);
    }
    const groups = m.groups('rows1000');
    expect(groups.find((x) => x.name === 'Row')?.count).toBe(1000);
    expect(groups.reduce((a, x) => a + x.selfBytes, 0)).toBe(r('rows1000'));
  });
});
