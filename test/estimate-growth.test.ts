// Roots of any size, as a user meets them: a growing Map of sessions (bench/fixtures/sessions.mjs)
// registered with the defaults and scraped through a real /metrics, with a timer on the event
// loop, against V8's retained size from a live heap snapshot at each size. Apart from
// test/estimate.test.ts so that the two run side by side.
import { afterAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusMemsize } from '../src/prometheus.js';
import { growSessions, type Session } from '../bench/fixtures/sessions.mjs';
import { measureRetained } from './support/heap-snapshot.js';
import { parsePrometheusText } from './metrics/support.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Blocking of the event loop while `work` runs: the longest gap between 1 ms timer ticks. */
async function longestPauseDuring<T>(work: () => Promise<T>): Promise<{ value: T; pauseMs: number }> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    const value = await work();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { value, pauseMs: Math.max(longest, performance.now() - last) };
  } finally {
    clearInterval(timer);
  }
}

async function scrapeRoot(app: PrometheusMemsize, root: string): Promise<Record<string, number>> {
  const text = await (await fetch(app.url)).text();
  const out: Record<string, number> = {};
  for (const s of parsePrometheusText(text).samples) if (s.labels.root === root) out[s.name] = s.value;
  return out;
}

/** Scrape `root` once, timing the event loop, and read the figures the dashboards use. */
async function scrapeFigures(app: PrometheusMemsize, root: string) {
  const { value, pauseMs } = await longestPauseDuring(() => scrapeRoot(app, root));
  return {
    bytes: value.memsize_root_bytes!,
    pauseMs,
    error: value.memsize_root_bytes_error_ratio!,
    estimated: value.memsize_root_estimated!,
    truncated: value.memsize_walk_truncated!,
  };
}

describe('a growing root, with the defaults, through /metrics', () => {
  let app: PrometheusMemsize | undefined;
  afterAll(async () => {
    await app?.shutdown();
  });

  it('follows a Map of sessions from 25,000 to 400,000 within 10% of V8, never blocking the loop 250 ms', async () => {
    app = await startPrometheus({ port: 0 });
    const sessions = new Map<string, Session>();
    app.addRoot('sessions', sessions);
    const rows: string[] = [];
    let previous = 0;
    try {
      for (const size of [25_000, 100_000, 400_000]) {
        growSessions(sessions, size);
        // Scrapes more than cacheMillis (5 s) apart, so each one walks: two at the first size (a new
        // root's first collection, then one that knows its level), one after each growth.
        const figures: Awaited<ReturnType<typeof scrapeFigures>>[] = [];
        for (let k = 0; k < (size === 25_000 ? 2 : 1); k++) {
          figures.push(await scrapeFigures(app!, 'sessions'));
          await sleep(5_100);
        }
        const v8 = measureRetained({ sessions }).targets.get('sessions')!.retainedBytes;
        for (const f of figures) {
          rows.push(`| ${size} | ${v8} | ${f.bytes} | ${(f.bytes / v8).toFixed(3)} | ±${pct(f.error)} | ${f.estimated} | ${f.truncated} | ${f.pauseMs.toFixed(1)} ms |`);
        }
        for (const f of figures) {
          expect(f.truncated, `truncated at ${size}`).toBe(0);
          expect(Math.abs(f.bytes / v8 - 1), `memsize ${f.bytes} against V8 ${v8} at ${size}`).toBeLessThanOrEqual(0.1);
          expect(f.pauseMs, `event loop blocked at ${size}`).toBeLessThanOrEqual(250);
          expect(f.bytes, 'rises with the root').toBeGreaterThan(previous);
        }
        previous = Math.min(...figures.map((f) => f.bytes));
      }
    } finally {
      console.log(
        [
          `Node ${process.version}: a Map of sessions through /metrics, defaults (maxMillis 200, cacheMillis 5000)`,
          '| sessions | V8 retained | memsize_root_bytes | ratio | ± (95%) | estimated | truncated | longest event-loop pause |',
          '|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...rows,
        ].join('\n'),
      );
    }
  });

  it('follows a plain object used as a cache from 20,000 to 240,000 keys within 10% of V8, never blocking the loop 250 ms', async () => {
    // A cache keyed by user, values parsed from request bodies, grown by assignment: the map-like
    // object whose key list no budget can interrupt (README "Limitations").
    const memsize = await startPrometheus({ port: 0 });
    const cache: Record<string, unknown> = {};
    memsize.addRoot('profiles', cache);
    const rows: string[] = [];
    let previous = 0;
    try {
      for (const size of [20_000, 80_000, 240_000]) {
        for (let i = Object.keys(cache).length; i < size; i++) {
          cache[`user:${i}`] = JSON.parse(`{"id":${i},"name":"user-${i % 4000}","plan":"${i % 3 ? 'free' : 'pro'}","seen":[${i % 97},${i % 89}]}`);
        }
        const f = await scrapeFigures(memsize, 'profiles');
        await sleep(5_100);
        const v8 = measureRetained({ cache }).targets.get('cache')!.retainedBytes;
        rows.push(`| ${size} | ${v8} | ${f.bytes} | ${(f.bytes / v8).toFixed(3)} | ±${pct(f.error)} | ${f.estimated} | ${f.truncated} | ${f.pauseMs.toFixed(1)} ms |`);
        expect(f.truncated, `truncated at ${size}`).toBe(0);
        expect(Math.abs(f.bytes / v8 - 1), `memsize ${f.bytes} against V8 ${v8} at ${size}`).toBeLessThanOrEqual(0.1);
        expect(f.pauseMs, `event loop blocked at ${size}`).toBeLessThanOrEqual(250);
        expect(f.bytes, 'rises with the root').toBeGreaterThan(previous);
        previous = f.bytes;
      }
    } finally {
      console.log(
        [
          `Node ${process.version}: a plain object used as a cache through /metrics, defaults (maxMillis 200, cacheMillis 5000)`,
          '| keys | V8 retained | memsize_root_bytes | ratio | ± (95%) | estimated | truncated | longest event-loop pause |',
          '|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...rows,
        ].join('\n'),
      );
      await memsize.shutdown();
    }
  });
});
