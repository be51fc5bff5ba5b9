/**
 * Property paths under a root, for "where under the root do the bytes sit". A path is an
 * interned id; things deeper than the depth limit keep their ancestor's id, so the table holds
 * at most one entry per distinct path prefix of that depth, not one per object.
 */

import { bareArray, capturedGet, capturedSet } from './primordials.js';

/** The root itself. */
export const ROOT_PATH = 0;

export class PathTable {
  private readonly parents: number[] = rootEntry(-1);
  private readonly labels: string[] = rootEntry('');
  private readonly depths: number[] = rootEntry(0);
  private readonly index = new Map<string, number>();

  constructor(
    private readonly maxDepth: number,
    /** Keep this many distinct paths at most; further ones fold into their parent. */
    private readonly maxPaths = 10_000,
  ) {}

  /** The id of `parent › label`, or `parent` itself when that would be too deep or the table is full. */
  extend(parent: number, label: string): number {
    if (this.depths[parent]! >= this.maxDepth) return parent;
    const key = `${parent}\u0000${label}`;
    let id = capturedGet(this.index, key);
    if (id === undefined) {
      if (this.labels.length >= this.maxPaths) return parent;
      id = this.labels.length;
      this.parents[id] = parent;
      this.labels[id] = label;
      this.depths[id] = this.depths[parent]! + 1;
      capturedSet(this.index, key, id);
    }
    return id;
  }

  parentOf(id: number): number {
    return this.parents[id]!;
  }

  get size(): number {
    return this.labels.length;
  }

  /** `root › a › b` for a path id. */
  format(id: number, rootLabel: string): string {
    const parts: string[] = [];
    for (let p = id; p > ROOT_PATH; p = this.parents[p]!) parts.push(this.labels[p]!);
    parts.push(rootLabel);
    return parts.reverse().join(' › ');
  }
}

function rootEntry<T>(value: T): T[] {
  const entries = bareArray<T>();
  entries[0] = value;
  return entries;
}
