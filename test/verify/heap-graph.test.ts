/**
 * The chunked snapshot reader: a real snapshot fed in chunks of awkward sizes (numbers, keys and
 * escaped strings split across chunk boundaries) parses to exactly what the whole buffer gives.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { HeapSnapshotParser, parseHeapSnapshot, type HeapGraph } from '../../src/verify/heap-graph.js';

function pushInChunks(buf: Buffer, sizes: readonly number[]): HeapGraph {
  const parser = new HeapSnapshotParser();
  for (let pos = 0, k = 0; pos < buf.length; k++) {
    const size = sizes[k % sizes.length] ?? 1;
    parser.push(buf.subarray(pos, pos + size));
    pos += size;
  }
  return parser.finish();
}

const sameArrays = (a: HeapGraph, b: HeapGraph): void => {
  expect(a.nodeCount).toBe(b.nodeCount);
  expect(a.edgeCount).toBe(b.edgeCount);
  expect(a.strings).toEqual(b.strings);
  for (const key of ['nodeType', 'nodeName', 'nodeId', 'selfSize', 'firstEdge', 'edgeType', 'edgeName', 'edgeTo'] as const) {
    expect(Buffer.compare(Buffer.from(a[key].buffer), Buffer.from(b[key].buffer)), key).toBe(0);
  }
};

describe('HeapSnapshotParser', () => {
  it('parses a real snapshot fed in chunks exactly as the whole buffer', () => {
    // Strings that need escapes, and non-ASCII text, so string literals split mid-escape too (BMP
    // only: V8's serializer mangles surrogate pairs, e.g. writes U+1F600 as \uF600).
    const keep = ['quote " and backslash \\ inside', 'line\nbreak\ttab', 'ünïcödé 漢字 text'].map((s) => Buffer.from(s).toString());
    const dir = mkdtempSync(join(tmpdir(), 'memsize-parse-'));
    try {
      const buf = readFileSync(writeHeapSnapshot(join(dir, 'h.heapsnapshot')));
      const whole = parseHeapSnapshot(buf);
      for (const s of keep) expect(whole.strings).toContain(s);
      sameArrays(pushInChunks(buf, [4093, 1, 7, 65_537, 2]), whole);
      sameArrays(pushInChunks(buf, [1 << 20]), whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(keep.length).toBe(3);
  });

  it('says where a truncated snapshot ended', () => {
    const parser = new HeapSnapshotParser();
    parser.push(Buffer.from('{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"],"string_or_number","node"]},"node_count":1,"edge_count":0},\n"nodes":[0,0,1,'));
    expect(() => parser.finish()).toThrow(/ended early \(while reading nodes\)/);
  });
});
