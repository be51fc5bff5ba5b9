/**
 * `npm run stack` (scripts/stack.mjs, after the build): the demo and a local Prometheus that
 * runs the shipped scrape configuration and rules, pointed at the demo's metrics address; the
 * URLs are printed; SIGINT stops both processes and frees their ports. Runs on free ports. Needs
 * dist/ built (npm ci and npm run build do it) and the prometheus binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, readYaml, repoPath, sleep, tool, RULES } from './support.js';

const prometheus = tool('prometheus');
const START_TIMEOUT_MS = 40_000;

let child: ChildProcess | undefined;
afterAll(async () => {
  // Only if a test failed half-way: the script stops its children on SIGINT.
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(prometheus.run)(`npm run stack${prometheus.skipNote}`, () => {
  it('starts the demo and Prometheus with the shipped files, prints the URLs, and stops both on SIGINT', async () => {
    prometheus.require();
    expect(existsSync(repoPath('dist/index.js')), 'dist/ is missing: run `npm run build`').toBe(true);
    const prometheusPort = await freePort();
    let output = '';
    child = spawn(process.execPath, [repoPath('scripts/stack.mjs')], {
      cwd: repoPath('.'),
      env: { ...process.env, PORT: '0', METRICS_PORT: '0', PROMETHEUS_PORT: String(prometheusPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!output.includes('Press Ctrl+C to stop.\n') || !output.includes('memsize stack running')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the stack did not start:\n${output}`);
      await sleep(100);
    }
    const url = (name: string) => new RegExp(`^  ${name}\\s+(http://\\S+)`, 'm').exec(output)?.[1];
    const urls = { app: url('app'), report: url('report page'), metrics: url('metrics'), prometheus: url('prometheus') };
    expect(urls.prometheus).toBe(`http://127.0.0.1:${prometheusPort}`);
    expect(urls.report).toBe(`${urls.app!.replace(/\/$/, '')}/memsize`);
    const demoPid = Number(/memsize demo running \(pid (\d+)/.exec(output)?.[1]);
    expect(isAlive(demoPid)).toBe(true);

    // Prometheus scrapes the demo's metrics URL and has loaded the shipped rules.
    // (Targets appear after the first service-discovery sync, about 5 s after start.)
    let scrapeUrls: string[] = [];
    const targetsDeadline = Date.now() + 20_000;
    while (scrapeUrls.length === 0 && Date.now() < targetsDeadline) {
      const targets = (await (await fetch(`${urls.prometheus}/api/v1/targets`)).json()) as { data: { activeTargets: { scrapeUrl: string }[] } };
      scrapeUrls = targets.data.activeTargets.map((t) => t.scrapeUrl);
      if (scrapeUrls.length === 0) await sleep(250);
    }
    expect(scrapeUrls).toEqual([urls.metrics]);
    const rules = (await (await fetch(`${urls.prometheus}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: unknown[] }[] } };
    const shipped = readYaml<{ groups: { name: string; rules: unknown[] }[] }>(RULES);
    expect(rules.data.groups.map((g) => [g.name, g.rules.length]).sort()).toEqual(shipped.groups.map((g) => [g.name, g.rules.length]).sort());
    // The demo answers on the printed URLs.
    expect((await fetch(urls.metrics!)).status).toBe(200);
    expect((await fetch(urls.report!)).status).toBe(200);

    child.kill('SIGINT');
    const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/stack: stopped/);
    expect(isAlive(demoPid)).toBe(false);
    await expect(fetch(`${urls.prometheus}/-/ready`)).rejects.toThrow();
    await expect(fetch(urls.metrics!)).rejects.toThrow();
  });
});
