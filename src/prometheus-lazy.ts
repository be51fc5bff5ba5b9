/**
 * `startPrometheus` on the main entry, kept for code written before the helpers moved to
 * `memsize/prometheus`. It loads that module (and with it `@opentelemetry/sdk-metrics` and
 * `@opentelemetry/exporter-prometheus`) only when called, so importing `memsize` never needs the
 * SDK. Knows nothing of the exporter itself.
 */
import { MemsizeError } from './errors.js';
import type { PrometheusOptions } from './options.js';
import type { PrometheusMemsize } from './prometheus.js';

/**
 * @deprecated since 0.2.0: import `startPrometheus` from `memsize/prometheus`. This one loads that
 * module on first call and behaves the same.
 * @throws (rejects) MemsizeError ERR_MEMSIZE_MISSING_PEER when `@opentelemetry/sdk-metrics` or
 *   `@opentelemetry/exporter-prometheus` is not installed; otherwise as `memsize/prometheus`'s.
 */
export async function startPrometheus(options?: PrometheusOptions): Promise<PrometheusMemsize> {
  let helpers: typeof import('./prometheus.js');
  try {
    helpers = await import('./prometheus.js');
  } catch (error) {
    throw new MemsizeError(
      'ERR_MEMSIZE_MISSING_PEER',
      'startPrometheus(): the Prometheus helpers need @opentelemetry/sdk-metrics and @opentelemetry/exporter-prometheus: ' +
        'npm install @opentelemetry/sdk-metrics @opentelemetry/exporter-prometheus',
      { cause: error },
    );
  }
  return helpers.startPrometheus(options);
}
