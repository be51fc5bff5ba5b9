/**
 * Shared by the metrics tests: an in-memory MetricReader driving the real SDK, and a parser for
 * the Prometheus text format as served on /metrics.
 */
import {
  AggregationTemporality,
  InstrumentType,
  MeterProvider,
  MetricReader,
  type GaugeMetricData,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A reader that collects on demand; `temporality` applies to observable gauges. */
export class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE) {
    super({
      aggregationTemporalitySelector: (type) =>
        type === InstrumentType.OBSERVABLE_GAUGE ? temporality : AggregationTemporality.CUMULATIVE,
    });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface Collected {
  metrics: Map<string, MetricData>;
  errors: unknown[];
}

/** Collect once and index the metrics by OpenTelemetry name. */
export async function collectMetrics(reader: MetricReader): Promise<Collected> {
  const { resourceMetrics, errors } = await reader.collect();
  const metrics = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) metrics.set(m.descriptor.name, m);
  return { metrics, errors };
}

/** A gauge's points as `attributes JSON → value` (attribute keys sorted). */
export function gaugePoints(collected: Collected, name: string): Map<string, number> {
  const out = new Map<string, number>();
  const metric = collected.metrics.get(name) as GaugeMetricData | undefined;
  for (const point of metric?.dataPoints ?? []) out.set(attrKey(point.attributes as Record<string, string>), point.value);
  return out;
}

export function attrKey(attributes: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1))));
}

export function newProvider(temporality?: AggregationTemporality): { provider: MeterProvider; reader: TestReader } {
  const reader = new TestReader(temporality);
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the Prometheus text exposition format (the subset the OTel exporter writes). */
export function parsePrometheusText(text: string): { samples: Sample[]; help: Map<string, string>; types: Map<string, string>; units: Map<string, string> } {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const units = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      (kind === 'HELP' ? help : kind === 'TYPE' ? types : units).set(name, rest);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!sample) throw new Error(`unparseable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { samples, help, types, units };
}

/** Samples of one metric as `root|type → value` (missing labels empty). */
export function byRootType(samples: Sample[], name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) if (s.name === name) out.set(`${s.labels.root ?? ''}|${s.labels.type ?? ''}`, s.value);
  return out;
}
