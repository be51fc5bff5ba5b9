// Hand-made scan results for the pure report renderers: the figures are inputs, not claims about
// the walk, so the tests can state exactly what the page and the JSON must show.
import type { ScanResult } from '../../src/results.js';

export function result(
  types: Record<string, [bytes: number, objects: number]>,
  extra: Partial<Pick<ScanResult, 'truncated' | 'truncatedBy' | 'durationMs' | 'paths' | 'estimated' | 'bytesError'>> = {},
): ScanResult {
  const byType = new Map(Object.entries(types).map(([type, [bytes, objects]]) => [type, { bytes, objects }]));
  let bytes = 0;
  let objects = 0;
  for (const t of byType.values()) {
    bytes += t.bytes;
    objects += t.objects;
  }
  return {
    bytes,
    objects,
    byType,
    truncated: extra.truncated ?? false,
    truncatedBy: extra.truncatedBy ?? null,
    durationMs: extra.durationMs ?? 1.5,
    estimated: extra.estimated ?? false,
    bytesError: extra.bytesError ?? 0,
    objectsError: 0,
    sampledCollections: extra.estimated === true ? 1 : 0,
    visitedObjects: objects,
    hidden: 'on',
    ...(extra.paths === undefined ? {} : { paths: extra.paths }),
  };
}
