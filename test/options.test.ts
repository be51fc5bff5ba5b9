import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULTS,
  DEPRECATED_ALIASES,
  resolveAddRootOptions,
  resolveHandlerOptions,
  resolveMemsizeOptions,
  resolvePrometheusOptions,
  resolveReportHandlerOptions,
  resolveScanOptions,
} from '../src/options.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the call to throw');
}

describe('the defaults table', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Options\n'), readme.indexOf('\n## Metrics\n'));

  /** Table rows of the README options section, by option name (first cell): every row with that name. */
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const match = /^\| `(\w+)` \|/.exec(line);
    if (match !== null) rows.set(match[1]!, [...(rows.get(match[1]!) ?? []), line]);
  }

  it('finds the options section in README', () => {
    expect(section.length).toBeGreaterThan(100);
    expect(rows.size).toBeGreaterThan(10);
  });

  const groups = Object.entries(DEFAULTS).filter(([group]) => group !== 'paths' && group !== 'addRoot');
  it.each(groups.flatMap(([group, defaults]) => Object.keys(defaults).map((key) => [group, key] as const)))(
    'README options table has a row for %s.%s',
    (_group, key) => {
      expect(rows.has(key), `no row for \`${key}\` in README's options table`).toBe(true);
    },
  );

  it.each(groups.flatMap(([group, defaults]) => Object.entries(defaults).filter(([, v]) => typeof v === 'number').map(([key, v]) => [group, key, v as number] as const)))(
    "README gives %s.%s's default (%d) in one of its rows",
    (_group, key, value) => {
      const written = [String(value), value.toLocaleString('en-US').replaceAll(',', '_')];
      const cells = (rows.get(key) ?? []).map((row) => row.split(' | ')[2] ?? '');
      expect(cells.some((cell) => written.some((w) => cell === `\`${w}\``))).toBe(true);
    },
  );

  it('README names the paths defaults and addRoot() weak', () => {
    for (const [key, value] of Object.entries(DEFAULTS.paths)) expect(section).toContain(`\`${key}\` \`${value}\``);
    expect(section).toContain('`weak` (boolean, default `true`');
  });

  it('is frozen, group by group', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    for (const group of Object.values(DEFAULTS)) expect(Object.isFrozen(group)).toBe(true);
  });
});

describe('resolveScanOptions', () => {
  it('carries every scan option, seed undefined unless given', () => {
    expect(resolveScanOptions(undefined)).toEqual({
      maxObjects: 10_000_000,
      maxMillis: 5_000,
      paths: null,
      estimate: true,
      sampleThreshold: 8192,
      sampleSize: 4096,
      deep: true,
      seed: undefined,
    });
    expect('seed' in resolveScanOptions({})).toBe(true);
    const resolved = resolveScanOptions({ estimate: false, sampleThreshold: 100, sampleSize: 10, seed: 0, paths: { depth: 2 } });
    expect(resolved).toMatchObject({ estimate: false, sampleThreshold: 100, sampleSize: 10, seed: 0, paths: { depth: 2, top: 20, keys: false } });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.paths)).toBe(true);
  });

  it.each([
    [{ maxObjects: -1 }, 'scan(): options.maxObjects must be a positive integer, got -1'],
    [{ maxMillis: Infinity }, 'scan(): options.maxMillis must be a positive finite number, got Infinity'],
    [{ estimate: 1 }, 'scan(): options.estimate must be a boolean, got 1'],
    [{ sampleThreshold: 0 }, 'scan(): options.sampleThreshold must be a positive integer, got 0'],
    [{ sampleSize: 2.5 }, 'scan(): options.sampleSize must be a positive integer, got 2.5'],
    [{ sampleSize: 600, sampleThreshold: 500 }, 'scan(): options.sampleSize must be at most options.sampleThreshold (500), got 600'],
    [{ seed: -1 }, 'scan(): options.seed must be a non-negative safe integer, got -1'],
    [{ seed: 2 ** 53 }, 'scan(): options.seed must be a non-negative safe integer'],
    [{ paths: 'deep' }, 'scan(): options.paths must be a boolean or an object { depth, top, keys }, got "deep"'],
    [{ paths: { top: 0 } }, 'scan(): options.paths.top must be a positive integer, got 0'],
    [{ paths: { deep: 1 } }, 'scan(): options.paths.deep is not an option (known: depth, top, keys)'],
    [{ maxobjects: 5 }, 'scan(): options.maxobjects is not an option'],
  ])('rejects %j: %s', (input, message) => {
    const error = thrown(() => resolveScanOptions(input as never));
    expect(error.code).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(error.message).toContain(message);
  });
});

describe('null is an error everywhere except meterProvider', () => {
  it.each([
    ['scan()', () => resolveScanOptions({ maxObjects: null } as never), 'scan(): options.maxObjects must be a positive integer, got null'],
    ['scan() paths', () => resolveScanOptions({ paths: null } as never), 'scan(): options.paths must be a boolean or an object'],
    ['scan() argument', () => resolveScanOptions(null as never), 'scan(): options must be an object, got null'],
    ['createMemsize()', () => resolveMemsizeOptions({ cacheMillis: null } as never), 'createMemsize(): options.cacheMillis must be'],
    ['createMemsize() argument', () => resolveMemsizeOptions(null as never), 'createMemsize(): options must be an object, got null'],
    ['startPrometheus()', () => resolvePrometheusOptions('startPrometheus()', { port: null } as never), 'startPrometheus(): options.port must be'],
    ['prometheusHandler()', () => resolveHandlerOptions('prometheusHandler()', { maxRoots: null } as never), 'prometheusHandler(): options.maxRoots must be'],
    ['createReportHandler()', () => resolveReportHandlerOptions({ title: null } as never), 'createReportHandler(): options.title must be a non-empty string, got null'],
    ['createReportHandler() scan', () => resolveReportHandlerOptions({ scan: null } as never), 'createReportHandler(): options.scan must be an object'],
    ['addRoot()', () => resolveAddRootOptions('r', { weak: null } as never, false), 'addRoot("r"): options.weak must be a boolean, got null'],
  ])('%s', (_call, fn, message) => {
    const error = thrown(fn);
    expect(error.code).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(error.message).toContain(message);
  });

  it('meterProvider: null means no instruments, undefined the global provider', () => {
    expect(resolveMemsizeOptions({ meterProvider: null }).meterProvider).toBeNull();
    expect(resolveMemsizeOptions({}).meterProvider).toBeUndefined();
  });

  it('undefined values take the default', () => {
    expect(resolveMemsizeOptions({ maxObjects: undefined }).maxObjects).toBe(DEFAULTS.memsize.maxObjects);
    expect(resolveScanOptions({ maxMillis: undefined }).maxMillis).toBe(DEFAULTS.scan.maxMillis);
  });
});

describe('resolved memsize options', () => {
  it('carry the new names and the estimate options', () => {
    expect(resolveMemsizeOptions(undefined)).toEqual({
      meterProvider: undefined,
      maxMillis: 200,
      maxObjects: 1_000_000,
      cacheMillis: 5_000,
      maxTypes: 20,
      maxRoots: 50,
      estimate: true,
      sampleThreshold: 8192,
      sampleSize: 4096,
      deep: true,
    });
  });

  it('the Prometheus helpers resolve to meterProvider null and reject it as an option', () => {
    const resolved = resolvePrometheusOptions('startPrometheus()', { port: 0, estimate: false });
    expect(resolved).toMatchObject({ host: '127.0.0.1', port: 0, endpoint: '/metrics', memsize: { meterProvider: null, estimate: false } });
    expect(thrown(() => resolvePrometheusOptions('startPrometheus()', { meterProvider: null } as never)).message).toContain(
      'startPrometheus(): options.meterProvider is not an option (it creates its own MeterProvider',
    );
    expect(thrown(() => resolveHandlerOptions('prometheusHandler()', { port: 1 } as never)).message).toContain(
      'prometheusHandler(): options.port is not an option of prometheusHandler()',
    );
  });

  it('a typo lists the known options', () => {
    expect(thrown(() => resolveMemsizeOptions({ maxObject: 1 } as never)).message).toMatch(
      /^createMemsize\(\): options\.maxObject is not an option \(known: meterProvider, maxMillis, maxObjects, cacheMillis/,
    );
  });
});

describe('deprecated names', () => {
  it.each(Object.entries(DEPRECATED_ALIASES.memsize))('createMemsize %s still works as %s, with one DeprecationWarning', (oldName, newName) => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const value = oldName === 'minIntervalMs' ? 0 : 7;
    const resolved = resolveMemsizeOptions({ [oldName]: value } as never);
    expect(resolved[newName as keyof typeof resolved]).toBe(value);
    expect(oldName in resolved).toBe(false);
    resolveMemsizeOptions({ [oldName]: value } as never);
    const warnings = warn.mock.calls.filter(([message]) => String(message).includes(`createMemsize(): options.${oldName} is deprecated`));
    expect(warnings.length).toBeLessThanOrEqual(1); // once per process: an earlier test may have taken it
    for (const [, options] of warnings) expect(options).toMatchObject({ type: 'DeprecationWarning', code: 'MEMSIZE_DEP_OPTION' });
  });

  it('warns the first time an old name is used', async () => {
    vi.resetModules();
    const fresh = await import('../src/options.js');
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    fresh.resolveReportHandlerOptions({ minIntervalMs: 10 });
    fresh.resolveReportHandlerOptions({ minIntervalMs: 10 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe('createReportHandler(): options.minIntervalMs is deprecated, use options.scanCooldownMillis (same meaning)');
  });

  it('createReportHandler minIntervalMs still works as scanCooldownMillis', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    expect(resolveReportHandlerOptions({ minIntervalMs: 123 }).scanCooldownMillis).toBe(123);
  });

  it('rejects the old and the new name together', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    expect(thrown(() => resolveMemsizeOptions({ maxObjects: 1, maxObjectsPerRoot: 2 })).message).toBe(
      'createMemsize(): options.maxObjectsPerRoot and options.maxObjects are the same option under its old and new name: give one',
    );
    expect(thrown(() => resolvePrometheusOptions('startPrometheus()', { cacheMillis: 1, minIntervalMs: 2 })).code).toBe('ERR_MEMSIZE_INVALID_OPTION');
  });
});

describe('resolveReportHandlerOptions', () => {
  it('turns paths on for the page and validates the page scan options now', () => {
    const resolved = resolveReportHandlerOptions(undefined);
    expect(resolved.scan).toEqual({ paths: true });
    expect(resolved.scanCooldownMillis).toBe(2_000);
    expect(resolveReportHandlerOptions({ scan: { maxObjects: 5 } }).scan).toEqual({ paths: true, maxObjects: 5 });
    expect(resolveReportHandlerOptions({ scan: { paths: false } }).scan).toEqual({ paths: false });
    expect(thrown(() => resolveReportHandlerOptions({ scan: { seed: -2 } })).message).toBe(
      'createReportHandler(): options.scan.seed must be a non-negative safe integer, got -2',
    );
  });
});
