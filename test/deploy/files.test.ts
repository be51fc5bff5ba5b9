/**
 * What can be checked of deploy/ without Docker or a cluster: every file parses, the generated
 * files are up to date, the Kubernetes PrometheusRule holds exactly the rules of alerts.yml and
 * the ConfigMap exactly the dashboard, every alert is documented and unit-tested both ways, every
 * metric named exists, and the ports and paths agree with the demo and with each other.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { PROMETHEUS_NAMES } from '../../src/index.js';
import { ATTR_INSTANCE } from '../../src/metrics/names.js';
import { DEFAULTS } from '../../src/options.js';

const PROMETHEUS_DEFAULTS = DEFAULTS.prometheus;
import {
  DASHBOARD,
  REPO,
  RULE_TESTS,
  RULES,
  SCRAPE_CONFIG,
  dashboardQueries,
  dashboardVariables,
  readRepoFile,
  readYaml,
  repoPath,
  runCommand,
  type Rule,
  type RuleFile,
} from './support.js';

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (pattern.test(name)) out.push(relative(REPO, full));
    }
  };
  walk(repoPath(dir));
  return out.sort();
}

const rules = readYaml<RuleFile>(RULES);
const allRules: Rule[] = rules.groups.flatMap((g) => g.rules);
const alerts = allRules.filter((r) => r.alert !== undefined);
const recorded = new Set(allRules.flatMap((r) => (r.record === undefined ? [] : [r.record])));
const dashboard = JSON.parse(readRepoFile(DASHBOARD));

interface K8sResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
const k8sFiles = filesUnder('deploy/kubernetes', /\.ya?ml$/).filter((f) => !f.endsWith('kustomization.yaml'));
const k8s: K8sResource[] = k8sFiles.map((f) => readYaml<K8sResource>(f));
const k8sOf = (kind: string): K8sResource => {
  const found = k8s.filter((r) => r.kind === kind);
  expect(found, `one ${kind} in deploy/kubernetes`).toHaveLength(1);
  return found[0]!;
};

/** The demo's default for an environment variable, read from demo/server.mjs (`envInt('PORT', 8080, ...)`). */
function demoDefault(name: string): number {
  const match = new RegExp(`envInt\\('${name}',\\s*(\\d+)`).exec(readRepoFile('demo/server.mjs'));
  if (!match) throw new Error(`demo/server.mjs no longer reads ${name} with envInt(): update this test`);
  return Number(match[1]);
}

describe('deploy/ and grafana/ files', () => {
  it('all parse: every YAML document and every JSON file', () => {
    const yamlFiles = [...filesUnder('deploy', /\.ya?ml$/), ...filesUnder('grafana', /\.ya?ml$/)];
    expect(yamlFiles.length).toBeGreaterThanOrEqual(10);
    for (const file of yamlFiles) {
      const docs = parseAllDocuments(readRepoFile(file));
      const list = Array.isArray(docs) ? docs : [docs];
      for (const doc of list) expect(doc.errors.map(String), file).toEqual([]);
      expect(list.length, file).toBeGreaterThan(0);
    }
    const jsonFiles = filesUnder('grafana', /\.json$/);
    expect(jsonFiles).toContain(DASHBOARD);
    for (const file of jsonFiles) expect(() => JSON.parse(readRepoFile(file)), file).not.toThrow();
  });

  it('generated files are up to date with scripts/gen-deploy.mjs', () => {
    const result = runCommand(process.execPath, ['scripts/gen-deploy.mjs', '--check']);
    expect(result.status, result.output).toBe(0);
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  it('has the alerts of the issue: growth of roots and types, truncation, slow walks, errors, a root gone', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      ['MemsizeRootDisappeared', 'MemsizeRootGrowing', 'MemsizeTypeGrowing', 'MemsizeWalkErrors', 'MemsizeWalkTooSlow', 'MemsizeWalkTruncated'].sort(),
    );
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s has for:, a severity, and annotations naming the metric and the next step', (_, alert) => {
    expect(alert.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning', 'info']).toContain(alert.labels?.severity);
    expect(alert.annotations?.summary).toMatch(/\{\{ \$labels\.instance \}\}/);
    const description = alert.annotations?.description ?? '';
    expect(description).toMatch(/memsize_[a-z_]+/);
    expect(description).toMatch(/\{\{ \$value/);
    expect(description).toMatch(/Next:/);
    // Every metric the expression reads is named in the description or the summary.
    const exprMetrics = new Set(alert.expr.match(/\bmemsize_[a-z_]+/g) ?? []);
    const named = [...exprMetrics].filter((m) => description.includes(m) || alert.annotations!.summary!.includes(m));
    expect(named.length, `${alert.alert} names none of ${[...exprMetrics].join(', ')}`).toBeGreaterThan(0);
  });

  it('names only metrics memsize exports, its own recording rules, and Prometheus\' up', () => {
    const exported = new Set<string>(Object.values(PROMETHEUS_NAMES));
    // Label names the rules match on are not metrics: memsize's own instance label.
    const labels = new Set<string>([ATTR_INSTANCE]);
    for (const rule of allRules) {
      for (const name of rule.expr.match(/\bmemsize[_:][a-z0-9_:]*/g) ?? []) {
        if (labels.has(name)) continue;
        expect(exported.has(name) || recorded.has(name), `${rule.alert ?? rule.record}: ${name}`).toBe(true);
      }
      for (const text of Object.values(rule.annotations ?? {})) {
        for (const name of text.match(/\bmemsize_[a-z0-9_]+/g) ?? []) expect(exported.has(name), `${rule.alert}: ${name}`).toBe(true);
      }
    }
    // The recording rules follow level:metric:operations.
    for (const name of recorded) expect(name).toMatch(/^memsize:[a-z_]+:[a-z0-9_]+$/);
  });

  it('the report page the descriptions point to is where the demo mounts it', () => {
    const prefix = DEFAULTS.reportHandler.prefix;
    expect(readRepoFile('demo/server.mjs')).not.toMatch(/prefix:/);
    const mentioned = alerts.flatMap((a) => a.annotations?.description?.match(/\(\/[a-z]+\)/g) ?? []);
    expect(mentioned.length).toBeGreaterThan(0);
    for (const m of mentioned) expect(m).toBe(`(${prefix})`);
  });

  it('every alert and recording rule is documented in docs/deploy.md', () => {
    const doc = readRepoFile('docs/deploy.md');
    for (const a of alerts) expect(doc, a.alert).toContain(`**${a.alert}**`);
    for (const r of recorded) expect(doc, r).toContain(`\`${r}\``);
  });

  it('every alert is unit-tested firing, and not firing', () => {
    const unit = readYaml<{
      rule_files: string[];
      tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[]; promql_expr_test?: { expr: string; exp_samples: unknown[] }[] }[];
    }>(RULE_TESTS);
    expect(unit.rule_files.map((f) => posix.join(posix.dirname(RULE_TESTS), f))).toEqual([RULES]);
    for (const { alert } of alerts) {
      const fires = unit.tests.some(
        (t) =>
          (t.alert_rule_test ?? []).some((a) => a.alertname === alert && a.exp_alerts.length > 0) ||
          (t.promql_expr_test ?? []).some((p) => p.expr.includes(`alertname="${alert}"`) && p.expr.includes('firing') && p.exp_samples.length > 0),
      );
      // Quiet: an alert_rule_test expecting none, or an ALERTS query over a window expecting no sample
      // (a query naming no alert covers them all).
      const quiet = unit.tests.some(
        (t) =>
          (t.alert_rule_test ?? []).some((a) => a.alertname === alert && a.exp_alerts.length === 0) ||
          (t.promql_expr_test ?? []).some(
            (p) => /count_over_time\(ALERTS/.test(p.expr) && p.exp_samples.length === 0 && (!p.expr.includes('alertname=') || p.expr.includes(`"${alert}"`)),
          ),
      );
      expect({ alert, fires, quiet }).toEqual({ alert, fires: true, quiet: true });
    }
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const config = readYaml<{
    global: { scrape_interval: string; evaluation_interval: string };
    rule_files: string[];
    scrape_configs: { job_name: string; metrics_path?: string; scrape_timeout?: string; static_configs: { targets: string[] }[] }[];
  }>(SCRAPE_CONFIG);

  it('scrapes the demo where it serves metrics: its METRICS_PORT default, memsize\'s endpoint, on 127.0.0.1', () => {
    expect(config.scrape_configs).toHaveLength(1);
    const job = config.scrape_configs[0]!;
    expect(job.metrics_path ?? '/metrics').toBe(PROMETHEUS_DEFAULTS.endpoint);
    expect(readRepoFile('demo/server.mjs')).not.toMatch(/endpoint:/);
    const targets = job.static_configs.flatMap((s) => s.targets);
    expect(targets).toEqual([`${PROMETHEUS_DEFAULTS.host}:${demoDefault('METRICS_PORT')}`]);
    expect(demoDefault('METRICS_PORT')).toBe(PROMETHEUS_DEFAULTS.port);
    expect(readRepoFile('demo/server.mjs')).toMatch(new RegExp(`HOST = '${PROMETHEUS_DEFAULTS.host.replaceAll('.', '\\.')}'`));
  });

  it('loads the rules file beside it, and times out a scrape before the next one', () => {
    expect(config.rule_files).toEqual([posix.basename(RULES)]);
    const job = config.scrape_configs[0]!;
    const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1]);
    expect(seconds(job.scrape_timeout ?? '10s')).toBeLessThan(seconds(config.global.scrape_interval));
  });
});

describe('deploy/kubernetes', () => {
  it('the PrometheusRule holds exactly the groups of alerts.yml', () => {
    const rule = k8sOf('PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.spec).toEqual({ groups: rules.groups });
  });

  it('the dashboard ConfigMap holds exactly grafana/dashboards/memsize.json, labelled for the Grafana sidecar', () => {
    const configMap = k8sOf('ConfigMap');
    expect(Object.keys(configMap.data ?? {})).toEqual([posix.basename(DASHBOARD)]);
    expect(JSON.parse(configMap.data![posix.basename(DASHBOARD)]!)).toEqual(dashboard);
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
  });

  it('the ServiceMonitor scrapes the Service\'s metrics port, the demo\'s METRICS_PORT default, on memsize\'s endpoint', () => {
    const service = k8sOf('Service') as K8sResource & { spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: number }[] } };
    const monitor = k8sOf('ServiceMonitor') as K8sResource & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string; scrapeTimeout: string }[] };
    };
    const port = service.spec.ports.find((p) => p.name === monitor.spec.endpoints[0]!.port);
    expect(port).toBeDefined();
    expect(port!.port).toBe(demoDefault('METRICS_PORT'));
    expect(port!.targetPort).toBe(demoDefault('METRICS_PORT'));
    expect(monitor.spec.endpoints.map((e) => e.path)).toEqual([PROMETHEUS_DEFAULTS.endpoint]);
    // The monitor selects the Service, and the rule and monitor carry the same release label.
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels?.[key]).toBe(value);
    expect(monitor.metadata.labels?.release).toBe(k8sOf('PrometheusRule').metadata.labels?.release);
  });

  it('kustomization.yaml lists every manifest of the directory', () => {
    const kustomization = readYaml<{ resources: string[] }>('deploy/kubernetes/kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(k8sFiles.map((f) => posix.basename(f)).sort());
  });
});

describe('deploy/compose/docker-compose.yml', () => {
  const composePath = 'deploy/compose/docker-compose.yml';
  const compose = readYaml<{
    services: Record<string, { image: string; command?: string[]; environment?: Record<string, string>; volumes?: string[]; network_mode?: string }>;
    volumes: Record<string, unknown>;
  }>(composePath);
  const bindMounts = (service: string) =>
    (compose.services[service]!.volumes ?? [])
      .filter((v) => v.startsWith('.'))
      .map((v) => {
        const [source, target] = v.split(':') as [string, string];
        return { source: relative(REPO, join(repoPath(dirname(composePath)), source)) || '.', target };
      });

  it('runs the demo, Prometheus and Grafana from pinned images', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['demo', 'grafana', 'prometheus']);
    for (const service of Object.values(compose.services)) expect(service.image).toMatch(/:[\w.-]+$/);
    expect(compose.services.demo!.image).not.toMatch(/:latest$/);
  });

  it('runs the demo with npm start and its default ports', () => {
    const demo = compose.services.demo!;
    expect(demo.command?.join(' ')).toMatch(/npm start/);
    expect(Number(demo.environment?.PORT)).toBe(demoDefault('PORT'));
    expect(Number(demo.environment?.METRICS_PORT)).toBe(demoDefault('METRICS_PORT'));
    expect(bindMounts('demo')).toEqual([{ source: '.', target: '/app' }]);
  });

  it('every bind mount exists, and every named volume is declared', () => {
    for (const service of Object.keys(compose.services)) {
      for (const { source } of bindMounts(service)) expect(existsSync(repoPath(source)), `${service}: ${source}`).toBe(true);
      for (const v of compose.services[service]!.volumes ?? []) {
        if (!v.startsWith('.')) expect(Object.keys(compose.volumes), v).toContain(v.split(':')[0]);
      }
    }
  });

  it('Prometheus runs deploy/prometheus/prometheus.yml; the services share the host network so its 127.0.0.1 target is the demo', () => {
    const prometheus = compose.services.prometheus!;
    const mount = bindMounts('prometheus').find((m) => m.source === posix.dirname(SCRAPE_CONFIG));
    expect(mount).toBeDefined();
    expect(prometheus.command).toContain(`--config.file=${mount!.target}/${posix.basename(SCRAPE_CONFIG)}`);
    for (const service of Object.values(compose.services)) expect(service.network_mode).toBe('host');
  });

  it('Grafana gets the provisioning of grafana/, which points at the Prometheus and the dashboards mounted here', () => {
    const mounts = bindMounts('grafana');
    const byTarget = new Map(mounts.map((m) => [m.target, m.source]));
    const provider = readYaml<{ providers: { type: string; options: { path: string } }[] }>('grafana/provisioning/dashboards/memsize.yml').providers[0]!;
    expect(provider.type).toBe('file');
    expect(byTarget.get(provider.options.path)).toBe(posix.dirname(DASHBOARD));
    expect(byTarget.get('/etc/grafana/provisioning/dashboards')).toBe('grafana/provisioning/dashboards');
    expect(byTarget.get('/etc/grafana/provisioning/datasources')).toBe('grafana/provisioning/datasources');
    const home = compose.services.grafana!.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home).toBe(`${provider.options.path}/${posix.basename(DASHBOARD)}`);

    const datasource = readYaml<{ datasources: { type: string; url: string }[] }>('grafana/provisioning/datasources/memsize.yml').datasources[0]!;
    expect(datasource.type).toBe('prometheus');
    const listen = compose.services.prometheus!.command?.find((c) => c.startsWith('--web.listen-address='))?.split('=')[1];
    expect(datasource.url).toBe(`http://${listen}`);
    // The datasource's scrape interval hint is the one Prometheus uses.
    const interval = (parse(readRepoFile('grafana/provisioning/datasources/memsize.yml')) as { datasources: { jsonData: { timeInterval: string } }[] }).datasources[0]!.jsonData.timeInterval;
    expect(interval).toBe(readYaml<{ global: { scrape_interval: string } }>(SCRAPE_CONFIG).global.scrape_interval);
  });
});

describe('metric names in the dashboard', () => {
  it('are ones memsize exports, its recording rules, ALERTS, or the runtime heap metrics named in the panel', () => {
    const exported = new Set<string>(Object.values(PROMETHEUS_NAMES));
    const texts = [...dashboardQueries(dashboard).map((q) => q.expr), ...dashboardVariables(dashboard).map((v) => v.selector)];
    let count = 0;
    for (const text of texts) {
      for (const name of text.match(/\bmemsize[_:][a-z0-9_:]*/g) ?? []) {
        count += 1;
        expect(exported.has(name) || recorded.has(name), name).toBe(true);
      }
    }
    expect(count).toBeGreaterThan(10);
    // Every exported memsize metric is on the dashboard somewhere.
    for (const name of exported) expect(texts.some((t) => new RegExp(`\\b${name}\\b`).test(t)), name).toBe(true);
  });
});
