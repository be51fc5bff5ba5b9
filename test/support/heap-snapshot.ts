/**
 * Ground truth for the size model: V8's own retained sizes, from a heap snapshot of this process.
 *
 * The snapshot reader, the dominator tree and the target search are the library's own
 * (src/verify/), the same code `memsize.verify()` runs; this module is the typed entry the test
 * suites use, plus `measureRetained`, the calibration suite's view of it.
 *
 * Retained size = total self_size of the nodes that become unreachable from the snapshot's root
 * when the target is cut off, weak edges (and the root's shortcut edges) ignored. It is read off
 * a dominator tree built once per snapshot (Lengauer-Tarjan), so any number of targets costs
 * one pass; `retainedByCut` recomputes it from the definition, and test/support/heap-snapshot.test.ts
 * checks that both agree.
 */
import { dominatedNodes, type Dominators } from '../../src/verify/dominators.js';
import type { HeapGraph } from '../../src/verify/heap-graph.js';
import { snapshotTargets, summarizeNodes, truthOf, type NodeGroup, type RetainedTruth } from '../../src/verify/retained.js';

export * from '../../src/verify/heap-graph.js';
export * from '../../src/verify/dominators.js';
export * from '../../src/verify/retained.js';

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
  for (const [name, node] of nodes) truths.set(name, truthOf(graph, dom, node, dominatedNodes(dom, node).length));
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
