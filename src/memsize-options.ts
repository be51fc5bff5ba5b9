/**
 * Options of {@link createMemsize}, {@link startPrometheus} and `addRoot()`: defaults in one
 * place, resolvers that merge, validate and freeze. Bad input fails here, at the call the user
 * made, with a message naming the option; internal code receives the resolved object and never
 * re-defaults.
 */
import type { MeterProvider } from '@opentelemetry/api';
import { describeValue, invalidOption, MemsizeError } from './errors.js';
import { assertNonNegativeNumber, assertPositiveInt, assertPositiveNumber } from './options.js';

/** Options for {@link createMemsize}. Every field is optional. */
export interface MemsizeOptions {
  /**
   * Where the gauges are registered. `null` registers none (use `collect()` yourself).
   * @defaultValue the global MeterProvider of `@opentelemetry/api` (`metrics.getMeterProvider()`)
   */
  meterProvider?: MeterProvider | null;
  /**
   * Time budget of one collection: how long measuring all roots may block the event loop, in
   * milliseconds. It is split across the roots (see docs/metrics.md, "Budget"); a root that runs
   * out of its share is reported as truncated. @defaultValue 200
   */
  maxMillis?: number;
  /** Stop a root's walk after this many distinct heap things (marks it truncated). @defaultValue 1_000_000 */
  maxObjectsPerRoot?: number;
  /**
   * Reuse the last collection while it is younger than this many milliseconds, so concurrent and
   * back-to-back scrapes (several scrapers, several readers) cost one walk. Adding or removing a
   * root starts a fresh collection. @defaultValue 5_000
   */
  minIntervalMs?: number;
  /** At most this many `type` series per root, `(other)` included: the largest types, the rest summed into `(other)`. @defaultValue 20 */
  maxTypesPerRoot?: number;
  /** At most this many roots; `addRoot()` beyond it throws ERR_MEMSIZE_TOO_MANY_ROOTS. @defaultValue 50 */
  maxRoots?: number;
}

/** Options for {@link startPrometheus}: those of {@link MemsizeOptions} except `meterProvider`, plus where to listen. */
export interface PrometheusOptions extends Omit<MemsizeOptions, 'meterProvider'> {
  /** Interface to listen on. Use `0.0.0.0` (or `::`) to accept scrapes from other hosts. @defaultValue '127.0.0.1' */
  host?: string;
  /** TCP port; `0` picks any free port (read it back from `.port`). @defaultValue 9464 */
  port?: number;
  /** Path that serves the metrics; other paths answer 404. @defaultValue '/metrics' */
  endpoint?: string;
}

/** Options for {@link prometheusHandler}: those of {@link MemsizeOptions} except `meterProvider`. */
export type PrometheusHandlerOptions = Omit<MemsizeOptions, 'meterProvider'>;

/** Options for `addRoot()`. */
export interface AddRootOptions {
  /**
   * Hold an object root through a `WeakRef`, so registering it never keeps it alive; once it is
   * garbage-collected, the root is dropped and its series disappear. Only for object roots: a root
   * function is called at every collection and is held strongly (`weak: true` with a function
   * throws). @defaultValue true for objects
   */
  weak?: boolean;
}

export interface ResolvedMemsizeOptions {
  readonly meterProvider: MeterProvider | null | undefined;
  readonly maxMillis: number;
  readonly maxObjectsPerRoot: number;
  readonly minIntervalMs: number;
  readonly maxTypesPerRoot: number;
  readonly maxRoots: number;
}

export interface ResolvedPrometheusOptions {
  readonly memsize: ResolvedMemsizeOptions;
  readonly host: string;
  readonly port: number;
  readonly endpoint: string;
}

/** Defaults of {@link MemsizeOptions} (the meter provider defaults to the global one, resolved at creation). */
export const MEMSIZE_DEFAULTS = Object.freeze({
  maxMillis: 200,
  maxObjectsPerRoot: 1_000_000,
  minIntervalMs: 5_000,
  maxTypesPerRoot: 20,
  maxRoots: 50,
});

/** Defaults of the listening options of {@link PrometheusOptions}. */
export const PROMETHEUS_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 9464,
  endpoint: '/metrics',
});

const MEMSIZE_KEYS = ['meterProvider', ...Object.keys(MEMSIZE_DEFAULTS)] as const;
const PROMETHEUS_KEYS = [...Object.keys(MEMSIZE_DEFAULTS), ...Object.keys(PROMETHEUS_DEFAULTS)] as const;

function assertOptionsObject(call: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options must be an object, got ${describeValue(value)}`);
  }
}

function rejectUnknownKeys(call: string, input: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) {
      const hint =
        key === 'meterProvider'
          ? ' (it creates its own MeterProvider; use createMemsize({ meterProvider }) to report through yours)'
          : ` (known: ${known.join(', ')})`;
      throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.${key} is not an option${hint}`);
    }
  }
}

function definedOr<T>(value: unknown, fallback: T): unknown {
  return value === undefined ? fallback : value;
}

function resolveLimits(input: Record<string, unknown>): Omit<ResolvedMemsizeOptions, 'meterProvider'> {
  const maxMillis = definedOr(input.maxMillis, MEMSIZE_DEFAULTS.maxMillis);
  const maxObjectsPerRoot = definedOr(input.maxObjectsPerRoot, MEMSIZE_DEFAULTS.maxObjectsPerRoot);
  const minIntervalMs = definedOr(input.minIntervalMs, MEMSIZE_DEFAULTS.minIntervalMs);
  const maxTypesPerRoot = definedOr(input.maxTypesPerRoot, MEMSIZE_DEFAULTS.maxTypesPerRoot);
  const maxRoots = definedOr(input.maxRoots, MEMSIZE_DEFAULTS.maxRoots);
  assertPositiveNumber('maxMillis', maxMillis);
  assertPositiveInt('maxObjectsPerRoot', maxObjectsPerRoot);
  assertNonNegativeNumber('minIntervalMs', minIntervalMs);
  assertPositiveInt('maxTypesPerRoot', maxTypesPerRoot);
  assertPositiveInt('maxRoots', maxRoots);
  return { maxMillis, maxObjectsPerRoot, minIntervalMs, maxTypesPerRoot, maxRoots };
}

function isMeterProvider(value: unknown): value is MeterProvider {
  return typeof value === 'object' && value !== null && typeof (value as { getMeter?: unknown }).getMeter === 'function';
}

/** Merge user options over {@link MEMSIZE_DEFAULTS}, validate and freeze. Throws ERR_MEMSIZE_INVALID_OPTION naming the option. */
export function resolveMemsizeOptions(input: MemsizeOptions | undefined): ResolvedMemsizeOptions {
  const options: unknown = input ?? {};
  assertOptionsObject('createMemsize()', options);
  rejectUnknownKeys('createMemsize()', options, MEMSIZE_KEYS);
  const meterProvider = options.meterProvider;
  if (meterProvider !== undefined && meterProvider !== null && !isMeterProvider(meterProvider)) {
    throw invalidOption('meterProvider', 'a MeterProvider (an object with getMeter()), null or undefined', meterProvider);
  }
  return Object.freeze({ meterProvider, ...resolveLimits(options) });
}

/** Resolve {@link PrometheusOptions}; `call` names the function in error messages. */
export function resolvePrometheusOptions(call: string, input: PrometheusOptions | undefined): ResolvedPrometheusOptions {
  const options: unknown = input ?? {};
  assertOptionsObject(call, options);
  rejectUnknownKeys(call, options, PROMETHEUS_KEYS);
  const host = definedOr(options.host, PROMETHEUS_DEFAULTS.host);
  const port = definedOr(options.port, PROMETHEUS_DEFAULTS.port);
  const endpoint = definedOr(options.endpoint, PROMETHEUS_DEFAULTS.endpoint);
  if (typeof host !== 'string' || host.length === 0) throw invalidOption('host', 'a non-empty string', host);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalidOption('port', 'an integer from 0 to 65535 (0 picks a free port)', port);
  }
  if (typeof endpoint !== 'string' || !/^\/[\x21-\x7e]*$/.test(endpoint) || endpoint.includes('?') || endpoint.includes('#')) {
    throw invalidOption('endpoint', 'a path starting with "/" (no spaces, query or fragment)', endpoint);
  }
  return Object.freeze({ memsize: Object.freeze({ meterProvider: null, ...resolveLimits(options) }), host, port, endpoint });
}

/** Resolve {@link PrometheusHandlerOptions} (no listening options). */
export function resolveHandlerOptions(call: string, input: PrometheusHandlerOptions | undefined): ResolvedMemsizeOptions {
  const options: unknown = input ?? {};
  assertOptionsObject(call, options);
  rejectUnknownKeys(call, options, Object.keys(MEMSIZE_DEFAULTS));
  return Object.freeze({ meterProvider: null, ...resolveLimits(options) });
}

/** Resolve `addRoot()` options for a target of the given kind. */
export function resolveAddRootOptions(name: string, input: AddRootOptions | undefined, targetIsFunction: boolean): { weak: boolean } {
  const options: unknown = input ?? {};
  const call = `addRoot(${JSON.stringify(name)})`;
  assertOptionsObject(call, options);
  rejectUnknownKeys(call, options, ['weak']);
  const weak = options.weak;
  if (weak !== undefined && typeof weak !== 'boolean') {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.weak must be a boolean, got ${describeValue(weak)}`);
  }
  if (targetIsFunction) {
    if (weak === true) {
      throw new MemsizeError(
        'ERR_MEMSIZE_INVALID_OPTION',
        `${call}: options.weak applies to object roots only; a root function is called at every collection and is held strongly`,
      );
    }
    return { weak: false };
  }
  return { weak: weak ?? true };
}
