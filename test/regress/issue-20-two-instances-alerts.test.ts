/**
 * Issue 20, two memsize instances in one process: their series differ only by the
 * `memsize_instance` label. The shipped growth alert (deploy/prometheus/alerts.yml) must still
 * evaluate such series one by one: fire for the instance whose root grows, keep the label, and
 * stay quiet for the other instance's flat root of the same name. Checked with promtool.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoPath, RULES, runCommand, tool } from '../deploy/support.js';

const promtool = tool('promtool');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const target = 'job="app", instance="app:9464"';
const series = (name: string, labels: string, values: string) => ({ series: `${name}{${target}, ${labels}}`, values });

describe.runIf(promtool.run)(`issue 20: alert rules over two memsize instances${promtool.skipNote}`, () => {
  it('fires MemsizeRootGrowing for the growing instance only, with its memsize_instance label', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memsize-two-instances-'));
    temps.push(dir);
    // The same root name in both instances: web's grows 100 KiB a minute, jobs' is flat.
    const unitTests = {
      rule_files: [repoPath(RULES)],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            series('memsize_root_bytes', 'memsize_instance="web", root="cache"', '10485760+102400x180'),
            series('memsize_walk_truncated', 'memsize_instance="web", root="cache"', '0x180'),
            series('memsize_root_bytes', 'memsize_instance="jobs", root="cache"', '10485760x180'),
            series('memsize_walk_truncated', 'memsize_instance="jobs", root="cache"', '0x180'),
            { series: `up{${target}}`, values: '1x180' },
          ],
          promql_expr_test: [
            {
              expr: 'ALERTS{alertname="MemsizeRootGrowing", alertstate="firing"}',
              eval_time: '65m',
              exp_samples: [
                {
                  labels: `ALERTS{alertname="MemsizeRootGrowing", alertstate="firing", ${target}, memsize_instance="web", root="cache", severity="warning"}`,
                  value: 1,
                },
              ],
            },
            { expr: 'count_over_time(ALERTS{memsize_instance="jobs"}[3h])', eval_time: '3h', exp_samples: [] },
          ],
        },
      ],
    };
    const file = join(dir, 'two-instances.test.yml');
    writeFileSync(file, stringify(unitTests));

    const result = runCommand(promtool.require(), ['test', 'rules', file]);

    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });
});
