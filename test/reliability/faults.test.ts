/**
 * Faults: the exporter's port in use, roots that fail or turn hostile between
 * collections, and shutdown at awkward times. Behaviour under test, as documented in
 * docs/reliability.md ("Faults"):
 * - startPrometheus() on a taken port rejects with ERR_MEMSIZE_LISTEN naming the address; the
 *   application keeps running and memsize leaves no server or handle behind.
 * - A root function that throws, returns a primitive or a revoked Proxy, or alone runs past
 *   maxMillis ("slow"), and an object root revoked later, report an error for that root only
 *   (memsize_walk_errors_total, one diag warning per root and reason); the other roots go on.
 * - A root mutated into something hostile (getters, Proxies, a Proxy prototype, huge holey arrays,
 *   cycles, frozen) is measured like anything else: no error, no user code run.
 * - shutdown() is idempotent (one promise), frees the port, cuts an in-flight scrape cleanly,
 *   may be called from a root function during a collection; afterwards addRoot() and scanRoot()
 *   throw ERR_MEMSIZE_SHUT_DOWN, removeRoot() is false, collect() has no roots.
 */
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, createReportHandler, MemsizeError, scan } from '../../src/index.js';
import { prometheusHandler, startPrometheus, type PrometheusMemsize } from '../../src/prometheus.js';
import { parseExpositionStrict, type StrictSample } from './exposition.js';

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

async function scrape(url: string): Promise<StrictSample[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  expect(res.status).toBe(200);
  return parseExpositionStrict(await res.text()).samples;
}
const value = (samples: StrictSample[], name: string, root: string) => samples.find((s) => s.name === name && s.labels.root === root)?.value;

const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** Collects diag warnings and errors (memsize logs root failures through OpenTelemetry's diag). */
function captureDiag(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  const record = (message: string) => messages.push(message);
  const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}

const started: PrometheusMemsize[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.shutdown()));
});

describe('the exporter port is in use', () => {
  it('rejects startPrometheus() with a clear error; the application keeps running and nothing of memsize is left', async () => {
    const app = createServer((_req, res) => res.end('app ok'));
    const port = await listen(app);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
      const before = servers();
      const error = await startPrometheus({ port }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MemsizeError);
      expect((error as MemsizeError).code).toBe('ERR_MEMSIZE_LISTEN');
      expect((error as MemsizeError).message).toBe(
        `startPrometheus(): cannot listen on 127.0.0.1:${port} (EADDRINUSE): the port is in use; pass another options.port, or 0 for any free port`,
      );
      expect(((error as MemsizeError).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
      // The application's own server still answers, and the failed attempt left no server behind.
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('app ok');
      await sleep(10);
      expect(servers()).toBe(before);
      // memsize itself still works in this process, on another port.
      const memsize = await startPrometheus({ port: 0, cacheMillis: 0 });
      started.push(memsize);
      memsize.addRoot('works', { a: [1, 2, 3] }, { weak: false });
      expect(value(await scrape(memsize.url), 'memsize_root_bytes', 'works')).toBe(scan({ a: [1, 2, 3] }).bytes);
      await sleep(10);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await close(app);
    }
  });
});

describe('roots that fail or turn hostile', () => {
  it('report an error for that root only, logged once per reason, while the others go on', async () => {
    const log = captureDiag();
    try {
      const memsize = await startPrometheus({ port: 0, cacheMillis: 0, maxMillis: 50 });
      started.push(memsize);
      const healthy = { records: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `user-${i}` })) };
      const { proxy: revokedLater, revoke } = Proxy.revocable({ some: 'data' }, {});
      const { proxy: revokedNow, revoke: revokeNow } = Proxy.revocable({}, {});
      revokeNow();
      memsize.addRoot('healthy', healthy);
      memsize.addRoot('throws', () => {
        throw new TypeError('the cache is not ready');
      });
      memsize.addRoot('primitive', () => 42);
      memsize.addRoot('revokedFn', () => revokedNow);
      memsize.addRoot('revokedLater', revokedLater);

      const first = await scrape(memsize.url);
      expect(value(first, 'memsize_root_bytes', 'healthy')).toBe(scan(healthy).bytes);
      for (const root of ['throws', 'primitive', 'revokedFn']) {
        expect(value(first, 'memsize_walk_errors_total', root)).toBe(1);
        expect(value(first, 'memsize_root_bytes', root)).toBeUndefined();
      }
      expect(value(first, 'memsize_walk_errors_total', 'revokedLater')).toBe(0);
      expect(value(first, 'memsize_root_bytes', 'revokedLater')).toBeDefined();

      revoke();
      const second = await scrape(memsize.url);
      expect(value(second, 'memsize_walk_errors_total', 'revokedLater')).toBe(1);
      expect(value(second, 'memsize_root_bytes', 'revokedLater')).toBeUndefined();
      for (const root of ['throws', 'primitive', 'revokedFn']) expect(value(second, 'memsize_walk_errors_total', root)).toBe(2);
      expect(value(second, 'memsize_root_bytes', 'healthy')).toBe(scan(healthy).bytes);

      // A root function slower than the whole budget: "slow", and the others are not dropped.
      memsize.addRoot('slow', () => {
        busyWait(80);
        return { small: true };
      });
      const third = await scrape(memsize.url);
      expect(value(third, 'memsize_walk_errors_total', 'slow')).toBe(1);
      expect(value(third, 'memsize_root_bytes', 'slow')).toBeUndefined();
      // Cut short by the slow function or not, the healthy root never reads as memory freed.
      expect(value(third, 'memsize_root_bytes', 'healthy')).toBeGreaterThanOrEqual(scan(healthy).bytes);
      // The walk-duration gauge tells the truth: the function's 80 ms are in it.
      expect(third.find((s) => s.name === 'memsize_walk_duration_seconds')!.value).toBeGreaterThanOrEqual(0.08);

      await scrape(memsize.url);
      // Logged once per root and reason, however many scrapes.
      for (const [root, reason] of [['throws', 'threw'], ['primitive', 'primitive'], ['revokedFn', 'revoked-proxy'], ['revokedLater', 'revoked-proxy'], ['slow', 'slow']]) {
        const lines = log.messages.filter((m) => m.includes(`root "${root}"`) && m.includes(`(${reason})`));
        expect(lines, `${root}: ${log.messages.join('\n')}`).toHaveLength(1);
      }
      expect(log.messages.find((m) => m.includes('"throws"'))).toContain('TypeError: the cache is not ready');
    } finally {
      log.restore();
    }
  });

  it('measure a root mutated into something hostile between collections, without running its code', async () => {
    const calls: string[] = [];
    const memsize = await startPrometheus({ port: 0, cacheMillis: 0 });
    started.push(memsize);
    const root: Record<string, unknown> = { items: [{ a: 1 }, { b: 'two' }] };
    memsize.addRoot('mutating', root);
    // Held here: a weak root nothing else holds may be collected between two scrapes (it was,
    // once, on Node 26 in CI), and then its series rightly disappears.
    const neighbour = { n: 'x'.repeat(100) };
    memsize.addRoot('neighbour', neighbour);
    const before = await scrape(memsize.url);
    expect(value(before, 'memsize_root_bytes', 'mutating')).toBe(scan(root).bytes);

    const traps: ProxyHandler<object> = {};
    for (const trap of ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf'] as const) {
      traps[trap] = () => {
        calls.push(`trap ${trap}`);
        throw new Error('trap');
      };
    }
    Object.defineProperty(root, 'items', {
      get() {
        calls.push('getter');
        throw new Error('getter');
      },
      enumerable: true,
    });
    root.proxy = new Proxy({ hidden: 'y'.repeat(1000) }, traps);
    root.holes = Array.from({ length: 4 }, () => new Array(1 << 14));
    root.self = root;
    Object.setPrototypeOf(root, new Proxy({}, traps));
    Object.freeze(root);

    // A root that grew suddenly may be cut short once (its budget follows its last walk time);
    // the next collection gives it what it needs.
    let after = await scrape(memsize.url);
    for (let i = 0; i < 5 && value(after, 'memsize_walk_truncated', 'mutating') !== 0; i++) after = await scrape(memsize.url);
    expect(calls).toEqual([]);
    expect(value(after, 'memsize_walk_errors_total', 'mutating')).toBe(0);
    expect(value(after, 'memsize_walk_truncated', 'mutating')).toBe(0);
    expect(value(after, 'memsize_root_bytes', 'mutating')).toBe(scan(root).bytes);
    expect(value(after, 'memsize_root_bytes', 'neighbour')).toBe(value(before, 'memsize_root_bytes', 'neighbour'));
    expect(calls).toEqual([]);
    expect(neighbour.n).toHaveLength(100);
  });
});

describe('shutdown', () => {
  it('during an in-flight scrape: the scrape ends (answered or cut), shutdown resolves and frees the port', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const delayMs of [0, 2, 10]) {
        const memsize = await startPrometheus({ port: 0, cacheMillis: 0 });
        memsize.addRoot('big', Array.from({ length: 100_000 }, (_, i) => ({ i })));
        const inFlight = fetch(memsize.url, { signal: AbortSignal.timeout(30_000) }).then(
          async (res) => ({ status: res.status, body: await res.text() }),
          (error: unknown) => ({ error: String((error as Error).cause ?? error) }),
        );
        await sleep(delayMs);
        const shutdown = memsize.shutdown();
        expect(memsize.shutdown()).toBe(shutdown); // double shutdown: the same promise
        const outcome = await inFlight;
        await shutdown;
        if ('status' in outcome) {
          // Answered before the server closed: a complete, valid exposition, or 503 once shut down.
          expect([200, 503]).toContain(outcome.status);
          if (outcome.status === 200) parseExpositionStrict(outcome.body);
        } else {
          expect(outcome.error).toMatch(/ECONNRESET|ECONNREFUSED|other side closed|socket hang up|terminated/i);
        }
        // The port is free again.
        const again = createServer();
        await listen(again, memsize.port);
        await close(again);
        await expect(memsize.shutdown()).resolves.toBeUndefined();
      }
      await sleep(10);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('from a root function during a collection: that collection completes, the next has no roots', async () => {
    const memsize = await startPrometheus({ port: 0, cacheMillis: 60_000 });
    let shutdown: Promise<void> | null = null;
    memsize.addRoot('a', { a: 1 }, { weak: false });
    memsize.addRoot('stopper', () => {
      shutdown ??= memsize.shutdown();
      return { s: 1 };
    });
    const during = memsize.collect();
    expect([...during.roots.keys()]).toEqual(['a', 'stopper']);
    await shutdown;
    expect(memsize.collect().roots.size).toBe(0);
    await expect(fetch(memsize.url)).rejects.toThrow();
  });

  it('leaves a defined, quiet instance: addRoot and scanRoot throw, removeRoot is false, collect is empty, handlers answer 503 and 404', async () => {
    const handlerMemsize = prometheusHandler({ cacheMillis: 0 });
    const direct = createMemsize({ meterProvider: null });
    for (const memsize of [handlerMemsize, direct]) {
      memsize.addRoot('kept', { k: 1 });
      const first = memsize.shutdown();
      const second = memsize.shutdown();
      expect(second).toBe(first);
      await first;
      expect(() => memsize.addRoot('late', {})).toThrow(MemsizeError);
      try {
        memsize.addRoot('late', {});
      } catch (error) {
        expect((error as MemsizeError).code).toBe('ERR_MEMSIZE_SHUT_DOWN');
        expect((error as MemsizeError).message).toBe('addRoot("late"): this memsize instance was shut down');
      }
      expect(() => memsize.scanRoot('kept')).toThrow(/shut down/);
      expect(memsize.removeRoot('kept')).toBe(false);
      expect(memsize.rootNames()).toEqual([]);
      expect(memsize.collect().roots.size).toBe(0);
    }
    // The mounted /metrics answers 503; the report page lists no roots and a scan answers 404.
    const report = createReportHandler(handlerMemsize, { scanCooldownMillis: 0, onError: () => {} });
    const server = createServer((req, res) => {
      if (report(req, res)) return;
      handlerMemsize.handler(req, res);
    });
    const port = await listen(server);
    try {
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(503);
      const page = (await (await fetch(`http://127.0.0.1:${port}/memsize?format=json`)).json()) as { roots: unknown[] };
      expect(page.roots).toEqual([]);
      const scanResponse = await fetch(`http://127.0.0.1:${port}/memsize/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-memsize-scan': '1' },
        body: JSON.stringify({ root: 'kept' }),
      });
      expect(scanResponse.status).toBe(404);
    } finally {
      await close(server);
    }
  });
});
