import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { buildReport, type RootScans } from '../../src/report/json.js';
import { PAGE_CSP } from '../../src/report/page-assets.js';
import { result } from './fixtures.js';

const now = Date.UTC(2026, 10, 3, 12, 0, 0);
const EVIL = '<script>alert("x")</script>';

function page(roots: RootScans[], options: { selected?: string; maxTypes?: number; heap?: boolean } = {}): string {
  const heap = options.heap ? { usedBytes: 64 * 1024 * 1024, totalBytes: 96 * 1024 * 1024 } : null;
  return renderHtml(buildReport(roots, { now, minIntervalMs: 2000, nextScanInMs: 0, heap }), {
    prefix: '/memsize',
    selected: options.selected ?? null,
    ...(options.maxTypes === undefined ? {} : { maxTypes: options.maxTypes }),
  });
}

function scanned(name: string, before: ReturnType<typeof result> | null, after: ReturnType<typeof result>): RootScans {
  return {
    name,
    last: { result: after, at: now - 3000, seq: before === null ? 1 : 2 },
    previous: before === null ? null : { result: before, at: now - 13_000, seq: 1 },
    error: null,
  };
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('renderHtml', () => {
  it('escapes every text from user code: type names, paths, root names, error messages', () => {
    const html = page([
      scanned(EVIL, result({ [EVIL]: [100, 1] }), result({ [EVIL]: [300, 2] }, { paths: [{ path: `a › ${EVIL}`, bytes: 300, objects: 2 }] })),
      { name: `"quote' & <b>`, last: null, previous: null, error: { message: EVIL, at: now } },
    ]);
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain('<b>');
    expect(html).toContain(escapeHtml(EVIL));
    // The page's own script is the only one.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`data-root="${escapeHtml(`"quote' & <b>`)}"`);
  });

  it('loads nothing from elsewhere and runs only the script the CSP pins by hash', () => {
    const html = page([scanned('cache', null, result({ A: [10, 1] }))]);
    expect(html).not.toMatch(/\ssrc=|href="(https?:)?\/\//i);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(css).not.toMatch(/@import|url\(/i);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    expect(PAGE_CSP).toContain(`'sha256-${hash}'`);
    expect(PAGE_CSP).toContain("default-src 'none'");
  });

  it('lists every root with its last figures and a Scan button, and says which were never scanned', () => {
    const html = page([scanned('sessions', null, result({ Session: [4096, 4] })), { name: 'cache', last: null, previous: null, error: null }]);
    expect(html).toContain('<button type="button" data-root="sessions">Scan</button>');
    expect(html).toContain('<button type="button" data-root="cache">Scan</button>');
    expect(html).toContain('4.00 KiB');
    expect(html).toContain('not scanned yet');
    expect(html).toContain('href="/memsize?root=cache"');
  });

  it('shows the selected root: types by bytes with share, total, duration, and a positive change after growth', () => {
    const before = result({ LogEntry: [1000, 10], string: [1000, 10] });
    const after = result({ LogEntry: [5000, 50], string: [1500, 15] }, { durationMs: 7.25 });
    const html = page([{ name: 'other', last: null, previous: null, error: null }, scanned('log', before, after)], { selected: 'log' });
    const report = html.slice(html.indexOf('id="report"'));
    expect(report).toContain('<code>log</code>');
    expect(report.indexOf('LogEntry')).toBeLessThan(report.indexOf('>string<'));
    expect(report).toContain(`${((5000 / 6500) * 100).toFixed(1)}%`);
    expect(report).toContain('7.3 ms');
    expect(report).toContain(`data-delta-bytes="${after.bytes - before.bytes}"`);
    expect(report).toContain('What changed since scan #1');
    expect(report).toContain('+3.91 KiB'); // LogEntry: +4000 B
  });

  it('defaults to the most recently scanned root', () => {
    const older: RootScans = { name: 'older', last: { result: result({ A: [1, 1] }), at: now - 60_000, seq: 1 }, previous: null, error: null };
    const newer: RootScans = { name: 'newer', last: { result: result({ B: [1, 1] }), at: now - 1000, seq: 1 }, previous: null, error: null };
    expect(page([older, newer])).toContain('id="report" data-root="newer"');
  });

  it('warns that a truncated walk is a lower bound', () => {
    const html = page([scanned('big', null, result({ A: [10, 1] }, { truncated: true, truncatedBy: 'maxObjects' }))]);
    expect(html).toContain('>truncated<');
    expect(html).toContain('stopped early (budget: maxObjects)');
  });

  it('marks an estimate with ≈ and its interval with ±, and still lists the largest types', () => {
    const html = page([scanned('big', null, result({ Session: [900_000, 9000], string: [100_000, 2000] }, { estimated: true, bytesError: 20_480 }))]);
    expect(html).toContain('>estimated<');
    expect(html).toContain('≈ 977 KiB');
    expect(html).toContain('± 20.0 KiB');
    expect(html).toContain('>Session<');
    const exact = page([scanned('big', null, result({ Session: [900_000, 9000] }))]);
    expect(exact).not.toContain('≈');
    expect(exact).not.toContain('>estimated<');
  });

  it('folds types beyond maxTypes into one row', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`T${i}`, [1000 - i, 1] as [number, number]]));
    const html = page([scanned('r', null, result(many))], { maxTypes: 5 });
    expect(html).toContain('(7 more types)');
    expect(html).toContain('>T4<');
    expect(html).not.toContain('>T5<');
  });

  it('shows the largest paths when the scan has them', () => {
    const html = page([
      scanned('sessions', null, result({ A: [1000, 10] }, { paths: [{ path: 'root › <Map value> › history', bytes: 800, objects: 8 }] })),
    ]);
    expect(html).toContain('Largest places');
    // The walk labels the root `root`; the page shows the root's name instead.
    expect(html).toContain('<td class="type">sessions › &lt;Map value&gt; › history</td>');
  });

  it('says how to register a root when there is none', () => {
    expect(page([])).toContain('No roots are registered');
  });

  it('shows the share of the heap when the heap is known', () => {
    const html = page([scanned('r', null, result({ A: [16 * 1024 * 1024, 1] }))], { heap: true });
    expect(html).toContain('Share of heap used');
    expect(html).toContain('25.0%');
  });
});
