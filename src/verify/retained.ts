/**
 * Retained sizes of chosen values in a heap snapshot of this process: hold the values in one
 * holder object, take ONE snapshot, find the holder by a token unique to the call, follow its
 * property edges to the values, and read each value's retained size, retained node count and
 * per-type breakdown off the dominator tree.
 *
 * Two per-type views of a retained set: by snapshot node (type, name), as DevTools shows it, and
 * by memsize's own `type` labels (constructor name, 'string', 'number', ...), where a V8-internal
 * node (a backing store, a hidden class, code) counts under the label of the nearest JavaScript
 * value that dominates it, so the two figures can be compared type by type.
 */
import { sanitizeTypeName } from '../size/classify.js';
import { computeDominators, type Dominators } from './dominators.js';
import { childByEdgeName, findNodes, nodeNameOf, nodeTypeName, takeHeapGraph, type HeapGraph, type SnapshotReadStats } from './heap-graph.js';

/** Nodes of one snapshot (type, name) group: how many and their total self size. */
export interface NodeGroup { type: string; name: string; count: number; selfBytes: number }

/** Bytes and nodes of a retained set under one memsize type label. */
export interface LabelTotal { bytes: number; objects: number }

/** What the snapshot says about one target value. */
export interface RetainedTruth {
  /** Snapshot node index of the target. */
  node: number;
  /** Snapshot node type of the target ('object', 'string', 'closure', ...). */
  nodeType: string;
  /** Snapshot node name of the target (constructor name for objects). */
  nodeName: string;
  /** The target's own self_size. */
  selfBytes: number;
  /** V8's retained size of the target, in bytes. */
  retainedBytes: number;
  /** Number of nodes in the retained set (the target included). */
  retainedNodes: number;
}

/** Where {@link snapshotTargets} found the targets. */
export interface SnapshotTargets {
  graph: HeapGraph;
  dom: Dominators;
  /** The holder's node index. */
  holder: number;
  /** Target name -> node index (absent for values that are not heap objects, such as Smis). */
  nodes: Map<string, number>;
  /** Snapshot write and parse cost. */
  stats: SnapshotReadStats;
}

let holderSerial = 0;

/** The class whose instance holds the targets; its name is what the snapshot search looks for. */
class MemsizeSnapshotHolder {
  memsizeHolderToken = '';
}

/** Property names of the holder that would be element edges, or clash with the token. */
function assertTargetName(name: string): void {
  if (/^(0|[1-9][0-9]*)$/.test(name)) throw new Error(`target name ${name} looks like an array index`);
  if (name === 'memsizeHolderToken') throw new Error('target name memsizeHolderToken is reserved');
}

/**
 * Hold `targets` (name -> value; names must not look like array indices) in an instance of
 * MemsizeSnapshotHolder, take a snapshot and locate each target's node by the holder's property
 * edges. The token string unique to this call keeps a stale holder from an earlier call (or
 * another copy of this module) from being taken for this one. The holder is dropped on return:
 * nothing here keeps a target alive afterwards.
 */
export function snapshotTargets(targets: Record<string, unknown>): SnapshotTargets {
  // Flattened (a template literal makes a cons string, whose snapshot name is not its text).
  const token = JSON.parse(JSON.stringify(`memsize-holder-token-${process.pid}-${++holderSerial}-${Date.now()}`)) as string;
  let holder: MemsizeSnapshotHolder | undefined = new MemsizeSnapshotHolder();
  holder.memsizeHolderToken = token;
  const names = Object.keys(targets);
  for (const name of names) {
    assertTargetName(name);
    (holder as unknown as Record<string, unknown>)[name] = targets[name];
  }
  const stats: SnapshotReadStats = { fileBytes: 0, writeMs: 0, parseMs: 0 };
  const graph = takeHeapGraph(stats);
  keepAlive(holder);
  holder = undefined;
  const found = findNodes(graph, 'MemsizeSnapshotHolder', 'object').filter((h) => {
    const t = childByEdgeName(graph, h, 'memsizeHolderToken');
    return t >= 0 && nodeNameOf(graph, t) === token;
  });
  if (found.length !== 1) throw new Error(`expected one MemsizeSnapshotHolder node with token ${token}, found ${found.length}`);
  const holderNode = found[0]!;
  const nodes = new Map<string, number>();
  for (const name of names) {
    const node = childByEdgeName(graph, holderNode, name);
    if (node >= 0) nodes.set(name, node);
  }
  const dom = computeDominators(graph);
  return { graph, dom, holder: holderNode, nodes, stats };
}

let sink: unknown;
/** Keep a value reachable up to this call (the snapshot must see the holder). */
function keepAlive(value: unknown): void { sink = value; sink = undefined; }

/** The truth for one found target. */
export function truthOf(graph: HeapGraph, dom: Dominators, node: number, retainedNodes: number): RetainedTruth {
  const d = dom.dfn[node] ?? -1;
  return {
    node,
    nodeType: nodeTypeName(graph, node),
    nodeName: nodeNameOf(graph, node),
    selfBytes: graph.selfSize[node] ?? 0,
    retainedBytes: d < 0 ? 0 : dom.retained[d]!,
    retainedNodes,
  };
}

// ---------------------------------------------------------------------------------------------
// Breakdowns

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

/** memsize's `type` label for a snapshot node, or null for a V8-internal node (no JavaScript value). */
export function memsizeLabelOf(graph: HeapGraph, node: number): string | null {
  const type = nodeTypeName(graph, node);
  if (STRING_TYPES.has(type)) return 'string';
  switch (type) {
    case 'number': return 'number';
    case 'bigint': return 'bigint';
    case 'symbol': return 'symbol';
    case 'closure': return 'Function';
    case 'regexp': return 'RegExp';
    case 'object': {
      const name = nodeNameOf(graph, node);
      if (name.startsWith('system /')) return null;
      const clean = sanitizeTypeName(name);
      return clean === '' ? 'Object' : clean;
    }
    default: return null;
  }
}

function groupName(graph: HeapGraph, node: number, type: string): string {
  if (STRING_TYPES.has(type)) return `(${type})`;
  if (type === 'number') return '(heap number)';
  const name = nodeNameOf(graph, node);
  return name.length > 60 ? name.slice(0, 57) + '...' : name;
}

/**
 * Group nodes by (snapshot node type, name) with counts and self sizes, biggest first.
 * Names of string nodes are their contents, so strings group by type only (name '(string)').
 */
export function summarizeNodes(graph: HeapGraph, nodes: Iterable<number>): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  for (const i of nodes) {
    const type = nodeTypeName(graph, i);
    const name = groupName(graph, i, type);
    const key = type + '\u0000' + name;
    let row = groups.get(key);
    if (row === undefined) { row = { type, name, count: 0, selfBytes: 0 }; groups.set(key, row); }
    row.count++;
    row.selfBytes += graph.selfSize[i] ?? 0;
  }
  return [...groups.values()].sort((a, b) => b.selfBytes - a.selfBytes || b.count - a.count);
}

/** One line per node: type, name (strings abbreviated), self size; in the given order. */
export function describeNodes(graph: HeapGraph, nodes: readonly number[], limit = Infinity): string[] {
  const out: string[] = [];
  for (const i of nodes) {
    if (out.length >= limit) { out.push(`... ${nodes.length - limit} more`); break; }
    let name = nodeNameOf(graph, i);
    name = JSON.stringify(name.length > 40 ? name.slice(0, 37) + '...' : name);
    out.push(`${nodeTypeName(graph, i)} ${name} ${graph.selfSize[i] ?? 0}`);
  }
  return out;
}

/** Everything about one target's retained set, computed for all targets in one pass. */
export interface RetainedBreakdown extends RetainedTruth {
  /** By snapshot node (type, name), biggest first. */
  groups: NodeGroup[];
  /** By memsize type label (internal nodes under their nearest dominating JavaScript value's label). */
  labels: Map<string, LabelTotal>;
}

/**
 * Retained size, node count and both per-type views of every target, in ONE pass over the
 * dominator tree (not one pass per target). A target inside another target's retained set is
 * counted in both, as each retained set stands alone.
 */
export function breakdownTargets(graph: HeapGraph, dom: Dominators, targets: ReadonlyMap<string, number>): Map<string, RetainedBreakdown> {
  const R = dom.reachableCount;
  const names = [...targets.keys()];
  const targetAt = new Int32Array(R).fill(-1); // dfn -> target index
  for (let t = 0; t < names.length; t++) {
    const d = dom.dfn[targets.get(names[t]!)!] ?? -1;
    if (d > 0) targetAt[d] = t;
  }
  const owner = new Int32Array(R).fill(-1); // dfn -> innermost target whose retained set holds it
  const labelNode = new Int32Array(R).fill(-1); // dfn -> dfn of the nearest dominating JS value
  const enclosing = new Int32Array(names.length).fill(-1); // target -> the target that dominates it
  const groupMaps = names.map(() => new Map<string, NodeGroup>());
  const labelMaps = names.map(() => new Map<string, LabelTotal>());
  const counts = new Float64Array(names.length);
  const labelCache = new Map<number, string | null>(); // per node-name string index, for objects
  for (let i = 1; i < R; i++) {
    const up = dom.idom[i]!;
    const t0 = targetAt[i]!;
    if (t0 >= 0) {
      enclosing[t0] = owner[up]!;
      owner[i] = t0;
    } else {
      owner[i] = owner[up]!;
    }
    const t = owner[i]!;
    if (t < 0) continue;
    const node = dom.order[i]!;
    const nameKey = graph.nodeName[node]! * 256 + graph.nodeType[node]!;
    let label = labelCache.get(nameKey);
    if (label === undefined) { label = memsizeLabelOf(graph, node); labelCache.set(nameKey, label); }
    // Inside a target, every node has a labelled dominator: the target itself at worst.
    labelNode[i] = label !== null || t0 >= 0 ? i : labelNode[up]!;
    const labelled = labelNode[i]!;
    const labelText = labelled < 0 ? '(internal)' : (labelCache.get(graph.nodeName[dom.order[labelled]!]! * 256 + graph.nodeType[dom.order[labelled]!]!) ?? '(internal)');
    const type = nodeTypeName(graph, node);
    const gName = groupName(graph, node, type);
    const key = type + '\u0000' + gName;
    const self = graph.selfSize[node]!;
    for (let x = t; x >= 0; x = enclosing[x]!) {
      counts[x]!++;
      const groups = groupMaps[x]!;
      let row = groups.get(key);
      if (row === undefined) { row = { type, name: gName, count: 0, selfBytes: 0 }; groups.set(key, row); }
      row.count++;
      row.selfBytes += self;
      const labels = labelMaps[x]!;
      let total = labels.get(labelText);
      if (total === undefined) { total = { bytes: 0, objects: 0 }; labels.set(labelText, total); }
      total.bytes += self;
      total.objects++;
    }
  }
  const out = new Map<string, RetainedBreakdown>();
  for (let t = 0; t < names.length; t++) {
    const name = names[t]!;
    const node = targets.get(name)!;
    const truth = truthOf(graph, dom, node, counts[t]!);
    out.set(name, {
      ...truth,
      groups: [...groupMaps[t]!.values()].sort((a, b) => b.selfBytes - a.selfBytes || b.count - a.count),
      labels: labelMaps[t]!,
    });
  }
  return out;
}

/** Every found target's breakdown from one snapshot; see {@link breakdownTargets}. */
export function measureTargets(targets: Record<string, unknown>): { snapshot: SnapshotTargets; targets: Map<string, RetainedBreakdown> } {
  const snapshot = snapshotTargets(targets);
  return { snapshot, targets: breakdownTargets(snapshot.graph, snapshot.dom, snapshot.nodes) };
}

