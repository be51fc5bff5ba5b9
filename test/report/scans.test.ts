// What the report page remembers between requests (src/report/scans.ts), on an injected clock.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/report/http.js';
import { ReportScans } from '../../src/report/scans.js';
import { result } from './fixtures.js';

describe('ReportScans', () => {
  it('paces scans: none until the cooldown after the last one ended, with the wait in the error', () => {
    let now = 1_000;
    const scans = new ReportScans(2_000, () => now);
    expect(scans.nextScanInMs()).toBe(0);
    scans.checkPace();
    scans.recordScan('a', result({ A: [10, 1] }));
    now += 500;
    expect(scans.nextScanInMs()).toBe(1_500);
    let thrown: unknown;
    try {
      scans.checkPace();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 429, headers: { 'retry-after': '2' }, extra: { retryAfterMs: 1_500 } });
    now += 1_500;
    expect(scans.nextScanInMs()).toBe(0);
    scans.checkPace();
    // A failed scan or check paces the next one too.
    scans.ended();
    expect(scans.nextScanInMs()).toBe(2_000);
  });

  it('keeps the last two scans of each root, numbered, and a failure beside them', () => {
    let now = 0;
    const scans = new ReportScans(0, () => now);
    const first = result({ A: [10, 1] });
    const second = result({ A: [20, 2] });
    scans.recordScan('a', first);
    now = 10;
    scans.recordScan('a', second);
    now = 20;
    scans.recordFailure('a', 'boom');
    const kept = scans.of('a');
    expect(kept.previous).toEqual({ result: first, at: 0, seq: 1 });
    expect(kept.last).toEqual({ result: second, at: 10, seq: 2 });
    expect(kept.error).toEqual({ message: 'boom', at: 20 });
    now = 30;
    scans.recordScan('a', first);
    expect(scans.of('a')).toMatchObject({ previous: { seq: 2 }, last: { seq: 3, at: 30 }, error: null });
  });

  it('lists roots in the order given, unscanned ones empty, and forgets roots no longer registered', () => {
    const scans = new ReportScans(0, () => 0);
    scans.recordScan('gone', result({ A: [1, 1] }));
    scans.recordScan('kept', result({ A: [1, 1] }));
    expect(scans.current(['new', 'kept']).map((r) => [r.name, r.last?.seq ?? null])).toEqual([
      ['new', null],
      ['kept', 1],
    ]);
    expect(scans.of('gone').last).toBeNull();
  });
});
