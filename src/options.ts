/**
 * Options of the one-off {@link scan}: defaults in one place, one resolver that merges,
 * validates and freezes. Internal code receives the resolved object and never re-defaults.
 */
import { invalidOption, MemsizeError } from './errors.js';

/** Ask {@link scan} for the largest places under the root (the report page uses this). */
export interface PathOptions {
  /** How many property levels below the root get their own path; deeper things count towards their ancestor. @defaultValue 3 */
  depth?: number;
  /** How many paths to return, largest first. @defaultValue 20 */
  top?: number;
  /**
   * Show Map keys and the keys of dictionary-like objects in paths. Keys are user data
   * (ids, e-mail addresses...), so they stay out unless enabled. @defaultValue false
   */
  keys?: boolean;
}

/** Options for {@link scan}. Every field is optional. */
export interface ScanOptions {
  /** Stop the walk after this many distinct heap things and mark the result truncated. @defaultValue 10_000_000 */
  maxObjects?: number;
  /** Stop the walk after this many milliseconds and mark the result truncated. @defaultValue 5_000 */
  maxMillis?: number;
  /** Also attribute bytes to property paths under the root. Off by default (it costs about 10%). */
  paths?: PathOptions | boolean;
}

export interface ResolvedPathOptions {
  readonly depth: number;
  readonly top: number;
  readonly keys: boolean;
}

export interface ResolvedScanOptions {
  readonly maxObjects: number;
  readonly maxMillis: number;
  readonly paths: ResolvedPathOptions | null;
}

export const SCAN_DEFAULTS = Object.freeze({
  maxObjects: 10_000_000,
  maxMillis: 5_000,
});

export const PATH_DEFAULTS: ResolvedPathOptions = Object.freeze({ depth: 3, top: 20, keys: false });

export function assertPositiveInt(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidOption(name, 'a positive integer', value);
  }
}

export function assertPositiveNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) {
    throw invalidOption(name, 'a positive finite number', value);
  }
}

export function assertNonNegativeNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
    throw invalidOption(name, 'a non-negative finite number', value);
  }
}

function assertPlainOptions(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MemsizeError(
      'ERR_MEMSIZE_INVALID_OPTION',
      `${name} must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
}

function rejectUnknownKeys(prefix: string, input: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) {
      throw new MemsizeError(
        'ERR_MEMSIZE_INVALID_OPTION',
        `${prefix}.${key} is not an option (known: ${known.join(', ')})`,
      );
    }
  }
}

function resolvePaths(input: unknown): ResolvedPathOptions | null {
  if (input === undefined || input === false) return null;
  if (input === true) return PATH_DEFAULTS;
  assertPlainOptions('options.paths', input);
  rejectUnknownKeys('options.paths', input, ['depth', 'top', 'keys']);
  const merged = { ...PATH_DEFAULTS, ...stripUndefined(input) };
  assertPositiveInt('paths.depth', merged.depth);
  if (merged.depth > 16) throw invalidOption('paths.depth', 'at most 16', merged.depth);
  assertPositiveInt('paths.top', merged.top);
  if (typeof merged.keys !== 'boolean') throw invalidOption('paths.keys', 'a boolean', merged.keys);
  return Object.freeze(merged);
}

function stripUndefined(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) if (input[key] !== undefined) out[key] = input[key];
  return out;
}

/** Merge user options over {@link SCAN_DEFAULTS}, validate and freeze. Throws a MemsizeError naming the bad option. */
export function resolveScanOptions(input: ScanOptions | undefined): ResolvedScanOptions {
  if (input === undefined) return RESOLVED_SCAN_DEFAULTS;
  assertPlainOptions('options', input);
  rejectUnknownKeys('options', input as Record<string, unknown>, ['maxObjects', 'maxMillis', 'paths']);
  const merged = { ...SCAN_DEFAULTS, ...stripUndefined(input as Record<string, unknown>) };
  assertPositiveInt('maxObjects', merged.maxObjects);
  assertPositiveNumber('maxMillis', merged.maxMillis);
  return Object.freeze({
    maxObjects: merged.maxObjects as number,
    maxMillis: merged.maxMillis as number,
    paths: resolvePaths((input as ScanOptions).paths),
  });
}

const RESOLVED_SCAN_DEFAULTS: ResolvedScanOptions = Object.freeze({ ...SCAN_DEFAULTS, paths: null });
