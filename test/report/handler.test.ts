import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveReport } from '../support/report-server.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemsize, createReportHandler, MemsizeError, scan, type ReportHandlerOptions, type ReportSource, type ScanOptions } from '../../src/index.js';
import type { ReportJSON, RootReportJSON } from '../../src/report/json.js';

/** A source over plain objects that records each scan it is asked for. */
function sourceOf(roots: Map<string, unknown>) {
  const calls: { name: string; options: ScanOptions | undefined }[] = [];
  const source: ReportSource = {
    rootNames: () => [...roots.keys()],
    scanRoot(name, options) {
      calls.push({ name, options });
      if (!roots.has(name)) throw new MemsizeError('ERR_MEMSIZE_ROOT_UNKNOWN', `no root named "${name}"`);
      return scan(roots.get(name), options);
    },
  };
  return { source, calls };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const serve = (source: ReportSource, options: ReportHandlerOptions = {}) => serveReport(servers, source, options);

const SCAN_HEADERS = { 'content-type': 'application/json', 'x-memsize-scan': '1' };

function postScan(base: string, root: unknown, headers: Record<string, string> = SCAN_HEADERS, path = '/memsize/scan') {
  return fetch(base + path, { method: 'POST', headers, body: JSON.stringify({ root }) });
}

describe('createReportHandler: routing', () => {
  it('answers only under its prefix and leaves other requests to the host', async () => {
    const { source } = sourceOf(new Map([['a', {}]]));
    const base = await serve(source);
    expect((await fetch(`${base}/`)).status).toBe(418);
    expect((await fetch(`${base}/memsizeX`)).status).toBe(418);
    expect((await fetch(`${base}/memsize`)).status).toBe(200);
    expect((await fetch(`${base}/memsize/`)).status).toBe(200);
    expect((await fetch(`${base}/memsize/nope`)).status).toBe(404);
  });

  it('mounts at a custom prefix, and at the root of a dedicated server', async () => {
    const { source } = sourceOf(new Map([['a', {}]]));
    const custom = await serve(source, { prefix: '/debug/mem', scanCooldownMillis: 0 });
    expect((await fetch(`${custom}/debug/mem`)).status).toBe(200);
    expect((await postScan(custom, 'a', SCAN_HEADERS, '/debug/mem/scan')).status).toBe(200);
    expect((await fetch(`${custom}/memsize`)).status).toBe(418);
    const atRoot = await serve(source, { prefix: '/', scanCooldownMillis: 0 });
    expect((await fetch(`${atRoot}/`)).status).toBe(200);
    expect((await postScan(atRoot, 'a', SCAN_HEADERS, '/scan')).status).toBe(200);
    expect((await fetch(`${atRoot}/other`)).status).toBe(418);
  });

  it('calls next() for requests that are not its own, like Connect middleware', () => {
    const { source } = sourceOf(new Map());
    const handler = createReportHandler(source);
    const next = vi.fn();
    const handled = handler({ url: '/elsewhere', method: 'GET', headers: {} } as never, {} as never, next);
    expect(handled).toBe(false);
    expect(next).toHaveBeenCalledOnce();
  });

  it('reads a body that a body-parsing middleware already consumed (req.body)', async () => {
    const { source, calls } = sourceOf(new Map([['a', {}]]));
    const handler = createReportHandler(source, { scanCooldownMillis: 0 });
    const server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        (req as typeof req & { body?: unknown }).body = text === '' ? undefined : JSON.parse(text);
        if (!handler(req, res)) res.writeHead(418).end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const res = await postScan(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'a');
    expect(res.status).toBe(200);
    expect(calls.map((c) => c.name)).toEqual(['a']);
  });

  it('answers 405 with Allow for the wrong method', async () => {
    const { source, calls } = sourceOf(new Map([['a', {}]]));
    const base = await serve(source);
    const getScan = await fetch(`${base}/memsize/scan`);
    expect(getScan.status).toBe(405);
    expect(getScan.headers.get('allow')).toBe('POST');
    const postPage = await fetch(`${base}/memsize`, { method: 'POST', headers: SCAN_HEADERS, body: '{}' });
    expect(postPage.status).toBe(405);
    expect(postPage.headers.get('allow')).toBe('GET, HEAD');
    expect(calls).toEqual([]);
  });
});

describe('createReportHandler: the page and the JSON report', () => {
  it("shows each root's latest collected figures on first open, before any scan, without measuring", async () => {
    const memsize = createMemsize({ meterProvider: null });
    const sessions = new Map(Array.from({ length: 300 }, (_, i) => [`s${i}`, { id: i, user: `user-${i}` }]));
    memsize.addRoot('sessions', sessions);
    const base = await serve(memsize);
    const before = (await (await fetch(`${base}/memsize?format=json`)).json()) as ReportJSON;
    expect(before.roots[0]!.collected).toBeNull();
    expect(await (await fetch(`${base}/memsize`)).text()).toContain('not scanned yet');

    const collection = memsize.collect(); // what a scrape does
    const measured = collection.roots.get('sessions')!;
    const json = (await (await fetch(`${base}/memsize?format=json`)).json()) as ReportJSON;
    expect(json.roots[0]!.last).toBeNull();
    expect(json.roots[0]!.collected).toMatchObject({ bytes: measured.bytes, objects: measured.objects, estimated: false });
    const html = await (await fetch(`${base}/memsize`)).text();
    expect(html).not.toContain('not scanned yet');
    expect(html).toContain('data-collected>metrics,');
    // Reading it measured nothing: the same collection is still the last one.
    expect(memsize.lastCollection()).toBe(collection);
    await memsize.shutdown();
    expect(memsize.lastCollection()).toBeNull();
  });

  it('never scans on GET, in any format', async () => {
    const { source, calls } = sourceOf(new Map([['a', { x: 1 }]]));
    const base = await serve(source);
    for (const path of ['/memsize', '/memsize?format=json', '/memsize?format=text', '/memsize?root=a']) {
      expect((await fetch(base + path)).status).toBe(200);
    }
    const head = await fetch(`${base}/memsize`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(calls).toEqual([]);
  });

  it('serves the page with a strict CSP and no caching', async () => {
    const { source } = sourceOf(new Map([['sessions', {}]]));
    const res = await fetch(`${(await serve(source))}/memsize`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('data-root="sessions"');
  });

  it('gives JSON for ?format=json and for Accept: application/json, optionally for one root', async () => {
    const { source } = sourceOf(new Map([['a', {}], ['b', []]]));
    const base = await serve(source);
    const byQuery = (await (await fetch(`${base}/memsize?format=json`)).json()) as ReportJSON;
    expect(byQuery.roots.map((r) => r.name)).toEqual(['a', 'b']);
    const byAccept = await fetch(`${base}/memsize`, { headers: { accept: 'application/json' } });
    expect(byAccept.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await byAccept.json()) as ReportJSON).roots).toHaveLength(2);
    const one = (await (await fetch(`${base}/memsize?format=json&root=b`)).json()) as ReportJSON;
    expect(one.roots.map((r) => r.name)).toEqual(['b']);
    expect((await fetch(`${base}/memsize?format=json&root=zzz`)).status).toBe(404);
    expect((await fetch(`${base}/memsize?format=xml`)).status).toBe(400);
  });

  it('gives the text report for ?format=text', async () => {
    const { source } = sourceOf(new Map([['a', { x: [1, 2] }]]));
    const base = await serve(source, { scanCooldownMillis: 0 });
    expect(await (await fetch(`${base}/memsize?format=text`)).text()).toBe('a: not scanned yet\n');
    await postScan(base, 'a');
    const text = await (await fetch(`${base}/memsize?format=text`)).text();
    expect(text).toMatch(/^a \(scan #1 at .*\)\nTYPE/);
    expect(text).toContain('TOTAL');
  });
});

describe('createReportHandler: scans', () => {
  it('scans the named root with paths on and returns figures equal to scan() of the same object', async () => {
    const target = { items: Array.from({ length: 50 }, (_, i) => ({ i, name: `item-${i}` })) };
    const { source, calls } = sourceOf(new Map([['items', target]]));
    const base = await serve(source, { scanCooldownMillis: 0 });
    const res = await postScan(base, 'items');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { root: RootReportJSON; nextScanInMs: number };
    const expected = scan(target, { paths: true });
    expect(calls).toEqual([{ name: 'items', options: { paths: true } }]);
    expect(body.root.last).toMatchObject({ seq: 1, bytes: expected.bytes, objects: expected.objects });
    expect(body.root.last!.types.map((t) => t.type).sort()).toEqual([...expected.byType.keys()].sort());
  });

  it('passes its scan options through to scanRoot', async () => {
    const { source, calls } = sourceOf(new Map([['a', {}]]));
    const base = await serve(source, { scanCooldownMillis: 0, scan: { maxObjects: 500, paths: { depth: 2, top: 5 } } });
    await postScan(base, 'a');
    expect(calls[0]!.options).toEqual({ maxObjects: 500, paths: { depth: 2, top: 5 } });
  });

  it('shows growth as a positive diff and keeps only the last two scans per root', async () => {
    const log: object[] = [];
    const { source } = sourceOf(new Map([['log', log]]));
    const base = await serve(source, { scanCooldownMillis: 0 });
    const scans: RootReportJSON[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) log.push({ at: round * 100 + i, message: `request ${round}-${i}` });
      scans.push(((await (await postScan(base, 'log')).json()) as { root: RootReportJSON }).root);
    }
    const third = scans[2]!;
    expect(third.last!.seq).toBe(3);
    expect(third.previous!.seq).toBe(2);
    expect(third.diff!.bytes).toBe(third.last!.bytes - third.previous!.bytes);
    expect(third.diff!.bytes).toBeGreaterThan(0);
    expect(scans[1]!.diff!.bytes).toBeGreaterThan(0);
    const report = (await (await fetch(`${base}/memsize?format=json`)).json()) as ReportJSON;
    expect(report.roots[0]!.last!.seq).toBe(3);
    expect(report.roots[0]!.previous!.seq).toBe(2);
  });

  it('paces scans: one too soon answers 429 with Retry-After, and later it works', async () => {
    // Only Date is faked (the handler's clock): the HTTP round trips take real time, the clock
    // does not move during them, so no timing margin is involved.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { source, calls } = sourceOf(new Map([['a', {}], ['b', {}]]));
      const base = await serve(source, { scanCooldownMillis: 60_000 });
      expect((await postScan(base, 'a')).status).toBe(200);
      vi.setSystemTime(Date.now() + 59_000);
      const tooSoon = await postScan(base, 'b');
      expect(tooSoon.status).toBe(429);
      expect(tooSoon.headers.get('retry-after')).toBe('1');
      expect(((await tooSoon.json()) as { retryAfterMs: number }).retryAfterMs).toBe(1_000);
      vi.setSystemTime(Date.now() + 1_000);
      expect((await postScan(base, 'b')).status).toBe(200);
      expect(calls.map((c) => c.name)).toEqual(['a', 'b']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses what a cross-site page could send: no custom header, a form content type, a cross-site fetch', async () => {
    const { source, calls } = sourceOf(new Map([['a', {}]]));
    const base = await serve(source, { scanCooldownMillis: 0 });
    expect((await postScan(base, 'a', { 'content-type': 'application/json' })).status).toBe(403);
    expect((await postScan(base, 'a', { ...SCAN_HEADERS, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await postScan(base, 'a', { ...SCAN_HEADERS, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const form = await fetch(`${base}/memsize/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-memsize-scan': '1' },
      body: 'root=a',
    });
    expect(form.status).toBe(415);
    expect(calls).toEqual([]);
    expect((await postScan(base, 'a', { ...SCAN_HEADERS, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('names the problem with a bad body: not JSON, no root name, unknown root, too large', async () => {
    const { source, calls } = sourceOf(new Map([['a', {}]]));
    const base = await serve(source, { scanCooldownMillis: 0 });
    const bad = await fetch(`${base}/memsize/scan`, { method: 'POST', headers: SCAN_HEADERS, body: '{root:' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('JSON');
    const noName = await postScan(base, 42);
    expect(noName.status).toBe(400);
    expect(((await noName.json()) as { error: string }).error).toContain('got 42');
    const unknown = await postScan(base, 'ghost');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('"ghost"');
    const huge = await fetch(`${base}/memsize/scan`, { method: 'POST', headers: SCAN_HEADERS, body: JSON.stringify({ root: 'a', pad: 'x'.repeat(10_000) }) });
    expect(huge.status).toBe(413);
    expect(calls).toEqual([]);
  });

  it('answers 500 when a scan throws, logs it, shows it on the page, and keeps serving', async () => {
    const failure = new Error('thunk exploded');
    const source: ReportSource = {
      rootNames: () => ['bad'],
      scanRoot: () => {
        throw failure;
      },
    };
    const onError = vi.fn();
    const base = await serve(source, { scanCooldownMillis: 0, onError });
    const res = await postScan(base, 'bad');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toContain('thunk exploded');
    expect(onError).toHaveBeenCalledWith(failure);
    const report = (await (await fetch(`${base}/memsize?format=json`)).json()) as ReportJSON;
    expect(report.roots[0]!.error!.message).toBe('thunk exploded');
    expect(await (await fetch(`${base}/memsize`)).text()).toContain('scan failed');
  });

  it('answers 500 without throwing into the host when listing roots fails', async () => {
    const onError = vi.fn();
    const source: ReportSource = {
      rootNames: () => {
        throw new Error('registry broken');
      },
      scanRoot: () => scan({}),
    };
    const base = await serve(source, { onError });
    const res = await fetch(`${base}/memsize`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).not.toContain('registry broken');
    expect(onError).toHaveBeenCalledOnce();
  });

  it('forgets the scans of a root that was removed', async () => {
    const roots = new Map<string, unknown>([['a', {}], ['b', {}]]);
    const { source } = sourceOf(roots);
    const base = await serve(source, { scanCooldownMillis: 0 });
    await postScan(base, 'a');
    roots.delete('a');
    expect(((await (await fetch(`${base}/memsize?format=json`)).json()) as ReportJSON).roots.map((r) => r.name)).toEqual(['b']);
    roots.set('a', {});
    const again = (await (await fetch(`${base}/memsize?format=json&root=a`)).json()) as ReportJSON;
    expect(again.roots[0]!.last).toBeNull();
  });
});

describe('createReportHandler: options', () => {
  const { source } = sourceOf(new Map());
  it.each([
    [{ prefix: 'memsize' }, 'options.prefix'],
    [{ prefix: '/memsize/' }, 'options.prefix'],
    [{ prefix: '/a?b' }, 'options.prefix'],
    [{ prefix: '/"><script>' }, 'options.prefix'],
    [{ scanCooldownMillis: -1 }, 'options.scanCooldownMillis'],
    [{ maxTypes: 0 }, 'options.maxTypes'],
    [{ title: '' }, 'options.title'],
    [{ onError: 'log' }, 'options.onError'],
    [{ scan: { maxObjects: -5 } }, 'createReportHandler(): options.scan.maxObjects must be a positive integer, got -5'],
    [{ scan: { paths: { depth: 17 } } }, 'options.scan.paths.depth must be an integer from 1 to 16, got 17'],
    [{ minIntervalMs: -1 }, 'options.minIntervalMs must be a non-negative finite number, got -1'],
    [{ prefx: '/x' }, 'options.prefx is not an option'],
  ])('rejects %j naming the option', (options, named) => {
    expect(() => createReportHandler(source, options as ReportHandlerOptions)).toThrow(
      expect.objectContaining({ code: 'ERR_MEMSIZE_INVALID_OPTION', message: expect.stringContaining(named) }),
    );
  });

  it('rejects a source without rootNames() and scanRoot()', () => {
    expect(() => createReportHandler({ rootNames: () => [] } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_MEMSIZE_INVALID_OPTION', message: expect.stringContaining('scanRoot()') }),
    );
  });
});

describe('createReportHandler with createMemsize()', () => {
  it('scans registered roots through the Memsize object and answers 404 once a root is removed', async () => {
    const memsize = createMemsize({ meterProvider: null });
    const sessions = new Map([['s1', { user: 'ada', cart: [1, 2, 3] }]]);
    memsize.addRoot('sessions', sessions);
    try {
      const base = await serve(memsize, { scanCooldownMillis: 0 });
      const body = (await (await postScan(base, 'sessions')).json()) as { root: RootReportJSON };
      expect(body.root.last!.bytes).toBe(scan(sessions).bytes);
      expect(body.root.last!.paths).not.toBeNull();
      memsize.removeRoot('sessions');
      expect((await postScan(base, 'sessions')).status).toBe(404);
    } finally {
      await memsize.shutdown();
    }
  });
});
