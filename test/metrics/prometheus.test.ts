import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemsizeError } from '../../src/index.js';
import { prometheusHandler, startPrometheus } from '../../src/prometheus.js';
import { parsePrometheusText } from './support.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function rejection(promise: Promise<unknown>): Promise<MemsizeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MemsizeError);
    return error as MemsizeError;
  }
  throw new Error('expected a rejection');
}

/** A request on its own connection (no keep-alive pool), with a deadline. */
function get(url: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('startPrometheus', () => {
  it('serves the gauges on 127.0.0.1 and a free port, 404 elsewhere and 405 for other methods', async () => {
    const memsize = await startPrometheus({ port: 0 });
    cleanups.push(() => memsize.shutdown());
    memsize.addRoot('things', [1, 2, 3], { weak: false });
    expect(memsize.host).toBe('127.0.0.1');
    expect(memsize.port).toBeGreaterThan(0);
    expect(memsize.url).toBe(`http://127.0.0.1:${memsize.port}/metrics`);

    const ok = await get(memsize.url);
    expect(ok.status).toBe(200);
    const { samples } = parsePrometheusText(ok.body);
    expect(samples.some((s) => s.name === 'memsize_root_bytes' && s.labels.root === 'things')).toBe(true);
    expect((await get(`http://127.0.0.1:${memsize.port}/other`)).status).toBe(404);
    expect((await get(`${memsize.url}?x=1`)).status).toBe(200);
    const post = await get(memsize.url, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('honours a custom endpoint', async () => {
    const memsize = await startPrometheus({ port: 0, endpoint: '/internal/memsize' });
    cleanups.push(() => memsize.shutdown());
    expect(memsize.url.endsWith('/internal/memsize')).toBe(true);
    expect((await get(memsize.url)).status).toBe(200);
    expect((await get(`http://127.0.0.1:${memsize.port}/metrics`)).status).toBe(404);
  });

  it('rejects with ERR_MEMSIZE_LISTEN naming the address when the port is in use', async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    cleanups.push(() => close(blocker));
    const error = await rejection(startPrometheus({ port }));
    expect(error.code).toBe('ERR_MEMSIZE_LISTEN');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('EADDRINUSE');
    expect(error.message).toContain('0 for any free port');
  });

  it('frees the port on shutdown, even with a keep-alive connection open, and is idempotent', async () => {
    const memsize = await startPrometheus({ port: 0 });
    const { port } = memsize;
    const agent = new (await import('node:http')).Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    await new Promise<void>((resolve, reject) => {
      request(memsize.url, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const started = performance.now();
    const first = memsize.shutdown();
    expect(memsize.shutdown()).toBe(first);
    await first;
    // The idle keep-alive socket is closed, not waited for (Node's keepAliveTimeout is 5 s).
    expect(performance.now() - started).toBeLessThan(2_000);
    await memsize.shutdown();
    const again = createServer();
    await listen(again, port);
    await close(again);
  });

  it('refuses roots after shutdown', async () => {
    const memsize = await startPrometheus({ port: 0 });
    await memsize.shutdown();
    expect(() => memsize.addRoot('late', {})).toThrow(expect.objectContaining({ code: 'ERR_MEMSIZE_SHUT_DOWN' }));
    expect(memsize.removeRoot('late')).toBe(false);
    expect(memsize.rootNames()).toEqual([]);
    expect(memsize.collect().roots.size).toBe(0);
  });

  it.each([
    [{ port: -1 }, 'port'],
    [{ port: 70_000 }, 'port'],
    [{ port: 1.5 }, 'port'],
    [{ host: '' }, 'host'],
    [{ endpoint: 'metrics' }, 'endpoint'],
    [{ endpoint: '/a b' }, 'endpoint'],
    [{ maxMillis: 0 }, 'maxMillis'],
    [{ meterProvider: {} }, 'meterProvider'],
    [{ colour: 'red' }, 'colour'],
  ])('rejects the options %j naming %s', async (options, name) => {
    const error = await rejection(startPrometheus(options as never));
    expect(error.code).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(error.message).toContain(name);
  });

  it('serves instruments the application creates on its meterProvider too', async () => {
    const memsize = await startPrometheus({ port: 0 });
    cleanups.push(() => memsize.shutdown());
    memsize.meterProvider.getMeter('app').createCounter('app.requests').add(3);
    const { samples } = parsePrometheusText((await get(memsize.url)).body);
    expect(samples.find((s) => s.name === 'app_requests_total')?.value).toBe(3);
  });
});

describe('prometheusHandler', () => {
  it('serves the gauges from the application own server next to its routes', async () => {
    const memsize = prometheusHandler({ cacheMillis: 0 });
    memsize.addRoot('orders', { list: [1, 2] }, { weak: false });
    const app = createServer((req, res) => {
      if (req.url === '/metrics') return memsize.handler(req, res);
      res.end('app');
    });
    const port = await listen(app);
    cleanups.push(() => close(app), () => memsize.shutdown());
    const metrics = await get(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    const { samples } = parsePrometheusText(metrics.body);
    expect(samples.some((s) => s.name === 'memsize_root_bytes' && s.labels.root === 'orders')).toBe(true);
    expect((await get(`http://127.0.0.1:${port}/`)).body).toBe('app');
  });

  it('gives every series to collections that start in the same tick', async () => {
    const memsize = prometheusHandler({ cacheMillis: 60_000 });
    cleanups.push(() => memsize.shutdown());
    memsize.addRoot('orders', { list: [1, 2] }, { weak: false });
    // Minimal request/response doubles: the handler only reads the method and writes the body.
    const bodies = Array.from({ length: 3 }, () => {
      let resolve!: (body: string) => void;
      const body = new Promise<string>((r) => (resolve = r));
      const res = { statusCode: 0, setHeader() {}, end: (text: string) => resolve(text) };
      memsize.handler({ method: 'GET' } as IncomingMessage, res as unknown as ServerResponse);
      return body;
    });
    for (const body of await Promise.all(bodies)) {
      const { samples } = parsePrometheusText(body);
      expect(samples.some((s) => s.name === 'memsize_root_bytes' && s.labels.root === 'orders')).toBe(true);
    }
  });

  it('answers 503 after shutdown, without opening any port of its own', async () => {
    const memsize = prometheusHandler();
    const app = createServer((req, res) => memsize.handler(req, res));
    const port = await listen(app);
    cleanups.push(() => close(app));
    await memsize.shutdown();
    expect((await get(`http://127.0.0.1:${port}/metrics`)).status).toBe(503);
  });

  it('throws synchronously for bad options', () => {
    expect(() => prometheusHandler({ maxRoots: 0 })).toThrow(expect.objectContaining({ code: 'ERR_MEMSIZE_INVALID_OPTION' }));
    expect(() => prometheusHandler({ port: 1 } as never)).toThrow(/options\.port is not an option/);
  });
});
