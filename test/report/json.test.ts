import { describe, expect, it } from 'vitest';
import { buildReport, scanToJSON } from '../../src/report/json.js';
import { scan } from '../../src/index.js';
import { result } from './fixtures.js';

describe('scanToJSON', () => {
  it('lists types largest first with their share of the total, ties by name', () => {
    const json = scanToJSON(result({ small: [100, 1], big: [700, 7], tieB: [100, 3] }));
    expect(json.types.map((t) => t.type)).toEqual(['big', 'small', 'tieB']);
    expect(json.types[0]).toEqual({ type: 'big', bytes: 700, objects: 7, share: 700 / 900, bytesError: 0 });
    expect(json.types.reduce((sum, t) => sum + t.share, 0)).toBeCloseTo(1, 12);
    expect(json.paths).toBeNull();
  });

  it('keeps totals, duration and truncation, and survives a JSON round trip unchanged', () => {
    const input = result({ A: [48, 2] }, { truncated: true, truncatedBy: 'maxMillis', durationMs: 12.25 });
    const json = scanToJSON(input);
    expect(json).toMatchObject({ bytes: 48, objects: 2, truncated: true, truncatedBy: 'maxMillis', durationMs: 12.25 });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('sorts paths by bytes and gives each a share of the root', () => {
    const json = scanToJSON(
      result({ A: [1000, 10] }, { paths: [{ path: 'a', bytes: 100, objects: 1 }, { path: 'b › []', bytes: 600, objects: 5 }] }),
    );
    expect(json.paths).toEqual([
      { path: 'b › []', bytes: 600, objects: 5, share: 0.6 },
      { path: 'a', bytes: 100, objects: 1, share: 0.1 },
    ]);
  });

  it('gives share 0, not NaN, for an empty result', () => {
    const json = scanToJSON(result({ A: [0, 0] }));
    expect(json.types[0]!.share).toBe(0);
  });

  it('matches the figures of a real scan, type by type', () => {
    const target = { list: [1, 2, 3].map((n) => ({ n, label: `item ${n}` })), index: new Map([[1, 'one']]) };
    const scanned = scan(target);
    const json = scanToJSON(scanned);
    expect(json.bytes).toBe(scanned.bytes);
    expect(json.objects).toBe(scanned.objects);
    expect(new Map(json.types.map((t) => [t.type, { bytes: t.bytes, objects: t.objects }]))).toEqual(scanned.byType);
  });
});

describe('buildReport', () => {
  const now = Date.UTC(2026, 10, 3, 12, 0, 0);

  it('has no diff for a root scanned once, and a diff with the interval for two scans', () => {
    const report = buildReport(
      [
        { name: 'once', last: { result: result({ A: [10, 1] }), at: now - 1000, seq: 1 }, previous: null, error: null },
        {
          name: 'twice',
          last: { result: result({ A: [30, 3] }), at: now - 1000, seq: 2 },
          previous: { result: result({ A: [10, 1] }), at: now - 6000, seq: 1 },
          error: null,
        },
        { name: 'never', last: null, previous: null, error: { message: 'boom', at: now } },
      ],
      { now, minIntervalMs: 2000, nextScanInMs: 500 },
    );
    expect(report.generatedAt).toBe(new Date(now).toISOString());
    expect(report).toMatchObject({ minIntervalMs: 2000, nextScanInMs: 500, heap: null });
    const [once, twice, never] = report.roots;
    expect(once).toMatchObject({ name: 'once', previous: null, diff: null, last: { seq: 1, at: new Date(now - 1000).toISOString(), bytes: 10 } });
    expect(twice!.diff).toMatchObject({ bytes: 20, objects: 2, intervalMs: 5000 });
    expect(twice!.previous).toMatchObject({ seq: 1, bytes: 10 });
    expect(never).toEqual({ name: 'never', collected: null, last: null, previous: null, diff: null, error: { message: 'boom', at: new Date(now).toISOString() } });
  });
});
