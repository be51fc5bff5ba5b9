// Regression (issue 20): `app.use('/memsize', report)` answered 404, because Express strips the
// mount path from req.url and the report routed on req.url. The common mounts of Express and
// Fastify, with real Express and Fastify: the page answers where it is mounted, its links and
// scans point there, and a scan from that page works.
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, createReportHandler, type Memsize, type ReportHandlerOptions } from '../../src/index.js';

const SCAN_HEADERS = { 'content-type': 'application/json', 'x-memsize-scan': '1' };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function memsizeWithRoot(): Memsize {
  const memsize = createMemsize({ meterProvider: null });
  memsize.addRoot('sessions', new Map([[1, { user: 'a' }]]), { weak: false });
  cleanups.push(() => memsize.shutdown());
  return memsize;
}

const report = (options: ReportHandlerOptions = {}) => createReportHandler(memsizeWithRoot(), { scanCooldownMillis: 0, ...options });

async function listenExpress(mount: (app: express.Express) => void): Promise<string> {
  const app = express();
  app.use(express.json()); // a body parser before the report, as many applications have
  mount(app);
  app.use((_req, res) => {
    res.status(418).send('the application');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The page at `pagePath` answers, says where it scans, and a scan posted there works. */
async function expectReportAt(origin: string, pagePath: string): Promise<void> {
  const page = await fetch(origin + pagePath);
  expect(page.status, pagePath).toBe(200);
  const html = await page.text();
  expect(html).toContain('sessions');
  const prefix = /data-prefix="([^"]*)"/.exec(html)![1]!;
  expect(pagePath.replace(/\/$/, '')).toBe(prefix);
  expect(html).toContain(`href="${prefix}?root=sessions"`);
  const scanned = await fetch(`${origin}${prefix}/scan`, { method: 'POST', headers: SCAN_HEADERS, body: JSON.stringify({ root: 'sessions' }) });
  expect(scanned.status, `${prefix}/scan`).toBe(200);
  expect(((await scanned.json()) as { root: { last: { bytes: number } } }).root.last.bytes).toBeGreaterThan(0);
  const json = await fetch(`${origin}${prefix}?format=json`);
  expect(((await json.json()) as { roots: { name: string }[] }).roots.map((r) => r.name)).toEqual(['sessions']);
}

describe('regression: the report page under Express', () => {
  it("app.use('/memsize', report) answers at /memsize (it answered 404)", async () => {
    const origin = await listenExpress((app) => app.use('/memsize', report()));
    await expectReportAt(origin, '/memsize');
    await expectReportAt(origin, '/memsize/');
    expect((await fetch(`${origin}/other`)).status).toBe(418);
  });

  it('app.use(report) answers at its prefix and passes other requests on', async () => {
    const origin = await listenExpress((app) => app.use(report()));
    await expectReportAt(origin, '/memsize');
    expect((await fetch(`${origin}/`)).status).toBe(418);
    expect((await fetch(`${origin}/memsizeX`)).status).toBe(418);
  });

  it("app.use('/debug/memsize', report with that prefix) and a Router mounted at /debug both answer", async () => {
    const prefixed = await listenExpress((app) => app.use('/debug/memsize', report({ prefix: '/debug/memsize' })));
    await expectReportAt(prefixed, '/debug/memsize');
    const routed = await listenExpress((app) => {
      const router = express.Router();
      router.use(report());
      app.use('/debug', router);
    });
    // Mounted under /debug with the default prefix: the page is at /debug/memsize and says so.
    await expectReportAt(routed, '/debug/memsize');
    expect((await fetch(`${routed}/memsize`)).status).toBe(418);
  });

  it("app.use('/debug', report) with the prefix '/' answers at /debug", async () => {
    const origin = await listenExpress((app) => app.use('/debug', report({ prefix: '/' })));
    await expectReportAt(origin, '/debug');
    expect((await fetch(`${origin}/`)).status).toBe(418);
  });
});

describe('the report page under Fastify', () => {
  it('a route for the prefix and everything under it, handing the raw request over', async () => {
    const handler = report();
    const app = Fastify();
    app.route({
      method: ['GET', 'HEAD', 'POST'],
      url: '/memsize',
      handler: (request, reply) => {
        reply.hijack();
        Object.assign(request.raw, { body: request.body }); // Fastify parsed the scan's JSON body already
        handler(request.raw, reply.raw);
      },
    });
    app.route({
      method: ['GET', 'HEAD', 'POST'],
      url: '/memsize/*',
      handler: (request, reply) => {
        reply.hijack();
        Object.assign(request.raw, { body: request.body }); // Fastify parsed the scan's JSON body already
        handler(request.raw, reply.raw);
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await expectReportAt(origin, '/memsize');
    expect((await fetch(`${origin}/other`)).status).toBe(404);
  });
});
