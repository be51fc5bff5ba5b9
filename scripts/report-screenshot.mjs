// Remake docs/report-page.png from the demo, the way docs/report.md describes it:
//
//   npm run build && node scripts/report-screenshot.mjs [output.png]
//
// Starts the demo (demo/server.mjs, free ports, its default traffic), waits WARMUP_MS, then in
// headless Chromium (Debian's, or MEMSIZE_CHROMIUM) opens /memsize, scans `sessions` and `cache`
// once and `requestLog` twice, SECOND_SCAN_AFTER_MS apart, and saves a full-page screenshot.
// Prints what the page shows, for the caption. Stops the demo before it exits.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = process.argv[2] ?? join(repo, 'docs', 'report-page.png');
const CHROMIUM = process.env.MEMSIZE_CHROMIUM ?? '/usr/bin/chromium';
const WARMUP_MS = 10_000;
const SECOND_SCAN_AFTER_MS = 5_000;
const START_TIMEOUT_MS = 30_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const demo = spawn(process.execPath, [join(repo, 'demo', 'server.mjs')], {
  env: { ...process.env, PORT: '0', METRICS_PORT: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let browser;
try {
  const reportUrl = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not print its URLs within ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
    demo.once('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready:\n${out}`)));
    demo.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /report\s+(http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  console.log(`demo ready: ${reportUrl}; letting its traffic run ${WARMUP_MS / 1000} s`);
  await sleep(WARMUP_MS);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  await page.goto(reportUrl);
  const scanRoot = async (root, seq) => {
    await page.click(`button[data-root="${root}"]`);
    await page.waitForSelector(`#report[data-root="${root}"][data-seq="${seq}"]`);
  };
  await scanRoot('sessions', 1);
  await scanRoot('cache', 1);
  await scanRoot('requestLog', 1);
  await sleep(SECOND_SCAN_AFTER_MS);
  await scanRoot('requestLog', 2);
  await page.screenshot({ path: output, fullPage: true });
  console.log(`saved ${output}`);

  // The figures on the page, for the caption in docs/report.md.
  const text = (selector) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent.replace(/\s+/g, ' ').trim()));
  console.log('roots:', JSON.stringify(await text('tr[data-root-row]'), null, 1));
  console.log('tiles/report header:', JSON.stringify(await text('#report .tiles > *, #report .tile'), null, 1));
  console.log('types:', JSON.stringify((await text('#types tbody tr')).slice(0, 6), null, 1));
  console.log('changes:', JSON.stringify((await text('#changes tbody tr')).slice(0, 6), null, 1));
  console.log('paths:', JSON.stringify((await text('#paths tbody tr')).slice(0, 6), null, 1));
} finally {
  await browser?.close();
  demo.kill('SIGTERM');
  await new Promise((resolve) => (demo.exitCode !== null ? resolve() : demo.once('exit', resolve)));
}
