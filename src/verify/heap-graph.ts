/**
 * V8 heap snapshots as a compact graph of flat typed arrays: writing one of this process and
 * parsing it. The one implementation that verify(), the calibration suite and the layout probe
 * share (the last two through test/support/heap-graph.mjs).
 *
 * The parser is push-based: it takes the `.heapsnapshot` JSON in chunks of any size, so a
 * snapshot is read from its file a megabyte at a time and is never one JavaScript string (a
 * snapshot above 512 MB would not fit one) nor one Buffer. The big `nodes` and `edges` arrays
 * are parsed byte by byte straight into typed arrays; field positions come from the snapshot's
 * `meta`, never assumed. Only the header and each entry of `strings` go through JSON.parse.
 * Never runs user code; throws plain Errors for a malformed snapshot.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

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

/** How a snapshot was taken and read, for cost reporting. */
export interface SnapshotReadStats {
  /** Size of the snapshot file in bytes. */
  fileBytes: number;
  /** Time spent in V8 writing the snapshot (a full GC included), in ms. */
  writeMs: number;
  /** Time spent reading and parsing the file, in ms. */
  parseMs: number;
}

const READ_CHUNK_BYTES = 1 << 20;

/**
 * Take a heap snapshot of this process (synchronous; V8 runs a full GC first), write it to a
 * temporary file, parse it from that file in chunks, and delete the file.
 */
export function takeHeapGraph(stats?: SnapshotReadStats): HeapGraph {
  const dir = mkdtempSync(join(tmpdir(), 'memsize-snap-'));
  try {
    const started = performance.now();
    const file = writeHeapSnapshot(join(dir, 'heap.heapsnapshot'));
    const written = performance.now();
    const parser = new HeapSnapshotParser();
    const fd = openSync(file, 'r');
    let fileBytes = 0;
    try {
      const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      for (;;) {
        const n = readSync(fd, chunk, 0, READ_CHUNK_BYTES, null);
        if (n === 0) break;
        fileBytes += n;
        parser.push(chunk.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    const graph = parser.finish();
    if (stats !== undefined) {
      stats.fileBytes = fileBytes;
      stats.writeMs = written - started;
      stats.parseMs = performance.now() - written;
    }
    return graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parse a whole `.heapsnapshot` held in memory (tests, small snapshots). */
export function parseHeapSnapshot(buf: Uint8Array): HeapGraph {
  const parser = new HeapSnapshotParser();
  parser.push(buf);
  return parser.finish();
}

const CH_OPEN_BRACKET = 0x5b; // [
const CH_CLOSE_BRACKET = 0x5d; // ]
const CH_0 = 0x30;
const CH_MINUS = 0x2d;
const CH_QUOTE = 0x22;
const CH_BACKSLASH = 0x5c;
const NODES_KEY = Buffer.from('"nodes":[');
const EDGES_KEY = Buffer.from('"edges":[');
const STRINGS_KEY = Buffer.from('"strings":[');

type NumberSink = Uint8Array | Uint32Array | Float64Array | null;

interface Header {
  nodeFieldCount: number;
  edgeFieldCount: number;
  fType: number; fName: number; fId: number; fSelf: number; fEdgeCount: number; fDetached: number;
  eType: number; eName: number; eTo: number;
  nodeTypeNames: string[];
  edgeTypeNames: string[];
  nodeCount: number;
  edgeCount: number;
}

/**
 * Push-based `.heapsnapshot` reader. Phases: header (bytes up to `"nodes":[`, JSON-parsed), the
 * node numbers, a skip to `"edges":[`, the edge numbers, a skip to `"strings":[` (past the
 * numeric trace and location arrays), then the strings one JSON string literal at a time.
 */
export class HeapSnapshotParser {
  #phase: 'header' | 'nodes' | 'seekEdges' | 'edges' | 'seekStrings' | 'strings' | 'done' = 'header';
  #headerChunks: Buffer[] = [];
  #header: Header | null = null;
  #keyMatched = 0;
  // number state
  #sinks: NumberSink[] = [];
  #fields = 1;
  #field = 0;
  #record = 0;
  #records = 0;
  #divideField = -1;
  #divisor = 1;
  #value = 0;
  #inNumber = false;
  // string state
  #strings: string[] = [];
  #inString = false;
  #escaped = false;
  #stringParts: Buffer[] = [];
  // arrays
  #nodeType = new Uint8Array(0);
  #nodeName = new Uint32Array(0);
  #nodeId = new Float64Array(0);
  #selfSize = new Float64Array(0);
  #edgeCountOf = new Uint32Array(0);
  #detachedness = new Uint8Array(0);
  #edgeType = new Uint8Array(0);
  #edgeName = new Uint32Array(0);
  #edgeTo = new Uint32Array(0);

  push(data: Uint8Array): void {
    let buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    while (buf.length > 0 && this.#phase !== 'done') {
      switch (this.#phase) {
        case 'header': {
          const joined = this.#headerChunks.length === 0 ? buf : Buffer.concat([...this.#headerChunks, buf]);
          const at = joined.indexOf(NODES_KEY);
          if (at < 0) {
            if (joined.length > 64 << 20) throw new Error('heap snapshot: no "nodes" array in the first 64 MB');
            this.#headerChunks = [Buffer.from(joined)];
            return;
          }
          this.#headerChunks = [];
          this.#readHeader(joined, at);
          buf = joined.subarray(at + NODES_KEY.length);
          break;
        }
        case 'nodes':
        case 'edges':
          buf = buf.subarray(this.#readNumbers(buf));
          break;
        case 'seekEdges':
        case 'seekStrings':
          buf = buf.subarray(this.#seek(buf, this.#phase === 'seekEdges' ? EDGES_KEY : STRINGS_KEY));
          break;
        case 'strings':
          buf = buf.subarray(this.#readStrings(buf));
          break;
      }
    }
  }

  finish(): HeapGraph {
    if (this.#phase !== 'done' || this.#header === null) throw new Error(`heap snapshot: ended early (while reading ${this.#phase})`);
    const h = this.#header;
    const firstEdge = new Uint32Array(h.nodeCount + 1);
    let acc = 0;
    for (let i = 0; i < h.nodeCount; i++) {
      firstEdge[i] = acc;
      acc += this.#edgeCountOf[i] ?? 0;
    }
    firstEdge[h.nodeCount] = acc;
    if (acc !== h.edgeCount) throw new Error(`heap snapshot: edge counts sum to ${acc}, header says ${h.edgeCount}`);
    const edgeTypeNames = h.edgeTypeNames;
    return {
      nodeCount: h.nodeCount,
      edgeCount: h.edgeCount,
      nodeTypeNames: h.nodeTypeNames,
      edgeTypeNames,
      strings: this.#strings,
      nodeType: this.#nodeType,
      nodeName: this.#nodeName,
      nodeId: this.#nodeId,
      selfSize: this.#selfSize,
      detachedness: this.#detachedness,
      firstEdge,
      edgeType: this.#edgeType,
      edgeName: this.#edgeName,
      edgeTo: this.#edgeTo,
      rootIndex: 0,
      weakEdgeType: edgeTypeNames.indexOf('weak'),
      shortcutEdgeType: edgeTypeNames.indexOf('shortcut'),
      elementEdgeType: edgeTypeNames.indexOf('element'),
      hiddenEdgeType: edgeTypeNames.indexOf('hidden'),
    };
  }

  #readHeader(buf: Buffer, nodesAt: number): void {
    // Header: `{"snapshot":{...},\n"nodes":[` -> take the text before `,"nodes"` and close it.
    let end = nodesAt - 1;
    while (end > 0 && buf[end] !== 0x2c /* , */) end--;
    const parsed = JSON.parse(buf.toString('utf8', 0, end) + '}') as { snapshot?: RawHeader };
    const header = parsed.snapshot;
    if (header === undefined || typeof header.meta !== 'object' || header.meta === null) throw new Error('heap snapshot: no snapshot.meta');
    const meta = header.meta;
    const nodeFields = meta.node_fields;
    const edgeFields = meta.edge_fields;
    const h: Header = {
      nodeFieldCount: nodeFields.length,
      edgeFieldCount: edgeFields.length,
      fType: nodeFields.indexOf('type'),
      fName: nodeFields.indexOf('name'),
      fId: nodeFields.indexOf('id'),
      fSelf: nodeFields.indexOf('self_size'),
      fEdgeCount: nodeFields.indexOf('edge_count'),
      fDetached: nodeFields.indexOf('detachedness'),
      eType: edgeFields.indexOf('type'),
      eName: edgeFields.indexOf('name_or_index'),
      eTo: edgeFields.indexOf('to_node'),
      nodeTypeNames: [],
      edgeTypeNames: [],
      nodeCount: header.node_count,
      edgeCount: header.edge_count,
    };
    const required: [string, number][] = [
      ['type', h.fType], ['name', h.fName], ['id', h.fId], ['self_size', h.fSelf], ['edge_count', h.fEdgeCount],
      ['edge type', h.eType], ['name_or_index', h.eName], ['to_node', h.eTo],
    ];
    for (const [what, v] of required) if (v < 0) throw new Error(`heap snapshot: meta lacks field ${what}`);
    h.nodeTypeNames = meta.node_types[h.fType] as string[];
    h.edgeTypeNames = meta.edge_types[h.eType] as string[];
    if (!Array.isArray(h.nodeTypeNames) || !Array.isArray(h.edgeTypeNames)) throw new Error('heap snapshot: meta lacks the node or edge type names');
    if (!Number.isSafeInteger(h.nodeCount) || !Number.isSafeInteger(h.edgeCount)) throw new Error('heap snapshot: no node_count or edge_count');
    this.#header = h;
    this.#nodeType = new Uint8Array(h.nodeCount);
    this.#nodeName = new Uint32Array(h.nodeCount);
    this.#nodeId = new Float64Array(h.nodeCount);
    this.#selfSize = new Float64Array(h.nodeCount);
    this.#edgeCountOf = new Uint32Array(h.nodeCount);
    this.#detachedness = new Uint8Array(h.nodeCount);
    this.#edgeType = new Uint8Array(h.edgeCount);
    this.#edgeName = new Uint32Array(h.edgeCount);
    this.#edgeTo = new Uint32Array(h.edgeCount);
    const sinks: NumberSink[] = [];
    for (let f = 0; f < h.nodeFieldCount; f++) {
      sinks.push(f === h.fType ? this.#nodeType : f === h.fName ? this.#nodeName : f === h.fId ? this.#nodeId : f === h.fSelf ? this.#selfSize
        : f === h.fEdgeCount ? this.#edgeCountOf : f === h.fDetached ? this.#detachedness : null);
    }
    this.#startNumbers('nodes', sinks, h.nodeCount, -1, 1);
  }

  #startNumbers(phase: 'nodes' | 'edges', sinks: NumberSink[], records: number, divideField: number, divisor: number): void {
    this.#phase = phase;
    this.#sinks = sinks;
    this.#fields = sinks.length;
    this.#field = 0;
    this.#record = 0;
    this.#records = records;
    this.#divideField = divideField;
    this.#divisor = divisor;
    this.#value = 0;
    this.#inNumber = false;
  }

  /** Numbers: non-negative integers separated by commas and newlines. Returns bytes consumed. */
  #readNumbers(buf: Buffer): number {
    const len = buf.length;
    const fields = this.#fields;
    const sinks = this.#sinks;
    let value = this.#value;
    let inNumber = this.#inNumber;
    let field = this.#field;
    let record = this.#record;
    let pos = 0;
    let closed = false;
    for (; pos < len; pos++) {
      const c = buf[pos] as number;
      const d = c - CH_0;
      if (d >= 0 && d <= 9) {
        value = value * 10 + d;
        inNumber = true;
      } else {
        if (inNumber) {
          if (record >= this.#records) throw new Error(`heap snapshot: ${this.#phase} holds more than ${this.#records * fields} numbers`);
          const sink = sinks[field];
          if (sink !== null && sink !== undefined) sink[record] = field === this.#divideField ? value / this.#divisor : value;
          if (++field === fields) { field = 0; record++; }
          value = 0;
          inNumber = false;
        }
        if (c === CH_CLOSE_BRACKET) { closed = true; pos++; break; }
        if (c === CH_MINUS) throw new Error(`heap snapshot: negative number in ${this.#phase}`);
        if (c === CH_OPEN_BRACKET) throw new Error(`heap snapshot: nested array in ${this.#phase}`);
      }
    }
    this.#value = value;
    this.#inNumber = inNumber;
    this.#field = field;
    this.#record = record;
    if (closed) {
      if (record !== this.#records || field !== 0) {
        throw new Error(`heap snapshot: ${this.#phase} holds ${record * fields + field} numbers, expected ${this.#records * fields}`);
      }
      this.#keyMatched = 0;
      this.#phase = this.#phase === 'nodes' ? 'seekEdges' : 'seekStrings';
    }
    return pos;
  }

  /** Skip to just after `key` (which may straddle chunks). Returns bytes consumed. */
  #seek(buf: Buffer, key: Buffer): number {
    let matched = this.#keyMatched;
    for (let pos = 0; pos < buf.length; pos++) {
      const c = buf[pos];
      if (c === key[matched]) matched++;
      else matched = c === key[0] ? 1 : 0;
      if (matched === key.length) {
        this.#keyMatched = 0;
        if (key === EDGES_KEY) {
          const h = this.#header as Header;
          const sinks: NumberSink[] = [];
          for (let f = 0; f < h.edgeFieldCount; f++) sinks.push(f === h.eType ? this.#edgeType : f === h.eName ? this.#edgeName : f === h.eTo ? this.#edgeTo : null);
          // to_node is an offset into the flat nodes array; store the node ordinal.
          this.#startNumbers('edges', sinks, h.edgeCount, h.eTo, h.nodeFieldCount);
        } else {
          this.#phase = 'strings';
        }
        return pos + 1;
      }
    }
    // Between the arrays lie only numbers (trace and location arrays): nothing to keep.
    this.#keyMatched = matched;
    return buf.length;
  }

  /** Strings: JSON string literals separated by commas, ended by `]`. Returns bytes consumed. */
  #readStrings(buf: Buffer): number {
    let pos = 0;
    while (pos < buf.length) {
      if (!this.#inString) {
        const c = buf[pos];
        if (c === CH_QUOTE) {
          this.#inString = true;
          this.#escaped = false;
          this.#stringParts = [];
          const end = this.#scanString(buf, pos + 1);
          if (end < 0) { this.#stringParts.push(Buffer.from(buf.subarray(pos))); return buf.length; }
          this.#endString(buf.subarray(pos, end + 1));
          pos = end + 1;
          continue;
        }
        if (c === CH_CLOSE_BRACKET) { this.#phase = 'done'; return buf.length; }
        pos++;
      } else {
        const end = this.#scanString(buf, pos);
        if (end < 0) { this.#stringParts.push(Buffer.from(buf.subarray(pos))); return buf.length; }
        this.#endString(buf.subarray(pos, end + 1));
        pos = end + 1;
      }
    }
    return pos;
  }

  /** Index of the closing quote at or after `from`, or -1 when the chunk ends first. */
  #scanString(buf: Buffer, from: number): number {
    let escaped = this.#escaped;
    for (let pos = from; pos < buf.length; pos++) {
      const c = buf[pos];
      if (escaped) escaped = false;
      else if (c === CH_BACKSLASH) escaped = true;
      else if (c === CH_QUOTE) { this.#escaped = false; return pos; }
    }
    this.#escaped = escaped;
    return -1;
  }

  #endString(last: Buffer): void {
    const bytes = this.#stringParts.length === 0 ? last : Buffer.concat([...this.#stringParts, last]);
    this.#strings.push(JSON.parse(bytes.toString('utf8')) as string);
    this.#stringParts = [];
    this.#inString = false;
  }
}

interface RawHeader {
  meta: { node_fields: string[]; edge_fields: string[]; node_types: unknown[]; edge_types: unknown[] };
  node_count: number;
  edge_count: number;
}

// ---------------------------------------------------------------------------------------------
// Small accessors

export function nodeTypeName(g: HeapGraph, i: number): string { return g.nodeTypeNames[g.nodeType[i] ?? 0] ?? '?'; }
export function nodeNameOf(g: HeapGraph, i: number): string { return g.strings[g.nodeName[i] ?? 0] ?? ''; }
/** An edge's name: a string for properties and internals, the index (a number) for elements and hidden edges. */
export function edgeNameOf(g: HeapGraph, e: number): string | number {
  const t = g.edgeType[e];
  const n = g.edgeName[e] ?? 0;
  return t === g.elementEdgeType || t === g.hiddenEdgeType ? n : (g.strings[n] ?? '');
}

/** Nodes with this name (and, when given, this node type such as 'object'). */
export function findNodes(g: HeapGraph, name: string, type?: string): number[] {
  const out: number[] = [];
  const typeIndex = type === undefined ? -1 : g.nodeTypeNames.indexOf(type);
  if (type !== undefined && typeIndex < 0) return out;
  const nameIndexes = new Set<number>();
  for (let s = 0; s < g.strings.length; s++) if (g.strings[s] === name) nameIndexes.add(s);
  if (nameIndexes.size === 0) return out;
  for (let i = 0; i < g.nodeCount; i++) {
    if (typeIndex >= 0 && g.nodeType[i] !== typeIndex) continue;
    if (nameIndexes.has(g.nodeName[i] ?? -1)) out.push(i);
  }
  return out;
}

/** The target of the first edge out of `from` with this name (any edge type but weak), or -1. */
export function childByEdgeName(g: HeapGraph, from: number, name: string | number): number {
  const end = g.firstEdge[from + 1] ?? 0;
  for (let e = g.firstEdge[from] ?? 0; e < end; e++) {
    if (g.edgeType[e] === g.weakEdgeType) continue;
    if (edgeNameOf(g, e) === name) return g.edgeTo[e] ?? -1;
  }
  return -1;
}
