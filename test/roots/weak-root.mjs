// Run by weak.test.ts as `node --expose-gc test/roots/weak-root.mjs` against the built dist/.
// Registers a weak and a strong root on a real /metrics endpoint, drops the application's own
// references, forces garbage collection, and prints what was observed as one JSON line.
import { request } from 'node:http';
import { setImmediate as tick } from 'node:timers/promises';
import { startPrometheus } from '../../dist/prometheus.js';

if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

function scrape(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

const rootsIn = (body) =>
  [...new Set([...body.matchAll(/^memsize_root_bytes\{[^}]*root="([^"]+)"/gm)].map((m) => m[1]))].sort();

function makeBig() {
  return { items: Array.from({ length: 2_000 }, (_, i) => ({ i, label: `item-${i}` })) };
}

const memsize = await startPrometheus({ port: 0, cacheMillis: 0 });
let app = makeBig();
const appProbe = new WeakRef(app);
memsize.addRoot('weak', app);
let owned = makeBig();
const ownedProbe = new WeakRef(owned);
memsize.addRoot('strong', owned, { weak: false });
owned = null;

const before = rootsIn(await scrape(memsize.url));
app = null;
let rounds = 0;
for (; rounds < 20 && appProbe.deref() !== undefined; rounds++) {
  // WeakRef targets stay alive until the current job ends: yield, then collect.
  await tick();
  globalThis.gc();
}
const after = rootsIn(await scrape(memsize.url));
const result = {
  before,
  after,
  rounds,
  weakCollected: appProbe.deref() === undefined,
  strongAlive: ownedProbe.deref() !== undefined,
  rootNames: memsize.rootNames(),
};
await memsize.shutdown();
process.stdout.write(`${JSON.stringify(result)}\n`);
