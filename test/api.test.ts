/**
 * The public surface: an accidental export, or a deep import that package.json should block,
 * fails here.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as api from '../src/index.js';
import * as prometheus from '../src/prometheus.js';
import * as promClient from '../src/prom-client.js';
import { importGraph, runtimeClosure } from './support/imports.js';

describe('public API', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(api).sort()).toEqual([
      'MemsizeError',
      'PROMETHEUS_NAMES',
      'createMemsize',
      'createReportHandler',
      'diffScans',
      'formatBytes',
      'formatReport',
      'scan',
      'startPrometheus',
    ]);
  });

  it('memsize/prometheus exports exactly the two helpers', () => {
    expect(Object.keys(prometheus).sort()).toEqual(['prometheusHandler', 'startPrometheus']);
  });

  it('memsize/prom-client exports exactly registerPromClient', () => {
    expect(Object.keys(promClient).sort()).toEqual(['registerPromClient']);
  });

  it('the main entry loads no OpenTelemetry package but the API (the SDK is only for memsize/prometheus)', () => {
    const graph = importGraph();
    const packages = (entry: string) => [...runtimeClosure(graph, entry)].filter((m) => m.startsWith('@'));
    expect(packages('index.ts')).toEqual(['@opentelemetry/api']);
    expect(packages('prom-client.ts').sort()).toEqual(['@opentelemetry/api']); // prom-client is not scoped
    expect([...runtimeClosure(graph, 'index.ts')]).not.toContain('prom-client');
    // Control: the Prometheus entry does load the SDK, so the check above can tell.
    expect(packages('prometheus.ts')).toEqual(expect.arrayContaining(['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus']));
  });

  it('needs only @opentelemetry/api; the SDK and exporter are optional peers in version ranges', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@opentelemetry/api', '@opentelemetry/exporter-prometheus', '@opentelemetry/sdk-metrics', 'prom-client']);
    for (const [name, range] of Object.entries(pkg.peerDependencies)) {
      expect(range, name).toMatch(/[\^~<>]/); // a range, not an exact pin
      expect(pkg.peerDependenciesMeta[name]?.optional === true, name).toBe(name !== '@opentelemetry/api');
    }
  });

  it('exposes only the built entry points to importers', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      type: string;
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', './prom-client', './prometheus']);
    // One build for import and require() (test/regress/issue-19-require.test.ts).
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./prometheus']).toEqual({ types: './dist/prometheus.d.ts', default: './dist/prometheus.js' });
    expect(pkg.exports['./prom-client']).toEqual({ types: './dist/prom-client.d.ts', default: './dist/prom-client.js' });
    expect(pkg.files).toContain('dist');
  });

  it('gives every error a stable code', () => {
    const error = new api.MemsizeError('ERR_MEMSIZE_INVALID_OPTION', 'options.x must be y, got z');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MemsizeError');
    expect(error.code).toBe('ERR_MEMSIZE_INVALID_OPTION');
  });
});
