/**
 * The report page as a `node:http` handler users mount on their own (debug) server: routing, and
 * the scans it runs. What it remembers between requests (each root's last two scans, the pacing)
 * is scans.ts; the check against V8, the search for large structures and Track are
 * snapshot-actions.ts; the HTTP plumbing (bodies, errors, the same-origin checks) is http.ts;
 * it hands plain data to the pure renderers in json.ts and html.ts. A GET never walks anything; only a POST from the page's own
 * script does. It never throws into the host's server: failures answer 500 and are logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { describeValue, MemsizeError } from '../errors.js';
import { resolveReportHandlerOptions, type ReportHandlerOptions } from '../options.js';
import type { Collection } from '../collect.js';
import type { ScanResult } from '../results.js';
import { buildReport, type ReportJSON } from './json.js';
import { renderHtml } from './html.js';
import { PAGE_CSP } from './page-assets.js';
import { formatReport } from './text.js';
import { checkScanRequest, HttpError, parseBodyFields, readBody, send, sendJSON, wantsJSON } from './http.js';
import { ReportScans } from './scans.js';
import { DISCOVER_FIELDS, SnapshotActions, TRACK_FIELDS, VERIFY_FIELDS } from './snapshot-actions.js';
import type { ReportSource } from './source.js';
import { collectedRootMessage } from '../roots/registry.js';

export type { ReportSource } from './source.js';

/**
 * A `node:http` request handler. Returns true when the request was the report's (it answered it),
 * false when it was not (nothing was written): chain your own routes after it. Works as
 * Connect/Express middleware too: given `next`, it calls it for requests that are not the report's.
 */
export type ReportHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => boolean;

/**
 * Create the report page's request handler. Mount it on a debug server; do not expose it to the
 * internet (it shows the shapes of your data and lets visitors make the process walk its roots).
 *
 * Routes under `prefix`: `GET prefix` the page (`?root=NAME` selects a root; `?format=json|text`
 * or `Accept: application/json` for data), `POST prefix/scan` with a JSON body `{"root": NAME}`,
 * `Content-Type: application/json` and an `X-Memsize-Scan` header scans one root. When the source
 * has `verify()` (createMemsize()'s object does): `GET prefix/verify` states the cost of a check
 * against V8, and `POST prefix/verify` (same headers, body `{"force": false, "calibrate": false}`)
 * runs one (`calibrate: true` keeps its ratios as corrections); above the heap limit it answers
 * 409 with the refusal, and `{"force": true}` runs it anyway. When the source has `discover()`:
 * `GET prefix/discover` states the cost of a search for large structures, `POST prefix/discover`
 * (same headers, body `{"force": false}`) runs one and keeps its candidates (weakly), and with
 * `addRoot()` too, `POST prefix/track` (same headers, body `{"candidate": NAME}`) registers the
 * last search's candidate of that name as a root of that name.
 *
 * @param source - the roots and their scans: the object `createMemsize()` or `startPrometheus()` returns.
 * @param options - see {@link ReportHandlerOptions}.
 * @returns a handler that answers the report's requests and returns false for any other.
 * @throws MemsizeError `ERR_MEMSIZE_INVALID_OPTION` for a bad source or option, naming it.
 * @example
 * const memsize = createMemsize();
 * memsize.addRoot('sessions', sessions);
 * const report = createReportHandler(memsize, { prefix: '/debug/memsize' });
 * http.createServer((req, res) => { if (!report(req, res)) app(req, res); }).listen(9000, '127.0.0.1');
 */
export function createReportHandler(source: ReportSource, options?: ReportHandlerOptions): ReportHandler {
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof (source as Partial<ReportSource>).rootNames !== 'function' ||
    typeof (source as Partial<ReportSource>).scanRoot !== 'function'
  ) {
    throw new MemsizeError(
      'ERR_MEMSIZE_INVALID_OPTION',
      `createReportHandler(): source must have rootNames() and scanRoot() (pass what createMemsize() returns), got ${describeValue(source)}`,
    );
  }
  const config = resolveReportHandlerOptions(options);
  const configuredBase = config.prefix === '/' ? '' : config.prefix; // no trailing slash: '' when mounted at '/'
  const scans = new ReportScans(config.scanCooldownMillis);
  const actions = new SnapshotActions(source, config.onError);

  /** A 404 for a root name that is not registered, saying so when it was a weak root that was collected. */
  function unknownRoot(name: string): HttpError {
    let collectedAt: number | null = null;
    try {
      collectedAt = source.collectedAt?.(name) ?? null;
    } catch {
      // Context only: fall back to the plain message.
    }
    return new HttpError(404, collectedAt === null ? `no root named ${describeValue(name)} is registered` : collectedRootMessage(name, collectedAt));
  }

  function report(): ReportJSON {
    let heap: ReportJSON['heap'] = null;
    try {
      const stats = getHeapStatistics();
      heap = { usedBytes: stats.used_heap_size, totalBytes: stats.total_heap_size };
    } catch {
      // Context only: the page works without it.
    }
    let collected: Collection | null = null;
    try {
      collected = source.lastCollection?.() ?? null;
    } catch {
      // Context only, as the heap: the page works without it.
    }
    return buildReport(scans.current(source.rootNames()), { now: Date.now(), minIntervalMs: config.scanCooldownMillis, nextScanInMs: scans.nextScanInMs(), heap, collected });
  }

  function servePage(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, pageBase: string): void {
    const format = query.get('format');
    if (format !== null && !['html', 'json', 'text'].includes(format)) {
      throw new HttpError(400, `format must be html, json or text, got ${describeValue(format)}`);
    }
    const head = req.method === 'HEAD';
    const data = report();
    const wanted = query.get('root');
    if (wantsJSON(req, format)) {
      if (wanted === null) return sendJSON(res, 200, data, {}, head);
      const root = data.roots.find((r) => r.name === wanted);
      if (root === undefined) throw unknownRoot(wanted);
      return sendJSON(res, 200, { ...data, roots: [root] }, {}, head);
    }
    if (format === 'text') {
      const parts = scans.current(source.rootNames())
        .filter((h) => wanted === null || h.name === wanted)
        .map((h) =>
          h.last === null
            ? `${h.name}: not scanned yet\n`
            : formatReport(h.last.result, { title: `${h.name} (scan #${h.last.seq} at ${new Date(h.last.at).toISOString()})` }),
        );
      return send(res, 200, 'text/plain', parts.join('\n') || 'no roots registered\n', {}, head);
    }
    const html = renderHtml(data, { prefix: pageBase, selected: wanted, title: config.title, maxTypes: config.maxTypes, verify: actions.verifyState(), discover: actions.discoverState(data.roots.map((r) => r.name)) });
    send(res, 200, 'text/html', html, { 'content-security-policy': PAGE_CSP, 'x-frame-options': 'DENY' }, head);
  }

  async function serveScan(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkScanRequest(req);
    scans.checkPace();
    const text = await readBody(req);
    let name: unknown;
    try {
      name = (JSON.parse(text) as { root?: unknown } | null)?.root;
    } catch {
      throw new HttpError(400, 'the request body must be JSON like {"root": "sessions"}');
    }
    if (typeof name !== 'string') throw new HttpError(400, `the body's "root" must be a root's name, got ${describeValue(name)}`);
    if (!source.rootNames().includes(name)) throw unknownRoot(name);
    // Another scan may have finished while this body was arriving; scans themselves are
    // synchronous, so one at a time is guaranteed and only the interval needs checking again.
    scans.checkPace();
    let result: ScanResult;
    try {
      result = source.scanRoot(name, config.scan);
    } catch (error) {
      scans.ended();
      if (error instanceof MemsizeError && error.code === 'ERR_MEMSIZE_ROOT_UNKNOWN') {
        throw unknownRoot(name);
      }
      const message = error instanceof Error ? error.message : String(error);
      scans.recordFailure(name, message);
      config.onError(error);
      throw new HttpError(500, `scanning ${describeValue(name)} failed: ${message}`);
    }
    scans.recordScan(name, result);
    const root = report().roots.find((r) => r.name === name) ?? null;
    sendJSON(res, 200, { root, nextScanInMs: scans.nextScanInMs() });
  }

  /**
   * POST prefix/verify, prefix/discover and prefix/track: guarded like a scan (checkScanRequest)
   * and paced with scans, since each blocks the event loop (a heap snapshot, or V8 walking the
   * heap to find a tracked object). The body is checked before the pacing starts over.
   */
  async function serveAction(req: IncomingMessage, res: ServerResponse, action: 'verify' | 'discover' | 'track'): Promise<void> {
    actions.assertAvailable(action);
    checkScanRequest(req);
    scans.checkPace();
    const text = await readBody(req);
    if (action === 'verify') {
      const options = actions.verifyOptions(parseBodyFields(text, VERIFY_FIELDS, '{"force": false, "calibrate": false}'));
      const verify = paced(() => actions.verify(options));
      return sendJSON(res, 200, { verify, nextScanInMs: scans.nextScanInMs() });
    }
    if (action === 'discover') {
      const options = actions.discoverOptions(parseBodyFields(text, DISCOVER_FIELDS, '{"force": false}'));
      const discover = paced(() => actions.discover(options, () => source.rootNames()));
      return sendJSON(res, 200, { discover, nextScanInMs: scans.nextScanInMs() });
    }
    const name = actions.trackCandidate(parseBodyFields(text, TRACK_FIELDS, '{"candidate": "sessions"}'));
    const tracked = paced(() => actions.track(name));
    sendJSON(res, 200, { ...tracked, nextScanInMs: scans.nextScanInMs() });
  }

  /** Run `work` as the one heavy task allowed now: the cooldown starts when it ends, whatever its outcome. */
  function paced<T>(work: () => T): T {
    // Another scan may have finished while the body was arriving; the work itself is synchronous.
    scans.checkPace();
    try {
      return work();
    } finally {
      scans.ended();
    }
  }

  function fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      if (!(error instanceof HttpError)) config.onError(error);
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      if (error.status === 413 || error.status === 408) error.headers.connection = 'close';
      return sendJSON(res, error.status, { error: error.message, ...error.extra }, error.headers);
    }
    config.onError(error);
    sendJSON(res, 500, { error: 'the memsize report failed; see the server log' });
  }

  return function memsizeReport(req, res, next) {
    const { path, query: rawQuery, base } = routeOf(req, configuredBase);
    const isPage = path === (base || '/') || path === `${base}/`;
    if (!isPage && !path.startsWith(`${base}/`)) {
      if (typeof next === 'function') next();
      return false;
    }
    try {
      const query = new URLSearchParams(rawQuery);
      if (isPage) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${path} answers GET and HEAD`, { allow: 'GET, HEAD' });
        servePage(req, res, query, base);
      } else if (path === `${base}/scan`) {
        if (req.method !== 'POST') throw new HttpError(405, `${path} answers POST only`, { allow: 'POST' });
        serveScan(req, res).catch((error: unknown) => fail(res, error));
      } else if (path === `${base}/verify` || path === `${base}/discover`) {
        const action = path === `${base}/verify` ? 'verify' : 'discover';
        if (req.method === 'GET' || req.method === 'HEAD') {
          // The cost only: reads heap statistics, never snapshots.
          actions.assertAvailable(action);
          const state = action === 'verify' ? actions.verifyState() : actions.discoverState(source.rootNames());
          if (state === undefined) throw new HttpError(500, 'stating the cost failed; see the server log');
          sendJSON(res, 200, { cost: state.cost, last: state.last, refusal: state.refusal }, {}, req.method === 'HEAD');
        } else if (req.method === 'POST') {
          serveAction(req, res, action).catch((error: unknown) => fail(res, error));
        } else {
          throw new HttpError(405, `${path} answers GET, HEAD and POST`, { allow: 'GET, HEAD, POST' });
        }
      } else if (path === `${base}/track`) {
        if (req.method !== 'POST') throw new HttpError(405, `${path} answers POST only`, { allow: 'POST' });
        serveAction(req, res, 'track').catch((error: unknown) => fail(res, error));
      } else if (base === '') {
        // Mounted at '/': paths that are not ours belong to the host.
        if (typeof next === 'function') next();
        return false;
      } else {
        throw new HttpError(404, `nothing at ${path}; the report is at ${base}`);
      }
    } catch (error) {
      fail(res, error);
    }
    return true;
  };
}

/** Where a request points: its path and query, and the prefix the report answers under for it. */
interface Route {
  readonly path: string;
  readonly query: string;
  /** The report's prefix as the browser sees it (no trailing slash; '' at the root). */
  readonly base: string;
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * Express, Connect and Fastify's middie strip the mount path from `req.url` and keep the whole URL
 * in `req.originalUrl`. The report routes on the whole URL, so `app.use('/memsize', report)`
 * answers at `/memsize` like `app.use(report)`. A handler mounted elsewhere
 * (`app.use('/debug', report)`) answers under the mount path plus its prefix (`/debug/memsize`),
 * and its page's links and scans say so.
 */
export function routeOf(req: IncomingMessage, base: string): Route {
  const stripped = splitUrl(req.url ?? '/');
  const originalUrl = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  if (typeof originalUrl !== 'string' || originalUrl === req.url) return { ...stripped, base };
  const whole = splitUrl(originalUrl);
  const under = (path: string, prefix: string) => path === (prefix || '/') || path.startsWith(`${prefix}/`);
  // (A prefix of '/' would claim every path: try the mount first for it.)
  if (base !== '' && under(whole.path, base)) return { ...whole, base };
  // Mounted elsewhere: the mount path is what was stripped from the whole path.
  const rest = stripped.path === '/' ? '' : stripped.path;
  if (under(stripped.path, base) && whole.path.endsWith(rest)) {
    const mount = whole.path.slice(0, whole.path.length - rest.length).replace(/\/$/, '');
    return { path: `${mount}${stripped.path === '/' ? '' : stripped.path}` || '/', query: whole.query, base: `${mount}${base}` };
  }
  return { ...whole, base };
}
