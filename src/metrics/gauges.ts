/**
 * The OpenTelemetry side: one observable instrument (a gauge, or for walk errors a counter) per
 * entry of names.ts's METRICS and ONE batch
 * callback that reads one collection (cached by collect.ts) and feeds every gauge, so a metrics
 * collection costs at most one walk however many instruments and readers there are. Uses only
 * `@opentelemetry/api`, so any SDK and exporter works. The callback never throws into the SDK.
 */
import { ValueType, type BatchObservableResult, type MeterProvider, type Observable } from '@opentelemetry/api';
import type { Collection } from '../collect.js';
import { METER_NAME, METRICS, type MetricSpec } from './names.js';
import { collectionPoints } from './points.js';

/** Handle on the registered gauges. */
export interface GaugeRegistration {
  /** Stop observing: removes the batch callback (instruments cannot be deleted from a Meter). */
  unregister(): void;
}

/**
 * Register memsize's gauges on a meter of `meterProvider` with one batch callback.
 * @param collect returns the collection to report (cached or fresh); if it throws, `onError` gets the error and nothing is observed
 */
export function registerGauges(
  meterProvider: MeterProvider,
  collect: () => Collection,
  maxTypes: number,
  onError: (error: unknown) => void,
): GaugeRegistration {
  const meter = meterProvider.getMeter(METER_NAME);
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
    for (const point of collectionPoints(collection, maxTypes)) {
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
