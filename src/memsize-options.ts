/**
 * Transitional: the option names the collector (collect.ts) still reads. Options live in
 * options.ts; this file only adapts the resolved createMemsize() options to the collector's
 * older field names, so the two can change apart. Once collect.ts reads
 * `ResolvedMemsizeOptions` from options.ts (`maxObjects`, `cacheMillis`, `maxTypes`), delete
 * this file and {@link collectorOptions}' call in memsize.ts.
 */
import type { MeterProvider } from '@opentelemetry/api';
import type { ResolvedMemsizeOptions as Resolved } from './options.js';

/** The resolved createMemsize() options under the names collect.ts reads. */
export interface ResolvedMemsizeOptions {
  readonly meterProvider: MeterProvider | null | undefined;
  readonly maxMillis: number;
  /** options.ts: `maxObjects` */
  readonly maxObjectsPerRoot: number;
  /** options.ts: `cacheMillis` */
  readonly minIntervalMs: number;
  /** options.ts: `maxTypes` */
  readonly maxTypesPerRoot: number;
  readonly maxRoots: number;
  readonly estimate: boolean;
  readonly sampleThreshold: number;
  readonly sampleSize: number;
}

/** Adapt resolved options to the collector's field names. */
export function collectorOptions(options: Resolved): ResolvedMemsizeOptions {
  return Object.freeze({
    meterProvider: options.meterProvider,
    maxMillis: options.maxMillis,
    maxObjectsPerRoot: options.maxObjects,
    minIntervalMs: options.cacheMillis,
    maxTypesPerRoot: options.maxTypes,
    maxRoots: options.maxRoots,
    estimate: options.estimate,
    sampleThreshold: options.sampleThreshold,
    sampleSize: options.sampleSize,
  });
}
