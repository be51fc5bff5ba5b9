/**
 * Security (docs/reliability.md, "Security"):
 * - /metrics (startPrometheus) and the demo's report page listen on 127.0.0.1 unless told
 *   otherwise: checked by connecting through this machine's non-loopback address too.
 * - No user data leaves through metrics: with roots full of hostile keys and values (HTML, quotes,
 *   newlines, very long strings, Unicode) and hostile class names, every label is a registered
 *   root name or a sanitized type name (from code), the exposition parses strictly, and no data
 *   string appears in it. The report page escapes the class names and keeps Map keys out.
 * - The report page cannot be made to scan by a GET or by what a cross-site page can send.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createReportHandler, scan } from '../../src/index.js';
import { startPrometheus, type PrometheusMemsize } from '../../src/prometheus.js';
import { parseExpositionStrict } from './exposition.js';
import { startDemo } from '../support/demo.js';

const started: PrometheusMemsize[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.shutdown()));
});

/** This machine's first non-loopback IPv4 address, if it has one. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', timeout: 3000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('listening addresses', () => {
  it('startPrometheus() serves /metrics on 127.0.0.1 only, unless another host is asked for', async () => {
    const memsize = await startPrometheus({ port: 0 });
    started.push(memsize);
    expect(memsize.host).toBe('127.0.0.1');
    expect(memsize.url).toBe(`http://127.0.0.1:${memsize.port}/metrics`);
    expect(await connects('127.0.0.1', memsize.port)).toBe(true);
    if (externalAddress === undefined) {
      console.log('no non-loopback IPv4 address on this machine: the outside-connection checks are skipped');
      return;
    }
    expect(await connects(externalAddress, memsize.port)).toBe(false);
    // Told otherwise, it is reachable from outside: the default is what keeps it private.
    const open = await startPrometheus({ port: 0, host: '0.0.0.0' });
    started.push(open);
    expect(await connects(externalAddress, open.port)).toBe(true);
  });

  it('the demo serves its app, report page and /metrics on 127.0.0.1 only', async () => {
    const { child, urls } = await startDemo({ DEMO_RPS: '5' });
    try {
      for (const url of Object.values(urls)) {
        const { hostname, port } = new URL(url);
        expect(hostname).toBe('127.0.0.1');
        expect(await connects('127.0.0.1', Number(port))).toBe(true);
        if (externalAddress !== undefined) expect(await connects(externalAddress, Number(port))).toBe(false);
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// Data markers: if any of these shows up in the exposition, user data leaked into metrics.
const MARK = 'DATAMARK';
const hostileStrings = [
  `<script>alert("${MARK}1")</script>`,
  `"${MARK}2" \\ ' \` quotes`,
  `${MARK}3\nnew\rline\u2028sep\u0000nul`,
  `${MARK}4 ${'long'.repeat(10_000)}`,
  `${MARK}5 \u202Eevil 😀 ناسخ 漢字 \uD800 lone`,
  `${MARK}6 </td><img src=x onerror=alert(1)>`,
];
const hostileClassNames = [
  '<script>alert(1)</script>',
  'Quote"And\\Backslash',
  'New\nLine\r\u2028Class',
  'x'.repeat(1000),
  '\u202Egnirts',
  '😀 Emoji 漢字',
  '} 1\nfake_metric{root="evil"} 666',
];

function hostileRoot(): Record<string, unknown> {
  const instances = hostileClassNames.map((name, i) => {
    const C = class {
      value = hostileStrings[i % hostileStrings.length];
    };
    Object.defineProperty(C, 'name', { value: name });
    return new C();
  });
  const map = new Map<unknown, unknown>(hostileStrings.map((s, i) => [s, { payload: hostileStrings[(i + 1) % hostileStrings.length] }]));
  const dict: Record<string, unknown> = {};
  for (const s of hostileStrings) dict[s] = s;
  return {
    instances,
    map,
    dict,
    error: new Error(hostileStrings[0]),
    symbol: Symbol(hostileStrings[2]),
    // More types than maxTypes, so some fold into (other).
    many: Array.from({ length: 40 }, (_, i) => {
      const C = class {};
      Object.defineProperty(C, 'name', { value: `Generated${i}` });
      return new C();
    }),
  };
}

describe('hostile keys, values and class names', () => {
  it('never reach a label except as sanitized type names; the exposition stays valid', async () => {
    const memsize = await startPrometheus({ port: 0, cacheMillis: 0, maxTypes: 20 });
    started.push(memsize);
    const root = hostileRoot();
    memsize.addRoot('hostile', root);
    memsize.addRoot('also.hostile-2', () => root.map);
    const text = await (await fetch(memsize.url)).text();

    expect(text).not.toContain(MARK);
    const { samples } = parseExpositionStrict(text); // throws on any line a label value broke
    expect(text).not.toMatch(/^fake_metric/m);
    const memsizeSamples = samples.filter((s) => s.name.startsWith('memsize_'));
    expect(memsizeSamples.length).toBeGreaterThan(0);
    const typeNames = new Set([...scan(root).byType.keys(), ...scan(root.map).byType.keys(), '(other)']);
    const typeLabels = new Set<string>();
    for (const sample of memsizeSamples) {
      for (const [label, labelValue] of Object.entries(sample.labels)) {
        expect(['root', 'type', 'otel_scope_name', 'otel_scope_version']).toContain(label);
        if (label === 'root') expect(['hostile', 'also.hostile-2']).toContain(labelValue);
        if (label === 'type') {
          typeLabels.add(labelValue);
          expect(typeNames).toContain(labelValue);
          expect(labelValue.length).toBeLessThanOrEqual(64);
          // eslint-disable-next-line no-control-regex
          expect(labelValue).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/);
        }
      }
    }
    // The hostile class names are there, as text from code: sanitized, and escaped by the exporter.
    expect(typeLabels).toContain('<script>alert(1)</script>');
    expect(typeLabels).toContain('Quote"And\\Backslash');
    expect(typeLabels).toContain('NewLineClass');
    expect(typeLabels).toContain('gnirts');
    expect(typeLabels).toContain('(other)');
    expect([...typeLabels].filter((t) => t !== '(other)').length).toBeLessThanOrEqual(2 * 19);
  });

  it('are escaped on the report page and in its JSON, and Map keys stay out', async () => {
    const memsize = await startPrometheus({ port: 0 });
    started.push(memsize);
    const root = hostileRoot();
    memsize.addRoot('hostile', root);
    const report = createReportHandler(memsize, { scanCooldownMillis: 0, maxTypes: 100 });
    const server = createServer((req, res) => {
      if (!report(req, res)) res.writeHead(404).end();
    });
    const port = await listen(server);
    try {
      const scanned = await raw(port, 'POST', '/memsize/scan', { 'content-type': 'application/json', 'x-memsize-scan': '1', 'sec-fetch-site': 'same-origin' }, JSON.stringify({ root: 'hostile' }));
      expect(scanned.status).toBe(200);
      const page = await raw(port, 'GET', '/memsize?root=hostile', {});
      expect(page.status).toBe(200);
      const html = page.body;
      // One script element: the page's own (allowed by its hash in the CSP); no injected markup.
      expect(html.match(/<script/gi)).toHaveLength(1);
      expect(html.match(/<\/script/gi)).toHaveLength(1);
      expect(html).not.toMatch(/<img|<svg|<iframe|<object|<embed/i);
      // Even an injected script could not run: only the page's own script, by its hash.
      const scriptSrc = String(page.headers['content-security-policy']).split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
      expect(scriptSrc).toMatch(/^script-src 'sha256-[A-Za-z0-9+/=]+'$/);
      // The class names are shown, escaped.
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('Quote&quot;And\\Backslash');
      // Map keys and non-identifier property names are user data: not on the page by default.
      for (const s of hostileStrings) expect(html).not.toContain(s.slice(0, 20));
      expect(html).not.toContain(MARK);
      // The JSON is valid and carries the names as data.
      const json = await raw(port, 'GET', '/memsize?format=json&root=hostile', {});
      const data = JSON.parse(json.body) as { roots: { last: { types: { type: string }[] } | null }[] };
      const types = data.roots[0]!.last!.types.map((t) => t.type);
      expect(types).toContain('<script>alert(1)</script>');
      expect(json.body).not.toContain(MARK);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the report page cannot be made to scan', () => {
  it('by a GET, a HEAD or anything a cross-site page can send; the page itself can', async () => {
    const memsize = await startPrometheus({ port: 0 });
    started.push(memsize);
    memsize.addRoot('sessions', { s: [1, 2, 3] }, { weak: false });
    let scans = 0;
    const source = {
      rootNames: () => memsize.rootNames(),
      scanRoot: (name: string, options?: Parameters<typeof memsize.scanRoot>[1]) => {
        scans++;
        return memsize.scanRoot(name, options);
      },
    };
    const report = createReportHandler(source, { scanCooldownMillis: 0, onError: () => {} });
    const server = createServer((req, res) => {
      if (!report(req, res)) res.writeHead(404).end();
    });
    const port = await listen(server);
    const body = JSON.stringify({ root: 'sessions' });
    const evil = { origin: 'https://evil.example', referer: 'https://evil.example/attack.html' };
    try {
      const attempts: [string, string, string, Record<string, string>, string | undefined][] = [
        ['GET the page', 'GET', '/memsize?root=sessions&scan=1', {}, undefined],
        ['GET the scan URL', 'GET', '/memsize/scan?root=sessions', {}, undefined],
        ['HEAD the scan URL', 'HEAD', '/memsize/scan', {}, undefined],
        ['a cross-site form (urlencoded)', 'POST', '/memsize/scan', { ...evil, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'content-type': 'application/x-www-form-urlencoded' }, 'root=sessions'],
        ['a cross-site form (multipart)', 'POST', '/memsize/scan', { ...evil, 'sec-fetch-site': 'cross-site', 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nContent-Disposition: form-data; name="root"\r\n\r\nsessions\r\n--x--\r\n'],
        ['a cross-site form (text/plain carrying JSON)', 'POST', '/memsize/scan', { ...evil, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, '{"root":"sessions","x":"="}'],
        ['a form from an old browser (no Sec-Fetch headers)', 'POST', '/memsize/scan', { ...evil, 'content-type': 'application/x-www-form-urlencoded' }, 'root=sessions'],
        ['a no-cors fetch (no custom header possible)', 'POST', '/memsize/scan', { ...evil, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'content-type': 'text/plain' }, body],
        ['a CORS fetch with the header (would need a preflight)', 'POST', '/memsize/scan', { ...evil, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', 'content-type': 'application/json', 'x-memsize-scan': '1' }, body],
        ['a same-site subdomain', 'POST', '/memsize/scan', { 'sec-fetch-site': 'same-site', 'content-type': 'application/json', 'x-memsize-scan': '1' }, body],
      ];
      for (const [what, method, path, headers, payload] of attempts) {
        const res = await raw(port, method, path, headers, payload);
        // The page itself answers a GET (showing the last scans); nothing else is accepted.
        if (path.startsWith('/memsize?')) expect(res.status, what).toBe(200);
        else expect(res.status, what).toBeGreaterThanOrEqual(400);
        expect(res.headers['access-control-allow-origin'], what).toBeUndefined();
        expect(scans, what).toBe(0);
      }
      // A CORS preflight is not granted, so a browser never sends the real request.
      const preflight = await raw(port, 'OPTIONS', '/memsize/scan', { ...evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-memsize-scan' });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
      expect(scans).toBe(0);
      // What the page's own script sends does scan (so the counter above could have moved).
      const own = await raw(port, 'POST', '/memsize/scan', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'content-type': 'application/json', 'x-memsize-scan': '1' }, body);
      expect(own.status).toBe(200);
      expect(scans).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
