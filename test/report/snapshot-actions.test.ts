/**
 * The report handler's "Find large structures" card (GET/POST prefix/discover), its Track button
 * (POST prefix/track) and the check card's one-click calibration (POST prefix/verify with
 * `{"calibrate": true}`): routes, protection, body checks, refusals, and what the page shows.
 * The route tests use a hand-made discover() over real objects (fast, exact); the tests marked
 * "real" run memsize's own discover()/verify() on this process's heap, once each.
 */
import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, formatBytes, scan, type Memsize, type ReportHandlerOptions, type ReportSource, type VerifyResult } from '../../src/index.js';
import type { DiscoverCandidate, DiscoverOptions, DiscoverResult } from '../../src/verify/discover.js';
import type { DiscoverJSON } from '../../src/report/json.js';
import { CORRECTION_BAND } from '../../src/verify/correction.js';
import { escapeHtml } from '../../src/report/html.js';
import { serveReport } from '../support/report-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const servers: Server[] = [];
const instances: Memsize[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(instances.splice(0).map((m) => m.shutdown()));
});

const serve = (source: ReportSource, options: ReportHandlerOptions = {}) => serveReport(servers, source, { scanCooldownMillis: 0, ...options });
const HEADERS = { 'content-type': 'application/json', 'x-memsize-scan': '1' };
const post = (base: string, path: string, body: unknown, headers: Record<string, string> = HEADERS) =>
  fetch(`${base}/memsize/${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

function fresh(): Memsize {
  const memsize = createMemsize({ meterProvider: null });
  instances.push(memsize);
  return memsize;
}

/**
 * A hand-made discover() result over real objects: each candidate's figures are scan()'s of its
 * object (inputs here, not claims about V8), `ref()` answers the object (or undefined for a
 * `null` entry: collected) and counts its calls.
 */
function handMade(objects: Record<string, object | null>, extra: Partial<DiscoverResult> = {}): { result: DiscoverResult; refCalls: string[] } {
  const refCalls: string[] = [];
  const candidates: DiscoverCandidate[] = Object.entries(objects).map(([name, value]) => {
    const figures = value === null ? { bytes: 100_000, objects: 10 } : scan(value);
    return {
      path: `global › ${name}`,
      steps: ['global', name],
      type: value === null ? 'Map' : (value.constructor?.name ?? 'Object'),
      retainedBytes: figures.bytes,
      objects: figures.objects,
      name,
      ref: () => {
        refCalls.push(name);
        return value ?? undefined;
      },
      coveredBy: null,
      contains: [],
    };
  });
  const cost = { heapUsedBytes: 1, maxHeapBytes: 2, allowed: true, estimatedMs: 1, estimatedPeakBytes: 1, estimatedPeakRssBytes: 1, estimatedFileBytes: 1, basis: 'test' };
  const result: DiscoverResult = {
    at: Date.now(), durationMs: 12, snapshotMs: 8, parseMs: 2, analyzeMs: 2, heapUsedBytes: 1, rssGrowthBytes: 0, snapshotFileBytes: 1,
    snapshotNodes: 1, snapshotEdges: 1, cost, nodeVersion: process.version, candidates, refsUnavailable: null, ...extra,
  };
  return { result, refCalls };
}

/** A source over a real memsize (roots, scans, addRoot, refusal) whose discover() answers `result`. */
function sourceWith(memsize: Memsize, result: DiscoverResult, maxHeapBytes?: number): { source: ReportSource; discoverCalls: (DiscoverOptions | undefined)[] } {
  const discoverCalls: (DiscoverOptions | undefined)[] = [];
  const limit = maxHeapBytes === undefined ? {} : { maxHeapBytes };
  const source: ReportSource = {
    rootNames: () => memsize.rootNames(),
    scanRoot: (name, options) => memsize.scanRoot(name, options),
    addRoot: (name, target) => memsize.addRoot(name, target),
    discoverCost: () => memsize.discoverCost(limit),
    discover: (options) => {
      discoverCalls.push(options);
      // The real refusal (it throws before any snapshot); past it, the hand-made result.
      if (!memsize.discoverCost(limit).allowed && options?.force !== true) memsize.discover({ ...options, ...limit });
      return result;
    },
  };
  return { source, discoverCalls };
}

describe('report handler: find large structures', () => {
  it('states the cost on GET prefix/discover and on the page, before anything runs', async () => {
    const memsize = fresh();
    const { source, discoverCalls } = sourceWith(memsize, handMade({ a: new Map() }).result);
    const base = await serve(source);
    const res = await fetch(`${base}/memsize/discover`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cost: { heapUsedBytes: number; estimatedMs: number }; last: unknown };
    expect(body.cost.heapUsedBytes).toBeGreaterThan(0);
    expect(body.last).toBeNull();
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toMatch(/<section class="card" id="discover"><h2>Find large structures<\/h2><p id="discover-cost" data-allowed="true">A search takes one heap snapshot/);
    expect(page).toContain('data-discover="find"');
    // No roots yet: the roots card points at the search.
    expect(page).toContain('press <b>Track</b>');
    expect(discoverCalls).toEqual([]);
  });

  it('runs discover() on POST and lists each candidate with path, type, retained bytes, objects and coveredBy, without looking objects up', async () => {
    const memsize = fresh();
    const sessions = new Map(Array.from({ length: 200 }, (_, i) => [i, { user: `u${i}` }]));
    const log = Array.from({ length: 300 }, (_, i) => ({ at: i }));
    const { result, refCalls } = handMade({ sessions, log });
    result.candidates[1]!.coveredBy = 'requests';
    result.candidates[1]!.contains = ['sessions'];
    const { source, discoverCalls } = sourceWith(memsize, result);
    const base = await serve(source);
    const res = await post(base, 'discover', { force: false });
    expect(res.status).toBe(200);
    const { discover } = (await res.json()) as { discover: DiscoverJSON };
    expect(discoverCalls).toEqual([{ force: false }]);
    expect(discover.candidates.map((c) => ({ ...c }))).toEqual(
      result.candidates.map(({ ref: _ref, ...c }) => ({ ...c, tracked: false })),
    );
    const page = await (await fetch(`${base}/memsize`)).text();
    for (const c of result.candidates) {
      const row = page.slice(page.indexOf(`<tr data-candidate="${c.name}">`), page.indexOf('</tr>', page.indexOf(`<tr data-candidate="${c.name}">`)));
      expect(row).toContain(escapeHtml(c.path));
      expect(row).toContain(`<code>${c.type}</code>`);
      expect(row).toContain(`data-retained-bytes="${c.retainedBytes}">${formatBytes(c.retainedBytes)}<`);
      expect(row).toContain(`data-track="${c.name}"`);
      expect(row).toContain(c.coveredBy === null ? '<span class="muted">—</span>' : `<code>${c.coveredBy}</code>`);
    }
    expect(page).toContain('id="discover-summary"');
    // Listing candidates never looks an object up (V8 walks the heap for each).
    expect(refCalls).toEqual([]);
  });

  it('answers 409 with the refusal above the limit, shows it with "Run anyway", and force runs it', async () => {
    const memsize = fresh();
    const { source, discoverCalls } = sourceWith(memsize, handMade({ a: new Map([[1, 2]]) }).result, 1024 * 1024);
    const base = await serve(source);
    const refused = await post(base, 'discover', {});
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: string; code: string; cost: { allowed: boolean } };
    expect(body.code).toBe('ERR_MEMSIZE_HEAP_TOO_LARGE');
    expect(body.error).toMatch(/^discover\(\): the used heap is \d+ MiB, above options\.maxHeapBytes \(1\.0 MiB\)/);
    expect(body.cost.allowed).toBe(false);
    let page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toMatch(/id="discover-cost" data-allowed="false"/);
    expect(page).toMatch(/id="discover-refusal"><b>Refused:<\/b> discover\(\): the used heap.*data-discover="force"/);
    const forced = await post(base, 'discover', { force: true });
    expect(forced.status).toBe(200);
    expect(discoverCalls.at(-1)).toEqual({ force: true });
    page = await (await fetch(`${base}/memsize`)).text();
    expect(page).not.toContain('id="discover-refusal"');
    expect(page).toContain('data-candidate="a"');
  });

  it('answers 500 when discover() fails, shows it and passes it to onError', async () => {
    const failure = new Error('snapshot write failed');
    const errors: unknown[] = [];
    const source: ReportSource = {
      rootNames: () => [],
      scanRoot: () => { throw new Error('no roots'); },
      discoverCost: () => fresh().discoverCost(),
      discover: () => { throw failure; },
    };
    const base = await serve(source, { onError: (e) => errors.push(e) });
    const res = await post(base, 'discover', {});
    expect(res.status).toBe(500);
    expect(await errorOf(res)).toBe('the search for large structures failed: snapshot write failed');
    expect(errors).toEqual([failure]);
    expect(await (await fetch(`${base}/memsize`)).text()).toContain('id="discover-error"><b>The search failed:</b> snapshot write failed');
  });
});

describe('report handler: Track', () => {
  it('registers the candidate as a root through addRoot(name, ref()), lists it, and scans it like scan() of the same object', async () => {
    const memsize = fresh();
    const hits = new Map(Array.from({ length: 400 }, (_, i) => [`client-${i}`, { count: i, first: i * 1000 }]));
    const { result, refCalls } = handMade({ 'limiter.hits': hits, other: [1, 2, 3] });
    const { source } = sourceWith(memsize, result);
    const base = await serve(source);
    expect((await post(base, 'discover', {})).status).toBe(200);
    const res = await post(base, 'track', { candidate: 'limiter.hits' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ root: 'limiter.hits', path: 'global › limiter.hits' });
    expect(refCalls).toEqual(['limiter.hits']);
    expect(memsize.rootNames()).toEqual(['limiter.hits']);
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toContain('data-root-row="limiter.hits"');
    expect(page).toMatch(/<tr data-candidate="limiter\.hits">.*?<span class="badge">tracked<\/span>/);
    expect(page).toContain('data-track="other"');
    // The root is the object itself: a scan through the page equals scan() of the Map.
    const scanned = (await (await post(base, 'scan', { root: 'limiter.hits' })).json()) as { root: { last: { bytes: number; objects: number } } };
    expect(scanned.root.last).toMatchObject({ bytes: scan(hits).bytes, objects: scan(hits).objects });
    // The root is weak, as addRoot() holds any object.
    expect(memsize.collect().roots.get('limiter.hits')?.bytes).toBe(scan(hits).bytes);
  });

  it('says clearly what went wrong: no search yet, unknown candidate, collected structure, name taken', async () => {
    const memsize = fresh();
    const taken = { x: 1 };
    const { result } = handMade({ big: new Set([1, 2, 3]), gone: null, taken: new Map() });
    const { source } = sourceWith(memsize, result);
    const base = await serve(source);
    const before = await post(base, 'track', { candidate: 'big' });
    expect(before.status).toBe(409);
    expect(await errorOf(before)).toContain('no search for large structures has run yet');
    await post(base, 'discover', {});
    const unknown = await post(base, 'track', { candidate: 'ghost' });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe('the last search listed no candidate named "ghost" (it listed: "big", "gone", "taken"); search again if the page is old');
    const gone = await post(base, 'track', { candidate: 'gone' });
    expect(gone.status).toBe(410);
    expect(await errorOf(gone)).toContain('global › gone was garbage-collected since the search');
    memsize.addRoot('taken', taken);
    const clash = await post(base, 'track', { candidate: 'taken' });
    expect(clash.status).toBe(409);
    const clashBody = (await clash.json()) as { error: string; code: string };
    expect(clashBody.code).toBe('ERR_MEMSIZE_ROOT_EXISTS');
    expect(clashBody.error).toMatch(/^a root named "taken" is already registered; .*addRoot\("taken"\): a root named "taken" already exists/);
    // Tracking twice is the same clash.
    expect((await post(base, 'track', { candidate: 'big' })).status).toBe(200);
    expect((await post(base, 'track', { candidate: 'big' })).status).toBe(409);
    expect(memsize.rootNames()).toEqual(['taken', 'big']);
  });

  it('offers no Track where the live objects cannot be reached, and answers 409 naming why', async () => {
    const memsize = fresh();
    const { result } = handMade({ big: new Map() }, { refsUnavailable: 'the inspector is unavailable (test)' });
    const base = await serve(sourceWith(memsize, result).source);
    await post(base, 'discover', {});
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).not.toContain('data-track=');
    expect(page).toContain('id="discover-no-refs"><b>Track is unavailable:</b> the inspector is unavailable (test)');
    const res = await post(base, 'track', { candidate: 'big' });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toBe('global › big cannot be tracked: the live object cannot be reached (the inspector is unavailable (test))');
  });

  it('offers the card without Track for a source without addRoot(), and no card without discover()', async () => {
    const memsize = fresh();
    const { source } = sourceWith(memsize, handMade({ big: new Map() }).result);
    const { addRoot: _addRoot, ...noAdd } = source;
    const base = await serve(noAdd);
    await post(base, 'discover', {});
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toContain('data-candidate="big"');
    expect(page).not.toContain('data-track=');
    expect((await post(base, 'track', { candidate: 'big' })).status).toBe(404);
    const plain: ReportSource = { rootNames: () => [], scanRoot: () => { throw new Error('no roots'); } };
    const bare = await serve(plain);
    expect((await fetch(`${bare}/memsize/discover`)).status).toBe(404);
    expect((await post(bare, 'discover', {})).status).toBe(404);
    expect((await post(bare, 'track', { candidate: 'big' })).status).toBe(404);
    expect(await (await fetch(`${bare}/memsize`)).text()).not.toContain('id="discover"');
  });
});

describe('report handler: protection and bodies of discover, track and calibrate', () => {
  it.each([
    ['discover', { force: false }],
    ['track', { candidate: 'big' }],
    ['verify', { calibrate: true }],
  ])('POST %s needs the page header, JSON and the same origin, as a scan does', async (path, body) => {
    const memsize = fresh();
    const { source, discoverCalls } = sourceWith(memsize, handMade({ big: new Map() }).result);
    const verifyCalls: unknown[] = [];
    const base = await serve({ ...source, verifyCost: () => memsize.verifyCost(), verify: (o) => { verifyCalls.push(o); throw new Error('not expected'); } });
    const missing = await post(base, path, body, { 'content-type': 'application/json' });
    expect(missing.status).toBe(403);
    expect(await errorOf(missing)).toContain('X-Memsize-Scan');
    expect((await post(base, path, body, { ...HEADERS, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post(base, path, body, { 'x-memsize-scan': '1', 'content-type': 'text/plain' })).status).toBe(415);
    expect((await fetch(`${base}/memsize/${path}`, { method: 'PUT', headers: HEADERS, body: '{}' })).status).toBe(405);
    expect(discoverCalls).toEqual([]);
    expect(verifyCalls).toEqual([]);
    expect(memsize.rootNames()).toEqual([]);
  });

  it.each([
    ['discover', '{force:', 'the request body must be JSON like {"force": false}'],
    ['discover', '[true]', 'the request body must be a JSON object like {"force": false}, got an array'],
    ['discover', { force: 'yes' }, 'the body\'s "force" must be true or false, got "yes"'],
    ['discover', { force: false, top: 3 }, 'the body\'s "top" is not a field of this request (known: force)'],
    ['track', {}, 'the body\'s "candidate" must be the name of a candidate of the last search, got undefined'],
    ['track', { candidate: 3 }, 'the body\'s "candidate" must be the name of a candidate of the last search, got 3'],
    ['track', { candidate: 'big', as: 'x' }, 'the body\'s "as" is not a field of this request (known: candidate)'],
    ['verify', { calibrate: 'yes' }, 'the body\'s "calibrate" must be true or false, got "yes"'],
    ['verify', { calibrate: ['items'] }, 'the body\'s "calibrate" must be true or false, got an array'],
    ['verify', { force: 1 }, 'the body\'s "force" must be true or false, got 1'],
    ['verify', { roots: ['items'] }, 'the body\'s "roots" is not a field of this request (known: force, calibrate)'],
  ])('POST %s with body %j answers 400 naming the field', async (path, body, message) => {
    const memsize = fresh();
    const { source, discoverCalls } = sourceWith(memsize, handMade({ big: new Map() }).result);
    const verifyCalls: unknown[] = [];
    const base = await serve({ ...source, verifyCost: () => memsize.verifyCost(), verify: (o) => { verifyCalls.push(o); throw new Error('not expected'); } });
    const res = await post(base, path, body);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe(message);
    expect(discoverCalls).toEqual([]);
    expect(verifyCalls).toEqual([]);
  });

  it('paces searches and Track with scans and checks: one too soon answers 429', async () => {
    const memsize = fresh();
    const { source } = sourceWith(memsize, handMade({ big: new Map([[1, 1]]) }).result);
    const base = await serve(source, { scanCooldownMillis: 60_000 });
    expect((await post(base, 'discover', {})).status).toBe(200);
    expect((await post(base, 'track', { candidate: 'big' })).status).toBe(429);
    expect((await post(base, 'discover', {})).status).toBe(429);
    expect(memsize.rootNames()).toEqual([]);
  });
});

describe('report handler: keep the ratios as corrections', () => {
  it('passes calibrate to verify(), and a refused calibrating check offers "Run anyway" that calibrates too', async () => {
    const memsize = fresh();
    memsize.addRoot('items', Array.from({ length: 100 }, (_, i) => ({ i })), { weak: false });
    const calls: unknown[] = [];
    const limit = { maxHeapBytes: 1024 * 1024 };
    const source: ReportSource = {
      rootNames: () => memsize.rootNames(),
      scanRoot: (name, options) => memsize.scanRoot(name, options),
      verifyCost: () => memsize.verifyCost(limit),
      verify: (options) => { calls.push(options); return memsize.verify({ ...options, ...limit }); },
    };
    const base = await serve(source);
    const refused = await post(base, 'verify', { calibrate: true });
    expect(refused.status).toBe(409);
    expect(calls).toEqual([{ force: false, calibrate: true }]);
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toContain('<button type="button" data-verify="force" data-calibrate="true">Run anyway</button>');
    // A plain check passes no calibrate at all, and its refusal's "Run anyway" does not calibrate.
    await post(base, 'verify', {});
    expect(calls.at(-1)).toEqual({ force: false });
    expect(await (await fetch(`${base}/memsize`)).text()).toContain('<button type="button" data-verify="force">Run anyway</button>');
    expect(memsize.corrections()).toEqual({});
  });

  it('real: keeps in-band ratios, refuses the rest, and the card says the consequence, what V8 sees that memsize does not, and each warning', async () => {
    const memsize = fresh();
    const items = Array.from({ length: 2000 }, (_, i) => ({ id: i, label: `item-${i}` }));
    // memsize does not walk into a Proxy: V8 retains the array behind it, memsize sees the holder only.
    const hidden = { data: new Proxy(Array.from({ length: 4000 }, (_, i) => ({ id: i, label: `hidden-${i}` })), {}) };
    memsize.addRoot('items', items, { weak: false });
    memsize.addRoot('hidden', hidden, { weak: false });
    const base = await serve(memsize);
    const first = (await (await post(base, 'verify', {})).json()) as { verify: VerifyResult };
    let page = await (await fetch(`${base}/memsize`)).text();
    const consequence = page.slice(page.indexOf('id="verify-calibrate-consequence"'), page.indexOf('</p>', page.indexOf('id="verify-calibrate-consequence"')));
    expect(consequence).toContain('<code>memsize_root_bytes</code> of that root');
    expect(consequence).toContain(`A ratio outside ${CORRECTION_BAND.min}-${CORRECTION_BAND.max}× is refused`);
    const firstItems = first.verify.roots.find((r) => r.name === 'items')!;
    const firstHidden = first.verify.roots.find((r) => r.name === 'hidden')!;
    expect(consequence).toContain(`it would keep <code>items</code> (${firstItems.ratio!.toFixed(2)}×) and refuse <code>hidden</code> (${firstHidden.ratio!.toFixed(2)}×)`);
    expect(page).toContain('data-verify="calibrate"');

    const res = await post(base, 'verify', { calibrate: true });
    expect(res.status).toBe(200);
    const { verify } = (await res.json()) as { verify: VerifyResult };
    const itemsRow = verify.roots.find((r) => r.name === 'items')!;
    const hiddenRow = verify.roots.find((r) => r.name === 'hidden')!;
    expect(itemsRow.calibrated).toBe(true);
    expect(hiddenRow.calibrated).toBe(false);
    expect(Object.keys(memsize.corrections())).toEqual(['items']);
    expect(memsize.corrections().items!.ratio).toBe(itemsRow.ratio);
    // The consequence: the gauges' figure of items is memsize's own times the kept ratio.
    const own = scan(items).bytes;
    expect(memsize.collect().roots.get('items')?.bytes).toBe(Math.round(own * itemsRow.ratio!));

    page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toMatch(/<tr data-verify-root="items"><td><code>items<\/code><span class="badge" title="this check kept its ratio as a correction">calibrated<\/span>/);
    expect(page).toContain('This check kept the ratios of <code>items</code> as corrections.');
    // Issue 20: the warning and the unseen rows are the result's, on the page.
    expect(hiddenRow.warning).not.toBeNull();
    expect(page).toContain(`<p class="banner" data-verify-warning="hidden"><b>hidden:</b> ${escapeHtml(hiddenRow.warning!)}</p>`);
    expect(hiddenRow.unseen.length).toBeGreaterThan(0);
    for (const u of [...itemsRow.unseen, ...hiddenRow.unseen]) {
      expect(page).toContain(`data-unseen-type="${escapeHtml(u.type)}"`);
      expect(page).toContain(`data-unseen-v8-bytes="${u.v8Bytes}">${formatBytes(u.v8Bytes)}<`);
    }
    const unseenRows = (page.match(/<tr data-unseen-root=/g) ?? []).length;
    expect(unseenRows).toBe(itemsRow.unseen.length + hiddenRow.unseen.length);
  }, 60_000);
});

describe('report handler: the page keeps nothing alive (real discover)', () => {
  const g = globalThis as Record<string, unknown>;
  /** scan()'s bytes of a global, read in a plain function for the same reason as plant(). */
  const scanBytes = (key: string): number => scan(g[key]).bytes;

  /**
   * Two structures the application holds on the global object (known paths), large enough to be
   * among the top candidates of this process, and a WeakRef to each. Made in a plain function:
   * a value read in the async test body can stay in a register of its suspended frame across
   * awaits (V8 saves them), which would keep it alive for reasons of the test's own.
   */
  function plant(): { trackedProbe: WeakRef<object>; untrackedProbe: WeakRef<object> } {
    const tracked = new Map(Array.from({ length: 30_000 }, (_, i) => [`t-${i}`, { n: i, label: `tracked-${i}` }]));
    const untracked = new Map(Array.from({ length: 30_000 }, (_, i) => [`u-${i}`, { n: i, label: `untracked-${i}` }]));
    g.__memsizePageTracked = tracked;
    g.__memsizePageUntracked = untracked;
    return { trackedProbe: new WeakRef(tracked), untrackedProbe: new WeakRef(untracked) };
  }

  it('a found structure, tracked or not, is collected once the application drops it; Track then answers 410', async () => {
    const memsize = fresh();
    const { trackedProbe, untrackedProbe } = plant();
    try {
      const base = await serve(memsize);
      const found = await post(base, 'discover', {});
      expect(found.status).toBe(200);
      const { discover } = (await found.json()) as { discover: DiscoverJSON };
      const tracked = discover.candidates.find((c) => c.path === 'global › __memsizePageTracked');
      const untracked = discover.candidates.find((c) => c.path === 'global › __memsizePageUntracked');
      expect(tracked, discover.candidates.map((c) => c.path).join('\n')).toBeDefined();
      expect(untracked).toBeDefined();

      // Track one: the root is the application's Map itself.
      expect((await post(base, 'track', { candidate: tracked!.name })).status).toBe(200);
      const scanned = (await (await post(base, 'scan', { root: tracked!.name })).json()) as { root: { last: { bytes: number } } };
      expect(scanned.root.last.bytes).toBe(scanBytes('__memsizePageTracked'));

      // The application drops both.
      delete g.__memsizePageTracked;
      delete g.__memsizePageUntracked;
      // A WeakRef dereferenced in this job keeps its target until the job ends.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      expect(trackedProbe.deref()).toBeUndefined();
      expect(untrackedProbe.deref()).toBeUndefined();

      // The untracked one was never looked up: the lookup now finds it gone.
      const late = await post(base, 'track', { candidate: untracked!.name });
      expect(late.status).toBe(410);
      expect(await errorOf(late)).toContain('global › __memsizePageUntracked was garbage-collected since the search');
      // The tracked root goes with its Map, and the page says it was collected.
      const after = await post(base, 'scan', { root: tracked!.name });
      expect(after.status).toBe(404);
      expect(await errorOf(after)).toContain('garbage-collected');
    } finally {
      delete g.__memsizePageTracked;
      delete g.__memsizePageUntracked;
    }
  }, 120_000);
});

describe('report handler: Track failures', () => {
  it('answers 500 and reports an unexpected addRoot() failure to onError', async () => {
    const memsize = fresh();
    const { result } = handMade({ big: new Map([[1, 1]]) });
    const failure = new Error('registry broken');
    const errors: unknown[] = [];
    const { source } = sourceWith(memsize, result);
    const base = await serve({ ...source, addRoot: () => { throw failure; } }, { onError: (e) => errors.push(e) });
    await post(base, 'discover', {});
    const res = await post(base, 'track', { candidate: 'big' });
    expect(res.status).toBe(500);
    expect(await errorOf(res)).toBe('tracking global › big failed: registry broken');
    expect(errors).toEqual([failure]);
  });
});
