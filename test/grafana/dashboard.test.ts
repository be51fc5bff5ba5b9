/**
 * The leak dashboard's shape, as Grafana reads it: a stable uid, the datasource/job/instance/root
 * variables chained in that order, every panel on the datasource variable with units and readable
 * legends, every query filtered by the variables, a layout without overlaps, and the panels the
 * issue asks for. (Whether each query runs and returns data is test/deploy/live.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { DASHBOARD, dashboardQueries, readRepoFile, readYaml } from '../deploy/support.js';

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  format?: string;
  instant?: boolean;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  fieldConfig?: { defaults: { unit?: string; custom?: { stacking?: { mode: string } } }; overrides: { matcher: { options: string }; properties: { id: string; value: unknown }[] }[] };
  transformations?: { id: string; options: { renameByName?: Record<string, string> } }[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  definition?: string;
  datasource?: { uid: string };
  multi?: boolean;
  includeAll?: boolean;
}

const dashboard = JSON.parse(readRepoFile(DASHBOARD)) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const queries = dashboardQueries(dashboard);
const DS_UID = '${datasource}';

describe('grafana/dashboards/memsize.json', () => {
  it('has a stable uid and a title, for links and provisioning', () => {
    expect(dashboard.uid).toBe('memsize-leaks');
    expect(dashboard.title).toMatch(/memsize/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  it('has the variables datasource, job, instance, root, each narrowing the next', () => {
    const [datasource, job, instance, root, ...rest] = dashboard.templating.list;
    expect(rest).toEqual([]);
    expect(datasource).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect([job, instance, root].map((v) => v?.name)).toEqual(['job', 'instance', 'root']);
    expect(job!.definition).toBe('label_values(memsize_root_bytes, job)');
    expect(instance!.definition).toBe('label_values(memsize_root_bytes{job=~"$job"}, instance)');
    expect(root!.definition).toBe('label_values(memsize_root_bytes{job=~"$job", instance=~"$instance"}, root)');
    for (const v of [job!, instance!, root!]) {
      expect(v).toMatchObject({ type: 'query', multi: true, includeAll: true });
      expect(v.datasource?.uid).toBe(DS_UID);
    }
  });

  it('every panel and query uses the datasource variable', () => {
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(DS_UID);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets!) expect(t.datasource?.uid, `${panel.title} ${t.refId}`).toBe(DS_UID);
    }
  });

  it('every query is filtered by job and instance, and by root where the metric has one', () => {
    const rootMetrics = /memsize_(root_bytes|root_objects|type_bytes|type_objects|walk_truncated|walk_errors)\b/;
    for (const q of queries) {
      expect(q.expr, q.panel).toContain('job=~"$job"');
      expect(q.expr, q.panel).toContain('instance=~"$instance"');
      if (rootMetrics.test(q.expr)) expect(q.expr, q.panel).toContain('root=~"$root"');
    }
  });

  it('every panel states its unit in the title and in the field config', () => {
    for (const panel of panels) {
      if (panel.type === 'table' || panel.type === 'state-timeline') continue;
      expect(panel.title, panel.title).toMatch(/\((bytes|count|seconds|percent)\b/);
      const unit = panel.fieldConfig?.defaults.unit;
      const expected = { bytes: 'bytes', count: ['short', 'none'], seconds: 's', percent: 'percentunit' }[/\((\w+)/.exec(panel.title)![1] as 'bytes'];
      expect([expected].flat(), panel.title).toContain(unit);
    }
    // Table columns: each renamed value column has its unit.
    for (const panel of panels.filter((p) => p.type === 'table')) {
      const renamed = Object.values(panel.transformations?.find((t) => t.id === 'organize')?.options.renameByName ?? {});
      for (const column of renamed) {
        const override = panel.fieldConfig?.overrides.find((o) => o.matcher.options === column);
        expect(override?.properties.find((p) => p.id === 'unit')?.value, `${panel.title}: ${column}`).toBeTruthy();
      }
    }
  });

  it('every time series has a legend naming its labels', () => {
    for (const panel of panels.filter((p) => p.type === 'timeseries' || p.type === 'state-timeline')) {
      for (const t of panel.targets!) expect(t.legendFormat, panel.title).toMatch(/\{\{\s*\w+\s*\}\}/);
    }
  });

  it('lays panels out on the 24-column grid without overlaps, with unique ids', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = dashboard.panels;
    for (const p of all) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.gridPos.w * p.gridPos.h, p.title).toBeGreaterThan(0);
    }
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const a = all[i]!.gridPos;
        const b = all[j]!.gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${all[i]!.title} / ${all[j]!.title}`).toBe(false);
      }
    }
  });

  // The panels the issue lists, found by what they query rather than by title.
  const find = (type: string, test: (exprs: string[]) => boolean) => panels.filter((p) => p.type === type && test(p.targets!.map((t) => t.expr)));
  it.each([
    ['bytes per root over time', () => find('timeseries', (e) => e.some((x) => /^memsize_root_bytes\{/.test(x)))],
    ['growth rate per root', () => find('timeseries', (e) => e.some((x) => /deriv\(memsize_root_bytes\{.*\}\[30m\]\)/.test(x)))],
    ['types under a root, stacked', () => find('timeseries', (e) => e.some((x) => /^memsize_type_bytes\{/.test(x))).filter((p) => p.fieldConfig?.defaults.custom?.stacking?.mode === 'normal')],
    ['a table of current top types with their growth', () => find('table', (e) => e.some((x) => x.includes('memsize_type_bytes')) && e.some((x) => /deriv\(memsize_type_bytes/.test(x)))],
    ['objects per type', () => find('timeseries', (e) => e.some((x) => /^memsize_type_objects\{/.test(x)))],
    ['walk duration', () => find('timeseries', (e) => e.some((x) => x.includes('memsize_walk_duration_seconds')))],
    ['walk truncation', () => panels.filter((p) => p.targets!.some((t) => t.expr.includes('memsize_walk_truncated')))],
    ['share of the V8 heap', () => find('timeseries', (e) => e.some((x) => /memsize_union_bytes.*\/.*v8js_memory_heap_used/.test(x)))],
    ['firing memsize alerts', () => panels.filter((p) => p.targets!.some((t) => /^ALERTS\{alertname=~"Memsize/.test(t.expr)))],
  ])('has a panel for %s', (_, found) => {
    expect(found().length).toBeGreaterThan(0);
  });

  it('the alert panel and the growth thresholds agree with deploy/prometheus/alerts.yml', () => {
    const rules = readYaml<{ groups: { rules: { alert?: string; expr: string }[] }[] }>('deploy/prometheus/alerts.yml').groups.flatMap((g) => g.rules);
    for (const rule of rules) if (rule.alert) expect(rule.alert).toMatch(/^Memsize/);
    const growth = rules.find((r) => r.alert === 'MemsizeRootGrowing')!.expr;
    const floor = Number(/\* 3600 > (\d+)/.exec(growth)?.[1]);
    const slow = Number(/memsize_walk_duration_seconds\[10m\]\) > ([\d.]+)/.exec(rules.find((r) => r.alert === 'MemsizeWalkTooSlow')!.expr)?.[1]);
    const thresholdOf = (title: RegExp) =>
      (panels.find((p) => title.test(p.title))?.fieldConfig?.defaults as { thresholds?: { steps: { value: number | null }[] } } | undefined)?.thresholds?.steps.at(-1)?.value;
    expect(thresholdOf(/^Growth per root/)).toBe(floor);
    expect(thresholdOf(/^Walk duration/)).toBe(slow);
  });
});

describe('grafana/provisioning', () => {
  it('provisions a Prometheus datasource and a file provider for the dashboards', () => {
    const ds = readYaml<{ apiVersion: number; datasources: { type: string; access: string; url: string }[] }>('grafana/provisioning/datasources/memsize.yml');
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', access: 'proxy' });
    expect(() => new URL(ds.datasources[0]!.url)).not.toThrow();
    const dashboards = readYaml<{ apiVersion: number; providers: { type: string; options: { path: string } }[] }>('grafana/provisioning/dashboards/memsize.yml');
    expect(dashboards.apiVersion).toBe(1);
    expect(dashboards.providers.map((p) => p.type)).toEqual(['file']);
    expect(dashboards.providers[0]!.options.path).toMatch(/^\//);
  });
});
