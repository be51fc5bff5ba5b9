// Calibration: scan() against V8's own retained sizes, computed live from ONE heap snapshot that
// holds every fixture of test/fixtures/graphs.ts and test/fixtures/provenance.ts at once. Prints the table (fixture, V8 retained
// bytes, memsize bytes, error) with the Node version; for fixtures off by more than 10% it also
// prints what V8 counts (retained nodes by snapshot type) beside memsize's byType, to guide the model.
//
// Gate: a median absolute error of at most 5%, and a share of fixtures within 10% that stops a
// regression, over EXPECTED_FIXTURES fixtures: a fixture that drops out of the corpus (or of the
// snapshot) fails the gate rather than shrinking it.
//
// The share is set below where the model stands, not where it should be: 35 to 37 of the 52
// fixtures are within 10% on Node 20, 22, 24 and 26 (67-71%; 2026-11-29), and the `buffers`
// fixture moves by 13 points with the state of Buffer's pool, so the gate is 65% (34 fixtures). The goal is 80% as a gate and 90% with a median of 3%; the 15 that miss are listed,
// with why no JavaScript-visible signal was found for them, in docs/accuracy.md (3a, 3b).

import { describe, expect, it } from 'vitest';
import { CALIBRATION_FIXTURES, WITHIN, explain, formatCalibrationTable, median, runCalibration } from '../support/calibration.js';

const GATE_SHARE_WITHIN = 0.65;
const GATE_MEDIAN_ERROR = 0.05;
/** 28 fixed-shape fixtures (graphs.ts) and 24 built by provenance (provenance.ts). Raise it when adding one. */
const EXPECTED_FIXTURES = 52;

describe('scan() against V8 heap snapshot retained sizes', () => {
  it(`keeps >= ${GATE_SHARE_WITHIN * 100}% of fixtures within 10% and the median error <= ${GATE_MEDIAN_ERROR * 100}% (Node ${process.versions.node})`, () => {
    const run = runCalibration();
    const { rows } = run;
    const off = rows.filter((r) => Math.abs(r.error) > WITHIN);
    console.log(
      [
        formatCalibrationTable(rows),
        '',
        `build ${run.buildMs.toFixed(0)} ms, snapshot+parse+dominators ${run.measurement.snapshotMs.toFixed(0)} ms (${run.measurement.graph.nodeCount} nodes), scans ${run.scanMs.toFixed(0)} ms`,
        ...(off.length > 0 ? ['', 'Fixtures outside 10%:', ...off.map((r) => explain(run, r.fixture))] : []),
      ].join('\n'),
    );

    expect(CALIBRATION_FIXTURES.length, 'fixtures in the corpus').toBe(EXPECTED_FIXTURES);
    expect(new Set(rows.map((r) => r.fixture)).size, 'distinct fixtures measured').toBe(EXPECTED_FIXTURES);
    for (const r of rows) {
      expect(r.v8Bytes, r.fixture).toBeGreaterThan(0);
      expect(Number.isFinite(r.memsizeBytes), r.fixture).toBe(true);
    }
    const shareWithin = (rows.length - off.length) / rows.length;
    const medianError = median(rows.map((r) => Math.abs(r.error)));
    expect(shareWithin, 'share of fixtures within 10% of V8').toBeGreaterThanOrEqual(GATE_SHARE_WITHIN);
    expect(medianError, 'median absolute error').toBeLessThanOrEqual(GATE_MEDIAN_ERROR);
  });
});
