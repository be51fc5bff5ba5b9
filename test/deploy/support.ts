/**
 * Helpers for the tests of deploy/ and grafana/: the repository's files, the external tools
 * (prometheus, promtool) with the skip-or-fail rule of CI, a Prometheus server run for a test,
 * and the rewriting of the shipped rules into short test-only windows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { findExecutable } from '../../scripts/env.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const repoPath = (relative: string): string => join(REPO, relative);
export const readRepoFile = (relative: string): string => readFileSync(repoPath(relative), 'utf8');
export const readYaml = <T = unknown>(relative: string): T => parse(readRepoFile(relative)) as T;

export const SCRAPE_CONFIG = 'deploy/prometheus/prometheus.yml';
export const RULES = 'deploy/prometheus/alerts.yml';
export const RULE_TESTS = 'deploy/prometheus/tests/alerts.test.yml';
export const DASHBOARD = 'grafana/dashboards/memsize.json';

// ---------------------------------------------------------------------------------------------
// External tools

/** CI (.ci/run) sets this: a missing tool then fails the test instead of skipping it. */
export const TOOLS_REQUIRED = process.env.MEMSIZE_REQUIRE_TOOLS === '1';
export const INSTALL_HINT = 'apt-get install -y --no-install-recommends prometheus';

export interface Tool {
  name: string;
  path: string | null;
  /** Run the test: the tool is there, or CI requires it (and the test fails on `require()`). */
  run: boolean;
  /** A suffix for test titles saying why they are skipped. */
  skipNote: string;
  /** The path, or an Error telling how to install the tool. */
  require(): string;
}

export function tool(name: string): Tool {
  const path = findExecutable(name);
  const missing = `${name} is not on PATH: install it with \`${INSTALL_HINT}\` (Debian/Ubuntu)`;
  if (path === null && !TOOLS_REQUIRED) {
    // Said once per file, so that a skip is never silent.
    console.warn(`memsize deploy tests: skipping what needs ${name}. ${missing}.`);
  }
  return {
    name,
    path,
    run: path !== null || TOOLS_REQUIRED,
    skipNote: path === null && !TOOLS_REQUIRED ? ` (skipped: ${missing})` : '',
    require() {
      if (path === null) throw new Error(`${missing}; MEMSIZE_REQUIRE_TOOLS=1 makes this a failure.`);
      return path;
    },
  };
}

export interface RunResult {
  status: number | null;
  output: string;
}

/** Run a command to completion (bounded by `timeoutMs`), stdout and stderr together. */
export function runCommand(command: string, args: string[], timeoutMs = 60_000): RunResult {
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// ---------------------------------------------------------------------------------------------
// Durations and the test-only rules

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;

/** Milliseconds of a Prometheus duration such as `30m` or `1h30m`. */
export function durationMs(text: string): number {
  if (!DURATION.test(text)) throw new Error(`not a Prometheus duration: ${JSON.stringify(text)}`);
  let total = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)(ms|[smhdwy])/g)) total += Number(count) * UNIT_MS[unit!]!;
  return total;
}

/** A duration divided by `factor`, in whole seconds (rounded up), at least `minSeconds`. */
export function scaleDuration(text: string, factor: number, minSeconds: number): string {
  return `${Math.max(minSeconds, Math.ceil(durationMs(text) / factor / 1000))}s`;
}

/**
 * The same expression with every range (`[30m]`) and offset (`offset 15m`) divided by `factor`.
 * Subquery steps (`[1h:1m]`) are scaled on both sides.
 */
export function scaleExprDurations(expr: string, factor: number, minSeconds: number): string {
  const scale = (d: string) => scaleDuration(d, factor, minSeconds);
  return expr
    .replace(/\[\s*([0-9a-z]+)\s*(?::\s*([0-9a-z]*)\s*)?\]/g, (_, range: string, step: string | undefined) =>
      step === undefined ? `[${scale(range)}]` : `[${scale(range)}:${step === '' ? '' : scale(step)}]`,
    )
    .replace(/\boffset\s+([0-9a-z]+)/g, (_, d: string) => `offset ${scale(d)}`);
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}
export interface RuleFile {
  groups: RuleGroup[];
}

/** A copy of a rules file with every window and `for:` divided by `factor` (names, thresholds untouched). */
export function scaleRules(file: RuleFile, factor: number, minSeconds: number): RuleFile {
  return {
    groups: file.groups.map((group) => ({
      ...group,
      ...(group.interval === undefined ? {} : { interval: scaleDuration(group.interval, factor, 1) }),
      rules: group.rules.map((rule) => ({
        ...rule,
        expr: scaleExprDurations(rule.expr, factor, minSeconds),
        ...(rule.for === undefined ? {} : { for: scaleDuration(rule.for, factor, 1) }),
      })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Dashboard queries

export interface DashboardQuery {
  panel: string;
  refId: string;
  expr: string;
  table: boolean;
}
export interface DashboardVariable {
  name: string;
  /** label_values(<selector>, <label>) */
  selector: string;
  label: string;
}

interface Panel {
  type: string;
  title: string;
  targets?: { refId: string; expr: string; format?: string; instant?: boolean }[];
  panels?: Panel[];
}

/** Every PromQL expression of every panel (rows included). */
export function dashboardQueries(dashboard: { panels: Panel[] }): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) out.push({ panel: panel.title, refId: t.refId, expr: t.expr, table: t.format === 'table' });
      if (panel.panels) visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

/** The query variables, each a Grafana `label_values(selector, label)`. */
export function dashboardVariables(dashboard: { templating: { list: { name: string; type: string; definition?: string }[] } }): DashboardVariable[] {
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(v.definition ?? '');
      if (!match) throw new Error(`variable ${v.name}: not a label_values() query: ${String(v.definition)}`);
      return { name: v.name, selector: match[1]!, label: match[2]! };
    });
}

/** Replace `$name` / `${name}` by values, as Grafana does for a multi-value regex variable. */
export function substituteVariables(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    return name in values ? values[name]! : whole;
  });
}

// ---------------------------------------------------------------------------------------------
// Processes

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface PrometheusServer {
  url: string;
  dir: string;
  /** What Prometheus printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Start `prometheus` on 127.0.0.1 with the given configuration and extra files in a fresh
 * temporary directory (its storage too). `stop()` ends it (SIGTERM, then SIGKILL after 5 s) and
 * removes the directory; it is safe to call more than once.
 */
export async function startPrometheusServer(binary: string, files: Record<string, string>): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'memsize-prometheus-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped: Promise<void> | null = null;
  const server: PrometheusServer = {
    url: `http://127.0.0.1:${port}`,
    dir,
    log: () => output,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(killer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  // Ready when /-/ready answers 200 (bounded: 30 s), or failed when the process exits.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await server.stop();
      throw new Error(`prometheus exited at start:\n${output}`);
    }
    try {
      const res = await fetch(`${server.url}/-/ready`);
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await server.stop();
  throw new Error(`prometheus was not ready within 30 s:\n${output}`);
}

export interface PromResponse<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** GET a Prometheus HTTP API path; throws on a non-JSON answer. */
export async function promApi<T>(server: PrometheusServer, path: string, params: Record<string, string> = {}): Promise<PromResponse<T>> {
  const url = new URL(path, server.url);
  for (const [key, value] of Object.entries(params)) url.searchParams.append(key, value);
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as PromResponse<T>;
}

/** An instant query; resolves to the response (status "error" for a bad expression). */
export function instantQuery(server: PrometheusServer, expr: string): Promise<PromResponse<{ resultType: string; result: VectorSample[] }>> {
  return promApi(server, '/api/v1/query', { query: expr });
}
