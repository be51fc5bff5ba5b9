/**
 * OTLP push, end to end: memsize on a MeterProvider whose reader exports through the real
 * `@opentelemetry/exporter-metrics-otlp-http`, set up as docs/metrics.md shows it (delta
 * temporality preference), to a receiver on 127.0.0.1 that decodes what arrived (OTLP/HTTP JSON):
 * names, units, descriptions, attributes, values, instrument kinds, temporality, and that a removed
 * root's series are not pushed again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregationTemporalityPreference, OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize } from '../../src/index.js';
import { METER_NAME, METRICS, ROOT_CORRECTION, WALK_ERRORS } from '../../src/metrics/names.js';
import { collectionPoints } from '../../src/metrics/points.js';

/** OTLP/JSON, the parts this test reads (opentelemetry-proto, metrics/v1/metrics.proto). */
interface OtlpValue {
  stringValue?: string;
}
interface OtlpPoint {
  attributes?: { key: string; value: OtlpValue }[];
  asInt?: string | number;
  asDouble?: number;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  description?: string;
  gauge?: { dataPoints: OtlpPoint[] };
  sum?: { dataPoints: OtlpPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
}
interface OtlpRequest {
  resourceMetrics: { scopeMetrics: { scope: { name: string }; metrics: OtlpMetric[] }[] }[];
}
/** AggregationTemporality in the proto: 1 delta, 2 cumulative. */
const DELTA = 1;

const MAX_TYPES = 3;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A local OTLP/HTTP receiver: every request body it got, parsed. */
async function startReceiver(): Promise<{ url: string; received: OtlpRequest[]; contentTypes: string[] }> {
  const received: OtlpRequest[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));
      if (req.method === 'POST' && req.url === '/v1/metrics') received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, received, contentTypes };
}

/** memsize's metrics of one export, by name. */
function memsizeMetrics(request: OtlpRequest): Map<string, OtlpMetric> {
  const scopes = request.resourceMetrics.flatMap((r) => r.scopeMetrics).filter((s) => s.scope.name === METER_NAME);
  return new Map(scopes.flatMap((s) => s.metrics).map((m) => [m.name, m]));
}

const attributesOf = (point: OtlpPoint) => Object.fromEntries((point.attributes ?? []).map((a) => [a.key, a.value.stringValue]));
const valueOf = (point: OtlpPoint) => (point.asInt !== undefined ? Number(point.asInt) : point.asDouble!);
const pointKey = (name: string, attributes: Record<string, unknown>) => `${name}${JSON.stringify(Object.entries(attributes).sort())}`;

describe('OTLP push through @opentelemetry/exporter-metrics-otlp-http', () => {
  it("delivers memsize's metrics with their names, units, attributes and values, and drops a removed root's series", async () => {
    // Arrange: the setup docs/metrics.md gives, pointed at the local receiver.
    const receiver = await startReceiver();
    const meterProvider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: receiver.url, temporalityPreference: AggregationTemporalityPreference.DELTA }),
          exportIntervalMillis: 3_600_000, // exports only when flushed below
        }),
      ],
    });
    cleanups.push(() => meterProvider.shutdown());
    const memsize = createMemsize({ meterProvider, cacheMillis: 0, maxTypes: MAX_TYPES });
    cleanups.push(() => memsize.shutdown());
    const sessions = new Map(Array.from({ length: 100 }, (_, i) => [`s${i}`, { id: i, tags: [`t${i}`], score: i + 0.5 }]));
    memsize.addRoot('sessions', sessions);
    memsize.addRoot('broken', () => {
      throw new Error('not ready');
    });

    // Act: one export.
    await meterProvider.forceFlush();

    // Assert: one request, JSON, with every instrument as specified.
    expect(receiver.received.length).toBe(1);
    expect(receiver.contentTypes[0]).toMatch(/^application\/json/);
    const metrics = memsizeMetrics(receiver.received[0]!);
    const collection = memsize.lastCollection()!;
    expect(collection.roots.get('sessions')!.bytes).toBeGreaterThan(0);
    const expected = new Map(collectionPoints(collection, MAX_TYPES).map((p) => [pointKey(p.metric.name, p.attributes), p.value]));
    const arrived = new Map<string, number>();
    for (const spec of METRICS) {
      const metric = metrics.get(spec.name);
      if (spec === ROOT_CORRECTION) {
        expect(metric, 'no root is calibrated').toBeUndefined();
        continue;
      }
      expect(metric, spec.name).toBeDefined();
      expect({ name: metric!.name, unit: metric!.unit ?? '', description: metric!.description }).toEqual({ name: spec.name, unit: spec.unit, description: spec.description });
      if (spec.kind === 'counter') {
        // The counter arrives as a monotonic sum, with the delta temporality the docs advise.
        expect(metric!.sum).toMatchObject({ aggregationTemporality: DELTA, isMonotonic: true });
      } else {
        expect(metric!.gauge, spec.name).toBeDefined();
      }
      for (const point of (metric!.gauge ?? metric!.sum)!.dataPoints) {
        const attributes = attributesOf(point);
        expect(Object.keys(attributes).sort(), spec.name).toEqual([...spec.attributes].sort());
        arrived.set(pointKey(spec.name, attributes), valueOf(point));
      }
    }
    expect(Object.fromEntries(arrived)).toEqual(Object.fromEntries(expected));
    expect(arrived.get(pointKey('memsize.root.bytes', { root: 'sessions' }))).toBe(Math.round(collection.roots.get('sessions')!.bytes));
    expect(arrived.get(pointKey(WALK_ERRORS.name, { root: 'broken' }))).toBe(1);
    expect(arrived.get(pointKey('memsize.type.bytes', { root: 'sessions', type: '(other)' }))).toBeGreaterThan(0);

    // Act: remove the root, export again.
    memsize.removeRoot('sessions');
    await meterProvider.forceFlush();

    // Assert: nothing of the removed root; the failing root's counter carries this export's increment.
    expect(receiver.received.length).toBe(2);
    const second = memsizeMetrics(receiver.received[1]!);
    const roots = [...second.values()].flatMap((m) => (m.gauge ?? m.sum)!.dataPoints.map((p) => attributesOf(p).root)).filter((r) => r !== undefined);
    expect(new Set(roots)).toEqual(new Set(['broken']));
    const errors = second.get(WALK_ERRORS.name)!.sum!.dataPoints.map((p) => [attributesOf(p).root, valueOf(p)]);
    expect(errors).toEqual([['broken', 1]]);
  });
});
