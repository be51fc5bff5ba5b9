/**
 * Collection → the data points of every instrument: which series exist and their values. Pure,
 * and shared by every way memsize exports, so they all report the same series. A root that
 * failed reports only its error count; a root that is gone reports nothing, which is what lets
 * its series disappear (see docs/metrics.md, "Stale series").
 */
import type { Attributes } from '@opentelemetry/api';
import type { Collection } from '../collect.js';
import type { TypeTotal } from '../results.js';
import {
  ATTR_INSTANCE,
  ATTR_ROOT,
  ATTR_TYPE,
  OTHER_TYPE,
  ROOT_BYTES,
  ROOT_BYTES_ERROR,
  ROOT_CORRECTION,
  ROOT_ESTIMATED,
  ROOT_OBJECTS,
  TYPE_BYTES,
  TYPE_OBJECTS,
  UNION_BYTES,
  UNION_OBJECTS,
  WALK_DURATION,
  WALK_ERRORS,
  WALK_OBJECTS,
  WALK_TRUNCATED,
  ROOT_HIDDEN,
  type MetricSpec,
} from './names.js';

/** One data point of one instrument. */
export interface MetricPoint {
  readonly metric: MetricSpec;
  readonly value: number;
  readonly attributes: Attributes;
}

/** Longest `type` label value; longer type names (from code, but code can build names) are cut. */
export const MAX_TYPE_LABEL_LENGTH = 100;

function typeLabel(type: string): string {
  return type.length <= MAX_TYPE_LABEL_LENGTH ? type : `${type.slice(0, MAX_TYPE_LABEL_LENGTH - 1)}…`;
}

/**
 * At most `maxTypes` entries, `(other)` included: when there are more types than that, the
 * `maxTypes - 1` largest by bytes (ties by name) and `(other)` summing the rest. Bytes and
 * objects still add up to the root's totals.
 */
export function foldTypes(byType: ReadonlyMap<string, TypeTotal>, maxTypes: number): Map<string, TypeTotal> {
  const merged = new Map<string, TypeTotal>();
  for (const [type, total] of byType) {
    const label = typeLabel(type);
    const seen = merged.get(label);
    merged.set(label, seen === undefined ? { bytes: total.bytes, objects: total.objects } : { bytes: seen.bytes + total.bytes, objects: seen.objects + total.objects });
  }
  if (merged.size <= maxTypes) return merged;
  const sorted = [...merged].sort((a, b) => b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = new Map(sorted.slice(0, maxTypes - 1).filter(([type]) => type !== OTHER_TYPE));
  const other = { bytes: 0, objects: 0 };
  for (const [type, total] of sorted) {
    if (kept.has(type)) continue;
    other.bytes += total.bytes;
    other.objects += total.objects;
  }
  kept.set(OTHER_TYPE, other);
  return kept;
}

/**
 * Every data point for a collection, in a stable order (instrument, then root, then type).
 * @param instance `options.instance` of the memsize instance: when given, every point also carries `memsize_instance`
 */
export function collectionPoints(collection: Collection, maxTypes: number, instance?: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  // Integer instruments would log a warning for every fractional observation: round here. A
  // non-finite figure (never expected from the walk) is left out rather than exported.
  const push = (metric: MetricSpec, value: number, attributes: Attributes) => {
    if (!Number.isFinite(value)) return;
    points.push({ metric, value: metric.integer ? Math.round(value) : value, attributes: instance === undefined ? attributes : { ...attributes, [ATTR_INSTANCE]: instance } });
  };
  const measured = [...collection.roots].filter(([, m]) => m.error === null);
  for (const [root, m] of measured) push(ROOT_BYTES, m.bytes, { [ATTR_ROOT]: root });
  for (const [root, m] of measured) push(ROOT_OBJECTS, m.objects, { [ATTR_ROOT]: root });
  for (const [root, m] of measured) push(ROOT_ESTIMATED, m.estimated ? 1 : 0, { [ATTR_ROOT]: root });
  for (const [root, m] of measured) push(ROOT_BYTES_ERROR, m.bytes > 0 ? m.bytesError / m.bytes : 0, { [ATTR_ROOT]: root });
  for (const [root, m] of measured) if (m.correction !== undefined) push(ROOT_CORRECTION, m.correction.ratio, { [ATTR_ROOT]: root });
  const folded = measured.map(([root, m]) => [root, foldTypes(m.byType, maxTypes)] as const);
  for (const [root, types] of folded) {
    for (const [type, total] of types) push(TYPE_BYTES, total.bytes, { [ATTR_ROOT]: root, [ATTR_TYPE]: type });
  }
  for (const [root, types] of folded) {
    for (const [type, total] of types) push(TYPE_OBJECTS, total.objects, { [ATTR_ROOT]: root, [ATTR_TYPE]: type });
  }
  push(UNION_BYTES, collection.unionBytes, {});
  push(UNION_OBJECTS, collection.unionObjects, {});
  push(WALK_DURATION, collection.durationMs / 1000, {});
  push(WALK_OBJECTS, collection.walkedObjects, {});
  for (const [root, m] of measured) push(WALK_TRUNCATED, m.truncated ? 1 : 0, { [ATTR_ROOT]: root });
  for (const [root, m] of measured) push(ROOT_HIDDEN, m.hidden === 'on' ? 1 : 0, { [ATTR_ROOT]: root });
  for (const [root, m] of collection.roots) push(WALK_ERRORS, m.errorCount, { [ATTR_ROOT]: root });
  return points;
}
