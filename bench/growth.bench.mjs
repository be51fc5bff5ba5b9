// The issue-16 growth scenario through /metrics at any budget: a Map of sessions grown to 25,000,
// 100,000 and 400,000, a heavy tail (1% of sessions 100 times larger) and an object every session
// shares, each scraped three times 5.1 s apart (cacheMillis 5000, the default) with a 1 ms timer on
// the event loop, against the exact walk of the same root. `npm run build`, then
//   MM=25 node bench/growth.bench.mjs     (maxMillis 25; unset: 25)
import { startPrometheus, scan } from '../dist/index.js';
import { growSessions } from '../bench/fixtures/sessions.mjs';
const MM = Number(process.env.MM ?? 25);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function pauseDuring(work) {
  let last = performance.now(), longest = 0;
  const t = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; }, 1);
  try { const v = await work(); await sleep(5); return { v, pause: Math.max(longest, performance.now() - last) }; } finally { clearInterval(t); }
}
async function figures(app, root) {
  const { v, pause } = await pauseDuring(async () => (await (await fetch(app.url)).text()));
  const get = (name) => Number(new RegExp(`^${name}\\{[^}]*root="${root}"[^}]*\\} (\\S+)$`, 'm').exec(v)?.[1]);
  return { bytes: get('memsize_root_bytes'), err: get('memsize_root_bytes_error_ratio'), cut: get('memsize_walk_truncated'), pause };
}
const scenarios = {
  sessions: { sizes: [25_000, 100_000, 400_000], grow: (m, n) => growSessions(m, n) },
  'heavy tail': { sizes: [10_000, 50_000], grow: (m, n) => growSessions(m, n, { heavyEvery: 100, heavyLines: 200 }) },
  'shared object': { sizes: [25_000, 100_000], grow: (() => { const config = { limits: Array.from({ length: 2_000 }, (_, i) => ({ i, name: `limit-${i}` })) }; return (m, n) => growSessions(m, n, { extra: (s) => Object.assign(s, { config }) }); })() },
};
console.log(`Node ${process.version}, maxMillis ${MM}, cacheMillis 5000 (default), scrapes 5.1 s apart`);
console.log('| root | entries | scrape | figure / exact walk | ± | truncated | longest loop pause |\n|---|---:|---:|---:|---:|---:|---:|');
for (const [name, s] of Object.entries(scenarios)) {
  const app = await startPrometheus({ port: 0, maxMillis: MM });
  const map = new Map();
  app.addRoot('r', map, { weak: false });
  for (const size of s.sizes) {
    s.grow(map, size);
    const exact = scan(map, { estimate: false, maxMillis: 600_000, maxObjects: 2 ** 31 }).bytes;
    for (let k = 0; k < 3; k++) {
      const f = await figures(app, 'r');
      console.log(`| ${name} | ${size} | ${k + 1} | ${(f.bytes / exact).toFixed(3)} | ±${(f.err * 100).toFixed(1)}% | ${f.cut} | ${f.pause.toFixed(1)} ms |`);
      await sleep(5_100);
    }
  }
  await app.shutdown();
}
