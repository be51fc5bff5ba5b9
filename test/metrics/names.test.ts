import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS, PROMETHEUS_NAMES } from '../../src/metrics/names.js';

/**
 * The rule of @opentelemetry/exporter-prometheus 0.30x (PrometheusSerializer): characters other
 * than [a-zA-Z0-9_] become "_", runs of "_" collapse; monotonic sums get "_total". No unit suffix.
 */
function currentExporterName(name: string, monotonicSum = false): string {
  const sanitized = name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
  return monotonicSum && !sanitized.endsWith('_total') ? `${sanitized}_total` : sanitized;
}

/** UCUM → Prometheus unit words, from the OpenTelemetry "Prometheus and OpenMetrics compatibility" spec (subset). */
const UNIT_WORDS: Record<string, string> = { By: 'bytes', KiBy: 'kibibytes', s: 'seconds', ms: 'milliseconds', '%': 'percent' };

/**
 * The newer rule (OTel compatibility spec, as in the Collector's translator and other SDKs'
 * exporters): sanitize, then append the unit unless the name already ends with it; units in
 * braces are annotations and dropped; unit "1" on a gauge appends "_ratio"; counters get "_total".
 */
function unitSuffixedName(name: string, unit: string, kind: 'gauge' | 'counter'): string {
  let out = currentExporterName(name);
  const withoutAnnotations = unit.replace(/\{[^}]*\}/g, '');
  let word: string;
  if (withoutAnnotations === '1') word = kind === 'gauge' ? 'ratio' : '';
  else word = UNIT_WORDS[withoutAnnotations] ?? withoutAnnotations.replace(/[^a-zA-Z0-9]/g, '_');
  if (word !== '' && !out.endsWith(`_${word}`)) out = `${out}_${word}`;
  if (kind === 'counter' && !out.endsWith('_total')) out = `${out}_total`;
  return out;
}

describe('unitSuffixedName (the rule itself)', () => {
  it('appends unit words the way the spec examples do', () => {
    expect(unitSuffixedName('system.filesystem.usage', 'By', 'gauge')).toBe('system_filesystem_usage_bytes');
    expect(unitSuffixedName('system.network.dropped', '{packets}', 'counter')).toBe('system_network_dropped_total');
    expect(unitSuffixedName('system.memory.utilization', '1', 'gauge')).toBe('system_memory_utilization_ratio');
    expect(unitSuffixedName('http.server.duration', 's', 'gauge')).toBe('http_server_duration_seconds');
  });
});

describe('metric names', () => {
  const expected = new Set(Object.values(PROMETHEUS_NAMES));

  // The metrics table of docs/metrics.md ("| `prometheus_name` | `otel.name` | `unit` | labels | meaning |"):
  // the documented contract that dashboards, alert rules and users read.
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(memsize_[a-z_]+)` \| `(memsize\.[a-z.]+)` \| (`[^`]*`)? *\| ([^|]*)\|/gm)].map((m) => ({
    prometheus: m[1]!,
    otel: m[2]!,
    unit: (m[3] ?? '').replaceAll('`', ''),
    labels: [...m[4]!.matchAll(/`([a-z]+)`/g)].map((l) => l[1]!),
  }));

  it('docs/metrics.md documents every instrument under its exported name, unit and labels, and nothing else', () => {
    expect(documented.length).toBe(METRICS.length);
    for (const spec of METRICS) {
      const row = documented.find((d) => d.otel === spec.name);
      expect(row, spec.name).toBeDefined();
      expect(row!.prometheus, spec.name).toBe(currentExporterName(spec.name, spec.kind === 'counter'));
      expect(row!.unit, spec.name).toBe(spec.unit);
      expect(row!.labels, spec.name).toEqual([...spec.attributes]);
    }
  });

  it('README lists the same Prometheus names', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const listed = [...readme.matchAll(/^\| `(memsize_[a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(expected);
  });

  it('makes the walk errors a counter, scraped as memsize_walk_errors_total', () => {
    expect(METRICS.filter((spec) => spec.kind === 'counter').map((spec) => spec.name)).toEqual(['memsize.walk.errors']);
    expect(PROMETHEUS_NAMES.walkErrors).toBe('memsize_walk_errors_total');
  });

  it.each(METRICS.map((spec) => [spec.name, spec] as const))('%s gives the same Prometheus name under both rules', (_, spec) => {
    const current = currentExporterName(spec.name, spec.kind === 'counter');
    const suffixed = unitSuffixedName(spec.name, spec.unit, spec.kind ?? 'gauge');
    expect(suffixed).toBe(current);
    expect(expected.has(current as never), `${current} is not in PROMETHEUS_NAMES`).toBe(true);
  });

  it('maps each instrument to a distinct Prometheus name, and every Prometheus name to an instrument', () => {
    const names = METRICS.map((spec) => currentExporterName(spec.name, spec.kind === 'counter'));
    expect(new Set(names).size).toBe(METRICS.length);
    expect(new Set(names)).toEqual(expected);
  });

  it('gives every instrument a description, and no gauge the unit "1" (which would add "_ratio")', () => {
    for (const spec of METRICS) {
      expect(spec.description.length, spec.name).toBeGreaterThan(20);
      expect(spec.unit, spec.name).not.toBe('1');
      expect(spec.name, spec.name).toMatch(/^memsize(\.[a-z]+)+$/);
    }
  });
});
