/**
 * Folds the things a walk reports into per-root totals, per-type totals, per-path totals and
 * the union across roots.
 *
 * Attribution of shared structure: each root has its own visited set, so a thing reachable
 * from two roots counts in both (each root's figure stands alone; their sum may double-count).
 * The union total counts every thing once, for the first root of the pass that reached it.
 * Heap numbers belong to the slot holding them, so they follow their owner.
 *
 * Estimating walks: every thing comes with a weight (how many things of the root it stands for,
 * 1 unless it was found through a sampled collection), and is counted weight times. What was
 * counted with a weight other than 1 is also summed apart, per type: the extrapolated part, which
 * carries the sampling error (scan.ts turns the walk's variance into intervals with it).
 */
import type { Visitor } from '../walk/walk.js';
import { bareArray, capturedGet, capturedSet } from '../walk/primordials.js';
import type { Shape } from '../walk/shape.js';
import { isPrimitiveKind, type Kind, type ProtoInfo } from '../walk/kinds.js';
import { HEAP_NUMBER } from './layout.js';
import { ROOT_PATH } from '../walk/paths.js';
import { sizeOf, type Size } from './shallow.js';
import { typeNameOf } from './classify.js';
import type { TypeTotal } from '../results.js';

const HEAP_NUMBER_TYPE = 'number';
const STRING_TYPE = 'string';

/** Totals of one root's walk. A Visitor: hand it to Walker.walkRoot. */
export class RootTally implements Visitor {
  bytes = 0;
  objects = 0;
  readonly byType = new Map<string, TypeTotal>();
  /** Heap things the walk visited (backing stores and heap numbers included), each once, unweighted. */
  visitedThings = 0;
  /** Bytes and things counted with a weight other than 1 (extrapolated from samples), in all and per type. */
  extrapolatedBytes = 0;
  extrapolatedObjects = 0;
  readonly extrapolatedByType = new Map<string, TypeTotal>();
  /** Bytes and objects per path id, when paths are recorded. */
  readonly pathBytes: number[] = bareArray();
  readonly pathObjects: number[] = bareArray();

  constructor(
    private readonly union: UnionTally,
    private readonly recordPaths: boolean,
  ) {}

  private readonly size: Size = { bytes: 0, things: 0 };

  thing(kind: Kind, value: unknown, info: ProtoInfo | null, shape: Shape, firstInUnion: boolean, path: number, weight: number): void {
    const size = this.size;
    sizeOf(kind, value, shape, size);
    const type = typeNameOf(kind, value, info);
    // NaN never equals: nothing is set apart while no scope is open.
    const scoped = this.scopeShared === this.scopeShared && weight !== this.scopeShared;
    this.add(type, size.bytes * weight, size.things * weight, firstInUnion, path);
    const ownNumbers = isPrimitiveKind(kind) ? 0 : shape.heapNumbers;
    this.visitedThings += size.things + ownNumbers;
    const heapNumbers = ownNumbers * weight;
    if (heapNumbers > 0) this.add(HEAP_NUMBER_TYPE, heapNumbers * HEAP_NUMBER, heapNumbers, firstInUnion, path);
    if (weight !== 1) this.extrapolated(type, size.bytes * weight, size.things * weight, heapNumbers);
    if (scoped) {
      this.addScoped(type, size.bytes * weight, size.things * weight, firstInUnion);
      if (heapNumbers > 0) this.addScoped(HEAP_NUMBER_TYPE, heapNumbers * HEAP_NUMBER, heapNumbers, firstInUnion);
    }
  }

  /**
   * What is counted at a weight other than `shared` from now on is also summed apart, until the
   * next call (`null`: stop). The walk opens a scope for an outermost sample's draw 2: values
   * identified by value are counted there at the collection's weight (`shared`) and stand for
   * themselves; everything else at its entries' weight, which {@link rescale} may change.
   */
  scope(shared: number | null): void {
    this.scopeShared = shared === null ? NaN : shared;
    this.scoped.clear();
    this.lastScopedType = '';
    this.lastScoped = null;
  }

  /**
   * Multiply what the open scope summed apart by `ratio` (the walk stopped an outermost sample's
   * draw 2 early: the entries it counted now stand for more), then close the scope. Paths are
   * not rescaled: the walk does not stop early while it records them.
   */
  rescale(ratio: number): void {
    const f = ratio - 1;
    for (const [type, part] of this.scoped) {
      const total = capturedGet(this.byType, type)!;
      total.bytes += part.bytes * f;
      total.objects += part.objects * f;
      this.bytes += part.bytes * f;
      this.objects += part.objects * f;
      this.union.bytes += part.unionBytes * f;
      this.union.objects += part.unionObjects * f;
      const extrapolated = capturedGet(this.extrapolatedByType, type);
      if (extrapolated !== undefined) {
        extrapolated.bytes += part.bytes * f;
        extrapolated.objects += part.objects * f;
      }
      this.extrapolatedBytes += part.bytes * f;
      this.extrapolatedObjects += part.objects * f;
    }
    this.scope(null);
  }

  private scopeShared = NaN;
  private readonly scoped = new Map<string, ScopedPart>();
  /** The last type set apart and its part: runs of one type skip the Map lookup, as in {@link add}. */
  private lastScopedType = '';
  private lastScoped: ScopedPart | null = null;

  private addScoped(type: string, bytes: number, objects: number, firstInUnion: boolean): void {
    let part = this.lastScopedType === type ? this.lastScoped : capturedGet(this.scoped, type);
    if (part === undefined || part === null) {
      part = { bytes: 0, objects: 0, unionBytes: 0, unionObjects: 0 };
      capturedSet(this.scoped, type, part);
    }
    this.lastScopedType = type;
    this.lastScoped = part;
    part.bytes += bytes;
    part.objects += objects;
    if (firstInUnion) {
      part.unionBytes += bytes;
      part.unionObjects += objects;
    }
  }

  /**
   * Strings a sampled collection's unsampled entries hold beyond those its sample met: counted as
   * strings (nearly all values identified by value are), and as extrapolated.
   */
  unseen(bytes: number, objects: number): void {
    this.add(STRING_TYPE, bytes, objects, true, ROOT_PATH);
    this.extrapolated(STRING_TYPE, bytes, objects, 0);
  }

  private extrapolated(type: string, bytes: number, objects: number, heapNumbers: number): void {
    this.extrapolatedBytes += bytes + heapNumbers * HEAP_NUMBER;
    this.extrapolatedObjects += objects + heapNumbers;
    addTo(this.extrapolatedByType, type, bytes, objects);
    if (heapNumbers > 0) addTo(this.extrapolatedByType, HEAP_NUMBER_TYPE, heapNumbers * HEAP_NUMBER, heapNumbers);
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

interface ScopedPart {
  bytes: number;
  objects: number;
  unionBytes: number;
  unionObjects: number;
}

function addTo(map: Map<string, TypeTotal>, type: string, bytes: number, objects: number): void {
  const total = capturedGet(map, type);
  if (total === undefined) {
    capturedSet(map, type, { bytes, objects });
  } else {
    total.bytes += bytes;
    total.objects += objects;
  }
}

/** Every thing reached by any root of a pass, counted once. */
export interface UnionTally {
  bytes: number;
  objects: number;
}
