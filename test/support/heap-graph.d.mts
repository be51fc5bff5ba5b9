// Types for heap-graph.mjs (plain JavaScript so that bench/layout-probe.mjs can run it on Node 20).

/** A V8 heap snapshot as flat typed arrays. Node and edge indices are ordinals (not field offsets). */
export interface HeapGraph {
  nodeCount: number;
  edgeCount: number;
  /** meta.node_types[type field]: 'hidden', 'array', 'string', 'object', 'code', 'closure', ... */
  nodeTypeNames: string[];
  /** meta.edge_types[type field]: 'context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'. */
  edgeTypeNames: string[];
  strings: string[];
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Float64Array;
  selfSize: Float64Array;
  /** 0 when the snapshot has no detachedness field. */
  detachedness: Uint8Array;
  /** Edges of node i are firstEdge[i] .. firstEdge[i + 1] - 1. */
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  /** String index, or the element/hidden index for element and hidden edges. */
  edgeName: Uint32Array;
  /** Target node ordinal. */
  edgeTo: Uint32Array;
  rootIndex: number;
  weakEdgeType: number;
  shortcutEdgeType: number;
  elementEdgeType: number;
  hiddenEdgeType: number;
}

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

export interface NodeGroup { type: string; name: string; count: number; selfBytes: number }
export interface EdgeView { type: string; name: string | number; to: number; toType: string; toName: string; toSelf: number }
export interface SnapshotTargets {
  graph: HeapGraph;
  dom: Dominators;
  /** The holder's node index. */
  holder: number;
  /** Target name -> node index (absent for values that are not heap objects, such as Smis). */
  nodes: Map<string, number>;
}

export function takeHeapGraph(): HeapGraph;
export function parseHeapSnapshot(buf: Uint8Array): HeapGraph;
export function nodeTypeName(g: HeapGraph, node: number): string;
export function nodeNameOf(g: HeapGraph, node: number): string;
export function edgeTypeName(g: HeapGraph, edge: number): string;
export function edgeNameOf(g: HeapGraph, edge: number): string | number;
export function findNodes(g: HeapGraph, name: string, type?: string): number[];
export function childByEdgeName(g: HeapGraph, from: number, name: string | number): number;
export function edgesOf(g: HeapGraph, from: number): EdgeView[];
export function computeDominators(g: HeapGraph): Dominators;
export function retainedSize(dom: Dominators, node: number): number;
export function immediateDominator(dom: Dominators, node: number): number;
export function dominatedNodes(dom: Dominators, node: number): number[];
export function reachableFromRoot(g: HeapGraph, cut?: number): Uint8Array;
export function retainedByCut(g: HeapGraph, target: number, baseline?: Uint8Array): number;
export function summarizeNodes(g: HeapGraph, nodes: Iterable<number>): NodeGroup[];
export function describeNodes(g: HeapGraph, nodes: readonly number[], limit?: number): string[];
export function snapshotTargets(targets: Record<string, unknown>): SnapshotTargets;
