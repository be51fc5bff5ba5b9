/**
 * The report handler's check-against-V8 routes: GET prefix/verify states the cost, POST runs one
 * check, guarded (X-Memsize-Scan header, JSON, same-origin) and paced like scans; a refusal
 * answers 409 and is shown on the page with a "Run anyway" button.
 */
import type { Server } from 'node:http';
import { serveReport } from '../support/report-server.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, type Memsize, type ReportHandlerOptions, type ReportSource, type VerifyResult } from '../../src/index.js';
import { measureRetained } from '../support/heap-snapshot.js';

const servers: Server[] = [];
const instances: Memsize[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(instances.splice(0).map((m) => m.shutdown()));
});

const serve = (source: ReportSource, options: ReportHandlerOptions = {}) => serveReport(servers, source, options);

/** A memsize with one root, as a report source whose checks refuse above `maxHeapBytes`. */
function setup(maxHeapBytes?: number): { memsize: Memsize; source: ReportSource; root: object[] } {
  const memsize = createMemsize({ meterProvider: null });
  instances.push(memsize);
  const root = Array.from({ length: 500 }, (_, i) => ({ id: i, label: `item-${i}` }));
  memsize.addRoot('items', root, { weak: false });
  const limit = maxHeapBytes === undefined ? {} : { maxHeapBytes };
  const source: ReportSource = {
    rootNames: () => memsize.rootNames(),
    scanRoot: (name, options) => memsize.scanRoot(name, options),
    verify: (options) => memsize.verify({ ...options, ...limit }),
    verifyCost: () => memsize.verifyCost(limit),
  };
  return { memsize, source, root };
}

const HEADERS = { 'content-type': 'application/json', 'x-memsize-scan': '1' };
const postVerify = (base: string, body: unknown, headers: Record<string, string> = HEADERS) =>
  fetch(`${base}/memsize/verify`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('report handler: check against V8', () => {
  it('states the cost on GET and on the page, before anything runs', async () => {
    const { source } = setup();
    const base = await serve(source);
    const res = await fetch(`${base}/memsize/verify`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cost: { heapUsedBytes: number; estimatedMs: number; allowed: boolean }; last: unknown };
    expect(body.cost.heapUsedBytes).toBeGreaterThan(0);
    expect(body.cost.estimatedMs).toBeGreaterThan(0);
    expect(body.last).toBeNull();
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toMatch(/<section class="card" id="verify">.*A check takes one heap snapshot/);
    expect(page).toContain('data-verify="check"');
  });

  it("runs a check on POST whose figures are the snapshot's and scan's, then shows them on the page", async () => {
    const { source, root, memsize } = setup();
    const base = await serve(source, { scanCooldownMillis: 0 });
    const res = await postVerify(base, { force: false });
    expect(res.status).toBe(200);
    const { verify } = (await res.json()) as { verify: VerifyResult };
    const row = verify.roots.find((r) => r.name === 'items');
    expect(row?.v8Bytes).toBe(measureRetained({ root }).targets.get('root')?.retainedBytes);
    expect(row?.memsizeBytes).toBe(memsize.scanRoot('items').bytes);
    const page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toContain(`data-v8-bytes="${row?.v8Bytes}"`);
    expect(page).toContain(`data-memsize-bytes="${row?.memsizeBytes}"`);
  });

  it('answers 409 with the refusal above the limit, shows it with "Run anyway", and force runs it', async () => {
    const { source } = setup(1024 * 1024);
    const base = await serve(source, { scanCooldownMillis: 0 });
    const refused = await postVerify(base, {});
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: string; code: string; cost: { allowed: boolean } };
    expect(body.code).toBe('ERR_MEMSIZE_HEAP_TOO_LARGE');
    expect(body.error).toMatch(/above options\.maxHeapBytes \(1\.0 MiB\)/);
    expect(body.cost.allowed).toBe(false);
    let page = await (await fetch(`${base}/memsize`)).text();
    expect(page).toMatch(/id="verify-refusal".*Refused:.*data-verify="force"/);
    const forced = await postVerify(base, { force: true });
    expect(forced.status).toBe(200);
    page = await (await fetch(`${base}/memsize`)).text();
    expect(page).not.toContain('id="verify-refusal"');
    expect(page).toContain('id="verify-roots"');
  });

  it('needs the page header and JSON, checks the body, and paces checks with scans', async () => {
    const { source } = setup();
    const base = await serve(source, { scanCooldownMillis: 60_000 });
    expect((await postVerify(base, {}, { 'content-type': 'application/json' })).status).toBe(403);
    expect((await postVerify(base, {}, { 'x-memsize-scan': '1', 'content-type': 'text/plain' })).status).toBe(415);
    expect((await postVerify(base, {}, { ...HEADERS, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await postVerify(base, { force: 'yes' })).status).toBe(400);
    expect((await postVerify(base, {})).status).toBe(200);
    const tooSoon = await postVerify(base, {});
    expect(tooSoon.status).toBe(429);
    const scanTooSoon = await fetch(`${base}/memsize/scan`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ root: 'items' }) });
    expect(scanTooSoon.status).toBe(429);
    expect((await fetch(`${base}/memsize/verify`, { method: 'PUT' })).status).toBe(405);
  });

  it('offers no check for a source without verify()', async () => {
    const source: ReportSource = { rootNames: () => [], scanRoot: () => { throw new Error('no roots'); } };
    const base = await serve(source);
    expect((await fetch(`${base}/memsize/verify`)).status).toBe(404);
    expect((await postVerify(base, {})).status).toBe(404);
    expect(await (await fetch(`${base}/memsize`)).text()).not.toContain('id="verify"');
  });
});
