/**
 * The `memsize/prom-client` entry: memsize's series in a prom-client `Registry`, for services that
 * already serve prom-client's /metrics. The same names, labels, types and help texts as the
 * OpenTelemetry path (both come from metrics/names.ts and metrics/points.ts), so grafana/ and
 * deploy/ work unchanged.
 *
 * prom-client asks each metric for its values when it is scraped, one `collect` per metric, all in
 * one synchronous pass (Registry.metrics() starts every metric's get() before awaiting any). The
 * first `collect` of a pass reads one collection from the Memsize (cached there for `cacheMillis`)
 * and turns it into points; the others reuse them, so a scrape costs at most one walk. Each metric
 * is reset before it is filled, so a removed root or a type that left the top list disappears.
 */
import { diag } from '@opentelemetry/api';
import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import { describeValue, MemsizeError } from './errors.js';
import { exportHookOf, type ExportHook, type Memsize } from './memsize.js';
import { ATTR_INSTANCE, METRICS, PROMETHEUS_NAMES, WALK_ERRORS, type MetricSpec } from './metrics/names.js';
import { collectionPoints, type MetricPoint } from './metrics/points.js';

/** Options for {@link registerPromClient}. */
export interface PromClientOptions {
  /** The registry to add memsize's series to. @defaultValue prom-client's default `register` */
  registry?: Registry;
}

/** What {@link registerPromClient} returns. */
export interface PromClientRegistration {
  /** The Prometheus names registered, e.g. `memsize_root_bytes`. */
  readonly names: readonly string[];
  /** Remove memsize's series from the registry. Idempotent. */
  unregister(): void;
}

/** The Prometheus name of each instrument, in METRICS' order. */
const PROMETHEUS_NAME = new Map<MetricSpec, string>(METRICS.map((spec) => [spec, prometheusName(spec)]));

function prometheusName(spec: MetricSpec): string {
  const base = spec.name.replaceAll('.', '_');
  const name = spec === WALK_ERRORS ? `${base}_total` : base;
  if (!(Object.values(PROMETHEUS_NAMES) as string[]).includes(name)) throw new Error(`memsize: no Prometheus name for ${spec.name}`);
  return name;
}

function isRegistry(value: unknown): value is Registry {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['registerMetric', 'getSingleMetric', 'removeSingleMetric', 'metrics'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
  );
}

/**
 * Add memsize's series to a prom-client registry, so the application's existing `/metrics` serves
 * them beside its own metrics. Values are read when the registry is scraped: at most one walk per
 * scrape, however many of memsize's metrics it collects.
 *
 * @param memsize what `createMemsize()` returned; pass `{ meterProvider: null }` to it when prom-client is your only exporter
 * @param options `registry`: the registry to use (default: prom-client's global `register`)
 * @returns the names registered, and `unregister()`
 * @throws MemsizeError ERR_MEMSIZE_INVALID_OPTION when `memsize` is not a Memsize, `options.registry`
 *   is not a prom-client Registry, or the registry already has a metric of one of memsize's names;
 *   ERR_MEMSIZE_SHUT_DOWN when `memsize` was shut down
 * @example
 * import client from 'prom-client';
 * import { createMemsize } from 'memsize';
 * import { registerPromClient } from 'memsize/prom-client';
 * const memsize = createMemsize({ meterProvider: null });
 * memsize.addRoot('sessions', sessions);
 * registerPromClient(memsize);                 // served by client.register.metrics()
 */
export function registerPromClient(memsize: Memsize, options?: PromClientOptions): PromClientRegistration {
  const call = 'registerPromClient()';
  const hook = exportHookOf(memsize);
  if (hook === undefined || typeof memsize.collect !== 'function') {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: memsize must be what createMemsize(), startPrometheus() or prometheusHandler() returned, got ${describeValue(memsize)}`);
  }
  if (hook.isShutDown()) throw new MemsizeError('ERR_MEMSIZE_SHUT_DOWN', `${call}: this memsize instance was shut down`);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (key !== 'registry') throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.${key} is not an option (known: registry)`);
  }
  const registry = options?.registry === undefined ? defaultRegistry : options.registry;
  if (!isRegistry(registry)) {
    throw new MemsizeError('ERR_MEMSIZE_INVALID_OPTION', `${call}: options.registry must be a prom-client Registry (new client.Registry() or client.register), got ${describeValue(registry)}`);
  }
  const taken = [...PROMETHEUS_NAME.values()].filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) {
    throw new MemsizeError(
      'ERR_MEMSIZE_INVALID_OPTION',
      `${call}: options.registry already has ${taken.join(', ')}: memsize's series are registered on it already (unregister() the first registration), or another metric uses the name`,
    );
  }

  const points = scrapePoints(memsize, hook);
  const metrics = METRICS.map((spec) => {
    const name = PROMETHEUS_NAME.get(spec)!;
    const config = { name, help: spec.description, labelNames: hook.instance === undefined ? [...spec.attributes] : [...spec.attributes, ATTR_INSTANCE], registers: [] as Registry[] };
    const metric = spec.kind === 'counter' ? new MemsizeCounter(config, () => points(spec)) : new MemsizeGauge(config, () => points(spec));
    return { name, metric };
  });
  for (const { metric } of metrics) registry.registerMetric(metric);
  let registered = true;
  return {
    names: Object.freeze([...PROMETHEUS_NAME.values()]),
    unregister() {
      if (!registered) return;
      registered = false;
      // Only ours: the application may have registered its own under a name since.
      for (const { name, metric } of metrics) if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
    },
  };
}

type Config = { name: string; help: string; labelNames: string[]; registers: Registry[] };
type Labels = Record<string, string>;

/**
 * A gauge filled from memsize's points at each scrape. prom-client gives a gauge without labels a
 * value of 0 when it has none; with no point (no collection yet, shut down, a failed collection)
 * it exports no sample instead, as the OpenTelemetry exporter does.
 */
class MemsizeGauge extends Gauge {
  #observed = false;

  constructor(config: Config, points: () => readonly MetricPoint[]) {
    super({
      ...config,
      collect: () => {
        this.reset();
        const observed = points();
        for (const point of observed) this.set(point.attributes as Labels, point.value);
        this.#observed = observed.length > 0;
      },
    });
  }

  override async get(): Promise<Awaited<ReturnType<Gauge['get']>>> {
    const result = await super.get();
    return this.#observed ? result : { ...result, values: [] };
  }
}

/** The walk-errors counter: its running total per root, as memsize keeps it, set at each scrape. */
class MemsizeCounter extends Counter {
  constructor(config: Config, points: () => readonly MetricPoint[]) {
    super({
      ...config,
      collect: () => {
        this.reset();
        for (const point of points()) this.inc(point.attributes as Labels, point.value);
      },
    });
  }
}

/**
 * The points of one scrape, per instrument: the first call in a synchronous pass reads one
 * collection, later calls in the same pass reuse its points. Nothing after shutdown; a collection
 * that throws yields no points and is logged once per message.
 */
function scrapePoints(memsize: Memsize, hook: ExportHook): (spec: MetricSpec) => readonly MetricPoint[] {
  let current: Map<MetricSpec, MetricPoint[]> | null = null;
  const logged = new Set<string>();
  const read = (): Map<MetricSpec, MetricPoint[]> => {
    const bySpec = new Map<MetricSpec, MetricPoint[]>();
    if (hook.isShutDown()) return bySpec;
    try {
      for (const point of collectionPoints(memsize.collect(), hook.maxTypes, hook.instance)) {
        const list = bySpec.get(point.metric);
        if (list === undefined) bySpec.set(point.metric, [point]);
        else list.push(point);
      }
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (!logged.has(message)) {
        logged.add(message);
        diag.error(`memsize: a collection failed, no memsize metrics were reported this time: ${message}`);
      }
    }
    return bySpec;
  };
  return (spec) => {
    if (current === null) {
      current = read();
      // prom-client calls every metric's collect in one synchronous pass: forget after it.
      queueMicrotask(() => {
        current = null;
      });
    }
    return current.get(spec) ?? [];
  };
}

