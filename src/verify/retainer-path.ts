/**
 * Readable retainer paths in a heap graph: from a snapshot node up to the first place a person
 * knows (a module-level variable or export, a closure's variable, a property of the global
 * object), with the properties, `#private` fields and elements on the way, for instance
 * `module app/cache.mjs › responseCache › #entries` or `(closure createLimiter) › hits`.
 * Pure functions of a {@link HeapGraph}; no I/O, no user code.
 *
 * What V8's snapshots show, and what this reads (checked on Node 20.20.2 to 26.12.1):
 * - a variable captured by a closure, or a module's top-level variable, is a `context` edge
 *   named after the variable from a `system / Context`. The context's `scope_info` is referenced
 *   by the `name_or_scope_info` edge of the SharedFunctionInfo of the function that made the
 *   scope (a code node named after the function); a module's context has an `extension` edge to
 *   its `system / SourceTextModule`, and every closure in it points (`shared` ›
 *   `script_or_debug_info`) at the Script, a code node named by the module's URL.
 * - an ES module's exported `let`/`const` lives in a `system / Cell`, held by the module's
 *   exports table: an array where the export's name (a string) sits just before its cell.
 * - a `#private` field is a `property` edge whose name starts with `#`.
 * - collections keep their entries in internal tables (`array` nodes); those hops are not
 *   named in the path (one `(entry)` step marks a Map or Set entry).
 */
import { edgeNameOf, nodeNameOf, nodeTypeName, type HeapGraph } from './heap-graph.js';

/** Retainers of every node: edge indices grouped by target node (CSR), weak edges left out. */
export interface Retainers {
  start: Uint32Array;
  edges: Uint32Array;
}

/** Build the retainer index (4 bytes per edge and per node). */
export function buildRetainers(g: HeapGraph): Retainers {
  const N = g.nodeCount;
  const start = new Uint32Array(N + 1);
  for (let e = 0; e < g.edgeCount; e++) if (g.edgeType[e] !== g.weakEdgeType) start[g.edgeTo[e]! + 1]!++;
  for (let i = 0; i < N; i++) start[i + 1]! += start[i]!;
  const edges = new Uint32Array(start[N]!);
  const fill = start.slice(0, N);
  for (let e = 0; e < g.edgeCount; e++) if (g.edgeType[e] !== g.weakEdgeType) edges[fill[g.edgeTo[e]!]!++] = e;
  return { start, edges };
}

/** The node an edge leaves from (binary search over firstEdge). */
export function edgeSource(g: HeapGraph, e: number): number {
  let lo = 0;
  let hi = g.nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (g.firstEdge[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Breadth-first depth of every node from the snapshot's root over non-weak edges (-1: unreachable). */
export function depthsFromRoot(g: HeapGraph): Int32Array {
  const depth = new Int32Array(g.nodeCount).fill(-1);
  const queue = new Uint32Array(g.nodeCount);
  let head = 0;
  let tail = 0;
  depth[g.rootIndex] = 0;
  queue[tail++] = g.rootIndex;
  while (head < tail) {
    const v = queue[head++]!;
    const d = depth[v]! + 1;
    for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++) {
      if (g.edgeType[e] === g.weakEdgeType) continue;
      const w = g.edgeTo[e]!;
      if (depth[w]! >= 0) continue;
      depth[w] = d;
      queue[tail++] = w;
    }
  }
  return depth;
}

/** What {@link retainerPath} needs besides the graph. */
export interface PathContext {
  graph: HeapGraph;
  retainers: Retainers;
  depth: Int32Array;
  /** Node of the global object (and its proxy), or -1: its properties are a known place. */
  globals: ReadonlySet<number>;
  /** Shortens a module URL for display (e.g. relative to the working directory). */
  moduleName(url: string): string;
}

/** A readable path: `steps[0]` is the known place (or `(unnamed)`), the rest lead to the node. */
export interface RetainerPath {
  steps: string[];
  /** True when the path starts at a known place; false when it gave up on the way. */
  named: boolean;
}

const MAX_STEPS = 24;

function child(g: HeapGraph, from: number, name: string): number {
  for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e++) if (g.edgeType[e] !== g.weakEdgeType && edgeNameOf(g, e) === name) return g.edgeTo[e]!;
  return -1;
}

function edgeType(g: HeapGraph, e: number): string {
  return g.edgeTypeNames[g.edgeType[e]!] ?? '?';
}

/** A JavaScript value's node (an object or function a user made), not a V8 internal. */
export function isJsNode(g: HeapGraph, n: number): boolean {
  const type = nodeTypeName(g, n);
  if (type === 'closure' || type === 'regexp') return true;
  return type === 'object' && !nodeNameOf(g, n).startsWith('system /');
}

/** The script URL of a closure (`shared` › `script_or_debug_info` or `script`), or ''. */
function scriptOfClosure(g: HeapGraph, closure: number): string {
  const shared = child(g, closure, 'shared');
  if (shared < 0) return '';
  let script = child(g, shared, 'script_or_debug_info');
  if (script < 0) script = child(g, shared, 'script');
  return script < 0 ? '' : nodeNameOf(g, script);
}

/** How a person knows a context: `module <url>` or `(closure <function>)`. */
function describeContext(c: PathContext, ctx: number): string {
  const g = c.graph;
  const isModule = child(g, ctx, 'extension') >= 0 && nodeNameOf(g, child(g, ctx, 'extension')) === 'system / SourceTextModule';
  let url = '';
  let ownerName = '';
  for (let i = c.retainers.start[ctx]!; i < c.retainers.start[ctx + 1]!; i++) {
    const e = c.retainers.edges[i]!;
    const from = edgeSource(g, e);
    if (url === '' && nodeTypeName(g, from) === 'closure' && edgeNameOf(g, e) === 'context') url = scriptOfClosure(g, from);
  }
  const scopeInfo = child(g, ctx, 'scope_info');
  if (scopeInfo >= 0) {
    for (let i = c.retainers.start[scopeInfo]!; i < c.retainers.start[scopeInfo + 1]!; i++) {
      const e = c.retainers.edges[i]!;
      if (edgeNameOf(g, e) !== 'name_or_scope_info') continue;
      ownerName = nodeNameOf(g, edgeSource(g, e));
      break;
    }
  }
  const previous = child(g, ctx, 'previous');
  const topLevel = previous >= 0 && nodeNameOf(g, previous) === 'system / NativeContext';
  // A CommonJS module's variables are the context of its anonymous wrapper function.
  if (isModule || (topLevel && ownerName === '' && url !== '')) return `module ${c.moduleName(url)}`;
  return ownerName === '' ? '(closure)' : `(closure ${ownerName})`;
}

/** The module URL of a SourceTextModule, through the context whose `extension` it is. */
function moduleUrl(c: PathContext, stm: number): string {
  const g = c.graph;
  for (let i = c.retainers.start[stm]!; i < c.retainers.start[stm + 1]!; i++) {
    const e = c.retainers.edges[i]!;
    if (edgeNameOf(g, e) !== 'extension') continue;
    const ctx = edgeSource(g, e);
    for (let k = c.retainers.start[ctx]!; k < c.retainers.start[ctx + 1]!; k++) {
      const f = c.retainers.edges[k]!;
      const from = edgeSource(g, f);
      if (nodeTypeName(g, from) === 'closure' && edgeNameOf(g, f) === 'context') {
        const url = scriptOfClosure(g, from);
        if (url !== '') return url;
      }
    }
  }
  return '';
}

/** For a Cell held by a module's exports table: `module <url> › <export>`, else null. */
function exportedBinding(c: PathContext, cell: number): string[] | null {
  const g = c.graph;
  for (let i = c.retainers.start[cell]!; i < c.retainers.start[cell + 1]!; i++) {
    const e = c.retainers.edges[i]!;
    const table = edgeSource(g, e);
    if (nodeTypeName(g, table) !== 'array') continue;
    const index = Number(edgeNameOf(g, e));
    if (!Number.isInteger(index) || index < 1) continue;
    // The export's name sits just before its cell in the table.
    const nameNode = child(g, table, String(index - 1));
    if (nameNode < 0 || !nodeTypeName(g, nameNode).includes('string')) continue;
    for (let k = c.retainers.start[table]!; k < c.retainers.start[table + 1]!; k++) {
      const stm = edgeSource(g, c.retainers.edges[k]!);
      if (nodeNameOf(g, stm) !== 'system / SourceTextModule') continue;
      const url = moduleUrl(c, stm);
      return [`module ${url === '' ? '(unknown)' : c.moduleName(url)}`, nodeNameOf(g, nameNode)];
    }
  }
  return null;
}

const COLLECTION_NAMES = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);

/**
 * Walk up from `node` to a known place, preferring at each step a retainer closer to the
 * snapshot's root (so the walk ends) and, among those, a named edge from a JavaScript value.
 */
export function retainerPath(c: PathContext, node: number): RetainerPath {
  const g = c.graph;
  const steps: string[] = [];
  const seen = new Set<number>([node]);
  let current = node;
  for (let hop = 0; hop < 4 * MAX_STEPS && steps.length < MAX_STEPS; hop++) {
    if (nodeNameOf(g, current) === 'system / Cell') {
      const binding = exportedBinding(c, current);
      if (binding !== null) return { steps: [...binding, ...steps.reverse()], named: true };
    }
    let best = -1;
    let bestScore = -Infinity;
    for (let i = c.retainers.start[current]!; i < c.retainers.start[current + 1]!; i++) {
      const e = c.retainers.edges[i]!;
      const from = edgeSource(g, e);
      const d = c.depth[from]!;
      if (d < 0 || seen.has(from)) continue;
      const type = edgeType(g, e);
      const name = edgeNameOf(g, e);
      let score = -d;
      if (type === 'context' && nodeNameOf(g, from) === 'system / Context') score += 1e9;
      else if (c.globals.has(from) && type === 'property') score += 1e9;
      else if (nodeNameOf(g, current) === 'system / Cell' || (type === 'property' && isJsNode(g, from))) score += 1e6;
      else if (type === 'element' && isJsNode(g, from)) score += 1e6;
      // Never climb away from the root: a retainer deeper than this node leads round in circles.
      if (d >= c.depth[current]! && score < 1e6) continue;
      if (typeof name === 'string' && name === '__proto__') score -= 1e7;
      if (score > bestScore) { bestScore = score; best = e; }
    }
    if (best < 0) break;
    const from = edgeSource(g, best);
    const type = edgeType(g, best);
    const name = edgeNameOf(g, best);
    if (type === 'context' && nodeNameOf(g, from) === 'system / Context') {
      steps.push(String(name));
      return { steps: [describeContext(c, from), ...steps.reverse()], named: true };
    }
    if (c.globals.has(from) && type === 'property') {
      steps.push(String(name));
      return { steps: ['global', ...steps.reverse()], named: true };
    }
    if (isJsNode(g, from)) {
      if (type === 'property' || type === 'internal' && typeof name === 'string' && name.startsWith('#')) steps.push(String(name));
      else if (type === 'element') steps.push(`[${name}]`);
    } else if (COLLECTION_NAMES.has(nodeNameOf(g, firstJsRetainer(c, from))) && steps.at(-1) !== '(entry)') {
      steps.push('(entry)');
    }
    seen.add(from);
    current = from;
  }
  return { steps: ['(unnamed)', ...steps.reverse()], named: false };
}

/** The JavaScript value holding an internal node through an `internal` edge (a Map's table), or -1. */
function firstJsRetainer(c: PathContext, n: number): number {
  const g = c.graph;
  for (let i = c.retainers.start[n]!; i < c.retainers.start[n + 1]!; i++) {
    const from = edgeSource(g, c.retainers.edges[i]!);
    if (isJsNode(g, from)) return from;
  }
  return -1;
}
