// Generates the files of grafana/ and deploy/kubernetes/ that are derived from others, so that each
// thing is written once:
//   grafana/dashboards/memsize.json                     the leak dashboard (defined below)
//   deploy/kubernetes/prometheus-rule.yaml              PrometheusRule from deploy/prometheus/alerts.yml
//   deploy/kubernetes/grafana-dashboard-configmap.yaml  the dashboard as a ConfigMap (Grafana sidecar)
//
//   node scripts/gen-deploy.mjs           write them
//   node scripts/gen-deploy.mjs --check   exit 1 if any differs from what would be written (tests run this)
//
// Metric names are the Prometheus names of src/metrics/names.ts (PROMETHEUS_NAMES; README "Metrics").

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (path) => join(repo, path);

export const DASHBOARD_PATH = 'grafana/dashboards/memsize.json';
export const RULES_PATH = 'deploy/prometheus/alerts.yml';
export const PROMETHEUS_RULE_PATH = 'deploy/kubernetes/prometheus-rule.yaml';
export const DASHBOARD_CONFIGMAP_PATH = 'deploy/kubernetes/grafana-dashboard-configmap.yaml';

// ---------------------------------------------------------------------------------------------
// The dashboard

const DS = { type: 'prometheus', uid: '${datasource}' };

/** Label matchers for the dashboard's variables; `root` only where the metric has that label. */
function sel({ root = false, extra = '' } = {}) {
  const parts = ['job=~"$job"', 'instance=~"$instance"'];
  if (root) parts.push('root=~"$root"');
  if (extra) parts.push(extra);
  return `{${parts.join(', ')}}`;
}

// The V8 heap in use, as the usual runtime instrumentations export it: OpenTelemetry's
// `v8js.memory.heap.used` (@opentelemetry/instrumentation-runtime-node; with or without the unit
// suffix, depending on the exporter) or prom-client's `nodejs_heap_size_used_bytes`. memsize does
// not export the heap size itself.
export const HEAP_USED_NAMES = ['v8js_memory_heap_used', 'v8js_memory_heap_used_bytes', 'nodejs_heap_size_used_bytes'];
const HEAP_USED = `sum by (job, instance) ({__name__=~"${HEAP_USED_NAMES.join('|')}", job=~"$job", instance=~"$instance"})`;
const UNION_BYTES = `sum by (job, instance) (memsize_union_bytes${sel()})`;

function target(expr, { legend = '', refId = 'A', table = false } = {}) {
  return table
    ? { refId, datasource: DS, expr, format: 'table', instant: true, range: false, legendFormat: legend }
    : { refId, datasource: DS, expr, format: 'time_series', instant: false, range: true, legendFormat: legend };
}

function timeseries(title, description, targets, { unit, stack = false, min = undefined, thresholds = null, decimals } = {}) {
  const defaults = {
    unit,
    custom: {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: stack ? 60 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: thresholds ? 'line' : 'off' },
    },
    color: { mode: 'palette-classic' },
  };
  if (min !== undefined) defaults.min = min;
  if (decimals !== undefined) defaults.decimals = decimals;
  if (thresholds) {
    defaults.thresholds = {
      mode: 'absolute',
      steps: [{ color: 'green', value: null }, ...thresholds.map(([value, color]) => ({ color, value }))],
    };
  }
  return {
    type: 'timeseries',
    title,
    description,
    targets,
    fieldConfig: { defaults, overrides: [] },
    options: {
      legend: { showLegend: true, displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'], sortBy: 'Last *', sortDesc: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

function stat(title, description, expr, { unit, legend = '' }) {
  return {
    type: 'stat',
    title,
    description,
    targets: [target(expr, { legend })],
    fieldConfig: { defaults: { unit, color: { mode: 'thresholds' }, thresholds: { mode: 'absolute', steps: [{ color: 'blue', value: null }] } }, overrides: [] },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      justifyMode: 'auto',
      textMode: 'auto',
      orientation: 'auto',
    },
  };
}

/** A table of instant queries merged on their labels; `columns` maps refId to [header, unit]. */
function table(title, description, targets, columns, { hide = [], sortBy }) {
  const renameByName = {};
  const overrides = [];
  for (const [refId, [header, unit]] of Object.entries(columns)) {
    renameByName[`Value #${refId}`] = header;
    overrides.push({ matcher: { id: 'byName', options: header }, properties: [{ id: 'unit', value: unit }] });
  }
  const excludeByName = Object.fromEntries(['Time', '__name__', ...hide].map((name) => [name, true]));
  return {
    type: 'table',
    title,
    description,
    targets,
    transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName, renameByName } }],
    fieldConfig: { defaults: { custom: { align: 'auto', filterable: true } }, overrides },
    options: { showHeader: true, cellHeight: 'sm', sortBy: sortBy ? [{ displayName: sortBy, desc: true }] : [] },
  };
}

function row(title) {
  return { type: 'row', title, collapsed: false, panels: [] };
}

/** Rows of panels: each entry is [height, ...[width, panel]] or a row header. Assigns ids and gridPos. */
function layout(lines) {
  const panels = [];
  let y = 0;
  let id = 1;
  for (const line of lines) {
    if (line.type === 'row') {
      panels.push({ ...line, id: id++, gridPos: { h: 1, w: 24, x: 0, y } });
      y += 1;
      continue;
    }
    const [h, ...cells] = line;
    let x = 0;
    for (const [w, panel] of cells) {
      panels.push({ id: id++, datasource: DS, gridPos: { h, w, x, y }, ...panel });
      x += w;
    }
    if (x !== 24) throw new Error(`gen-deploy: a dashboard line is ${x} wide, not 24: ${cells.map(([, p]) => p.title).join(', ')}`);
    y += h;
  }
  return panels;
}

function queryVariable(name, label, metricSelector, description) {
  const query = `label_values(${metricSelector}, ${name})`;
  return {
    name,
    label,
    description,
    type: 'query',
    datasource: DS,
    query: { query, refId: `memsize-${name}` },
    definition: query,
    refresh: 2, // on time range change: roots come and go
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    regex: '',
    hide: 0,
    options: [],
  };
}

export function buildDashboard() {
  const growthPerHour = (metric, selector) => `deriv(${metric}${selector}[30m]) * 3600`;
  const panels = layout([
    [
      4,
      [5, stat('Bytes in all roots (bytes)', 'memsize_union_bytes: bytes reachable from any registered root, each thing counted once (per-root figures may overlap).', `sum(memsize_union_bytes${sel()})`, { unit: 'bytes' })],
      [5, stat('Objects in all roots (count)', 'memsize_union_objects: heap things reachable from any registered root, each counted once.', `sum(memsize_union_objects${sel()})`, { unit: 'short' })],
      [4, stat('Roots measured (count)', 'Registered roots (of those chosen) that reported memsize_root_bytes at the last scrape.', `count(memsize_root_bytes${sel({ root: true })})`, { unit: 'none' })],
      [5, stat("Roots' share of the V8 heap (percent)", 'memsize_union_bytes divided by the V8 heap in use (needs a runtime heap metric, see the panel below). Can pass 100% when roots hold ArrayBuffer backing stores, which live outside the V8 heap.', `sum(${UNION_BYTES}) / sum(${HEAP_USED})`, { unit: 'percentunit' })],
      [5, stat('Slowest last walk (seconds)', 'memsize_walk_duration_seconds: how long the last collection blocked the event loop, the slowest instance.', `max(memsize_walk_duration_seconds${sel()})`, { unit: 's' })],
    ],
    row('Roots'),
    [
      9,
      [12, timeseries('Bytes per root (bytes)', 'memsize_root_bytes: estimated retained bytes reachable from each root. A leak is a line that keeps rising; a cache is a sawtooth.', [target(`memsize_root_bytes${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })], { unit: 'bytes', min: 0 })],
      [
        12,
        timeseries(
          'Growth per root (bytes per hour, 30 min trend)',
          'deriv(memsize_root_bytes[30m]) × 3600: the least-squares slope over the last 30 minutes. MemsizeRootGrowing needs more than 1 MiB per hour (the red line), a doubling within a day at that pace, and a level above anything reached 30 to 90 minutes earlier.',
          [target(growthPerHour('memsize_root_bytes', sel({ root: true })), { legend: '{{root}} · {{instance}}' })],
          { unit: 'bytes', thresholds: [[1048576, 'red']] },
        ),
      ],
    ],
    row('Types under $root'),
    [
      9,
      [12, timeseries('Bytes per type under $root (bytes, stacked)', 'memsize_type_bytes: the largest types under the chosen roots, the rest summed into "(other)". The band that widens is the place to look.', [target(`memsize_type_bytes${sel({ root: true })}`, { legend: '{{root}} › {{type}}' })], { unit: 'bytes', stack: true, min: 0 })],
      [
        12,
        table(
          'Top types now (bytes, objects, growth per hour)',
          'The types under the chosen roots at the end of the time range, largest first, with their 30 min growth trend. Sort by growth to find what leaks.',
          // Aggregated to the same labels (no metric name, no scope labels), so that the merge
          // transformation joins the three results into one row per instance, root and type.
          [
            target(`sum by (instance, root, type) (memsize_type_bytes${sel({ root: true })})`, { refId: 'A', table: true }),
            target(`sum by (instance, root, type) (memsize_type_objects${sel({ root: true })})`, { refId: 'B', table: true }),
            target(`sum by (instance, root, type) (${growthPerHour('memsize_type_bytes', sel({ root: true }))})`, { refId: 'C', table: true }),
          ],
          { A: ['Bytes', 'bytes'], B: ['Objects', 'short'], C: ['Growth per hour', 'bytes'] },
          { sortBy: 'Bytes' },
        ),
      ],
    ],
    [
      8,
      [12, timeseries('Objects per type under $root (count)', 'memsize_type_objects: heap things per type under the chosen roots. Many small objects cost more than their bytes suggest (GC work).', [target(`memsize_type_objects${sel({ root: true })}`, { legend: '{{root}} › {{type}}' })], { unit: 'short', min: 0 })],
      [12, timeseries('Objects per root (count)', 'memsize_root_objects: distinct heap things reachable from each root.', [target(`memsize_root_objects${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })], { unit: 'short', min: 0 })],
    ],
    row('Walk health'),
    [
      8,
      [
        8,
        timeseries(
          'Walk duration (seconds)',
          'memsize_walk_duration_seconds: how long each collection blocked the event loop (root functions and the walk). Bounded by maxMillis (default 200 ms); MemsizeWalkTooSlow fires when the median of 10 minutes passes 250 ms (the red line).',
          [target(`memsize_walk_duration_seconds${sel()}`, { legend: '{{instance}}' })],
          { unit: 's', min: 0, thresholds: [[0.25, 'red']] },
        ),
      ],
      [
        8,
        {
          type: 'state-timeline',
          title: 'Truncated walks (complete or truncated)',
          description: 'memsize_walk_truncated: 1 when the root\'s walk hit its budget (maxMillis share or maxObjects). Its figures are then a lower bound, held at the last complete walk when that was larger.',
          targets: [target(`memsize_walk_truncated${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })],
          fieldConfig: {
            defaults: {
              unit: 'none',
              color: { mode: 'thresholds' },
              thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] },
              mappings: [{ type: 'value', options: { 0: { text: 'complete', color: 'green', index: 0 }, 1: { text: 'truncated', color: 'red', index: 1 } } }],
            },
            overrides: [],
          },
          options: { showValue: 'never', mergeValues: true, alignValue: 'left', rowHeight: 0.8, legend: { showLegend: false } },
        },
      ],
      [
        8,
        timeseries(
          'Walk errors per root (count of failed collections)',
          'memsize_walk_errors_total: collections since addRoot() in which the root could not be measured (its function threw or returned no object). Any rise fires MemsizeWalkErrors; the service log names the reason.',
          [target(`memsize_walk_errors_total${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })],
          { unit: 'short', min: 0, decimals: 0 },
        ),
      ],
    ],
    [
      8,
      [
        12,
        {
          type: 'state-timeline',
          title: 'Estimated roots (exact or estimated from samples)',
          description:
            "memsize_root_estimated: 1 when the root's large collections were measured from random samples of their entries (docs/estimation.md), 0 when every heap thing was walked. An estimate follows the root as it grows; its interval is in the next panel.",
          targets: [target(`memsize_root_estimated${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })],
          fieldConfig: {
            defaults: {
              unit: 'none',
              color: { mode: 'thresholds' },
              thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'blue', value: 1 }] },
              mappings: [{ type: 'value', options: { 0: { text: 'exact', color: 'green', index: 0 }, 1: { text: 'estimated', color: 'blue', index: 1 } } }],
            },
            overrides: [],
          },
          options: { showValue: 'never', mergeValues: true, alignValue: 'left', rowHeight: 0.8, legend: { showLegend: false } },
        },
      ],
      [
        12,
        timeseries(
          'Estimate interval per root (percent, ± at 95%)',
          "memsize_root_bytes_error_ratio: half-width of the 95% confidence interval of memsize_root_bytes, relative to it (sampling error only). 0 for exact roots. A few percent is normal; a wide interval means the root's entries differ a lot in size, or a coarse sample could not tell how many distinct short strings they hold (raise sampleSize, or give the root more of maxMillis).",
          [target(`memsize_root_bytes_error_ratio${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })],
          { unit: 'percentunit', min: 0 },
        ),
      ],
    ],
    [
      6,
      [
        24,
        {
          type: 'state-timeline',
          title: 'Deep reads per root (#private fields, closures, WeakMap values)',
          description:
            "memsize_root_hidden: 1 when the root's walk read #private fields, closure scopes and WeakMap values through the in-process inspector (the deep option, on by default), 0 when deep reads were off or the inspector was unavailable: the root's figures then cover only what JavaScript shows, and the service log says why once.",
          targets: [target(`memsize_root_hidden${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })],
          fieldConfig: {
            defaults: {
              unit: 'none',
              color: { mode: 'thresholds' },
              thresholds: { mode: 'absolute', steps: [{ color: 'orange', value: null }, { color: 'green', value: 1 }] },
              mappings: [{ type: 'value', options: { 0: { text: 'JavaScript-visible only', color: 'orange', index: 0 }, 1: { text: 'deep reads', color: 'green', index: 1 } } }],
            },
            overrides: [],
          },
          options: { showValue: 'never', mergeValues: true, alignValue: 'left', rowHeight: 0.8, legend: { showLegend: false } },
        },
      ],
    ],
    [
      6,
      [
        24,
        timeseries(
          "Calibration applied per root (percent of memsize's own figure)",
          'memsize_root_correction_ratio: only for roots calibrated with verify({ calibrate }) (docs/verify.md): the factor their figures are scaled by, from the last check against a V8 heap snapshot. No series: no correction.',
          [target(`memsize_root_correction_ratio${sel({ root: true })}`, { legend: '{{root}} · {{instance}}' })],
          { unit: 'percentunit' },
        ),
      ],
    ],
    [
      8,
      [12, timeseries('Objects visited per collection (count)', "memsize_walk_objects: heap things the last collection's walk visited, summed over roots: the walk's work, which its duration follows.", [target(`memsize_walk_objects${sel()}`, { legend: '{{instance}}' })], { unit: 'short', min: 0 })],
      [
        12,
        timeseries(
          "Roots' share of the V8 heap (percent)",
          `memsize_union_bytes over the V8 heap in use, per instance. The heap comes from a runtime metric memsize does not export: ${HEAP_USED_NAMES.join(', ')} (OpenTelemetry runtime-node instrumentation or prom-client). The rest of the heap is held by what no root reaches.`,
          [target(`${UNION_BYTES} / ${HEAP_USED}`, { legend: '{{instance}}' })],
          { unit: 'percentunit', min: 0 },
        ),
      ],
    ],
    row('Alerts'),
    [
      7,
      [
        24,
        table(
          'memsize alerts (pending and firing)',
          'Prometheus\' ALERTS series for the memsize rules (deploy/prometheus/alerts.yml): what fires now, for which root and type.',
          [target(`ALERTS{alertname=~"Memsize.+", job=~"$job", instance=~"$instance"}`, { refId: 'A', table: true })],
          {},
          { hide: ['Value'] },
        ),
      ],
    ],
  ]);

  return {
    uid: 'memsize-leaks',
    title: 'memsize: which structure holds the memory',
    description: 'memsize: estimated retained bytes per registered root and per type under it, walk health, and the memsize alerts. Files: grafana/ and deploy/ of the memsize package.',
    tags: ['memsize', 'nodejs', 'memory'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    links: [],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', regex: '', hide: 0, refresh: 1, current: {}, options: [] },
        queryVariable('job', 'Job', 'memsize_root_bytes', 'Prometheus jobs that scrape memsize.'),
        queryVariable('instance', 'Instance', 'memsize_root_bytes{job=~"$job"}', 'Scraped processes.'),
        queryVariable('root', 'Root', 'memsize_root_bytes{job=~"$job", instance=~"$instance"}', 'Registered roots (the names given to addRoot()).'),
      ],
    },
    panels,
  };
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

const GENERATED = (what) => `# Generated by scripts/gen-deploy.mjs from ${what}, then run \`node scripts/gen-deploy.mjs\`.\n`;
const COMMON_LABELS = {
  'app.kubernetes.io/name': 'memsize',
  'app.kubernetes.io/part-of': 'memsize-demo',
  // kube-prometheus-stack selects rules and monitors by its Helm release name; change it to yours.
  release: 'kube-prometheus-stack',
};

export function buildPrometheusRule(rulesText) {
  const rules = parse(rulesText);
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'memsize', labels: COMMON_LABELS },
    spec: { groups: rules.groups },
  };
  return GENERATED(`${RULES_PATH}: edit that file`) + stringify(resource, { lineWidth: 0 });
}

export function buildDashboardConfigMap(dashboardText) {
  const resource = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'memsize-grafana-dashboard',
      // The Grafana sidecar (kube-prometheus-stack, grafana Helm chart) loads ConfigMaps with this label.
      labels: { 'app.kubernetes.io/name': 'memsize', 'app.kubernetes.io/part-of': 'memsize-demo', grafana_dashboard: '1' },
    },
    data: { 'memsize.json': dashboardText },
  };
  return GENERATED(`the dashboard it defines (as ${DASHBOARD_PATH}): edit it there`) + stringify(resource, { lineWidth: 0 });
}

// ---------------------------------------------------------------------------------------------

/** Every generated file: path → content. */
export function generate() {
  const dashboardText = `${JSON.stringify(buildDashboard(), null, 2)}\n`;
  return new Map([
    [DASHBOARD_PATH, dashboardText],
    [PROMETHEUS_RULE_PATH, buildPrometheusRule(readFileSync(at(RULES_PATH), 'utf8'))],
    [DASHBOARD_CONFIGMAP_PATH, buildDashboardConfigMap(dashboardText)],
  ]);
}

function main(argv) {
  const check = argv.includes('--check');
  const stale = [];
  for (const [path, content] of generate()) {
    let current = null;
    try {
      current = readFileSync(at(path), 'utf8');
    } catch {
      // missing: stale
    }
    if (current === content) continue;
    if (check) stale.push(path);
    else {
      writeFileSync(at(path), content);
      console.log(`wrote ${relative(process.cwd(), at(path))}`);
    }
  }
  if (check && stale.length > 0) {
    console.error(`out of date (run \`node scripts/gen-deploy.mjs\`): ${stale.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
