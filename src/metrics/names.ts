/**
 * Metric names, units and attribute keys: the contract that dashboards (grafana/) and alert
 * rules (deploy/) depend on. Only this file spells them.
 *
 * Each OpenTelemetry name is chosen so that both ways of turning it into a Prometheus name give
 * the same result (README.md, "Metrics", lists them):
 * - the JS exporter in use (exporter-prometheus 0.30x) only replaces `.` by `_` and adds no unit;
 * - exporters that follow the OpenTelemetry "Prometheus and OpenMetrics compatibility" spec append
 *   the unit (`By` → `_bytes`, `s` → `_seconds`) unless the name already ends with it, drop units
 *   written in braces (`{object}`), and append `_ratio` to gauges whose unit is `1` — so no gauge
 *   here uses the unit `1`.
 * test/metrics/names.test.ts checks both rules against {@link PROMETHEUS_NAMES}.
 */

/** The `root` attribute: the name given to `addRoot()`, validated there. */
export const ATTR_ROOT = 'root';
/**
 * The `memsize_instance` attribute: `options.instance` of the memsize instance that reported the
 * point, on every point, and only when that option is set. Not `instance`: Prometheus sets that
 * label on every scraped series (the target), and dashboards and alert rules group by it.
 */
export const ATTR_INSTANCE = 'memsize_instance';
/** The `type` attribute: a type name from code (constructor name or value kind), or {@link OTHER_TYPE}. */
export const ATTR_TYPE = 'type';
/** The `type` value that sums every type beyond the top `maxTypes - 1` of a root. */
export const OTHER_TYPE = '(other)';

/** One instrument memsize registers: its OpenTelemetry name, unit, description and attributes. */
export interface MetricSpec {
  /** OpenTelemetry instrument name (dotted). */
  readonly name: string;
  /** UCUM unit as OpenTelemetry expects it. */
  readonly unit: string;
  readonly description: string;
  /** Attribute keys each data point carries. */
  readonly attributes: readonly string[];
  /** Whether values are integers (`ValueType.INT`) or not. */
  readonly integer: boolean;
  /**
   * `gauge` (also when left out): an observable gauge, a value that goes up and down. `counter`:
   * an observable counter, monotonic, observed as its running total; Prometheus adds `_total`.
   */
  readonly kind?: 'gauge' | 'counter';
}

/** Estimated retained bytes reachable from the root (held from the last complete walk while truncated). */
export const ROOT_BYTES: MetricSpec = Object.freeze({
  name: 'memsize.root.bytes',
  unit: 'By',
  description:
    'Estimated V8 heap bytes (plus ArrayBuffer backing stores) reachable from the root; an estimate of retained size. ' +
    'While the root is truncated, the larger of this walk (a lower bound) and the last complete walk.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: true,
  kind: 'gauge',
});

/** Distinct heap things reachable from the root. */
export const ROOT_OBJECTS: MetricSpec = Object.freeze({
  name: 'memsize.root.objects',
  unit: '{object}',
  description: 'Distinct heap things (objects, strings, numbers, backing stores) reachable from the root.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: true,
  kind: 'gauge',
});

/** Bytes per type under the root: the top types, the rest summed into `(other)`. */
export const TYPE_BYTES: MetricSpec = Object.freeze({
  name: 'memsize.type.bytes',
  unit: 'By',
  description: 'Estimated bytes held by things of this type under the root; the largest types, the rest summed into type="(other)".',
  attributes: Object.freeze([ATTR_ROOT, ATTR_TYPE]),
  integer: true,
  kind: 'gauge',
});

/** Objects per type under the root. */
export const TYPE_OBJECTS: MetricSpec = Object.freeze({
  name: 'memsize.type.objects',
  unit: '{object}',
  description: 'Heap things of this type under the root; same types as memsize_type_bytes.',
  attributes: Object.freeze([ATTR_ROOT, ATTR_TYPE]),
  integer: true,
  kind: 'gauge',
});

/** Bytes reachable from any root, each thing counted once (the roots' figures may overlap; this does not). */
export const ROOT_ESTIMATED: MetricSpec = Object.freeze({
  name: 'memsize.root.estimated',
  unit: '',
  description:
    "1 when the root's figures are estimated (its large collections were measured from random samples of their entries), " +
    '0 when every heap thing was walked.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: true,
});

export const ROOT_BYTES_ERROR: MetricSpec = Object.freeze({
  name: 'memsize.root.bytes.error.ratio',
  unit: '1',
  description:
    'Half-width of the 95% confidence interval of memsize_root_bytes, relative to it: the root holds ' +
    'memsize_root_bytes * (1 ± this). Sampling error only; 0 when the figures are exact.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: false,
});

export const ROOT_CORRECTION: MetricSpec = Object.freeze({
  name: 'memsize.root.correction.ratio',
  unit: '1',
  description:
    'For a root calibrated by verify({ calibrate }): the factor its figures were scaled by (V8 / memsize at the check). ' +
    'Absent for roots reported as measured.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: false,
});

export const UNION_BYTES: MetricSpec = Object.freeze({
  name: 'memsize.union.bytes',
  unit: 'By',
  description:
    'Estimated bytes reachable from any registered root, each heap thing counted once (per-root figures may overlap). ' +
    'A lower bound while a root is truncated.',
  attributes: Object.freeze([]),
  integer: true,
  kind: 'gauge',
});

/** Objects reachable from any root, each counted once. */
export const UNION_OBJECTS: MetricSpec = Object.freeze({
  name: 'memsize.union.objects',
  unit: '{object}',
  description: 'Distinct heap things reachable from any registered root, each counted once.',
  attributes: Object.freeze([]),
  integer: true,
  kind: 'gauge',
});

/** How long the last collection blocked the event loop. */
export const WALK_DURATION: MetricSpec = Object.freeze({
  name: 'memsize.walk.duration.seconds',
  unit: 's',
  description: 'How long the last collection (all roots, one walk) blocked the event loop.',
  attributes: Object.freeze([]),
  integer: false,
  kind: 'gauge',
});

/** Heap things the last collection's walk visited, summed over roots. */
export const WALK_OBJECTS: MetricSpec = Object.freeze({
  name: 'memsize.walk.objects',
  unit: '{object}',
  description: "Heap things the last collection's walk visited, summed over the roots (the walk's work).",
  attributes: Object.freeze([]),
  integer: true,
  kind: 'gauge',
});

/** 1 when the root's last walk hit its budget (figures are a lower bound or held), else 0. */
export const WALK_TRUNCATED: MetricSpec = Object.freeze({
  name: 'memsize.walk.truncated',
  unit: '',
  description:
    "1 when the root's last walk hit its budget (maxMillis share or maxObjects), else 0. " +
    'While 1, the root reports the larger of the partial walk and its last complete walk.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: true,
  kind: 'gauge',
});

/** 1 when the root's last walk read what JavaScript does not show (`#private` fields, closure scopes, WeakMap values), else 0. */
export const ROOT_HIDDEN: MetricSpec = Object.freeze({
  name: 'memsize.root.hidden',
  unit: '',
  description:
    "1 when the root's last walk read #private fields, closure scopes and WeakMap values through the inspector, " +
    "0 when deep reads were off (deep: false) or the inspector was unavailable (the figures then cover what JavaScript shows).",
  attributes: Object.freeze([ATTR_ROOT]),
  integer: true,
  kind: 'gauge',
});

/**
 * Collections since `addRoot()` in which the root could not be measured: a counter, scraped as
 * `memsize_walk_errors_total` (both exporter rules add `_total` to a monotonic sum; the unit in
 * braces adds nothing).
 */
export const WALK_ERRORS: MetricSpec = Object.freeze({
  name: 'memsize.walk.errors',
  unit: '{error}',
  description:
    'Collections since the root was added in which it could not be measured (its function threw, ' +
    'returned a primitive or a revoked proxy). A counter: it only grows while the root is registered.',
  attributes: Object.freeze([ATTR_ROOT]),
  integer: true,
  kind: 'counter',
});

/** Every instrument memsize registers, in the order they are created. */
export const METRICS: readonly MetricSpec[] = Object.freeze([
  ROOT_BYTES,
  ROOT_OBJECTS,
  ROOT_ESTIMATED,
  ROOT_BYTES_ERROR,
  ROOT_CORRECTION,
  TYPE_BYTES,
  TYPE_OBJECTS,
  UNION_BYTES,
  UNION_OBJECTS,
  WALK_DURATION,
  WALK_OBJECTS,
  WALK_TRUNCATED,
  ROOT_HIDDEN,
  WALK_ERRORS,
]);

/**
 * The Prometheus name each instrument is scraped as. Dashboards and alert rules use these.
 * The one counter, {@link WALK_ERRORS}, carries the `_total` suffix Prometheus gives counters.
 */
export const PROMETHEUS_NAMES = Object.freeze({
  rootBytes: 'memsize_root_bytes',
  rootObjects: 'memsize_root_objects',
  rootEstimated: 'memsize_root_estimated',
  rootBytesError: 'memsize_root_bytes_error_ratio',
  rootCorrection: 'memsize_root_correction_ratio',
  typeBytes: 'memsize_type_bytes',
  typeObjects: 'memsize_type_objects',
  unionBytes: 'memsize_union_bytes',
  unionObjects: 'memsize_union_objects',
  walkDuration: 'memsize_walk_duration_seconds',
  walkObjects: 'memsize_walk_objects',
  walkTruncated: 'memsize_walk_truncated',
  rootHidden: 'memsize_root_hidden',
  walkErrors: 'memsize_walk_errors_total',
} as const);

/** Meter (instrumentation scope) name; Prometheus shows it as `otel_scope_name="memsize"`. */
export const METER_NAME = 'memsize';
