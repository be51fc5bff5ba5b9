#!/usr/bin/env node
// Packaging check, run by .ci/run: pack memsize, install the tarball into fresh applications
// outside the repository (from the npm registry) and check that
//  1. an application with its own @opentelemetry/sdk-metrics gets exactly one copy of it, and the
//     main entry (scan, createMemsize on the application's MeterProvider) works with no exporter;
//  2. `memsize/prometheus` works once the application has the SDK and the exporter (the peers).
// Usage: node scripts/check-pack.mjs   (needs the registry; builds dist/ first via npm pack's prepare)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'memsize-pack-'));
const run = (cwd, cmd, args) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const npm = (cwd, ...args) => run(cwd, 'npm', [...args, '--no-audit', '--no-fund', '--loglevel=error']);

/** Every installed copy of a package in an app: the directories `npm ls --parseable` resolves it to. */
function copies(app, name) {
  const paths = run(app, 'npm', ['ls', name, '--all', '--parseable']).trim().split('\n');
  return [...new Set(paths.filter((p) => p.endsWith(`/node_modules/${name}`)))].map((p) => p.slice(app.length + 1));
}

function newApp(name, packages) {
  const app = join(work, name);
  run(work, 'mkdir', [app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
  npm(app, 'install', ...packages);
  return app;
}

try {
  const tarball = join(work, run(work, 'npm', ['pack', root, '--silent']).trim().split('\n').pop());
  console.log(`packed ${tarball}`);

  // 1. An application with its own SDK, and memsize.
  const app = newApp('app-with-sdk', ['@opentelemetry/sdk-metrics', tarball]);
  const sdk = copies(app, '@opentelemetry/sdk-metrics');
  console.log(`npm ls @opentelemetry/sdk-metrics: ${sdk.length} copy: ${sdk.join(', ')}`);
  process.stdout.write(run(app, 'npm', ['ls', '@opentelemetry/sdk-metrics', '--all']));
  if (sdk.length !== 1) throw new Error(`expected one copy of @opentelemetry/sdk-metrics, found ${sdk.length}`);
  writeFileSync(
    join(app, 'main.mjs'),
    `import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createMemsize, scan } from 'memsize';
const memsize = createMemsize({ meterProvider: new MeterProvider() });
memsize.addRoot('m', new Map([[1, 'one']]));
if (!(memsize.collect().roots.get('m').bytes > 0) || !(scan([1, 2]).bytes > 0)) throw new Error('no bytes');
await memsize.shutdown();
console.log('main entry ok');`,
  );
  process.stdout.write(run(app, process.execPath, ['main.mjs']));

  // 2. The one-call Prometheus helper, with the peers installed alongside.
  const prom = newApp('app-prometheus', [tarball, '@opentelemetry/sdk-metrics@^3.1.0', '@opentelemetry/exporter-prometheus@^0.301.0']);
  writeFileSync(
    join(prom, 'main.mjs'),
    `import { startPrometheus } from 'memsize/prometheus';
const memsize = await startPrometheus({ port: 0 });
const root = new Map([[1, 'one']]);
memsize.addRoot('m', root, { weak: false });
const text = await (await fetch(memsize.url)).text();
if (!/^memsize_root_bytes\\{[^}]*root="m"[^}]*\\} [1-9]/m.test(text)) throw new Error('no memsize_root_bytes in ' + text);
await memsize.shutdown();
console.log('memsize/prometheus ok');`,
  );
  process.stdout.write(run(prom, process.execPath, ['main.mjs']));
  const promSdk = copies(prom, '@opentelemetry/sdk-metrics');
  console.log(`app-prometheus: npm ls @opentelemetry/sdk-metrics: ${promSdk.join(', ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
