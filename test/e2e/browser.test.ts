// The report page in a real browser (Debian's headless Chromium driven by playwright-core):
// open the page, press Scan on a root, see its types; let the leak grow, press Scan again, see
// a positive difference. Check against V8, and keep its ratios as corrections. Find an
// unregistered leak, Track it, Scan it. Figures are compared with scan() of the same objects or a
// live heap snapshot, never hard-coded. Saves test-output/report-*.png: look at them.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createMemsize, createReportHandler, diffScans, formatBytes, scan, type ReportSource } from '../../src/index.js';
import { measureRetained } from '../support/heap-snapshot.js';

/** Debian's chromium; MEMSIZE_CHROMIUM points elsewhere (e.g. another Chromium build). */
const CHROMIUM = process.env.MEMSIZE_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRE_TOOLS = process.env.MEMSIZE_REQUIRE_TOOLS === '1';
const INSTALL_HINT = 'apt-get install -y --no-install-recommends chromium';
const OUTPUT_DIR = join(import.meta.dirname, '..', '..', 'test-output');

class LeakEntry {
  constructor(
    readonly id: number,
    readonly url: string,
    readonly headers: Record<string, string>,
  ) {}
}

/**
 * A rate limiter as applications write one: its Map of hits lives only in the closure of the
 * function it returns, registered nowhere. `probe` reaches the Map weakly (for the test's own
 * scan()); a weak edge is no retainer, so the Map's path stays the closure's.
 */
function createLimiter(): { hit: (client: string, path: string) => number; probe: WeakRef<Map<string, { count: number; first: number; paths: string[] }>> } {
  const hits = new Map<string, { count: number; first: number; paths: string[] }>();
  return {
    hit(client, path) {
      const entry = hits.get(client) ?? { count: 0, first: hits.size, paths: [] };
      entry.count++;
      entry.paths.push(path);
      hits.set(client, entry);
      return entry.count;
    },
    probe: new WeakRef(hits),
  };
}

function grow(leak: LeakEntry[], count: number): void {
  for (let i = 0; i < count; i++) {
    const id = leak.length;
    leak.push(new LeakEntry(id, `/products/${id % 500}?ref=${id}`, { 'user-agent': `agent-${id % 7}`, accept: 'text/html' }));
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The rows of the page's types table, as the browser shows them. */
function typeRows(page: Page): Promise<{ type: string; bytes: string }[]> {
  return page.$$eval('#types tbody tr', (rows) =>
    rows.map((row) => ({ type: row.cells[0]?.textContent ?? '', bytes: row.cells[2]?.textContent ?? '' })),
  );
}

function requireChromium(ctx: { skip: (note?: string) => void }): void {
  if (!existsSync(CHROMIUM)) {
    const message = `Chromium is not installed at ${CHROMIUM}; install it with: ${INSTALL_HINT}`;
    if (REQUIRE_TOOLS) throw new Error(`${message} (MEMSIZE_REQUIRE_TOOLS=1 makes this a failure)`);
    console.warn(`skipping the browser test: ${message}`);
    ctx.skip(message);
  }
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

/**
 * Serve `handler` on 127.0.0.1, open its page in headless Chromium and run `body`; the page's
 * errors (and, with `consoleProblems`, its console errors and warnings) are collected for the
 * caller to assert on. Closes the browser and the server whatever happens.
 */
async function withReportPage(
  handler: (req: IncomingMessage, res: ServerResponse) => boolean,
  options: { height: number; timeoutMs: number; consoleProblems: boolean },
  body: (page: Page, base: string, problems: string[]) => Promise<void>,
): Promise<void> {
  const server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  let browser: Browser | undefined;
  try {
    const base = await listen(server);
    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1280, height: options.height } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    if (options.consoleProblems) {
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
      });
    }
    page.setDefaultTimeout(options.timeoutMs);
    await body(page, base, problems);
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('report page in headless Chromium', () => {
  it('scans a root, shows its types, then shows the leak growing', async (ctx) => {
    requireChromium(ctx);

    // Arrange: two roots registered with memsize, the page on a real server; pacing on, so the second press exercises the wait-and-retry path.
    const leak: LeakEntry[] = [];
    grow(leak, 500);
    const cache = new Map(Array.from({ length: 50 }, (_, i) => [`page-${i}`, { html: `<p>${'x'.repeat(i * 10)}</p>` }]));
    const memsize = createMemsize({ meterProvider: null });
    memsize.addRoot('leak', leak);
    memsize.addRoot('cache', cache);
    const errors: unknown[] = [];
    const handler = createReportHandler(memsize, { title: 'browser test', scanCooldownMillis: 400, onError: (e) => errors.push(e) });
    try {
      await withReportPage(handler, { height: 900, timeoutMs: 15_000, consoleProblems: true }, async (page, base, pageProblems) => {
        // Act 1: open the page; both roots are listed, neither scanned.
        await page.goto(`${base}/memsize`);
        expect(await page.$$eval('tr[data-root-row]', (rows) => rows.map((r) => r.getAttribute('data-root-row')))).toEqual(['leak', 'cache']);
        expect(await page.locator('#roots').textContent()).toContain('not scanned yet');

        // Act 2: press Scan on the leak root.
        await page.click('button[data-root="leak"]');
        await page.waitForSelector('#report[data-root="leak"][data-seq="1"]');
        const before = scan(leak, { paths: true });

        // Assert: the types the walk found are on the page, largest first, and the total matches.
        const rows = await typeRows(page);
        const expectedTypes = [...before.byType].sort((a, b) => b[1].bytes - a[1].bytes).map(([type]) => type);
        expect(rows.map((r) => r.type)).toEqual(expectedTypes.slice(0, rows.length));
        expect(rows.length).toBe(Math.min(expectedTypes.length, 40));
        expect(await page.locator('#types tfoot td').nth(2).textContent()).toBe(formatBytes(before.bytes));
        if (before.paths !== undefined && before.paths.length > 0) {
          expect(await page.locator('#paths tbody tr').count()).toBe(before.paths.length);
        }
        expect(await page.locator('#memsize-status').textContent()).toMatch(/^Scanned leak in [\d.]+ ms\.$/);

        // Act 3: the leak grows; press Scan again (within scanCooldownMillis: the page waits for the next slot, no 429).
        grow(leak, 2000);
        await page.click('button[data-root="leak"]');
        await page.waitForSelector('#report[data-root="leak"][data-seq="2"]');
        const after = scan(leak, { paths: true });
        const diff = diffScans(before, after);

        // Assert: a positive difference, equal to what scan() of the same objects says, with the
        // type that grew most at the top of the changes table.
        const deltaBytes = Number(await page.locator('#report [data-delta-bytes]').getAttribute('data-delta-bytes'));
        expect(deltaBytes).toBeGreaterThan(0);
        expect(deltaBytes).toBe(after.bytes - before.bytes);
        const roots = page.locator('tr[data-root-row="leak"] [data-delta-bytes]');
        expect(Number(await roots.getAttribute('data-delta-bytes'))).toBe(deltaBytes);
        const topChange = page.locator('#changes tbody tr').first();
        expect(await topChange.locator('td').first().textContent()).toBe(diff.types[0]!.type);
        expect(await topChange.locator('td.grow').count()).toBeGreaterThan(0);

        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: join(OUTPUT_DIR, 'report-page.png'), fullPage: true });

        expect(pageProblems).toEqual([]);
      });
      expect(errors).toEqual([]);
    } finally {
      await memsize.shutdown();
    }
  });

  it('checks against V8: states the cost, shows a refusal, runs anyway, shows V8 beside memsize, and keeps the ratios with one click', async (ctx) => {
    requireChromium(ctx);

    // Arrange: one root; the page's source refuses above 1 MiB of heap (any test heap is above it).
    const leak: LeakEntry[] = [];
    grow(leak, 3000);
    const memsize = createMemsize({ meterProvider: null });
    memsize.addRoot('leak', leak);
    const limit = { maxHeapBytes: 1024 * 1024 };
    const source: ReportSource = {
      rootNames: () => memsize.rootNames(),
      scanRoot: (name, options) => memsize.scanRoot(name, options),
      verify: (options) => memsize.verify({ ...options, ...limit }),
      verifyCost: () => memsize.verifyCost(limit),
    };
    const errors: unknown[] = [];
    const handler = createReportHandler(source, { scanCooldownMillis: 200, onError: (e) => errors.push(e) });
    try {
      // Two heap snapshots of this process (ours and the page's check) take 20-40 s each here
      // while Chromium and other jobs share the two cores.
      await withReportPage(handler, { height: 1400, timeoutMs: 150_000, consoleProblems: false }, async (page, base, pageProblems) => {
        // Act 1: the page states the cost before anything runs.
        await page.goto(`${base}/memsize`);
        const costText = await page.locator('#verify-cost').textContent();
        expect(costText).toMatch(/blocks the event loop while it runs: about [\d.]+ (ms|s|min) and [\d.]+ [KMG]i?B more memory/);
        expect(await page.locator('#verify-cost').getAttribute('data-allowed')).toBe('false');

        // Act 2: press the button: refused, with its message and a "Run anyway" button.
        await page.click('button[data-verify="check"]');
        await page.waitForSelector('#verify-refusal');
        expect(await page.locator('#verify-refusal').textContent()).toMatch(/the used heap is \d+ MiB, above options\.maxHeapBytes \(1\.0 MiB\)/);
        expect(await page.locator('#memsize-status').textContent()).toMatch(/^Check refused: /);
        expect(await page.locator('#verify-roots').count()).toBe(0);

        // Act 3: run anyway. V8's own figure is taken first: nothing has walked the root yet, and a
        // walk changes V8's figures (it flattens the leak's concatenated strings, for one);
        // verify() too snapshots before it scans.
        const truth = measureRetained({ leak }).targets.get('leak')?.retainedBytes;
        await page.click('button[data-verify="force"]');
        await page.waitForSelector('#verify-roots tr[data-verify-root="leak"]');

        // Assert: V8's figure on the page is the retained size a live snapshot gives for the same
        // root, memsize's is scan()'s, and the ratio is theirs; the refusal is gone; a per-type table.
        const row = page.locator('#verify-roots tr[data-verify-root="leak"]');
        const v8Bytes = Number(await row.locator('[data-v8-bytes]').getAttribute('data-v8-bytes'));
        const memsizeBytes = Number(await row.locator('[data-memsize-bytes]').getAttribute('data-memsize-bytes'));
        const ratio = Number(await row.locator('[data-ratio]').getAttribute('data-ratio'));
        expect(v8Bytes).toBe(truth);
        expect(memsizeBytes).toBe(scan(leak).bytes);
        expect(ratio).toBeCloseTo(v8Bytes / memsizeBytes, 10);
        expect(await row.locator('[data-v8-bytes]').textContent()).toBe(formatBytes(v8Bytes));
        expect(await page.locator('#verify-refusal').count()).toBe(0);
        const typeNames = await page.$$eval('table[data-verify-types="leak"] tbody tr', (rows) => rows.map((r) => r.cells[0]?.textContent ?? ''));
        expect(typeNames).toContain('LeakEntry');
        expect(await page.locator('#memsize-status').textContent()).toMatch(/^Checked against V8 in [\d.]+ s\.$/);

        // What V8 sees that memsize does not: the result's own rows (issue 20).
        const unseenRows = await page.$$eval('#verify-unseen tr[data-unseen-root]', (trs) => trs.length);
        expect(await page.locator('#verify-unseen-none').count()).toBe(unseenRows === 0 ? 1 : 0);
        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: join(OUTPUT_DIR, 'report-verify.png'), fullPage: true });

        // Act 4: keep the ratios as corrections. The card says what that does before the click;
        // the heap is above the limit, so it is refused, and "Run anyway" calibrates too.
        expect(await page.locator('#verify-calibrate-consequence').textContent()).toMatch(/memsize_root_bytes of that root .* multiplied by the ratio, until a later calibrating check replaces it/);
        await page.click('button[data-verify="calibrate"]');
        await page.waitForSelector('#verify-refusal button[data-verify="force"][data-calibrate="true"]');
        expect(memsize.corrections()).toEqual({});
        await page.click('button[data-verify="force"]');
        await page.locator('#memsize-status', { hasText: /^Checked against V8 in [\d.]+ s and kept \d of 1 ratios as corrections/ }).waitFor();

        // Assert: the page's badges are the roots memsize now corrects, and the gauges' figure of
        // a kept root is memsize's own times its ratio.
        const kept = Object.keys(memsize.corrections());
        const badges = await page.$$eval('#verify-roots tr[data-verify-root]', (trs) => trs.filter((tr) => /calibrated/.test(tr.textContent ?? '')).map((tr) => tr.getAttribute('data-verify-root')));
        expect(badges).toEqual(kept);
        for (const name of kept) {
          const factors = memsize.corrections()[name]!;
          const measured = memsize.collect().roots.get(name)!;
          expect(measured.correction?.uncorrectedBytes).toBe(scan(leak).bytes);
          expect(measured.bytes).toBe(Math.round(measured.correction!.uncorrectedBytes * factors.ratio));
        }
        await page.screenshot({ path: join(OUTPUT_DIR, 'report-calibrate.png'), fullPage: true });
        expect(pageProblems).toEqual([]);
      });
      expect(errors).toEqual([]);
    } finally {
      await memsize.shutdown();
    }
  }, 300_000);
  it('finds an unregistered leak, tracks it with one click and scans it', async (ctx) => {
    requireChromium(ctx);

    // Arrange: a leak nobody registered (a Map captured by the limiter's closure), grown by traffic,
    // beside a registered root; the page on a real server.
    const limiter = createLimiter();
    for (let i = 0; i < 40_000; i++) limiter.hit(`client-${i % 20_000}`, `/products/${i % 500}?ref=${i}`);
    const leak: LeakEntry[] = [];
    grow(leak, 2000);
    const memsize = createMemsize({ meterProvider: null });
    memsize.addRoot('leak', leak);
    const errors: unknown[] = [];
    const handler = createReportHandler(memsize, { title: 'find and track', scanCooldownMillis: 200, onError: (e) => errors.push(e) });
    try {
      // One heap snapshot of this process (the search) and one lookup by id.
      await withReportPage(handler, { height: 1600, timeoutMs: 150_000, consoleProblems: true }, async (page, base, pageProblems) => {
        // Act 1: the card states the cost before anything runs.
        await page.goto(`${base}/memsize`);
        expect(await page.locator('#discover-cost').textContent()).toMatch(/^A search takes one heap snapshot of the process and blocks the event loop while it runs: about [\d.]+ (ms|s|min) and [\d.]+ [KMG]i?B more memory/);
        expect(await page.locator('#discover-candidates').count()).toBe(0);

        // Act 2: press Find: the leak is listed with the path that names its closure and variable.
        await page.click('button[data-discover="find"]');
        await page.waitForSelector('#discover-candidates');
        expect(await page.locator('#memsize-status').textContent()).toMatch(/^Found \d+ large structures in [\d.]+ s\.$/);
        const row = page.locator('#discover-candidates tr', { has: page.locator('[data-path]', { hasText: /^\(closure createLimiter\) › hits$/ }) });
        expect(await row.count(), await page.locator('#discover-candidates').textContent() ?? '').toBe(1);
        const name = (await row.getAttribute('data-candidate'))!;
        expect(name).toBe('createLimiter.hits');
        expect(await row.locator('td').nth(1).textContent()).toBe('Map');
        const retained = Number(await row.locator('[data-retained-bytes]').getAttribute('data-retained-bytes'));
        expect(await row.locator('[data-retained-bytes]').textContent()).toBe(formatBytes(retained));

        // Act 3: press Track: the leak is registered as a root and listed; the page selects it.
        await row.locator('button[data-track]').click();
        await page.waitForSelector(`tr[data-root-row="${name}"]`);
        expect(await page.locator('#memsize-status').textContent()).toBe(`Tracking (closure createLimiter) › hits as the root ${name}: press Scan to measure it.`);
        expect(memsize.rootNames()).toEqual(['leak', name]);
        expect(await page.locator(`#discover-candidates tr[data-candidate="${name}"] .badge`).textContent()).toBe('tracked');

        // Act 4: more traffic, then press Scan on the new root: its figures are scan()'s of the Map.
        for (let i = 40_000; i < 44_000; i++) limiter.hit(`client-${i}`, `/cart?ref=${i}`);
        await page.click(`button[data-root="${name}"]`);
        await page.waitForSelector(`#report[data-root="${name}"][data-seq="1"]`);
        const scanned = scan(limiter.probe.deref()!, { paths: true });
        expect(await page.locator('#types tfoot td').nth(2).textContent()).toBe(formatBytes(scanned.bytes));
        const rows = await typeRows(page);
        expect(rows[0]?.type).toBe([...scanned.byType].sort((a, b) => b[1].bytes - a[1].bytes)[0]![0]);
        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: join(OUTPUT_DIR, 'report-discover.png'), fullPage: true });

        expect(pageProblems).toEqual([]);
      });
      expect(errors).toEqual([]);
    } finally {
      await memsize.shutdown();
    }
  }, 300_000);
});
