/**
 * The calibration run shared by test/size/calibration.test.ts (which gates on it) and anything
 * that wants the full accuracy table: build every fixture, take ONE heap snapshot holding all of
 * them, read each fixture's V8 retained size, run scan() on each, and tabulate.
 *
 * The corpus is the fixed-shape fixtures of graphs.ts followed by the ones of provenance.ts, built
 * the way applications build data.
 */
import { scan } from '../../src/index.js';
import { FIXTURES, type Fixture } from '../fixtures/graphs.js';
import { PROVENANCE_FIXTURES } from '../fixtures/provenance.js';
import { measureRetained, type RetainedMeasurement } from './heap-snapshot.js';

/** Every calibration fixture, in table order. */
export const CALIBRATION_FIXTURES: readonly Fixture[] = [...FIXTURES, ...PROVENANCE_FIXTURES];

/** A fixture counts as accurate when memsize is within this share of V8's figure. */
export const WITHIN = 0.1;

export interface CalibrationRow {
  fixture: string;
  v8Bytes: number;
  memsizeBytes: number;
  /** (memsize - V8) / V8 */
  error: number;
  v8Nodes: number;
  memsizeObjects: number;
}

export interface CalibrationRun {
  rows: CalibrationRow[];
  measurement: RetainedMeasurement;
  scans: Map<string, ReturnType<typeof scan>>;
  buildMs: number;
  scanMs: number;
}

/** Build every fixture, snapshot once, scan each. */
export function runCalibration(scale = 1): CalibrationRun {
  const started = performance.now();
  const fixtures: Record<string, unknown> = {};
  for (const f of CALIBRATION_FIXTURES) fixtures[f.name] = f.build(scale);
  const buildMs = performance.now() - started;
  const measurement = measureRetained(fixtures);
  const scans = new Map<string, ReturnType<typeof scan>>();
  const scanStarted = performance.now();
  for (const { name } of CALIBRATION_FIXTURES) scans.set(name, scan(fixtures[name], { maxObjects: 50_000_000, maxMillis: 60_000 }));
  const scanMs = performance.now() - scanStarted;
  const rows: CalibrationRow[] = [];
  for (const { name } of CALIBRATION_FIXTURES) {
    const truth = measurement.targets.get(name);
    const result = scans.get(name);
    if (truth === undefined || result === undefined) throw new Error(`fixture ${name} not found in the snapshot`);
    rows.push({
      fixture: name,
      v8Bytes: truth.retainedBytes,
      memsizeBytes: result.bytes,
      error: (result.bytes - truth.retainedBytes) / truth.retainedBytes,
      v8Nodes: truth.retainedNodes,
      memsizeObjects: result.objects,
    });
  }
  return { rows, measurement, scans, buildMs, scanMs };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** The accuracy table as Markdown, for the console and the README. */
export function formatCalibrationTable(rows: readonly CalibrationRow[]): string {
  const within = rows.filter((r) => Math.abs(r.error) <= WITHIN).length;
  const med = median(rows.map((r) => Math.abs(r.error)));
  const lines = [
    `Node ${process.version} (V8 ${process.versions.v8}), ${process.arch}: ${within}/${rows.length} fixtures within 10%, median |error| ${(med * 100).toFixed(1)}%`,
    '',
    '| fixture | V8 retained bytes | memsize bytes | error | V8 nodes | memsize objects |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.fixture} | ${r.v8Bytes} | ${r.memsizeBytes} | ${pct(r.error)}${Math.abs(r.error) > WITHIN ? ' !' : ''} | ${r.v8Nodes} | ${r.memsizeObjects} |`);
  }
  return lines.join('\n');
}

/** For one fixture: V8's retained nodes by snapshot type/name beside memsize's byType. */
export function explain(run: CalibrationRun, fixture: string): string {
  const v8 = run.measurement.groups(fixture).slice(0, 8).map((g) => `    ${g.count} x ${g.type} ${JSON.stringify(g.name)}: ${g.selfBytes}`);
  const result = run.scans.get(fixture);
  const ours = [...(result?.byType ?? new Map<string, { bytes: number; objects: number }>())]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 8)
    .map(([type, t]) => `    ${t.objects} x ${type}: ${t.bytes}`);
  return [`  ${fixture}: V8 retained set`, ...v8, '  memsize byType', ...ours].join('\n');
}

