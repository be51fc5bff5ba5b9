/**
 * Ground truth for the size model: V8's own retained sizes, from a heap snapshot of this process.
 *
 * The parsing and the dominator computation live in heap-graph.mjs (plain JavaScript, so the
 * `node bench/layout-probe.mjs` script shares them on Node 20); this module is the typed entry
 * the test suites use.
 *
 * Retained size = total self_size of the nodes that become unreachable from the snapshot's root
 * when the target is cut off, weak edges (and the root's shortcut edges) ignored. It is read off
 * a dominator tree built once per snapshot (Lengauer-Tarjan), so any number of targets costs
 * one pass; `retainedByCut` recomputes it from the definition, and test/support/heap-snapshot.test.ts
 * checks that both agree.
 */
import {
  snapshotTargets,
  retainedSize,
  dominatedNodes,
  summarizeNodes,
  nodeTypeName,
  nodeNameOf,
  type HeapGraph,
  type Dominators,
  type NodeGroup,
} from './heap-graph.mjs';

export * from './heap-graph.mjs';

/** What the snapshot says about one target. */
export interface RetainedTruth {
  /** Snapshot node index of the target. */
  node: number;
  /** Snapshot node type of the target ('object', 'string', 'closure', ...). */
  nodeType: string;
  /** Snapshot node name of the target (constructor name for objects). */
  nodeName: string;
  /** The target's own self_size. */
  selfBytes: number;
  /** V8's retained size of the target. */
  retainedBytes: number;
  /** Number of nodes in the retained set (the target included). */
  retainedNodes: number;
}

export interface RetainedMeasurement {
  graph: HeapGraph;
  dom: Dominators;
  /** One entry per target that is a heap object. */
  targets: Map<string, RetainedTruth>;
  /** How long the snapshot, its parse and the dominator tree took, in milliseconds. */
  snapshotMs: number;
  /** The retained set of a target grouped by snapshot node type and name, biggest first. */
  groups(name: string): NodeGroup[];
}

/**
 * Hold every target in one MemsizeSnapshotHolder, take ONE heap snapshot and report each
 * target's retained size. Target names must not look like array indices.
 */
export function measureRetained(targets: Record<string, unknown>): RetainedMeasurement {
  const started = performance.now();
  const { graph, dom, nodes } = snapshotTargets(targets);
  const snapshotMs = performance.now() - started;
  const truths = new Map<string, RetainedTruth>();
  for (const [name, node] of nodes) {
    truths.set(name, {
      node,
      nodeType: nodeTypeName(graph, node),
      nodeName: nodeNameOf(graph, node),
      selfBytes: graph.selfSize[node] ?? 0,
      retainedBytes: retainedSize(dom, node),
      retainedNodes: dominatedNodes(dom, node).length,
    });
  }
  return {
    graph,
    dom,
    targets: truths,
    snapshotMs,
    groups(name: string): NodeGroup[] {
      const node = nodes.get(name);
      return node === undefined ? [] : summarizeNodes(graph, dominatedNodes(dom, node));
    },
  };
}
