/**
 * What changed between two scans of the same root, per type: the question a person chasing a
 * leak asks ("what grew, and by how much?"). Pure: no I/O, never throws on valid ScanResults.
 */
import type { ScanResult } from '../results.js';

/** How one type changed between two scans. Deltas are `after - before`, so growth is positive. */
export interface TypeChange {
  type: string;
  /** Change in estimated bytes. */
  bytes: number;
  /** Change in object count. */
  objects: number;
  bytesBefore: number;
  bytesAfter: number;
  objectsBefore: number;
  objectsAfter: number;
}

/** The difference between two scans of one root. */
export interface ScanDiff {
  /** Change in the root's estimated bytes (`after - before`). */
  bytes: number;
  /** Change in the root's object count. */
  objects: number;
  /** Types whose bytes or count changed, largest absolute byte change first. Unchanged types are left out. */
  types: TypeChange[];
  /** True when either scan was truncated: a truncated scan is a lower bound, so the change may be an artefact. */
  truncated: boolean;
}

/**
 * Compare two scans of the same root, type by type. A type present in only one scan counts as 0
 * in the other.
 *
 * @param before - the earlier scan.
 * @param after - the later scan.
 * @returns the changes, biggest byte change (growth or shrinkage) first.
 */
export function diffScans(before: ScanResult, after: ScanResult): ScanDiff {
  const names = new Set<string>([...before.byType.keys(), ...after.byType.keys()]);
  const types: TypeChange[] = [];
  for (const type of names) {
    const b = before.byType.get(type);
    const a = after.byType.get(type);
    const change: TypeChange = {
      type,
      bytes: (a?.bytes ?? 0) - (b?.bytes ?? 0),
      objects: (a?.objects ?? 0) - (b?.objects ?? 0),
      bytesBefore: b?.bytes ?? 0,
      bytesAfter: a?.bytes ?? 0,
      objectsBefore: b?.objects ?? 0,
      objectsAfter: a?.objects ?? 0,
    };
    if (change.bytes !== 0 || change.objects !== 0) types.push(change);
  }
  types.sort(
    (x, y) =>
      Math.abs(y.bytes) - Math.abs(x.bytes) ||
      Math.abs(y.objects) - Math.abs(x.objects) ||
      (x.type < y.type ? -1 : x.type > y.type ? 1 : 0),
  );
  return {
    bytes: after.bytes - before.bytes,
    objects: after.objects - before.objects,
    types,
    truncated: before.truncated || after.truncated,
  };
}
