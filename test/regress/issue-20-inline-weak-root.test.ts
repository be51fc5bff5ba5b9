// Regression (issue 20): `addRoot('sessions', new Map(...))` with the Map referenced nowhere else
// is garbage-collected (roots are weak by default), and the report page then said `no root named
// "sessions" is registered`, as if it never had been. It now says the root was collected, why, and
// how to keep it; so does scanRoot(). README's Quick start warns about it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh, lastJsonLine, runNode } from '../reliability/support.js';

interface Answer {
  status: number;
  error: string;
}

describe('regression: an inline weak root that was collected', () => {
  it('is reported as garbage-collected by the page and by scanRoot(), not as never registered', async () => {
    assertDistFresh();
    const run = await runNode(join(import.meta.dirname, 'fixtures', 'inline-weak-root.mjs'), { execArgv: ['--expose-gc'], timeoutMs: 60_000 });
    const result = lastJsonLine<{
      rounds: number;
      afterCollection: string[];
      scanPage: Answer;
      jsonPage: Answer;
      neverRegistered: Answer;
      kept: number;
      scanRoot: string;
      idleBefore: string[];
      idleScanPage: Answer;
      idleAfter: string[];
    }>(run);
    expect(result.afterCollection, `after ${result.rounds} gc rounds`).not.toContain('sessions');
    expect(result.afterCollection).toContain('kept');
    for (const answer of [result.scanPage, result.jsonPage, result.idleScanPage]) {
      expect(answer.status).toBe(404);
      expect(answer.error).toMatch(/^the root "(sessions|cache)" was garbage-collected \(found \d+ s ago\) and unregistered: memsize holds an object root weakly/);
      expect(answer.error).toContain('{ weak: false }');
    }
    expect(result.scanRoot).toMatch(/^ERR_MEMSIZE_ROOT_UNKNOWN: scanRoot\("sessions"\): the root "sessions" was garbage-collected/);
    // The instance that never collected learnt it from the scan, which unregistered the root.
    expect(result.idleBefore).toEqual(['cache']);
    expect(result.idleAfter).toEqual([]);
    // A name never registered still gets the plain answer, and a kept root scans.
    expect(result.neverRegistered).toEqual({ status: 404, error: 'no root named "nope" is registered' });
    expect(result.kept).toBe(200);
  });
});
