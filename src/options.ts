/**
 * Every option memsize takes, in one place: the types (TSDoc per field), one defaults table
 * ({@link DEFAULTS}, grouped by the call that takes them) and one resolver per call, all built on
 * the same steps: check the options argument is a plain object, map deprecated names to their
 * new ones, reject unknown keys, merge over the defaults, validate each value, freeze.
 *
 * Rules every call follows:
 * - A missing key or `undefined` means the default.
 * - `null` is an error for every option except `meterProvider`, where it means "no instruments";
 *   a `null` options argument is an error too. (A `null` that silently became a default would
 *   hide a configuration mistake such as an unset environment variable.)
 * - Errors are MemsizeError `ERR_MEMSIZE_INVALID_OPTION` with a message naming the call, the
 *   option and the bad value: `createMemsize(): options.maxObjects must be a positive integer, got -1`.
 *
 * A leaf module: it imports only errors.ts. Internal code receives the resolved objects and never
 * re-defaults.
 */
import type { MeterProvider } from '@opentelemetry/api';
import { describeValue, MemsizeError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Types

/** Ask {@link scan} for the largest places under the root (the report page uses this). */
export interface PathOptions {
  /** How many property levels below the root get their own path; deeper things count towards their ancestor. At most 16. @defaultValue 3 */
  depth?: number;
  /** How many paths to return, largest first. @defaultValue 20 */
  top?: number;
  /**
   * Show Map keys and the keys of dictionary-like objects in paths. Keys are user data
   * (ids, e-mail addresses...), so they stay out unless enabled. @defaultValue false
   */
  keys?: boolean;
}

/** Sampling of large collections, shared by {@link ScanOptions} and {@link MemsizeOptions}. */
export interface EstimateOptions {
  /**
   * Measure large collections (Maps, Sets, arrays, objects with many keys) from a random sample
   * of their entries instead of cutting the walk short; the result says it is an estimate.
   * `false`: measure exactly, or truncate at the budget. @defaultValue true
   */
  estimate?: boolean;
  /** Collections with more entries than this may be sampled (only when `estimate` is on). A positive integer. @defaultValue 8192 */
  sampleThreshold?: number;
  /** Entries drawn from each sampled collection. A positive integer, at most `sampleThreshold`. @defaultValue 4096 */
  sampleSize?: number;
  /**
   * Also walk what JavaScript does not show: class instances' `#private` fields, functions'
   * closure scopes (and bound functions' targets and arguments), and WeakMap values whose key the
   * root reaches, read through an in-process `node:inspector` session (docs/accuracy.md, "Deep
   * reads"). Where the inspector is unavailable the walk falls back to what JavaScript shows and
   * says so (`hidden` on the result, `memsize_root_hidden_unavailable`). `false`: JavaScript-visible
   * data only. @defaultValue true
   */
  deep?: boolean;
}

/** Options for {@link scan}. Every field is optional. */
export interface ScanOptions extends EstimateOptions {
  /** Stop the walk after this many distinct heap things and mark the result truncated. @defaultValue 10_000_000 */
  maxObjects?: number;
  /** Stop the walk after this many milliseconds and mark the result truncated. @defaultValue 5_000 */
  maxMillis?: number;
  /** Also attribute bytes to property paths under the root (`true`: the {@link PathOptions} defaults). It costs about 10%. @defaultValue false */
  paths?: PathOptions | boolean;
  /** Seed of the sampling's random choices: the same seed and the same graph give the same result. A non-negative safe integer. @defaultValue a fresh seed per scan */
  seed?: number;
}

/** Options for {@link createMemsize}. Every field is optional. */
export interface MemsizeOptions extends EstimateOptions {
  /**
   * Where the gauges are registered. `null` registers none (use `collect()` yourself).
   * @defaultValue the global MeterProvider of `@opentelemetry/api` (`metrics.getMeterProvider()`)
   */
  meterProvider?: MeterProvider | null;
  /**
   * Time budget of one collection: how long measuring all roots together may block the event
   * loop, in milliseconds. It is split across the roots (see docs/metrics.md, "Budget"); a root
   * that does not fit its share is measured from samples (and only cut when no sample can shorten
   * it: a long linked list). @defaultValue 200
   */
  maxMillis?: number;
  /** Stop each root's walk after this many distinct heap things (marks it truncated), as `scan()`'s `maxObjects` does for its root. @defaultValue 1_000_000 */
  maxObjects?: number;
  /** @deprecated since 0.2.0: renamed {@link MemsizeOptions.maxObjects} (same meaning). */
  maxObjectsPerRoot?: number;
  /**
   * How long a collection is reused, in milliseconds: while the last one is younger than this
   * (and no root was added or removed since), concurrent and back-to-back scrapes get it instead
   * of a new walk. `0`: walk at every collection. @defaultValue 5_000
   */
  cacheMillis?: number;
  /** @deprecated since 0.2.0: renamed {@link MemsizeOptions.cacheMillis} (same meaning). */
  minIntervalMs?: number;
  /** At most this many `type` series per root, `(other)` included: the largest types, the rest summed into `(other)`. @defaultValue 20 */
  maxTypes?: number;
  /** @deprecated since 0.2.0: renamed {@link MemsizeOptions.maxTypes} (same meaning). */
  maxTypesPerRoot?: number;
  /** At most this many roots; `addRoot()` beyond it throws ERR_MEMSIZE_TOO_MANY_ROOTS. @defaultValue 50 */
  maxRoots?: number;
  /**
   * Name of this memsize instance, exported as the `memsize_instance` label on every series it
   * reports. Needed only when several memsize instances report to one MeterProvider (each then
   * exports its own roots and union): `createMemsize()` throws ERR_MEMSIZE_INSTANCE_EXISTS for a
   * second instance on a provider that one with the same `instance` (or none) already reports to.
   * 1-64 letters, digits, `_`, `.`, `-`, starting with a letter, digit or `_`.
   * @defaultValue undefined (no label)
   */
  instance?: string;
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

/** Options for {@link createReportHandler}. Every field is optional. */
export interface ReportHandlerOptions {
  /** Where the page is mounted; scans are posted to `${prefix}/scan`. `/` mounts it at the server's root. @defaultValue '/memsize' */
  prefix?: string;
  /** Rate limit of the page's scans: the minimum time from the end of one scan to the start of the next, in milliseconds; sooner answers 429. @defaultValue 2_000 */
  scanCooldownMillis?: number;
  /** @deprecated since 0.2.0: renamed {@link ReportHandlerOptions.scanCooldownMillis} (same meaning). */
  minIntervalMs?: number;
  /**
   * Options for the page's scans. Budgets left out fall back to `scan()`'s defaults (not to the
   * createMemsize() budgets); `paths` defaults to on (depth 3, top 20, no Map keys) so the page can
   * show where the bytes sit. @defaultValue { paths: true }
   */
  scan?: ScanOptions;
  /** Shown in the page's header and title, e.g. the service's name. @defaultValue 'memsize' */
  title?: string;
  /** Show at most this many types per scan on the page (the JSON has them all). @defaultValue 40 */
  maxTypes?: number;
  /** Called with unexpected errors (a failing scan, a broken response). @defaultValue logs with console.error */
  onError?: (error: unknown) => void;
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
  readonly estimate: boolean;
  readonly sampleThreshold: number;
  readonly sampleSize: number;
  readonly deep: boolean;
  /** `undefined`: the scan picks a fresh seed. */
  readonly seed: number | undefined;
}

export interface ResolvedMemsizeOptions {
  /** `undefined`: the global provider, looked up at creation. `null`: no instruments. */
  readonly meterProvider: MeterProvider | null | undefined;
  readonly maxMillis: number;
  readonly maxObjects: number;
  readonly cacheMillis: number;
  readonly maxTypes: number;
  readonly maxRoots: number;
  readonly estimate: boolean;
  readonly sampleThreshold: number;
  readonly sampleSize: number;
  readonly deep: boolean;
  /** `undefined`: no `memsize_instance` label. */
  readonly instance: string | undefined;
}

export interface ResolvedPrometheusOptions {
  readonly memsize: ResolvedMemsizeOptions;
  readonly host: string;
  readonly port: number;
  readonly endpoint: string;
}

export interface ResolvedReportHandlerOptions {
  readonly prefix: string;
  readonly scanCooldownMillis: number;
  /** The page's scan options, validated; passed to `scanRoot()` as given (with `paths` on unless set). */
  readonly scan: Readonly<ScanOptions>;
  readonly title: string;
  readonly maxTypes: number;
  readonly onError: (error: unknown) => void;
}

// ---------------------------------------------------------------------------------------------
// The defaults table

function logReportError(error: unknown): void {
  console.error('memsize report:', error);
}

/**
 * Every option and its default, grouped by the call that takes it. `memsize` applies to
 * createMemsize(), startPrometheus() and prometheusHandler() (the last two take no
 * `meterProvider`); `prometheus` holds startPrometheus()'s listening options; `paths` is what
 * `scan({ paths: true })` means. README's options table lists every key (a test checks it).
 */
export const DEFAULTS = Object.freeze({
  scan: Object.freeze({
    maxObjects: 10_000_000,
    maxMillis: 5_000,
    paths: false as PathOptions | boolean,
    estimate: true,
    sampleThreshold: 8192,
    sampleSize: 4096,
    deep: true,
    seed: undefined as number | undefined,
  }),
  paths: Object.freeze({ depth: 3, top: 20, keys: false }),
  memsize: Object.freeze({
    meterProvider: undefined as MeterProvider | null | undefined,
    maxMillis: 200,
    maxObjects: 1_000_000,
    cacheMillis: 5_000,
    maxTypes: 20,
    maxRoots: 50,
    estimate: true,
    sampleThreshold: 8192,
    sampleSize: 4096,
    deep: true,
    instance: undefined as string | undefined,
  }),
  prometheus: Object.freeze({ host: '127.0.0.1', port: 9464, endpoint: '/metrics' }),
  reportHandler: Object.freeze({
    prefix: '/memsize',
    scanCooldownMillis: 2_000,
    scan: Object.freeze({ paths: true }) as Readonly<ScanOptions>,
    title: 'memsize',
    maxTypes: 40,
    onError: logReportError as (error: unknown) => void,
  }),
  addRoot: Object.freeze({ weak: true }),
});

/** Old option names that still work, per group: old name → new name. Each logs one DeprecationWarning per process. */
export const DEPRECATED_ALIASES = Object.freeze({
  memsize: Object.freeze({ maxObjectsPerRoot: 'maxObjects', minIntervalMs: 'cacheMillis', maxTypesPerRoot: 'maxTypes' }),
  reportHandler: Object.freeze({ minIntervalMs: 'scanCooldownMillis' }),
} as const);

// ---------------------------------------------------------------------------------------------
// Validation

/** What a value must be: a phrase for the error message and the test. */
interface Rule {
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const positiveInt: Rule = { expected: 'a positive integer', test: (v) => isNumber(v) && Number.isSafeInteger(v) && v > 0 };
const nonNegativeInt: Rule = { expected: 'a non-negative safe integer', test: (v) => isNumber(v) && Number.isSafeInteger(v) && v >= 0 };
const positiveMillis: Rule = { expected: 'a positive finite number', test: (v) => isNumber(v) && v > 0 && v !== Infinity };
const nonNegativeMillis: Rule = { expected: 'a non-negative finite number', test: (v) => isNumber(v) && v >= 0 && v !== Infinity };
const boolean: Rule = { expected: 'a boolean', test: (v) => typeof v === 'boolean' };
const nonEmptyString: Rule = { expected: 'a non-empty string', test: (v) => typeof v === 'string' && v.length > 0 };
const fn: Rule = { expected: 'a function', test: (v) => typeof v === 'function' };
const pathsOption: Rule = { expected: 'a boolean or an object { depth, top, keys }', test: (v) => typeof v === 'boolean' || isPlainObject(v) };
const scanOption: Rule = { expected: 'an object of scan() options', test: (v) => isPlainObject(v) };
const meterProvider: Rule = {
  expected: 'a MeterProvider (an object with getMeter()), null or undefined',
  test: (v) => v === null || (typeof v === 'object' && typeof (v as { getMeter?: unknown }).getMeter === 'function'),
};
const port: Rule = { expected: 'an integer from 0 to 65535 (0 picks a free port)', test: (v) => isNumber(v) && Number.isInteger(v) && v >= 0 && v <= 65_535 };
const endpoint: Rule = {
  expected: 'a path starting with "/" (no spaces, query or fragment)',
  test: (v) => typeof v === 'string' && /^\/[\x21-\x7e]*$/.test(v) && !v.includes('?') && !v.includes('#'),
};
// A path of plain segments: no query, fragment, dot segments, or characters that need escaping in HTML or URLs.
const prefix: Rule = {
  expected: "a path like '/memsize' (letters, digits, '-', '_', '.', '~' between slashes, no trailing slash)",
  test: (v) => typeof v === 'string' && /^\/([A-Za-z0-9_~-][A-Za-z0-9._~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*)?$/.test(v),
};
// The root-name syntax (src/roots/name.ts): a label value that is safe in PromQL and on the page.
const instanceName: Rule = {
  expected: 'a name of 1-64 letters, digits, "_", "." or "-", starting with a letter, digit or "_"',
  test: (v) => typeof v === 'string' && v.length <= 64 && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(v),
};
const pathDepth: Rule = { expected: 'an integer from 1 to 16', test: (v) => positiveInt.test(v) && (v as number) <= 16 };

const ESTIMATE_RULES = { estimate: boolean, sampleThreshold: positiveInt, sampleSize: positiveInt, deep: boolean };

const RULES = {
  scan: { maxObjects: positiveInt, maxMillis: positiveMillis, paths: pathsOption, ...ESTIMATE_RULES, seed: nonNegativeInt },
  paths: { depth: pathDepth, top: positiveInt, keys: boolean },
  memsize: {
    meterProvider,
    maxMillis: positiveMillis,
    maxObjects: positiveInt,
    cacheMillis: nonNegativeMillis,
    maxTypes: positiveInt,
    maxRoots: positiveInt,
    ...ESTIMATE_RULES,
    instance: instanceName,
  },
  prometheus: { host: nonEmptyString, port, endpoint },
  reportHandler: { prefix, scanCooldownMillis: nonNegativeMillis, scan: scanOption, title: nonEmptyString, maxTypes: positiveInt, onError: fn },
  addRoot: { weak: boolean },
} satisfies { [G in keyof typeof DEFAULTS]: { [K in keyof (typeof DEFAULTS)[G]]: Rule } };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(call: string, option: string, message: string): MemsizeError {
  return new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.${option} ${message}`);
}

// Plain objects, not Map/Set: options are resolved before the walk, and a test replaces Map and
// Set methods globally to prove memsize runs none of them.
const warnedAliases: Record<string, true> = Object.create(null) as Record<string, true>;

function warnDeprecated(call: string, oldName: string, newName: string): void {
  const key = `${call}:${oldName}`;
  if (warnedAliases[key] === true) return;
  warnedAliases[key] = true;
  process.emitWarning(`${call}: options.${oldName} is deprecated, use options.${newName} (same meaning)`, {
    type: 'DeprecationWarning',
    code: 'MEMSIZE_DEP_OPTION',
  });
}

/**
 * The one resolver step every call uses: check `input` is an options object, map deprecated names,
 * reject unknown keys, merge the given values over `defaults` and validate each against `rules`.
 * `name` prefixes option names in messages (`paths.` for nested options). Not frozen: callers
 * add cross-field checks, then freeze.
 */
function mergeAndValidate<D extends object>(
  call: string,
  name: string,
  input: unknown,
  defaults: D,
  rules: { readonly [K in keyof D]: Rule },
  aliases: Readonly<Record<string, string>> = {},
  extraKnown: readonly string[] = [],
): { -readonly [K in keyof D]: D[K] } {
  const merged = { ...defaults } as { -readonly [K in keyof D]: D[K] };
  if (input === undefined) return merged;
  if (!isPlainObject(input)) {
    const what = name === '' ? 'options' : `options.${name.slice(0, -1)}`;
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: ${what} must be an object, got ${describeValue(input)}`);
  }
  const ruleOf = rules as Readonly<Record<string, Rule>>;
  const usedAs: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(input)) {
    if (extraKnown.includes(key)) continue;
    const canonical = Object.hasOwn(aliases, key) ? aliases[key]! : key;
    const rule = Object.hasOwn(ruleOf, canonical) ? ruleOf[canonical] : undefined;
    if (rule === undefined) {
      const known = [...Object.keys(ruleOf), ...extraKnown].join(', ');
      throw invalid(call, `${name}${key}`, `is not an option (known: ${known})`);
    }
    const other = usedAs[canonical];
    if (other !== undefined) {
      throw invalid(call, `${name}${key}`, `and options.${name}${other} are the same option under its old and new name: give one`);
    }
    usedAs[canonical] = key;
    if (canonical !== key) warnDeprecated(call, `${name}${key}`, `${name}${canonical}`);
    const value = input[key];
    if (value === undefined) continue;
    if (!rule.test(value)) throw invalid(call, `${name}${key}`, `must be ${rule.expected}, got ${describeValue(value)}`);
    (merged as Record<string, unknown>)[canonical] = value;
  }
  return merged;
}

function checkSampleSize(call: string, name: string, options: { sampleSize: number; sampleThreshold: number }): void {
  if (options.sampleSize > options.sampleThreshold) {
    throw invalid(
      call,
      `${name}sampleSize`,
      `must be at most options.${name}sampleThreshold (${options.sampleThreshold}), got ${options.sampleSize}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Resolvers, one per call

function resolvePaths(call: string, name: string, input: PathOptions | boolean): ResolvedPathOptions | null {
  if (input === false) return null;
  if (input === true) return DEFAULTS.paths;
  return Object.freeze(mergeAndValidate(call, `${name}paths.`, input, DEFAULTS.paths, RULES.paths));
}

function resolveScanIn(call: string, name: string, input: unknown): ResolvedScanOptions {
  const merged = mergeAndValidate(call, name, input, DEFAULTS.scan, RULES.scan);
  checkSampleSize(call, name, merged);
  return Object.freeze({ ...merged, paths: resolvePaths(call, name, merged.paths) });
}

const RESOLVED_SCAN_DEFAULTS = resolveScanIn('scan()', '', undefined);

/**
 * Resolve {@link scan}'s options over {@link DEFAULTS}.scan: merge, validate, freeze.
 * @throws MemsizeError ERR_MEMSIZE_INVALID_OPTION naming the option and the bad value
 */
export function resolveScanOptions(input: ScanOptions | undefined, call = 'scan()'): ResolvedScanOptions {
  if (input === undefined) return RESOLVED_SCAN_DEFAULTS;
  return resolveScanIn(call, '', input);
}

/** `extraKnown`: keys another resolver validates (startPrometheus()'s listening options). */
function resolveMemsizeIn(call: string, input: unknown, allowMeterProvider: boolean, extraKnown: readonly string[] = []): ResolvedMemsizeOptions {
  if (!allowMeterProvider && isPlainObject(input) && Object.hasOwn(input, 'meterProvider')) {
    throw invalid(
      call,
      'meterProvider',
      'is not an option (it creates its own MeterProvider; use createMemsize({ meterProvider }) to report through yours)',
    );
  }
  if (allowMeterProvider) {
    const merged = mergeAndValidate(call, '', input, DEFAULTS.memsize, RULES.memsize, DEPRECATED_ALIASES.memsize, extraKnown);
    checkSampleSize(call, '', merged);
    return Object.freeze(merged);
  }
  // The helpers bring their own provider: leave `meterProvider` out of the options an error lists.
  const { meterProvider: _defaultProvider, ...defaults } = DEFAULTS.memsize;
  const { meterProvider: _providerRule, ...rules } = RULES.memsize;
  const merged = mergeAndValidate(call, '', input, defaults, rules, DEPRECATED_ALIASES.memsize, extraKnown);
  checkSampleSize(call, '', merged);
  return Object.freeze({ ...merged, meterProvider: null });
}

/**
 * Resolve {@link createMemsize}'s options over {@link DEFAULTS}.memsize.
 * @throws MemsizeError ERR_MEMSIZE_INVALID_OPTION naming the option and the bad value
 */
export function resolveMemsizeOptions(input: MemsizeOptions | undefined): ResolvedMemsizeOptions {
  return resolveMemsizeIn('createMemsize()', input, true);
}

/** Resolve {@link prometheusHandler}'s options: those of createMemsize() without `meterProvider` (resolved to `null`: the helper brings its own). */
export function resolveHandlerOptions(call: string, input: PrometheusHandlerOptions | undefined): ResolvedMemsizeOptions {
  if (isPlainObject(input)) {
    for (const key of Object.keys(DEFAULTS.prometheus)) {
      if (Object.hasOwn(input, key)) throw invalid(call, key, `is not an option of ${call} (it serves on your server; startPrometheus() listens)`);
    }
  }
  return resolveMemsizeIn(call, input, false);
}

/** Resolve {@link startPrometheus}'s options: createMemsize()'s without `meterProvider`, plus {@link DEFAULTS}.prometheus. */
export function resolvePrometheusOptions(call: string, input: PrometheusOptions | undefined): ResolvedPrometheusOptions {
  const memsize = resolveMemsizeIn(call, input, false, Object.keys(DEFAULTS.prometheus));
  const memsizeKeys = [...Object.keys(RULES.memsize), ...Object.keys(DEPRECATED_ALIASES.memsize)].filter((k) => k !== 'meterProvider');
  const listen = mergeAndValidate(call, '', input, DEFAULTS.prometheus, RULES.prometheus, {}, memsizeKeys);
  return Object.freeze({ memsize, ...listen });
}

/** Resolve `addRoot()`'s options for a target of the given kind. */
export function resolveAddRootOptions(name: string, input: AddRootOptions | undefined, targetIsFunction: boolean): { weak: boolean } {
  const call = `addRoot(${JSON.stringify(name)})`;
  const given = mergeAndValidate(call, '', input, { weak: undefined as boolean | undefined }, { weak: boolean });
  if (targetIsFunction) {
    if (given.weak === true) {
      throw invalid(call, 'weak', 'applies to object roots only; a root function is called at every collection and is held strongly');
    }
    return { weak: false };
  }
  return { weak: given.weak ?? DEFAULTS.addRoot.weak };
}

/**
 * Resolve {@link createReportHandler}'s options over {@link DEFAULTS}.reportHandler. The page's
 * scan options are validated now (as `options.scan.*`), not on the first click.
 */
export function resolveReportHandlerOptions(input: ReportHandlerOptions | undefined): ResolvedReportHandlerOptions {
  const call = 'createReportHandler()';
  const merged = mergeAndValidate(call, '', input, DEFAULTS.reportHandler, RULES.reportHandler, DEPRECATED_ALIASES.reportHandler);
  const scan: ScanOptions = { ...DEFAULTS.reportHandler.scan, ...(merged.scan === DEFAULTS.reportHandler.scan ? {} : merged.scan) };
  resolveScanIn(call, 'scan.', scan);
  return Object.freeze({ ...merged, scan: Object.freeze(scan) });
}
