/**
 * The `memsize/prometheus` entry. Prometheus for applications without an OpenTelemetry setup: a MeterProvider of its own with
 * the Prometheus exporter, either on its own port ({@link startPrometheus}) or mounted on the
 * application's node:http server ({@link prometheusHandler}).
 *
 * The exporter is adjusted in two ways (see docs/metrics.md, "Stale series"):
 * - observable gauges use delta temporality inside the SDK, so a series that the batch callback
 *   no longer observes (removed or collected root, type out of the top list) is not exported
 *   again at its last value, as it is under the default cumulative temporality (upstream
 *   opentelemetry-js #4096). Gauges carry no temporality in the Prometheus output.
 * - collections run one after another: with delta temporality, a collection that overlapped
 *   another could find the observations already taken by it and miss memsize's series.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { diag, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  InstrumentType,
  MeterProvider,
  type CollectionResult,
  type MetricCollectOptions,
} from '@opentelemetry/sdk-metrics';
import { MemsizeError } from './errors.js';
import { ATTR_ROOT, METER_NAME, WALK_ERRORS } from './metrics/names.js';
import { buildMemsize, type Memsize } from './memsize.js';
import {
  resolveHandlerOptions,
  resolvePrometheusOptions,
  type PrometheusHandlerOptions,
  type PrometheusOptions,
  type ResolvedMemsizeOptions,
} from './options.js';

/** What {@link startPrometheus} resolves to: a {@link Memsize} whose gauges are served on `url`. */
export interface PrometheusMemsize extends Memsize {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** The port listened on (the actual one when `port: 0` was asked). */
  readonly port: number;
  /** The interface listened on. */
  readonly host: string;
  /** The MeterProvider behind the endpoint; instruments the application creates on it are served too. */
  readonly meterProvider: ApiMeterProvider;
}

/** What {@link prometheusHandler} returns: a {@link Memsize} and a request handler serving its gauges. */
export interface PrometheusHandlerMemsize extends Memsize {
  /** Answers a GET (or HEAD) with the metrics in the Prometheus text format; mount it on your route. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The MeterProvider behind the handler; instruments the application creates on it are served too. */
  readonly meterProvider: ApiMeterProvider;
}

/**
 * The Prometheus exporter with delta-temporality observable gauges and one collection at a time.
 * The walk-errors counter must stay cumulative (Prometheus reads a counter's running total), so
 * the SDK would keep exporting a removed root's counter at its last value; `liveRoots` lets the
 * exporter drop the counter points of roots that are no longer registered.
 */
class MemsizePrometheusExporter extends PrometheusExporter {
  #lastCollection: Promise<unknown> = Promise.resolve();
  liveRoots: () => readonly string[] = () => [];

  override selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return instrumentType === InstrumentType.OBSERVABLE_GAUGE
      ? AggregationTemporality.DELTA
      : super.selectAggregationTemporality(instrumentType);
  }

  override collect(options?: MetricCollectOptions): Promise<CollectionResult> {
    const run = this.#lastCollection.then(async () => this.#dropRemovedRoots(await super.collect(options)));
    this.#lastCollection = run.catch(() => undefined);
    return run;
  }

  #dropRemovedRoots(result: CollectionResult): CollectionResult {
    const live = new Set(this.liveRoots());
    for (const scope of result.resourceMetrics.scopeMetrics) {
      if (scope.scope.name !== METER_NAME) continue;
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== WALK_ERRORS.name) continue;
        (metric as { dataPoints: unknown[] }).dataPoints = metric.dataPoints.filter((point) => live.has(String(point.attributes[ATTR_ROOT])));
      }
    }
    return result;
  }
}

interface Pipeline {
  memsize: Memsize;
  meterProvider: MeterProvider;
  serve: (req: IncomingMessage, res: ServerResponse) => void;
}

function buildPipeline(options: ResolvedMemsizeOptions, beforeProviderShutdown: () => Promise<void>): Pipeline {
  const exporter = new MemsizePrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  let shutDown = false;
  const memsize: Memsize = buildMemsize(options, meterProvider, async () => {
    shutDown = true;
    await beforeProviderShutdown();
    try {
      await meterProvider.shutdown();
    } catch (error) {
      diag.warn(`memsize: shutting down the Prometheus MeterProvider failed: ${String(error)}`);
    }
  });
  exporter.liveRoots = () => memsize.rootNames();
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
    } else if (shutDown) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('memsize was shut down\n');
    } else {
      exporter.getMetricsRequestHandler(req, res);
    }
  };
  return { memsize, meterProvider, serve };
}

/**
 * Mount memsize's `/metrics` on the application's own node:http server: no port is opened.
 *
 * @throws MemsizeError ERR_MEMSIZE_INVALID_OPTION naming the bad option
 * @example
 * const memsize = prometheusHandler();
 * memsize.addRoot('sessions', sessions);
 * http.createServer((req, res) => {
 *   if (req.url === '/metrics') return memsize.handler(req, res);
 *   app(req, res);
 * }).listen(8080);
 */
export function prometheusHandler(options?: PrometheusHandlerOptions): PrometheusHandlerMemsize {
  const resolved = resolveHandlerOptions('prometheusHandler()', options);
  const { memsize, meterProvider, serve } = buildPipeline(resolved, async () => {});
  return { ...memsize, handler: serve, meterProvider };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections (Prometheus keeps one open) would hold close() back.
    server.closeAllConnections();
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Start a MeterProvider with the Prometheus exporter serving memsize's gauges on
 * `http://host:port/endpoint` (default `http://127.0.0.1:9464/metrics`). The server does not keep
 * the process alive (it is unref'd). `shutdown()` is idempotent and frees the port.
 *
 * @returns a promise of a {@link PrometheusMemsize} once the port is listening. It rejects with a
 *   MemsizeError ERR_MEMSIZE_LISTEN when the port cannot be bound (in use, not permitted), or
 *   ERR_MEMSIZE_INVALID_OPTION naming a bad option.
 * @example
 * const memsize = await startPrometheus({ port: 9464 });
 * memsize.addRoot('sessions', sessions);
 * // curl http://127.0.0.1:9464/metrics
 */
export async function startPrometheus(options?: PrometheusOptions): Promise<PrometheusMemsize> {
  const resolved = resolvePrometheusOptions('startPrometheus()', options);
  const { host, endpoint } = resolved;
  let serve: Pipeline['serve'] = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname === endpoint) serve(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
  });
  let listening = false;
  const pipeline = buildPipeline(resolved.memsize, async () => {
    if (listening) await closeServer(server);
  });
  serve = pipeline.serve;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: resolved.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await pipeline.memsize.shutdown();
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const hint = code === 'EADDRINUSE' ? ': the port is in use; pass another options.port, or 0 for any free port' : '';
    throw new MemsizeError(
      'ERR_MEMSIZE_LISTEN',
      `startPrometheus(): cannot listen on ${urlHost(host)}:${resolved.port} (${code})${hint}`,
      { cause: error },
    );
  }
  listening = true;
  server.unref();
  server.on('error', (error) => diag.error(`memsize: the Prometheus endpoint's server failed: ${String(error)}`));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  return {
    ...pipeline.memsize,
    url: `http://${urlHost(host)}:${port}${endpoint}`,
    port,
    host,
    meterProvider: pipeline.meterProvider,
  };
}

export type { PrometheusOptions, PrometheusHandlerOptions } from './options.js';
