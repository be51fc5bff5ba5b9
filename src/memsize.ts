/**
 * The factory: wires a root registry, a collector and (optionally) the OpenTelemetry gauges
 * into the object users hold. Failures of roots and collections are logged here through
 * OpenTelemetry's `diag`, once per root and reason (or once per message), never per scrape.
 */
import { diag, metrics, type MeterProvider } from '@opentelemetry/api';
import { Collector, withUnionFloor, type Collection, type RootMeasurement } from './collect.js';
import { MemsizeError } from './errors.js';
import { registerGauges, type GaugeRegistration } from './metrics/gauges.js';
import {
  resolveMemsizeOptions,
  type AddRootOptions,
  type MemsizeOptions,
  type ResolvedMemsizeOptions,
  type ScanOptions,
} from './options.js';
import { collectedRootMessage, RootRegistry, type RootTarget } from './roots/registry.js';
import { scan } from './scan.js';
import { unavailableDetail } from './inspector/session.js';
import type { ScanResult } from './results.js';
import { applyCorrection, CorrectionStore, type CorrectionFactors } from './verify/correction.js';
import { estimateDiscoverCost, resolveDiscoverOptions, runDiscover, type DiscoverOptions, type DiscoverResult, type RegisteredRoot } from './verify/discover.js';
import { estimateVerifyCost, heapTooLarge, resolveVerifyOptions, runVerify, type VerifyCost, type VerifyInput, type VerifyOptions, type VerifyResult } from './verify/verify.js';

/**
 * Internal: what another exporter of memsize's series (the `memsize/prom-client` entry) needs from a
 * Memsize beyond its public methods. Symbol-keyed and enumerable, so it stays out of the public
 * type and a spread of the object (as startPrometheus() makes) keeps it.
 */
export const EXPORT_HOOK: unique symbol = Symbol('memsize.export');

/** See {@link EXPORT_HOOK}. */
export interface ExportHook {
  /** `options.maxTypes` of the instance: how many `type` series per root. */
  readonly maxTypes: number;
  /** Whether `shutdown()` was called. */
  readonly isShutDown: () => boolean;
  /** `options.instance` of the instance: the `memsize_instance` label, or undefined for none. */
  readonly instance: string | undefined;
}

/** The {@link ExportHook} of a Memsize, or undefined for anything else. */
export function exportHookOf(value: unknown): ExportHook | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const hook = (value as { [EXPORT_HOOK]?: ExportHook })[EXPORT_HOOK];
  return typeof hook === 'object' && hook !== null ? hook : undefined;
}

/** What {@link createMemsize} returns: register roots, read measurements, shut down. */
export interface Memsize {
  /**
   * Register a root to measure at every collection.
   * @param name the `root` label: 1-64 letters, digits, `_`, `.`, `-`, starting with a letter, digit or `_`
   * @param target an object (held weakly unless `{ weak: false }`), or a function returning the
   *   object to measure, called at each collection (for roots that get reassigned); to measure a
   *   function object itself, pass `() => fn`
   * @throws MemsizeError ERR_MEMSIZE_INVALID_ROOT_NAME, ERR_MEMSIZE_INVALID_ROOT (a primitive or
   *   revoked Proxy), ERR_MEMSIZE_INVALID_OPTION, ERR_MEMSIZE_ROOT_EXISTS, ERR_MEMSIZE_TOO_MANY_ROOTS,
   *   ERR_MEMSIZE_SHUT_DOWN
   */
  addRoot(name: string, target: RootTarget, options?: AddRootOptions): void;
  /** Unregister a root; its series disappear from the next collection. @returns false when no root has that name */
  removeRoot(name: string): boolean;
  /** Names of the registered roots, in registration order (weak roots already found collected are gone). */
  rootNames(): string[];
  /**
   * When a weak root of this name was found garbage-collected and unregistered (`Date.now()`
   * milliseconds), or null: never registered, still registered, removed, or added again since.
   * The report page uses it to say that a root it was asked for was collected.
   */
  collectedAt(name: string): number | null;
  /**
   * The measurement the gauges report: the last collection while younger than `cacheMillis`
   * (and no root was added or removed since), else a fresh one. Never throws for a root that fails.
   * Roots calibrated by `verify({ calibrate })` are corrected and carry a `correction` field.
   */
  collect(): Collection;
  /**
   * The last collection a scrape (or `collect()`) made, as it was reported, without measuring
   * anything: null before the first one and after shutdown. The report page shows it on first open.
   */
  lastCollection(): Collection | null;
  /**
   * A fresh one-off {@link scan} of one registered root, with scan()'s own options and defaults
   * (e.g. `{ paths: true }` for the report page). Not cached and not budgeted by `maxMillis`.
   * @throws MemsizeError ERR_MEMSIZE_ROOT_UNKNOWN (no such root, or it was garbage-collected),
   *   ERR_MEMSIZE_INVALID_ROOT (its function threw or returned no object), ERR_MEMSIZE_INVALID_OPTION,
   *   ERR_MEMSIZE_SHUT_DOWN
   */
  scanRoot(name: string, options?: ScanOptions): ScanResult;
  /**
   * Stop reporting and forget every root. Idempotent: later calls return the same promise. After
   * it, `addRoot()` and `scanRoot()` throw ERR_MEMSIZE_SHUT_DOWN, `removeRoot()` returns false,
   * `rootNames()` is empty and `collect()` returns a collection with no roots.
   */
  shutdown(): Promise<void>;
  /**
   * Check memsize against V8: scan every registered root, take ONE heap snapshot of the process,
   * and return V8's retained size of each root (per root and per type) beside memsize's estimate
   * from a fresh scan. Expensive and synchronous: it blocks the event loop for the whole snapshot
   * (a full GC included) and needs memory in proportion to the heap; {@link verifyCost} states the
   * cost first. Run only when called. Keeps no reference to any root afterwards.
   * With `{ calibrate: true }` (or a list of root names) the ratios found are kept as correction
   * factors: later collections of those roots are scaled by them, per type, and say so in their
   * `correction` field.
   * @throws MemsizeError ERR_MEMSIZE_HEAP_TOO_LARGE when the used heap is above
   *   `options.maxHeapBytes` (default 256 MiB) and `force` is not set; ERR_MEMSIZE_INVALID_OPTION;
   *   ERR_MEMSIZE_ROOT_UNKNOWN for a name in `roots` or `calibrate` that is not registered;
   *   ERR_MEMSIZE_SHUT_DOWN
   */
  verify(options?: VerifyOptions): VerifyResult;
  /**
   * What {@link verify} would cost now (time, memory, temporary file), estimated from the used
   * heap, and whether it would run without `force`. Cheap.
   * @param options `maxHeapBytes` as verify() takes it
   */
  verifyCost(options?: Pick<VerifyOptions, 'maxHeapBytes'>): VerifyCost;
  /**
   * Find the structures that hold the memory: take ONE heap snapshot and return the `top`
   * largest structures by V8 retained size (not V8 internals, not wrappers that only forward to
   * one large child), each with a readable `path` to where it is held, a suggested root `name`,
   * a weak `ref()` to the live object (`memsize.addRoot(c.name, c.ref())` tracks it) and
   * `coveredBy` when a registered root already reaches it. Expensive and synchronous like
   * {@link verify}: same cost ({@link discoverCost}), same refusal. Runs no user code and keeps
   * nothing alive.
   * @throws MemsizeError ERR_MEMSIZE_HEAP_TOO_LARGE above `options.maxHeapBytes` (default 256 MiB)
   *   without `force`; ERR_MEMSIZE_INVALID_OPTION; ERR_MEMSIZE_SHUT_DOWN
   */
  discover(options?: DiscoverOptions): DiscoverResult;
  /** What {@link discover} would cost now, estimated from the used heap. Cheap. */
  discoverCost(options?: Pick<DiscoverOptions, 'maxHeapBytes'>): VerifyCost;
  /** The correction factors kept by `verify({ calibrate })`, by root name (plain copies). */
  corrections(): Record<string, CorrectionFactors>;
  /** Drop the correction of one root (or of all): later collections report memsize's own figures. @returns whether any was dropped */
  clearCorrections(name?: string): boolean;
}

/**
 * Create a memsize instance reporting registered roots as OpenTelemetry gauges on
 * `options.meterProvider` (default: the global one).
 *
 * @throws MemsizeError ERR_MEMSIZE_INVALID_OPTION naming the bad option; ERR_MEMSIZE_INSTANCE_EXISTS
 *   when another memsize instance with the same `options.instance` (or, like this one, none)
 *   already reports to the provider and was not shut down: give each its own `instance`
 * @example
 * import { metrics } from '@opentelemetry/api';
 * const memsize = createMemsize({ meterProvider: metrics.getMeterProvider() });
 * memsize.addRoot('sessions', sessions);          // held weakly
 * memsize.addRoot('cache', () => app.cache);      // re-read at each collection
 */
export function createMemsize(options?: MemsizeOptions): Memsize {
  const resolved = resolveMemsizeOptions(options);
  const meterProvider = resolved.meterProvider === undefined ? metrics.getMeterProvider() : resolved.meterProvider;
  return buildMemsize(resolved, meterProvider, async () => {});
}

/** Internal: a Memsize on an explicit provider (null: none), running `onShutdown` once at shutdown. */
export function buildMemsize(
  options: ResolvedMemsizeOptions,
  meterProvider: MeterProvider | null,
  onShutdown: () => Promise<void>,
): Memsize {
  const registry = new RootRegistry(options.maxRoots);
  const collector = new Collector(registry, options, (name, error) => {
    diag.warn(
      `memsize: root "${name}" could not be measured (${error.reason}): ${error.message}. ` +
        'Counted in memsize_walk_errors_total; logged once per root and reason.',
    );
  });
  const loggedFailures = new Set<string>();
  let hiddenLogged = false;
  /** Say once, through diag, that deep reads fell back to what JavaScript shows. */
  const noteHidden = (collection: Collection): Collection => {
    if (hiddenLogged || !options.deep) return collection;
    for (const m of collection.roots.values()) {
      if (m.error !== null || m.hidden === 'on' || m.hidden === 'off') continue;
      hiddenLogged = true;
      diag.warn(
        `memsize: #private fields, closure scopes and WeakMap values are not measured (${m.hidden}: ${unavailableDetail()}); ` +
          'the figures cover what JavaScript shows. memsize_root_hidden is 0; logged once.',
      );
      break;
    }
    return collection;
  };
  const corrections = new CorrectionStore();
  // Corrected copies per collection, so repeated reads of one cached collection give one object.
  let correctedFrom: Collection | null = null;
  let correctedTo: Collection | null = null;
  /**
   * The collector's collection with calibrated roots corrected (verify({ calibrate })). This is
   * where the correction hooks into the pipeline until the collector and gauges take it over.
   */
  let latest: Collection | null = null;
  const collectCorrected = (): Collection => {
    latest = correctedCollection();
    return latest;
  };
  const correctedCollection = (): Collection => {
    const collection = noteHidden(collector.collect());
    if (corrections.size === 0) return collection;
    if (collection === correctedFrom && correctedTo !== null) return correctedTo;
    const roots = new Map<string, RootMeasurement>(collection.roots);
    for (const [name, measurement] of collection.roots) {
      const factors = corrections.get(name);
      // A truncated walk is a lower bound: scaling it would pass off a guess as corrected.
      if (factors === undefined || measurement.error !== null || measurement.truncated) continue;
      roots.set(name, applyCorrection(measurement, factors));
    }
    correctedFrom = collection;
    correctedTo = withUnionFloor({ ...collection, roots });
    return correctedTo;
  };
  const gauges: GaugeRegistration | null =
    meterProvider === null
      ? null
      : registerGauges(meterProvider, () => collectCorrected(), options.maxTypes, (error) => {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          if (loggedFailures.has(message)) return;
          loggedFailures.add(message);
          diag.error(`memsize: a collection failed, no memsize metrics were reported this time: ${message}`);
        }, options.instance);
  let shutdownPromise: Promise<void> | null = null;

  const assertRunning = (call: string): void => {
    if (shutdownPromise !== null) throw new MemsizeError('ERR_MEMSIZE_SHUT_DOWN', `${call}: this memsize instance was shut down`);
  };

  const hook: ExportHook = { maxTypes: options.maxTypes, isShutDown: () => shutdownPromise !== null, instance: options.instance };
  const memsize: Memsize & { [EXPORT_HOOK]: ExportHook } = {
    [EXPORT_HOOK]: hook,
    addRoot(name, target, addOptions) {
      assertRunning(`addRoot(${JSON.stringify(name)})`);
      registry.add(name, target, addOptions);
    },
    removeRoot(name) {
      const entry = registry.get(name);
      if (entry !== undefined) collector.forget(entry);
      corrections.delete(name);
      return registry.remove(name);
    },
    rootNames() {
      return registry.names();
    },
    collectedAt(name) {
      return registry.collectedAt(name) ?? null;
    },
    collect() {
      return collectCorrected();
    },
    lastCollection() {
      return latest;
    },
    scanRoot(name, scanOptions) {
      const call = `scanRoot(${JSON.stringify(name)})`;
      assertRunning(call);
      const entry = registry.get(name);
      if (entry === undefined) {
        const collectedAt = registry.collectedAt(name);
        if (collectedAt !== undefined) throw new MemsizeError('ERR_MEMSIZE_ROOT_UNKNOWN', `${call}: ${collectedRootMessage(name, collectedAt)}`);
        const known = registry.names();
        throw new MemsizeError(
          'ERR_MEMSIZE_ROOT_UNKNOWN',
          `${call}: no root has this name (registered: ${known.length === 0 ? 'none' : known.map((n) => JSON.stringify(n)).join(', ')})`,
        );
      }
      const resolution = entry.resolve();
      if (resolution.status === 'collected') {
        registry.drop(entry);
        collector.forget(entry);
        throw new MemsizeError('ERR_MEMSIZE_ROOT_UNKNOWN', `${call}: ${collectedRootMessage(name, registry.collectedAt(name) ?? Date.now())}`);
      }
      if (resolution.status === 'failed') {
        throw new MemsizeError('ERR_MEMSIZE_INVALID_ROOT', `${call}: ${resolution.error.message}`);
      }
      return scan(resolution.value, scanOptions);
    },
    verify(verifyOptions) {
      const call = 'verify()';
      assertRunning(call);
      const resolvedVerify = resolveVerifyOptions(call, verifyOptions);
      const known = registry.names();
      for (const [option, names] of [['roots', resolvedVerify.roots], ['calibrate', Array.isArray(resolvedVerify.calibrate) ? resolvedVerify.calibrate : null]] as const) {
        for (const name of names ?? []) {
          if (!known.includes(name)) {
            throw new MemsizeError('ERR_MEMSIZE_ROOT_UNKNOWN', `${call}: options.${option} names ${JSON.stringify(name)}, which is not a registered root (registered: ${known.length === 0 ? 'none' : known.map((n) => JSON.stringify(n)).join(', ')})`);
          }
        }
      }
      const cost = estimateVerifyCost(resolvedVerify.maxHeapBytes);
      if (!cost.allowed && !resolvedVerify.force) throw heapTooLarge(call, cost);
      const inputs: VerifyInput[] = [];
      for (const name of resolvedVerify.roots ?? known) {
        const entry = registry.get(name);
        if (entry === undefined) continue;
        const resolution = entry.resolve();
        if (resolution.status === 'collected') inputs.push({ name, error: 'the root was garbage-collected' });
        else if (resolution.status === 'failed') inputs.push({ name, error: resolution.error.message });
        else inputs.push({ name, value: resolution.value });
      }
      const result = runVerify(inputs, resolvedVerify, cost);
      inputs.length = 0; // the values must not outlive the call (weak roots stay weak)
      for (const [name, factors] of Object.entries(result.corrections)) corrections.set(name, factors);
      return result;
    },
    verifyCost(costOptions) {
      return estimateVerifyCost(resolveVerifyOptions('verifyCost()', costOptions).maxHeapBytes);
    },
    discover(discoverOptions) {
      const call = 'discover()';
      assertRunning(call);
      const resolvedDiscover = resolveDiscoverOptions(call, discoverOptions);
      const cost = estimateDiscoverCost(resolvedDiscover.maxHeapBytes);
      if (!cost.allowed && !resolvedDiscover.force) throw heapTooLarge(call, cost);
      const resolveRoots = (): RegisteredRoot[] => {
        const out: RegisteredRoot[] = [];
        for (const name of registry.names()) {
          const resolution = registry.get(name)?.resolve();
          if (resolution?.status === 'ok') out.push({ name, value: resolution.value });
        }
        return out;
      };
      return runDiscover(resolvedDiscover, cost, resolveRoots, new Set(registry.names()));
    },
    discoverCost(costOptions) {
      return estimateDiscoverCost(resolveDiscoverOptions('discoverCost()', costOptions).maxHeapBytes);
    },
    corrections() {
      return corrections.toJSON();
    },
    clearCorrections(name) {
      if (name === undefined) {
        const had = corrections.size > 0;
        corrections.clear();
        return had;
      }
      return corrections.delete(name);
    },
    shutdown() {
      if (shutdownPromise === null) {
        corrections.clear();
        latest = null;
        gauges?.unregister();
        registry.clear();
        collector.reset();
        shutdownPromise = onShutdown();
      }
      return shutdownPromise;
    },
  };
  return memsize;
}
