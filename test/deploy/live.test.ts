/**
 * Proven live: a real Prometheus, started with deploy/prometheus/prometheus.yml and alerts.yml,
 * scrapes a real memsize process (this one) twice over: through startPrometheus() (OpenTelemetry)
 * and through memsize/prom-client on a prom-client Registry beside prom-client's default metrics,
 * as two targets of the shipped job. Every alert must fire for each, and the dashboard's queries
 * return data for each. The demo joins as a third target, serving through prom-client. The rules run in a
 * test-only copy whose windows and `for:` durations are divided by {@link FACTOR} (30 min becomes
 * 8 s), so that each alert can fire within seconds; names, thresholds and structure are the
 * shipped ones. The process holds one root per alert (growing, truncated, failing, removed, slow)
 * and a flat root that must stay quiet. Then every dashboard query and every rule runs through
 * Prometheus' HTTP API and must parse and return data.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import client from 'prom-client';
import { getHeapSpaceStatistics } from 'node:v8';
import { ValueType } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startPrometheus, type PrometheusMemsize } from '../../src/prometheus.js';
import { registerPromClient } from '../../src/prom-client.js';
import { scan } from '../../src/index.js';
import { startDemo, type RunningDemo } from '../support/demo.js';
import { createShop } from '../../demo/shop.mjs';
import {
  DASHBOARD,
  RULES,
  SCRAPE_CONFIG,
  dashboardQueries,
  dashboardVariables,
  instantQuery,
  promApi,
  readRepoFile,
  scaleRules,
  sleep,
  startPrometheusServer,
  substituteVariables,
  tool,
  type PrometheusServer,
  type RuleFile,
} from './support.js';

const prometheus = tool('prometheus');

/** The demo's leak, sped up: past 2 million entries in about 35 s, then flat at the cap. */
const DEMO_LEAK_PER_SECOND = 60_000;
const DEMO_LEAK_CAP = 3_000_000;

/** Test windows: shipped durations divided by this (30m → 8s, 1h → 15s, 5m → 3s). */
const FACTOR = 240;
/**
 * Shortest range after scaling. A sample is stamped when its scrape starts but is visible to a
 * rule only once the scrape is done (up to the 1 s scrape timeout). A range of 3 s at the 1 s
 * scrape interval therefore always holds two visible samples, whatever the phase of scrapes
 * against rule evaluations (which is fixed for a run). Over 2 s, an instant query sometimes counted
 * one sample here, where `increase()` returns nothing: the likely reason MemsizeWalkErrors
 * ([5m] → 2 s) never fired in one CI run.
 */
const MIN_RANGE_SECONDS = 3;
/** How long the alerts may take to fire, at most (they need about 25 s). */
const ALERTS_DEADLINE_MS = 60_000;
/** How long the first samples of every root may take to arrive (they come about 5 s after start). */
const SAMPLES_DEADLINE_MS = 30_000;
/** Rules report health "unknown" until their first evaluation (every second): this long is enough. */
const RULES_EVALUATED_MS = 1_500;
/**
 * The whole scenario's limit: the bounded waits above, plus time for starting Prometheus and the
 * app and for every query (together a few seconds), with 20 s to spare on a busy machine. Each
 * wait is bounded on its own; this catches queries or startup that became slow.
 */
/** How long the demo's leak may take to pass 2 million entries and fire its alert. */
const DEMO_DEADLINE_MS = 60_000;
const SCENARIO_LIMIT_MS = SAMPLES_DEADLINE_MS + RULES_EVALUATED_MS + ALERTS_DEADLINE_MS + DEMO_DEADLINE_MS + 20_000;
/** The slow root's function blocks this long: past MemsizeWalkTooSlow's 250 ms. */
const SLOW_ROOT_MS = 320;
/** Objects in the root that must be truncated, above maxObjects. */
const MAX_OBJECTS_PER_ROOT = 20_000;

class RequestEntry {
  constructor(
    public id: number,
    public body: string,
  ) {}
}
class Product {
  constructor(
    public sku: string,
    public priceCents: number,
  ) {}
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** Every alert this scenario must bring to firing, by name, with the labels that identify it. */
const EXPECTED_FIRING: Record<string, Record<string, string>> = {
  MemsizeRootGrowing: { root: 'growing' },
  MemsizeTypeGrowing: { root: 'growing', type: 'RequestEntry' },
  MemsizeWalkTruncated: { root: 'huge' },
  MemsizeWalkTooSlow: {},
  MemsizeWalkErrors: { root: 'broken' },
  MemsizeRootDisappeared: { root: 'removed' },
};

describe.runIf(prometheus.run)(`deploy/ and grafana/ against a real Prometheus${prometheus.skipNote}`, () => {
  let app: PrometheusMemsize | undefined;
  // The same memsize instance's series through prom-client, on a second port.
  let promClientServer: Server | undefined;
  let instances: { otel: string; promClient: string } | undefined;
  let server: PrometheusServer | undefined;
  // The demo with its leak sped up past what one walk covers: a second target of the same job.
  let demo: RunningDemo | undefined;
  let grow: ReturnType<typeof setInterval> | undefined;
  const shipped = parse(readRepoFile(RULES)) as RuleFile;
  const testRules = scaleRules(shipped, FACTOR, MIN_RANGE_SECONDS);
  const dashboard = JSON.parse(readRepoFile(DASHBOARD));
  const startedAt = performance.now();

  // The application's state. The roots are held here: memsize holds object roots weakly.
  const growing = { entries: [] as RequestEntry[] };
  const flat = new Map(Array.from({ length: 200 }, (_, i) => [`sku-${i}`, new Product(`sku-${i}`, 100 + i)]));
  // A linked list: no collection to sample, so only truncation is left (the last resort).
  let huge: { i: number; next: unknown } | null = null;
  for (let i = 0; i < MAX_OBJECTS_PER_ROOT * 1.5; i++) huge = { i, next: huge };
  const removed = { config: Array.from({ length: 50 }, (_, i) => `setting-${i}`) };
  const current = { users: Array.from({ length: 50 }, (_, i) => ({ id: i })) };
  const state = { broken: false, slow: true };
  const seen = new Map<string, Alert>();
  let flatAlerts: Alert[] = [];

  beforeAll(async () => {
    const binary = prometheus.require();
    // cacheMillis well under the scrape interval: every scrape walks afresh, even when a busy
    // machine makes a collection take longer than half the interval.
    app = await startPrometheus({ port: 0, cacheMillis: 100, maxMillis: 2_000, maxObjects: MAX_OBJECTS_PER_ROOT });
    app.addRoot('growing', growing);
    app.addRoot('flat', flat);
    app.addRoot('huge', huge!);
    app.addRoot('removed', removed);
    app.addRoot('broken', () => {
      if (state.broken) throw new Error('live test: this root function fails on purpose');
      return current;
    });
    app.addRoot('slow', () => {
      // A root function that blocks the event loop (a slow getter of the application's state).
      const end = performance.now() + (state.slow ? SLOW_ROOT_MS : 0);
      while (performance.now() < end);
      return current;
    });
    // The V8 heap as @opentelemetry/instrumentation-runtime-node reports it (semantic conventions
    // v8js.memory.heap.used), for the dashboard's heap-share panels.
    app.meterProvider
      .getMeter('live-test-runtime')
      .createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', valueType: ValueType.INT, description: 'V8 heap used, per space' })
      .addCallback((result) => {
        for (const space of getHeapSpaceStatistics()) result.observe(space.space_used_size, { 'v8js.heap.space.name': space.space_name });
      });
    // The same series through memsize/prom-client, beside prom-client's default Node metrics
    // (nodejs_heap_size_used_bytes feeds the heap-share panels).
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    registerPromClient(app, { registry });
    promClientServer = createServer((req, res) => {
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
    });
    await new Promise<void>((resolve) => promClientServer!.listen(0, '127.0.0.1', resolve));
    instances = { otel: `127.0.0.1:${app.port}`, promClient: `127.0.0.1:${(promClientServer.address() as AddressInfo).port}` };
    // About 30 entries a second: RequestEntry alone grows by several MiB an hour, well past the
    // 1 MiB/h floor of the growth alerts even if a busy machine runs the timer late.
    let id = 0;
    grow = setInterval(() => {
      for (let n = 0; n < 3; n++) {
        id += 1;
        growing.entries.push(new RequestEntry(id, `${'request body '.repeat(50)}#${id}`));
      }
    }, 100);

    // The shipped configuration, pointed at this process and at the test copy of the rules.
    const config = parse(readRepoFile(SCRAPE_CONFIG)) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: { scrape_timeout?: string; static_configs: { targets: string[] }[] }[];
    };
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
    for (const job of config.scrape_configs) {
      job.scrape_timeout = '1s';
      for (const s of job.static_configs) s.targets = [instances.otel, instances.promClient];
    }
    demo = await startDemo({ DEMO_METRICS: 'prom-client', DEMO_LEAK_PER_SECOND: String(DEMO_LEAK_PER_SECOND), DEMO_LEAK_CAP: String(DEMO_LEAK_CAP), DEMO_MIN_INTERVAL_MS: '100' });
    config.scrape_configs[0]!.static_configs[0]!.targets.push(new URL(demo.urls.metrics).host);
    server = await startPrometheusServer(binary, { 'prometheus.yml': stringify(config), [config.rule_files[0]!]: stringify(testRules) });
  });

  afterAll(async () => {
    demo?.child.kill('SIGKILL');
    clearInterval(grow);
    await server?.stop();
    await app?.shutdown();
    if (promClientServer !== undefined) {
      const closing = new Promise((resolve) => promClientServer!.close(resolve));
      promClientServer.closeAllConnections();
      await closing;
    }
  });

  it('scrapes the app with the shipped job and path, through OpenTelemetry and prom-client, and loads every rule healthy', async () => {
    const srv = server!;
    const job = (parse(readRepoFile(SCRAPE_CONFIG)) as { scrape_configs: { job_name: string }[] }).scrape_configs[0]!.job_name;
    for (const instance of Object.values(instances!)) {
      // Samples arrive about 5 s after start: wait for every root (bounded).
      const deadline = Date.now() + SAMPLES_DEADLINE_MS;
      let roots: string[] = [];
      while (Date.now() < deadline) {
        const res = await instantQuery(srv, `memsize_root_bytes{instance="${instance}"}`);
        roots = res.data.result.map((s) => s.metric.root!).sort();
        if (roots.length === 6) break;
        await sleep(250);
      }
      expect(roots, `${instance}\n${srv.log()}`).toEqual(['broken', 'flat', 'growing', 'huge', 'removed', 'slow']);
      const up = await instantQuery(srv, `up{job="${job}", instance="${instance}"}`);
      expect(up.data.result.map((s) => s.value[1]), instance).toEqual(['1']);
    }

    const rules = await promApi<{ groups: { rules: { name: string; health: string; lastError?: string; type: string }[] }[] }>(srv, '/api/v1/rules');
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name).sort()).toEqual(shipped.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record)).sort());
    // Health is "unknown" until a rule's first evaluation (every second): wait for it.
    await sleep(RULES_EVALUATED_MS);
    const again = await promApi<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>(srv, '/api/v1/rules');
    for (const rule of again.data.groups.flatMap((g) => g.rules)) expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({ rule: rule.name, health: 'ok', error: '' });
  });

  it('fires every alert for the root made to trip it, through each endpoint, and none for the flat root', async () => {
    const srv = server!;
    // Now the failures happen: a root removed, a root function that starts throwing.
    expect(app!.removeRoot('removed')).toBe(true);
    state.broken = true;
    // Each expected alert, once per endpoint: "MemsizeWalkErrors@127.0.0.1:port".
    const expected = Object.values(instances!).flatMap((instance) => Object.keys(EXPECTED_FIRING).map((name) => ({ name, instance })));
    const matches = (alert: Alert, name: string, instance?: string) =>
      alert.labels.alertname === name &&
      (instance === undefined || alert.labels.instance === instance) &&
      Object.entries(EXPECTED_FIRING[name]!).every(([k, v]) => alert.labels[k] === v);
    const deadline = Date.now() + ALERTS_DEADLINE_MS;
    while (Date.now() < deadline) {
      const res = await promApi<{ alerts: Alert[] }>(srv, '/api/v1/alerts');
      for (const alert of res.data.alerts) {
        const key = JSON.stringify(alert.labels);
        if (seen.get(key)?.state !== 'firing') seen.set(key, alert);
      }
      flatAlerts.push(...res.data.alerts.filter((a) => a.labels.root === 'flat'));
      const firing = [...seen.values()].filter((a) => a.state === 'firing');
      // Once MemsizeWalkTooSlow fired for both endpoints, stop blocking the event loop.
      if (Object.values(instances!).every((instance) => firing.some((a) => matches(a, 'MemsizeWalkTooSlow', instance)))) state.slow = false;
      if (expected.every(({ name, instance }) => firing.some((a) => matches(a, name, instance)))) break;
      await sleep(500);
    }
    const firing = (name: string, instance: string) => [...seen.values()].some((a) => a.state === 'firing' && matches(a, name, instance));
    const fired = Object.fromEntries(expected.map(({ name, instance }) => [`${name}@${instance}`, firing(name, instance)]));
    // On failure, the raw samples behind the alerts say whether the app, the scrape or the rule is at fault.
    let samples = '';
    if (Object.values(fired).includes(false)) {
      for (const expr of ['memsize_walk_errors_total[30s]', 'memsize_walk_duration_seconds[30s]', 'scrape_duration_seconds[30s]', 'up[30s]']) {
        const res = await instantQuery(srv, expr);
        samples += `${expr}: ${JSON.stringify(res.data.result)}\n`;
      }
    }
    expect(fired, `alerts seen: ${JSON.stringify([...seen.values()], null, 1)}\nsamples:\n${samples}prometheus log:\n${srv.log()}`).toEqual(
      Object.fromEntries(expected.map(({ name, instance }) => [`${name}@${instance}`, true])),
    );

    // The flat root: its growth trend is evaluated (0), and no alert ever named it.
    const trend = await instantQuery(srv, 'memsize:root_bytes:deriv30m{root="flat"}');
    expect(trend.data.result.map((s) => Number(s.value[1]))).toEqual([0, 0]);
    const history = await instantQuery(srv, 'count_over_time(ALERTS{root="flat"}[10m])');
    expect(history.data.result).toEqual([]);
    expect(flatAlerts).toEqual([]);
    // Nor did the growth alerts name any other root of this process than the growing one.
    const own = Object.values(instances!);
    const growthRoots = new Set([...seen.values()].filter((a) => /Growing$/.test(a.labels.alertname!) && own.includes(a.labels.instance!)).map((a) => a.labels.root));
    expect([...growthRoots]).toEqual(['growing']);
  });

  it("follows the demo's sped-up leak past 2 million entries by estimation, and MemsizeRootGrowing fires for it", async () => {
    const srv = server!;
    const instance = new URL(demo!.urls.metrics).host;
    const sel = `{instance="${instance}", root="requestLog"}`;
    // Bytes per leaked entry, from an exact walk of the same shop code in this process.
    const probe = createShop({ leakCap: 20_000 });
    for (let i = 0; i < 20_000; i++) probe.handle('GET', `/products/${i % probe.products}`, { userAgent: 'demo-crawler/1.0' });
    const bytesPerEntry = scan(probe.requestLog, { estimate: false }).bytes / 20_000;
    let leaked = 0;
    let fired = false;
    let estimatedWhenFired = '';
    const deadline = Date.now() + DEMO_DEADLINE_MS;
    while (Date.now() < deadline && !(fired && leaked > 2_000_000)) {
      const page = await (await fetch(demo!.urls.app)).text();
      leaked = Number(/<b>(\d+) leaked<\/b>/.exec(page)?.[1] ?? 0);
      const res = await promApi<{ alerts: Alert[] }>(srv, '/api/v1/alerts');
      const alert = res.data.alerts.find((a) => a.state === 'firing' && a.labels.alertname === 'MemsizeRootGrowing' && a.labels.root === 'requestLog');
      if (alert !== undefined && !fired) {
        fired = true;
        estimatedWhenFired = (await instantQuery(srv, `memsize_root_estimated${sel}`)).data.result.map((s) => s.value[1]).join();
      }
      await sleep(1_000);
    }
    const series = await instantQuery(srv, `memsize_root_bytes${sel}[2m]`);
    const values = ((series.data.result[0] as unknown as { values?: [number, string][] })?.values ?? []).map(([, v]) => Number(v));
    const truncated = await instantQuery(srv, `avg_over_time(memsize_walk_truncated${sel}[2m])`);
    const truncatedAlerts = await instantQuery(srv, `count_over_time(ALERTS{alertname="MemsizeWalkTruncated", root="requestLog"}[5m])`);
    const last = values[values.length - 1] ?? 0;
    console.log(
      `demo leak: ${leaked} entries (${bytesPerEntry.toFixed(0)} B each by an exact walk); memsize_root_bytes from ${values[0]} to ${last} over ${values.length} scrapes; ` +
        `MemsizeRootGrowing ${fired ? 'fired' : 'did not fire'}, memsize_root_estimated then ${estimatedWhenFired}, share of truncated collections ${truncated.data.result[0]?.value[1]}`,
    );
    expect(leaked).toBeGreaterThan(2_000_000);
    expect(fired).toBe(true);
    expect(estimatedWhenFired).toBe('1');
    // Truncation is the last resort, left for a walk that a GC pause or a busy machine cut even
    // at the coarsest level: it stays below what MemsizeWalkTruncated fires on (half the walks).
    expect(Number(truncated.data.result[0]?.value[1] ?? 'NaN')).toBeLessThan(0.5);
    expect(truncatedAlerts.data.result).toEqual([]);
    // It kept following: never fell by more than an estimate's jitter, and ends near the leak's size.
    for (let i = 1; i < values.length; i++) expect(values[i]!, `scrape ${i}`).toBeGreaterThan(values[i - 1]! * 0.97);
    expect(Math.abs(last / (leaked * bytesPerEntry) - 1)).toBeLessThan(0.15);
  });

  it('runs every dashboard variable and panel query: each parses and returns data, for every target and for the prom-client one alone', async () => {
    const srv = server!;
    const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
    const failures: string[] = [];
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThanOrEqual(15);
    // Grafana's "All" for every variable; then the app's prom-client endpoint alone, then the demo's.
    for (const only of [undefined, instances!.promClient, new URL(demo!.urls.metrics).host]) {
      // Variables in order, each narrowed by the ones before, every value selected (Grafana's "All").
      const values: Record<string, string> = {};
      for (const variable of dashboardVariables(dashboard)) {
        const res = await promApi<string[]>(srv, `/api/v1/label/${variable.label}/values`, { 'match[]': substituteVariables(variable.selector, values) });
        expect(res.status, `${variable.name}: ${res.error}`).toBe('success');
        expect(res.data.length, `variable ${variable.name} has no values`).toBeGreaterThan(0);
        if (variable.name === 'instance' && only !== undefined) {
          expect(res.data).toContain(only);
          values[variable.name] = `(${escape(only)})`;
          continue;
        }
        // Regex-escaped, and the backslash escaped again inside the PromQL string, as Grafana does.
        values[variable.name] = `(${res.data.map(escape).join('|')})`;
      }
      expect(values.root).toContain(only === new URL(demo!.urls.metrics).host ? 'requestLog' : 'growing');

      for (const q of queries) {
        const expr = substituteVariables(q.expr, values);
        expect(expr, `${q.panel}: a variable was left unreplaced`).not.toMatch(/\$/);
        const res = await instantQuery(srv, expr);
        if (res.status !== 'success') failures.push(`${q.panel} [${q.refId}]: ${res.error}\n  ${expr}`);
        // A correction exists only for roots calibrated by verify() (docs/verify.md): none here.
        else if (res.data.result.length === 0 && !expr.includes('memsize_root_correction_ratio')) failures.push(`${q.panel} [${q.refId}] (${only ?? 'every target'}): no data\n  ${expr}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('runs every rule as shipped (30 min windows): each parses; the recording rules return data already', async () => {
    const srv = server!;
    for (const rule of shipped.groups.flatMap((g) => g.rules)) {
      const res = await instantQuery(srv, rule.expr);
      expect({ rule: rule.alert ?? rule.record, status: res.status, error: res.error }).toEqual({ rule: rule.alert ?? rule.record, status: 'success', error: undefined });
      if (rule.record !== undefined) expect(res.data.result.length, rule.record).toBeGreaterThan(0);
    }
    // The whole scenario stays within its limit (the sum of its bounded waits plus a margin).
    expect(performance.now() - startedAt).toBeLessThan(SCENARIO_LIMIT_MS);
  });
});
