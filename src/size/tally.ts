/**
 * Folds the things a walk reports into per-root totals, per-type totals, per-path totals and
 * the union across roots.
 *
 * Attribution of shared structure: each root has its own visited set, so a thing reachable
 * from two roots counts in both (each root's figure stands alone; their sum may double-count).
 * The union total counts every thing once, for the first root of the pass that reached it.
 * Heap numbers belong to the slot holding them, so they follow their owner.
 */
import type { Visitor } from '../walk/walk.js';
import { bareArray, capturedGet, capturedSet } from '../walk/primordials.js';
import type { Shape } from '../walk/edges.js';
import { Kind, type ProtoInfo } from '../walk/kinds.js';
import { HEAP_NUMBER } from './layout.js';
import { sizeOf, type Size } from './shallow.js';
import { typeNameOf } from './classify.js';
import type { TypeTotal } from '../snapshot.js';

const HEAP_NUMBER_TYPE = 'number';

/** Totals of one root's walk. A Visitor: hand it to Walker.walkRoot. */
export class RootTally implements Visitor {
  bytes = 0;
  objects = 0;
  readonly byType = new Map<string, TypeTotal>();
  /** Bytes and objects per path id, when paths are recorded. */
  readonly pathBytes: number[] = bareArray();
  readonly pathObjects: number[] = bareArray();

  constructor(
    private readonly union: UnionTally,
    private readonly recordPaths: boolean,
  ) {}

  private readonly size: Size = { bytes: 0, things: 0 };

  thing(kind: Kind, value: unknown, info: ProtoInfo | null, shape: Shape, firstInUnion: boolean, path: number): void {
    const size = this.size;
    sizeOf(kind, value, shape, size);
    this.add(typeNameOf(kind, value, info), size.bytes, size.things, firstInUnion, path);
    const heapNumbers = kind >= Kind.String ? 0 : shape.heapNumbers;
    if (heapNumbers > 0) this.add(HEAP_NUMBER_TYPE, heapNumbers * HEAP_NUMBER, heapNumbers, firstInUnion, path);
  }

  /** The last type added and its total: runs of one type skip the Map lookup. */
  private lastType = '';
  private lastTotal: TypeTotal | null = null;

  private add(type: string, bytes: number, objects: number, firstInUnion: boolean, path: number): void {
    this.bytes += bytes;
    this.objects += objects;
    let total = this.lastType === type ? this.lastTotal : capturedGet(this.byType, type);
    if (total === undefined || total === null) {
      total = { bytes: 0, objects: 0 };
      capturedSet(this.byType, type, total);
    }
    this.lastType = type;
    this.lastTotal = total;
    total.bytes += bytes;
    total.objects += objects;
    if (firstInUnion) {
      this.union.bytes += bytes;
      this.union.objects += objects;
    }
    if (this.recordPaths) {
      this.pathBytes[path] = (this.pathBytes[path] ?? 0) + bytes;
      this.pathObjects[path] = (this.pathObjects[path] ?? 0) + objects;
    }
  }
}

/** Every thing reached by any root of a pass, counted once. */
export interface UnionTally {
  bytes: number;
  objects: number;
}
