// Regression (issue 19): `require('memsize')` failed with ERR_PACKAGE_PATH_NOT_EXPORTED because
// package.json's exports had only an `import` condition. Every entry now has one ES build that
// require() and import() both resolve to, so CommonJS code loads it and gets the very module
// import() gets (no dual-package hazard). scripts/check-pack.mjs does the same from a packed
// tarball in fresh applications on Node 20, 22, 24 and 26.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh, lastJsonLine, runNode } from '../reliability/support.js';

const ENTRIES = ['memsize', 'memsize/prometheus', 'memsize/prom-client'];

describe('regression: CommonJS', () => {
  it('require() loads every public entry, and gets the same module as import()', async () => {
    assertDistFresh();
    const run = await runNode(join(import.meta.dirname, 'fixtures', 'require-entries.cjs'), { args: [JSON.stringify(ENTRIES)] });
    const found = lastJsonLine<Record<string, { names: string[]; same: boolean }> & { bytes: number }>(run);
    for (const entry of ENTRIES) {
      expect(found[entry]!.names.length, entry).toBeGreaterThan(0);
      expect(found[entry]!.same, entry).toBe(true);
    }
    expect(found['memsize']!.names).toContain('createMemsize');
    expect(found['memsize/prometheus']!.names).toEqual(expect.arrayContaining(['startPrometheus', 'prometheusHandler']));
    expect(found['memsize/prom-client']!.names).toEqual(['registerPromClient']);
    expect(found.bytes).toBeGreaterThan(0);
    // Node would say so on stderr if require() of the ES build were still experimental here.
    expect(run.stderr).not.toMatch(/ExperimentalWarning/);
  });
});
