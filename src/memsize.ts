/**
 * The factory: wires a root registry, a collector and (optionally) the OpenTelemetry gauges
 * into the object users hold. Failures of roots and collections are logged here through
 * OpenTelemetry's `diag`, once per root and reason (or once per message), never per scrape.
 */
import { diag, metrics, type MeterProvider } from '@opentelemetry/api';
import { Collector, type Collection } from './collect.js';
import { MemsizeError } from './errors.js';
import { registerGauges, type GaugeRegistration } from './metrics/gauges.js';
import {
  resolveMemsizeOptions,
  type AddRootOptions,
  type MemsizeOptions,
  type ResolvedMemsizeOptions,
  type ScanOptions,
} from './options.js';
import { RootRegistry, type RootTarget } from './roots/registry.js';
import { scan } from './scan.js';
import type { ScanResult } from './snapshot.js';

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
   * The measurement the gauges report: the last collection while younger than `cacheMillis`
   * (and no root was added or removed since), else a fresh one. Never throws for a root that fails.
   */
  collect(): Collection;
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
}

/**
 * Create a memsize instance reporting registered roots as OpenTelemetry gauges on
 * `options.meterProvider` (default: the global one).
 *
 * @throws MemsizeError ERR_MEMSIZE_INVALID_OPTION naming the bad option
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
  const gauges: GaugeRegistration | null =
    meterProvider === null
      ? null
      : registerGauges(meterProvider, () => collector.collect(), options.maxTypes, (error) => {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          if (loggedFailures.has(message)) return;
          loggedFailures.add(message);
          diag.error(`memsize: a collection failed, no memsize metrics were reported this time: ${message}`);
        });
  let shutdownPromise: Promise<void> | null = null;

  const assertRunning = (call: string): void => {
    if (shutdownPromise !== null) throw new MemsizeError('ERR_MEMSIZE_SHUT_DOWN', `${call}: this memsize instance was shut down`);
  };

  return {
    addRoot(name, target, addOptions) {
      assertRunning(`addRoot(${JSON.stringify(name)})`);
      registry.add(name, target, addOptions);
    },
    removeRoot(name) {
      const entry = registry.get(name);
      if (entry !== undefined) collector.forget(entry);
      return registry.remove(name);
    },
    rootNames() {
      return registry.names();
    },
    collect() {
      return collector.collect();
    },
    scanRoot(name, scanOptions) {
      const call = `scanRoot(${JSON.stringify(name)})`;
      assertRunning(call);
      const entry = registry.get(name);
      if (entry === undefined) {
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
        throw new MemsizeError('ERR_MEMSIZE_ROOT_UNKNOWN', `${call}: the root was garbage-collected and has been unregistered`);
      }
      if (resolution.status === 'failed') {
        throw new MemsizeError('ERR_MEMSIZE_INVALID_ROOT', `${call}: ${resolution.error.message}`);
      }
      return scan(resolution.value, scanOptions);
    },
    shutdown() {
      if (shutdownPromise === null) {
        gauges?.unregister();
        registry.clear();
        collector.reset();
        shutdownPromise = onShutdown();
      }
      return shutdownPromise;
    },
  };
}
