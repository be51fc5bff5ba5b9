/**
 * The OpenTelemetry side: one observable instrument (a gauge, or for walk errors a counter) per
 * entry of names.ts's METRICS and ONE batch
 * callback that reads one collection (cached by collect.ts) and feeds every gauge, so a metrics
 * collection costs at most one walk however many instruments and readers there are. Uses only
 * `@opentelemetry/api`, so any SDK and exporter works. The callback never throws into the SDK.
 */
import { createNoopMeter, ValueType, type BatchObservableResult, type Meter, type MeterProvider, type Observable } from '@opentelemetry/api';
import type { Collection } from '../collect.js';
import { MemsizeError } from '../errors.js';
import { ATTR_INSTANCE, METER_NAME, METRICS, type MetricSpec } from './names.js';
import { collectionPoints } from './points.js';

/** Handle on the registered gauges. */
export interface GaugeRegistration {
  /** Stop observing: removes the batch callback (instruments cannot be deleted from a Meter). */
  unregister(): void;
}

// Which memsize instances report to which provider, by `options.instance` ('' for none). The
// SDK hands every instance the same instruments (one meter name, the same instrument names) and
// keeps one value per attribute set, so two instances with the same label would overwrite each
// other's series (issue 20: one instance's union only). Kept on globalThis under a registered
// symbol so that two copies of this module (an ESM and a CommonJS load, a bundled copy) see
// each other's claims; weak, so a provider the application drops is not kept alive.
const CLAIMS_KEY = Symbol.for('memsize.meterProviderClaims');
type Claims = WeakMap<object, Set<string>>;

function claims(): Claims {
  const holder = globalThis as { [CLAIMS_KEY]?: Claims };
  let map = holder[CLAIMS_KEY];
  if (!(map instanceof WeakMap)) {
    map = new WeakMap();
    Object.defineProperty(holder, CLAIMS_KEY, { value: map, configurable: true, enumerable: false, writable: false });
  }
  return map;
}

// The API's no-op meter (what the global provider gives before an SDK is registered): its
// instruments export nothing, so instances on it cannot collide and are not refused.
const NOOP_METER_CLASS: unknown = createNoopMeter().constructor;
const isNoopMeter = (meter: Meter): boolean => (meter as { constructor?: unknown }).constructor === NOOP_METER_CLASS;

const describeInstance = (key: string): string => (key === '' ? 'without options.instance' : `with options.instance ${JSON.stringify(key)}`);

/**
 * Claim `meterProvider` for one memsize instance (by its `options.instance`), or throw when
 * another instance with the same label already reports to it.
 * @throws MemsizeError ERR_MEMSIZE_INSTANCE_EXISTS naming the conflict and the fix
 * @returns the release of the claim (idempotent)
 */
function claimProvider(meterProvider: MeterProvider, instance: string | undefined): () => void {
  const key = instance ?? '';
  const map = claims();
  let taken = map.get(meterProvider);
  if (taken === undefined) {
    taken = new Set();
    map.set(meterProvider, taken);
  }
  if (taken.has(key)) {
    const others = [...taken].map(describeInstance).join(', ');
    throw new MemsizeError(
      'ERR_MEMSIZE_INSTANCE_EXISTS',
      `createMemsize(): a memsize instance ${describeInstance(key)} already reports to this MeterProvider (instances on it: ${others}); ` +
        `both would export the same series (memsize_root_bytes{root}, memsize_union_bytes, ...) and overwrite each other. ` +
        `Give each instance its own options.instance (exported as the ${ATTR_INSTANCE} label), register the roots on one instance, ` +
        'or shutdown() the other first.',
    );
  }
  taken.add(key);
  const owned = taken;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    owned.delete(key);
  };
}

/**
 * Register memsize's gauges on a meter of `meterProvider` with one batch callback.
 * @param collect returns the collection to report (cached or fresh); if it throws, `onError` gets the error and nothing is observed
 * @param instance `options.instance`: the `memsize_instance` label of every point, and this instance's claim on the provider
 * @throws MemsizeError ERR_MEMSIZE_INSTANCE_EXISTS when an instance with the same `instance` already reports to `meterProvider`
 */
export function registerGauges(
  meterProvider: MeterProvider,
  collect: () => Collection,
  maxTypes: number,
  onError: (error: unknown) => void,
  instance?: string,
): GaugeRegistration {
  const meter = meterProvider.getMeter(METER_NAME);
  const release = isNoopMeter(meter) ? () => {} : claimProvider(meterProvider, instance);
  const gauges = new Map<MetricSpec, Observable>();
  for (const spec of METRICS) {
    const options = { description: spec.description, unit: spec.unit, valueType: spec.integer ? ValueType.INT : ValueType.DOUBLE };
    gauges.set(spec, spec.kind === 'counter' ? meter.createObservableCounter(spec.name, options) : meter.createObservableGauge(spec.name, options));
  }
  const observables: Observable[] = [...gauges.values()];
  const callback = (result: BatchObservableResult): void => {
    let collection: Collection;
    try {
      collection = collect();
    } catch (error) {
      reportSafely(onError, error);
      return;
    }
    for (const point of collectionPoints(collection, maxTypes, instance)) {
      result.observe(gauges.get(point.metric)!, point.value, point.attributes);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  let registered = true;
  return {
    unregister() {
      if (!registered) return;
      registered = false;
      meter.removeBatchObservableCallback(callback, observables);
      release();
    },
  };
}

function reportSafely(onError: (error: unknown) => void, error: unknown): void {
  try {
    onError(error);
  } catch {
    // Never let a logger's failure escape into the SDK's collection.
  }
}
