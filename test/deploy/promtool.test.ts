/**
 * promtool on the shipped Prometheus files: the configuration and the rules are valid, and the
 * rule unit tests of deploy/prometheus/tests/ pass (each alert firing and not firing: steady
 * growth, flat, sawtooth, restart, truncated walk...). A copy of the rules with one guard removed
 * must make those unit tests fail, so they are known to catch what they claim to.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { RULE_TESTS, RULES, SCRAPE_CONFIG, repoPath, runCommand, tool, type RuleFile } from './support.js';

const promtool = tool('promtool');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(promtool.run)(`promtool${promtool.skipNote}`, () => {
  it('accepts the scrape configuration and the rule file it loads', () => {
    const result = runCommand(promtool.require(), ['check', 'config', SCRAPE_CONFIG]);
    expect(result.output).toMatch(/SUCCESS: 1 rule files found/);
    expect(result.status, result.output).toBe(0);
  });

  it('accepts the rules, with no lint findings', () => {
    const result = runCommand(promtool.require(), ['check', 'rules', '--lint=all', '--lint-fatal', RULES]);
    expect(result.status, result.output).toBe(0);
  });

  it('passes the rule unit tests', () => {
    const result = runCommand(promtool.require(), ['test', 'rules', RULE_TESTS]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });

  // Each guard of the growth alert, removed, must be caught by the scenario it exists for.
  it.each([
    ['a sawtooth that returns to its baseline', 'the level-above-an-hour-ago guard', /\s+and\s+memsize_root_bytes > max_over_time\(memsize_root_bytes\[1h\] offset 30m\)/, 'ALERTS{root=\\"cache\\"}'],
    ['a process restart', 'the level-above-an-hour-ago guard', /\s+and\s+memsize_root_bytes > max_over_time\(memsize_root_bytes\[1h\] offset 30m\)/, 'ALERTS[3h]'],
    ['slow drifts', 'the doubling-within-a-day guard', /\s+and\s+predict_linear\(memsize_root_bytes\[30m\], 86400\) > 2 \* memsize_root_bytes/, 'ALERTS[2h]'],
    ['a truncated walk', 'the truncation mute', /\s+unless on \(job, instance, memsize_instance, root\)\s+max_over_time\(memsize_walk_truncated\[30m\]\) > 0/, 'ALERTS{alertname=\\"MemsizeRootGrowing\\"}[3h]'],
  ])('fails the scenario "%s" without %s', (scenario, _, guard, failingQuery) => {
    const dir = mkdtempSync(join(tmpdir(), 'memsize-promtool-'));
    temps.push(dir);
    cpSync(repoPath('deploy/prometheus'), dir, { recursive: true });
    const rules = parse(readFileSync(repoPath(RULES), 'utf8')) as RuleFile;
    const growing = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'MemsizeRootGrowing');
    expect(growing?.expr).toMatch(guard);
    growing!.expr = growing!.expr.replace(guard, '');
    writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
    // Only the scenario this guard exists for, to keep the run short.
    const unitTests = parse(readFileSync(repoPath(RULE_TESTS), 'utf8')) as { tests: { name: string }[] };
    unitTests.tests = unitTests.tests.filter((t) => t.name.includes(scenario));
    expect(unitTests.tests).toHaveLength(1);
    writeFileSync(join(dir, 'tests', 'alerts.test.yml'), stringify(unitTests));

    const check = runCommand(promtool.require(), ['check', 'rules', join(dir, 'alerts.yml')]);
    expect(check.status, `the rules without the guard must still be valid:\n${check.output}`).toBe(0);
    const result = runCommand(promtool.require(), ['test', 'rules', join(dir, 'tests', 'alerts.test.yml')]);
    expect(result.status, result.output).toBe(1);
    expect(result.output).toContain('FAILED');
    expect(result.output).toContain(failingQuery);
  });
});
