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

/** What {@link retainerPath} needs besides the graph. */
export interface PathContext {
  graph: HeapGraph;
  retainers: Retainers;
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
/** Nodes searched per path at most: the nearest known place is usually a few hops away. */
const MAX_VISITS = 200_000;
/** Retainer nodes that are never on a readable path (handle scopes, the GC roots, code). */
const SKIPPED_TYPES = new Set(['synthetic', 'code', 'object shape']);

/**
 * The nearest known place above `node`: a breadth-first search up the retainers (fewest hops
 * first, weak edges ignored) that stops at the first variable of a module or closure, exported
 * binding or global property, then names the edges on the way down.
 */
export function retainerPath(c: PathContext, node: number): RetainerPath {
  const g = c.graph;
  const via = new Map<number, number>([[node, -1]]); // node -> edge to the node it retains on the way down
  const queue = [node];
  for (let head = 0; head < queue.length && via.size < MAX_VISITS; head++) {
    const current = queue[head]!;
    if (nodeNameOf(g, current) === 'system / Cell') {
      const binding = exportedBinding(c, current);
      if (binding !== null) return { steps: [...binding, ...stepsDown(c, current, via)], named: true };
    }
    for (let i = c.retainers.start[current]!; i < c.retainers.start[current + 1]!; i++) {
      const e = c.retainers.edges[i]!;
      const from = edgeSource(g, e);
      if (via.has(from)) continue;
      const type = edgeType(g, e);
      if ((type === 'context' && nodeNameOf(g, from) === 'system / Context') || (c.globals.has(from) && type === 'property')) {
        const place = type === 'context' ? describeContext(c, from) : 'global';
        return { steps: [place, String(edgeNameOf(g, e)), ...stepsDown(c, current, via)], named: true };
      }
      if (SKIPPED_TYPES.has(nodeTypeName(g, from)) || c.globals.has(from) || edgeNameOf(g, e) === '__proto__') continue;
      via.set(from, e);
      queue.push(from);
    }
  }
  return { steps: ['(unnamed)'], named: false };
}

/** Steps from `top` down to the searched node, along the edges the search came up by. */
function stepsDown(c: PathContext, top: number, via: ReadonlyMap<number, number>): string[] {
  const g = c.graph;
  const steps: string[] = [];
  // via maps a retainer to its edge down; walk from the searched node up to `top` to list them.
  const chain: number[] = [];
  for (let n = top; ; ) {
    const e = via.get(n);
    if (e === undefined || e < 0) break;
    chain.push(e);
    n = g.edgeTo[e]!;
  }
  for (const e of chain) {
    const from = edgeSource(g, e);
    const type = edgeType(g, e);
    const name = edgeNameOf(g, e);
    if (isJsNode(g, from)) {
      if (COLLECTION_NAMES.has(nodeNameOf(g, from)) && type === 'internal') steps.push('(entry)');
      else if (type === 'property') steps.push(String(name));
      else if (type === 'element') steps.push(`[${name}]`);
    }
  }
  return steps;
}
