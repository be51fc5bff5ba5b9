// `npm start` end to end: the demo runs as a child process (on the built dist/, as users run it),
// on free ports with fast traffic; /metrics shows the leaking root growing between two scrapes,
// the report page lists the roots and scans them, and SIGTERM stops it cleanly.
import { describe, expect, it } from 'vitest';
import type { ReportJSON, RootReportJSON } from '../../src/report/json.js';
import { startDemo } from '../support/demo.js';

const ROOTS = ['sessions', 'cache', 'requestLog'];

function rootBytes(scrape: string): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const match of scrape.matchAll(/^memsize_root_bytes\{[^}]*root="([^"]+)"[^}]*\} (\S+)$/gm)) bytes.set(match[1]!, Number(match[2]));
  return bytes;
}

async function scanRoot(reportUrl: string, root: string): Promise<RootReportJSON> {
  const res = await fetch(`${reportUrl}/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-memsize-scan': '1' },
    body: JSON.stringify({ root }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { root: RootReportJSON }).root;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('npm start (demo/server.mjs)', () => {
  it('serves growing metrics and a working report page, and stops on SIGTERM', async () => {
    const { child, urls, output, exited } = await startDemo(
      { DEMO_RPS: '400', DEMO_MIN_INTERVAL_MS: '0', DEMO_SCAN_INTERVAL_MS: '0' },
      20_000,
    );
    try {
      expect(urls.report).toBe(`${urls.app}memsize`);

      // Metrics: every root is reported, and the leaking one grows between two scrapes.
      const first = rootBytes(await (await fetch(urls.metrics)).text());
      expect([...first.keys()].sort()).toEqual([...ROOTS].sort());
      await sleep(1000);
      const second = rootBytes(await (await fetch(urls.metrics)).text());
      expect(second.get('requestLog')!).toBeGreaterThan(first.get('requestLog')!);

      // The page, opened after a scrape and before any scan, shows each root's figure from that
      // scrape (a GET walks nothing, so the collection it reads is still the scrape's).
      const opened = (await (await fetch(`${urls.report}?format=json`)).json()) as ReportJSON;
      expect(opened.roots.map((root) => root.name).sort()).toEqual([...ROOTS].sort());
      for (const root of opened.roots) {
        expect(root.last, root.name).toBeNull();
        expect(second.get(root.name), root.name).toBeGreaterThan(0);
        expect(root.collected?.bytes, root.name).toBe(second.get(root.name));
      }

      // The report page lists the roots (a GET walks nothing) and scans on POST.
      const page = await fetch(urls.report);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain('not scanned yet');
      for (const root of ROOTS) expect(html).toContain(`<button type="button" data-root="${root}">Scan</button>`);
      const firstScan = await scanRoot(urls.report, 'requestLog');
      await sleep(500);
      const secondScan = await scanRoot(urls.report, 'requestLog');
      expect(secondScan.last!.seq).toBe(firstScan.last!.seq + 1);
      expect(secondScan.diff!.bytes).toBeGreaterThan(0);
      // The leak is made of LogEntry objects held under requestLog.byId.
      const grown = secondScan.diff!.types.find((t) => t.type === 'LogEntry');
      expect(grown?.objects).toBeGreaterThan(0);
      expect(secondScan.last!.paths![0]!.path).toContain('byId');
      const report = (await (await fetch(`${urls.report}?format=json`)).json()) as ReportJSON;
      expect(report.roots.map((r) => r.name)).toEqual(ROOTS);

      // The app itself answers too.
      expect((await fetch(`${urls.app}products/7`)).status).toBe(200);

      // SIGTERM: servers closed, memsize shut down, exit code 0.
      child.kill('SIGTERM');
      const result = await Promise.race([exited, sleep(10_000).then(() => null)]);
      expect(result, `the demo did not exit within 10 s:\n${output.text}`).toEqual({ code: 0, signal: null });
      expect(output.text).toContain('memsize demo: stopped');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
