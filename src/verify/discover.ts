/**
 * `memsize.discover()`: the largest structures in the process by V8 retained size, found from
 * ONE heap snapshot, each with a readable path to where it is held and a weak handle to the live
 * object, so that a user who does not know what to register can track what holds the memory.
 *
 * Steps: write and parse the snapshot (heap-graph.ts), the dominator tree (dominators.ts), the
 * candidate rules below, a retainer path per candidate (retainer-path.ts), then the live object
 * behind each candidate's snapshot node through the in-process inspector
 * (`HeapProfiler.getObjectByHeapObjectId`; ids of `v8.writeHeapSnapshot()` resolved on Node 20,
 * 22, 24 and 26, also after garbage collections). Synchronous, on an explicit call only. Runs no
 * user code: the inspector hands objects over through the session's sink; nothing here calls a
 * getter, a constructor or an iterator of a user's object. Keeps nothing alive: the graph is
 * local, the remote objects' group is released, and candidates hold their object by WeakRef.
 *
 * Candidate rules (for applications in general):
 * - a JavaScript object (Map, Set, array, plain object, class instance, typed array...): not a
 *   function (`addRoot()` takes a function as a thunk), not a V8 internal (`system / ...`, code,
 *   hidden classes, backing stores), not the global object;
 * - not a wrapper: an object whose largest dominated JavaScript object holds 80% or more of its
 *   retained size is offered as that object instead. So a cache class keeping its entries in a
 *   `#private` Map is offered as the Map, path `... › cache › #entries`: the Map is what holds
 *   the bytes, and a walk measures it whole whether or not the walk can read `#private` fields
 *   (the instance alone reads 184 bytes where deep reads are unavailable);
 * - not an entry: a value inside a Map, Set, array or plain object (its nearest dominating
 *   candidate) smaller than half of that collection is offered through the collection;
 * - an object whose readable path passes through a collection's entries (`… › (entry) › …`) is
 *   an entry too, even when several collections share it and none dominates it;
 * - overlaps: when a candidate holds other listed candidates, they come first, and it is listed
 *   only when they cover less than 80% of it (else it is shown through them).
 */
import { getHeapStatistics } from 'node:v8';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeValue, MemsizeError } from '../errors.js';
import { openSession, unavailableReason, type InspectorSession, type RemoteObject } from '../inspector/session.js';
import { sanitizeTypeName } from '../size/classify.js';
import { computeDominators, type Dominators } from './dominators.js';
import { edgeNameOf, nodeNameOf, nodeTypeName, takeHeapGraph, type HeapGraph, type SnapshotReadStats } from './heap-graph.js';
import { buildRetainers, retainerPath, type PathContext, type RetainerPath } from './retainer-path.js';
import { estimateVerifyCost, recordSnapshotCost, watchRss, type VerifyCost } from './verify.js';

/** Options for `memsize.discover()`. Every field is optional. */
export interface DiscoverOptions {
  /** Refuse (ERR_MEMSIZE_HEAP_TOO_LARGE) when the used V8 heap is above this many bytes. @defaultValue 268_435_456 (256 MiB), as verify() */
  maxHeapBytes?: number;
  /** Run even above `maxHeapBytes`. @defaultValue false */
  force?: boolean;
  /** How many candidates to return, largest first. @defaultValue 10 */
  top?: number;
  /** Leave out structures retaining fewer bytes than this. @defaultValue 65_536 */
  minBytes?: number;
}

export const DISCOVER_DEFAULTS = Object.freeze({ maxHeapBytes: 256 * 1024 * 1024, force: false, top: 10, minBytes: 64 * 1024 });
const KNOWN = Object.keys(DISCOVER_DEFAULTS);

export interface ResolvedDiscoverOptions { readonly maxHeapBytes: number; readonly force: boolean; readonly top: number; readonly minBytes: number }

/** Validate discover()'s options at the user's call; errors name the option. */
export function resolveDiscoverOptions(call: string, input: unknown): ResolvedDiscoverOptions {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options must be an object, got ${describeValue(input)}`);
  }
  const given = (input ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN.includes(key)) throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `options.${key} is not an option of ${call} (known: ${KNOWN.join(', ')})`);
  }
  const merged = { ...DISCOVER_DEFAULTS, ...given } as Record<string, unknown>;
  const bad = (option: string, expected: string): MemsizeError =>
    new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.${option} must be ${expected}, got ${describeValue(merged[option])}`);
  const { maxHeapBytes, force, top, minBytes } = merged;
  if (typeof maxHeapBytes !== 'number' || !(maxHeapBytes > 0) || maxHeapBytes === Infinity) throw bad('maxHeapBytes', 'a positive finite number of bytes');
  if (typeof force !== 'boolean') throw bad('force', 'a boolean');
  if (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > 1000) throw bad('top', 'an integer from 1 to 1000');
  if (typeof minBytes !== 'number' || !Number.isFinite(minBytes) || minBytes < 0) throw bad('minBytes', 'a non-negative number of bytes');
  return Object.freeze({ maxHeapBytes, force, top, minBytes });
}

/**
 * What discover() costs now. The same work as a check against V8 (one snapshot, parsed, one
 * dominator tree) without its scans and with a retainer index and a breadth-first pass instead
 * (test/verify/discover-cost.mjs measured both; docs/verify.md).
 */
export function estimateDiscoverCost(maxHeapBytes: number, heapUsedBytes = getHeapStatistics().used_heap_size): VerifyCost {
  return { ...estimateVerifyCost(maxHeapBytes, heapUsedBytes), basis: 'the check against V8 (same snapshot and analysis; docs/verify.md, "Cost of discover()")' };
}

/** One structure found by discover(). Sizes are V8 retained sizes from the snapshot. */
export interface DiscoverCandidate {
  /** Where it is held, from a place a person knows: `module app/cache.mjs › responseCache › #entries`. */
  path: string;
  /** The same path as steps; the first is the known place (`(unnamed)` when none was found). */
  steps: string[];
  /** memsize's type label: the constructor name ('Map', 'Array', 'ResponseCache', 'Object'). */
  type: string;
  /** V8's retained size (DevTools' "Retained Size"), bytes: what freeing it would free. */
  retainedBytes: number;
  /** Snapshot nodes in its retained set (itself included). */
  objects: number;
  /** A root name `addRoot()` accepts, unique among the candidates and the registered roots. */
  name: string;
  /**
   * The live object, or undefined once it was collected (or when the inspector is unavailable).
   * The first call looks it up by its snapshot id (V8 walks the heap: about as long as a full
   * GC); the object is then held weakly.
   */
  ref(): object | undefined;
  /** The registered root that already reaches it, or null. */
  coveredBy: string | null;
  /** Names of other candidates it holds (listed before it). */
  contains: string[];
}

/** What `memsize.discover()` returns. */
export interface DiscoverResult {
  at: number;
  /** Wall time of the whole call, ms: how long the event loop was blocked. */
  durationMs: number;
  snapshotMs: number;
  parseMs: number;
  /** Dominators, candidates, paths and live objects (the rest of `durationMs`), ms. */
  analyzeMs: number;
  heapUsedBytes: number;
  /** Resident set size growth seen after the call (a lower bound of its peak), bytes. */
  rssGrowthBytes: number;
  snapshotFileBytes: number;
  snapshotNodes: number;
  snapshotEdges: number;
  /** The estimate stated before the run. */
  cost: VerifyCost;
  nodeVersion: string;
  /** Largest first, except that a candidate comes after the candidates it contains. */
  candidates: DiscoverCandidate[];
  /** Why `ref()` answers undefined for every candidate (the inspector is unavailable), else null. */
  refsUnavailable: string | null;
}

/** A registered root as discover() sees it (resolved by the caller, after nothing else). */
export interface RegisteredRoot {
  name: string;
  value: object;
}

const WRAPPER_SHARE = 0.8;
const ENTRY_SHARE = 0.5;
const COLLECTIONS = new Set(['Map', 'Set', 'Array', 'WeakMap', 'WeakSet']);
/** A plain object with this many properties is taken for an object used as a map. */
const MAP_LIKE_PROPERTIES = 64;
const GROUP = 'memsize-discover';

/**
 * Take one snapshot and return the candidates. `roots` are resolved by `resolveRoots`, called
 * after the snapshot is written so that holding them cannot change what the snapshot shows.
 */
export function runDiscover(options: ResolvedDiscoverOptions, cost: VerifyCost, resolveRoots: () => RegisteredRoot[], takenNames: ReadonlySet<string>): DiscoverResult {
  const at = Date.now();
  const started = performance.now();
  const rss = watchRss();
  const stats: SnapshotReadStats = { fileBytes: 0, writeMs: 0, parseMs: 0 };
  const graph = takeHeapGraph(stats);
  const dom = computeDominators(graph);
  const session = openSession();
  let refsUnavailable: string | null = session === null ? `the inspector is unavailable (${unavailableReason() ?? 'unknown'})` : null;
  const globals = new Set<number>();
  const rootIds = new Map<number, string>();
  try {
    if (session !== null) {
      const wanted = new Map<number, string | null>();
      const globalId = heapIdOf(session, globalThis);
      if (globalId !== null) wanted.set(globalId, null);
      for (const root of resolveRoots()) {
        const id = heapIdOf(session, root.value);
        if (id !== null && !wanted.has(id)) wanted.set(id, root.name);
      }
      for (let n = 0; n < graph.nodeCount; n++) {
        const name = wanted.get(graph.nodeId[n]!);
        if (name === undefined) continue;
        if (name === null) globals.add(n);
        else rootIds.set(n, name);
      }
      // globalThis is the global proxy; the properties live on the global object: the proxy's
      // `global_object` edge (Node 24.22.3, 26.12.1), or its native context's `extension`
      // (Node 20.20.2).
      for (const proxy of [...globals]) {
        let global = childNamed(graph, proxy, 'global_object');
        if (global < 0) {
          const native = childNamed(graph, proxy, 'native_context');
          global = native < 0 ? -1 : childNamed(graph, native, 'global_object');
          if (global < 0 && native >= 0) global = childNamed(graph, native, 'extension');
        }
        if (global < 0) {
          // Node 22.23.5 shows neither: the proxy's hidden class has the global object as prototype.
          const shape = childNamed(graph, proxy, 'map');
          global = shape < 0 ? -1 : childNamed(graph, shape, 'prototype');
        }
        if (global >= 0 && nodeTypeName(graph, global) === 'object') globals.add(global);
      }
    }
  } finally {
    session?.release(GROUP);
  }
  const retainers = buildRetainers(graph);
  const cwd = process.cwd();
  const context: PathContext = { graph, retainers, globals, moduleName: (url) => shortModuleName(url, cwd) };
  const paths = new Map<number, RetainerPath>();
  const pathOf = (node: number): RetainerPath => {
    let path = paths.get(node);
    if (path === undefined) { path = retainerPath(context, node); paths.set(node, path); }
    return path;
  };
  const chosen = chooseCandidates(graph, dom, globals, options, (node) => pathOf(node).steps.includes('(entry)'));
  const names = new Set(takenNames);
  const candidates: DiscoverCandidate[] = [];
  const nameOfNode = new Map<number, string>();
  for (const pick of chosen) {
    const path = pathOf(pick.node);
    const name = uniqueName(suggestName(path.steps, pick.type), names);
    names.add(name);
    nameOfNode.set(pick.node, name);
    const ref = session === null ? () => undefined : lazyRef(session, graph.nodeId[pick.node]!);
    candidates.push({
      path: path.steps.join(' › '),
      steps: path.steps,
      type: pick.type,
      retainedBytes: pick.retainedBytes,
      objects: pick.objects,
      name,
      ref,
      coveredBy: coveredBy(graph, dom, rootIds, globals, pick.node),
      contains: [],
    });
  }
  for (let i = 0; i < chosen.length; i++) candidates[i]!.contains = chosen[i]!.contains.map((n) => nameOfNode.get(n)!).filter((n) => n !== undefined);
  const done = performance.now();
  const seen = rss();
  const rssGrowthBytes = seen.rssGrowthBytes;
  recordSnapshotCost(cost.heapUsedBytes, done - started, seen.peakGrowthBytes, stats.fileBytes);
  return {
    at,
    durationMs: done - started,
    snapshotMs: stats.writeMs,
    parseMs: stats.parseMs,
    analyzeMs: Math.max(0, done - started - stats.writeMs - stats.parseMs),
    heapUsedBytes: cost.heapUsedBytes,
    rssGrowthBytes,
    snapshotFileBytes: stats.fileBytes,
    snapshotNodes: graph.nodeCount,
    snapshotEdges: graph.edgeCount,
    cost,
    nodeVersion: process.version,
    candidates,
    refsUnavailable,
  };
}

function propertyCount(g: HeapGraph, node: number): number {
  const property = g.edgeTypeNames.indexOf('property');
  let count = 0;
  for (let e = g.firstEdge[node]!; e < g.firstEdge[node + 1]!; e++) if (g.edgeType[e] === property) count++;
  return count;
}

function childNamed(g: HeapGraph, from: number, name: string): number {
  for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e++) if (edgeNameOf(g, e) === name) return g.edgeTo[e]!;
  return -1;
}

/** The snapshot id of a live object (ids persist from the snapshot on), or null. */
function heapIdOf(session: InspectorSession, value: object): number | null {
  try {
    const remote = session.remoteOf(value, GROUP);
    if (remote.objectId === undefined) return null;
    const { heapSnapshotObjectId } = session.post<{ heapSnapshotObjectId: string }>('HeapProfiler.getHeapObjectId', { objectId: remote.objectId });
    const id = Number(heapSnapshotObjectId);
    return Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * `ref()` of one candidate: the live object behind a snapshot node id, looked up on the first
 * call (V8 walks the heap for it: 0.1-0.3 s on a 15 MiB heap here, so only the candidates a user
 * takes pay for it), then held by WeakRef. Ids are never reused and V8 keeps them through
 * garbage collections once a snapshot was taken, so a lookup after the object was collected
 * answers "Object is not available" and ref() answers undefined. No user code runs: the object
 * crosses over through the session's sink.
 */
function lazyRef(session: InspectorSession, id: number): () => object | undefined {
  let held: WeakRef<object> | null = null;
  let gone = false;
  return () => {
    if (held !== null) return held.deref();
    if (gone) return undefined;
    try {
      const { result } = session.post<{ result: RemoteObject }>('HeapProfiler.getObjectByHeapObjectId', { objectId: String(id), objectGroup: GROUP });
      const value = session.valueOf(result);
      if (typeof value !== 'object' || value === null) { gone = true; return undefined; }
      held = new WeakRef(value);
      return value;
    } catch {
      gone = true;
      return undefined;
    } finally {
      session.release(GROUP);
    }
  };
}

interface Pick {
  node: number;
  type: string;
  retainedBytes: number;
  objects: number;
  /** Nodes of listed candidates it dominates. */
  contains: number[];
}

/** The candidate rules (see the module comment), over the dominator tree. */
export function chooseCandidates(g: HeapGraph, dom: Dominators, globals: ReadonlySet<number>, options: { top: number; minBytes: number }, viaEntry: (node: number) => boolean = () => false): Pick[] {
  const R = dom.reachableCount;
  const labels = new Map<number, string | null>();
  const labelOf = (d: number): string | null => {
    const node = dom.order[d]!;
    if (globals.has(node)) return null;
    const key = g.nodeName[node]! * 256 + g.nodeType[node]!;
    let label = labels.get(key);
    if (label === undefined) {
      label = null;
      if (nodeTypeName(g, node) === 'object') {
        const name = nodeNameOf(g, node);
        if (!name.startsWith('system /') && !name.startsWith('(')) label = sanitizeTypeName(name) || 'Object';
      }
      labels.set(key, label);
    }
    return label;
  };
  const eligible = new Uint8Array(R);
  for (let d = 1; d < R; d++) eligible[d] = labelOf(d) === null ? 0 : 1;
  // Bottom-up: each node's retained node count, and the largest topmost eligible node below it.
  const objects = new Uint32Array(R).fill(1);
  const below = new Float64Array(R);
  for (let d = R - 1; d >= 1; d--) {
    const up = dom.idom[d]!;
    objects[up]! += objects[d]!;
    const held = eligible[d] === 1 ? dom.retained[d]! : below[d]!;
    if (held > below[up]!) below[up] = held;
  }
  // Top-down: each node's nearest eligible dominator (-1: none).
  const holder = new Int32Array(R).fill(-1);
  for (let d = 1; d < R; d++) {
    const up = dom.idom[d]!;
    holder[d] = eligible[up] === 1 ? up : holder[up]!;
  }
  // A collection's entries are offered through the collection: Maps, Sets, arrays, and plain
  // objects with many properties (objects used as maps, not records or modules' exports).
  const collection = new Map<number, boolean>();
  const isCollection = (d: number): boolean => {
    let known = collection.get(d);
    if (known === undefined) {
      const label = labelOf(d) ?? '';
      known = COLLECTIONS.has(label) || (label === 'Object' && propertyCount(g, dom.order[d]!) >= MAP_LIKE_PROPERTIES);
      collection.set(d, known);
    }
    return known;
  };
  const pool: number[] = [];
  for (let d = 1; d < R; d++) {
    const retained = dom.retained[d]!;
    if (eligible[d] !== 1 || retained < options.minBytes) continue;
    if (below[d]! >= WRAPPER_SHARE * retained) continue; // a wrapper: its big child is offered
    let entry = false;
    for (let h = holder[d]!; h > 0; h = holder[h]!) {
      if (isCollection(h) && retained < ENTRY_SHARE * dom.retained[h]!) { entry = true; break; }
    }
    if (entry) continue;
    pool.push(d);
  }
  pool.sort((a, b) => dom.retained[b]! - dom.retained[a]!);
  // Reached only through a collection's entries (shared by several collections, so no one of them
  // dominates it): offered through the collection's holder, as any entry.
  const kept: number[] = [];
  for (const d of pool) {
    if (kept.length >= options.top * 4) break;
    if (!viaEntry(dom.order[d]!)) kept.push(d);
  }
  pool.length = 0;
  pool.push(...kept);
  const inPool = new Set(pool);
  // For each pooled node, the pooled nodes it dominates (through any chain of dominators).
  const containsOf = new Map<number, number[]>(pool.map((d) => [d, []]));
  for (const d of pool) {
    for (let up = dom.idom[d]!; up > 0; up = dom.idom[up]!) {
      if (inPool.has(up)) containsOf.get(up)!.push(d);
    }
  }
  const dropped = new Set<number>();
  for (const d of pool) {
    // Topmost contained nodes only: nested ones are inside them already.
    const inner = containsOf.get(d)!;
    const innerSet = new Set(inner);
    let covered = 0;
    for (const c of inner) {
      let nested = false;
      for (let up = dom.idom[c]!; up !== d && up > 0; up = dom.idom[up]!) if (innerSet.has(up)) { nested = true; break; }
      if (!nested) covered += dom.retained[c]!;
    }
    if (inner.length > 0 && covered >= WRAPPER_SHARE * dom.retained[d]!) dropped.add(d);
  }
  const listed = pool.filter((d) => !dropped.has(d)).slice(0, options.top);
  const listedSet = new Set(listed);
  // The more specific first: a candidate waits until every listed candidate it contains is out.
  const unique: number[] = [];
  const waiting: number[] = [];
  const out = new Set<number>();
  const ready = (d: number): boolean => containsOf.get(d)!.every((c) => !listedSet.has(c) || out.has(c));
  for (const d of listed) {
    if (!ready(d)) { waiting.push(d); continue; }
    unique.push(d);
    out.add(d);
    for (let i = 0; i < waiting.length; i++) {
      if (!ready(waiting[i]!)) continue;
      unique.push(waiting[i]!);
      out.add(waiting[i]!);
      waiting.splice(i, 1);
      i = -1;
    }
  }
  unique.push(...waiting);
  return unique.map((d) => ({
    node: dom.order[d]!,
    type: labelOf(d)!,
    retainedBytes: dom.retained[d]!,
    objects: objects[d]!,
    contains: containsOf.get(d)!.filter((c) => listedSet.has(c)).map((c) => dom.order[c]!),
  }));
}

/** The registered root that reaches `node`: one that dominates it, else one it is reachable from. */
function coveredBy(g: HeapGraph, dom: Dominators, roots: ReadonlyMap<number, string>, globals: ReadonlySet<number>, node: number): string | null {
  if (roots.size === 0) return null;
  const direct = roots.get(node);
  if (direct !== undefined) return direct;
  for (let d = dom.dfn[node]!; d > 0; d = dom.idom[d]!) {
    const name = roots.get(dom.order[d]!);
    if (name !== undefined) return name;
  }
  for (const [rootNode, name] of roots) if (reaches(g, rootNode, node, globals)) return name;
  return null;
}

/** Edges a walk from a root does not follow: prototypes, hidden classes, outer scopes. */
const UNWALKED_EDGES = new Set(['__proto__', 'map', 'prototype', 'constructor', 'previous', 'shared', 'code', 'feedback_cell', 'scope_info', 'native_context']);
const UNWALKED_TYPES = new Set(['code', 'hidden', 'object shape', 'synthetic', 'native']);

/**
 * Whether `to` is reachable from `from` as memsize's walk would reach it: through properties,
 * elements, collection entries and closure scopes, not prototypes, hidden classes or the module
 * and global scopes (through which everything reaches everything).
 */
function reaches(g: HeapGraph, from: number, to: number, globals: ReadonlySet<number>): boolean {
  const seen = new Uint8Array(g.nodeCount);
  const stack = [from];
  seen[from] = 1;
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v === to) return true;
    for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++) {
      if (g.edgeType[e] === g.weakEdgeType) continue;
      const w = g.edgeTo[e]!;
      if (seen[w] === 1) continue;
      seen[w] = 1;
      if (globals.has(w) || UNWALKED_TYPES.has(nodeTypeName(g, w)) || nodeNameOf(g, w) === 'system / NativeContext') continue;
      const name = edgeNameOf(g, e);
      if (typeof name === 'string' && UNWALKED_EDGES.has(name)) continue;
      stack.push(w);
    }
  }
  return false;
}

/** `file:///srv/app/cache.mjs` → `app/cache.mjs` under the working directory `/srv`. */
export function shortModuleName(url: string, cwd: string): string {
  let path = url;
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url);
    } catch {
      return url;
    }
  }
  if (path.startsWith(cwd + sep)) return relative(cwd, path);
  return path;
}

const NAME_CHARS = /[^A-Za-z0-9_.-]+/g;

/** A root name from a path: the variable, with the field that holds the bytes (`responseCache.entries`). */
export function suggestName(steps: readonly string[], type: string): string {
  const words = steps
    .slice(1)
    .filter((s) => s !== '(entry)' && !s.startsWith('['))
    .map((s) => s.replace(/^#/, ''));
  const picked = words.slice(-2);
  const place = steps[0] ?? '';
  if (picked.length === 1 && place.startsWith('(closure ')) picked.unshift(place.slice(9, -1));
  if (picked.length === 0) picked.push(place.startsWith('(closure ') ? place.slice(9, -1) : type);
  let name = picked.join('.').replace(NAME_CHARS, '_').replace(/^[.-]+/, '');
  if (name === '') name = type.replace(NAME_CHARS, '_') || 'structure';
  return name.slice(0, 56);
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
