import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemsize, MemsizeError, scan } from '../../src/index.js';
import { ROOT_BYTES } from '../../src/metrics/names.js';
import { attrKey, collectMetrics, gaugePoints, newProvider } from './support.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MemsizeError);
    return (error as MemsizeError).code;
  }
  throw new Error('expected a MemsizeError');
}

describe('createMemsize options', () => {
  it.each([
    [{ maxMillis: 0 }, 'options.maxMillis must be a positive finite number, got 0'],
    [{ maxMillis: Infinity }, 'options.maxMillis'],
    [{ maxObjects: 1.5 }, 'createMemsize(): options.maxObjects must be a positive integer, got 1.5'],
    [{ cacheMillis: -1 }, 'options.cacheMillis must be a non-negative finite number, got -1'],
    [{ maxTypes: 0 }, 'options.maxTypes'],
    [{ maxObjectsPerRoot: 1.5 }, 'options.maxObjectsPerRoot must be a positive integer, got 1.5'],
    [{ sampleSize: 0 }, 'options.sampleSize must be a positive integer, got 0'],
    [{ estimate: 'yes' }, 'options.estimate must be a boolean, got "yes"'],
    [{ maxRoots: '5' }, 'options.maxRoots must be a positive integer, got "5"'],
    [{ meterProvider: 42 }, 'options.meterProvider'],
    [{ maxmillis: 10 }, 'options.maxmillis is not an option'],
  ])('rejects %j with a message naming the option', (options, message) => {
    expect(codeOf(() => createMemsize(options as never))).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(() => createMemsize(options as never)).toThrow(message);
  });

  it('rejects options that are not an object', () => {
    expect(codeOf(() => createMemsize('fast' as never))).toBe('ERR_MEMSIZE_INVALID_OPTION');
  });
});

describe('createMemsize', () => {
  it('reports through the global MeterProvider by default', async () => {
    const { provider, reader } = newProvider();
    metrics.setGlobalMeterProvider(provider);
    cleanups.push(() => metrics.disable(), () => provider.shutdown());
    const memsize = createMemsize();
    cleanups.push(() => memsize.shutdown());
    const obj = { a: [1, 2, 3] };
    memsize.addRoot('global', obj);
    const collected = await collectMetrics(reader);
    expect(gaugePoints(collected, ROOT_BYTES.name).get(attrKey({ root: 'global' }))).toBe(scan(obj).bytes);
  });

  it('registers no gauges with meterProvider: null, and collect() still measures', () => {
    const memsize = createMemsize({ meterProvider: null });
    cleanups.push(() => memsize.shutdown());
    const obj = new Map([[1, 'one']]);
    memsize.addRoot('m', obj);
    const collection = memsize.collect();
    expect(collection.roots.get('m')?.bytes).toBe(scan(obj).bytes);
    expect(memsize.rootNames()).toEqual(['m']);
  });

  it('throws from addRoot for bad input, at the call', () => {
    const memsize = createMemsize({ meterProvider: null, maxRoots: 1 });
    cleanups.push(() => memsize.shutdown());
    expect(codeOf(() => memsize.addRoot('', {}))).toBe('ERR_MEMSIZE_INVALID_ROOT_NAME');
    expect(codeOf(() => memsize.addRoot('n', 5 as never))).toBe('ERR_MEMSIZE_INVALID_ROOT');
    memsize.addRoot('n', {});
    expect(codeOf(() => memsize.addRoot('n', {}))).toBe('ERR_MEMSIZE_ROOT_EXISTS');
    expect(codeOf(() => memsize.addRoot('m', {}))).toBe('ERR_MEMSIZE_TOO_MANY_ROOTS');
  });

  it('removes roots', () => {
    const memsize = createMemsize({ meterProvider: null });
    cleanups.push(() => memsize.shutdown());
    memsize.addRoot('a', {});
    expect(memsize.removeRoot('a')).toBe(true);
    expect(memsize.removeRoot('a')).toBe(false);
    expect(memsize.collect().roots.has('a')).toBe(false);
  });
});

describe('scanRoot', () => {
  it('scans one registered root afresh with scan() options', () => {
    const memsize = createMemsize({ meterProvider: null });
    cleanups.push(() => memsize.shutdown());
    const data = { users: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `u${i}` })) };
    memsize.addRoot('users', () => data);
    const result = memsize.scanRoot('users', { paths: true });
    const expected = scan(data, { paths: true });
    expect(result.bytes).toBe(expected.bytes);
    expect(result.paths?.map((p) => p.path)).toEqual(expected.paths?.map((p) => p.path));
  });

  it('throws ERR_MEMSIZE_ROOT_UNKNOWN listing the registered names', () => {
    const memsize = createMemsize({ meterProvider: null });
    cleanups.push(() => memsize.shutdown());
    memsize.addRoot('known', {});
    expect(codeOf(() => memsize.scanRoot('unknown'))).toBe('ERR_MEMSIZE_ROOT_UNKNOWN');
    expect(() => memsize.scanRoot('unknown')).toThrow('registered: "known"');
  });

  it('throws ERR_MEMSIZE_INVALID_ROOT when the root function fails, and invalid options', () => {
    const memsize = createMemsize({ meterProvider: null });
    cleanups.push(() => memsize.shutdown());
    memsize.addRoot('broken', () => {
      throw new Error('nope');
    });
    memsize.addRoot('fine', {});
    expect(codeOf(() => memsize.scanRoot('broken'))).toBe('ERR_MEMSIZE_INVALID_ROOT');
    expect(() => memsize.scanRoot('broken')).toThrow('Error: nope');
    expect(codeOf(() => memsize.scanRoot('fine', { maxObjects: -1 }))).toBe('ERR_MEMSIZE_INVALID_OPTION');
  });
});

describe('shutdown', () => {
  it('is idempotent and leaves a quiet, empty instance', async () => {
    const { provider, reader } = newProvider();
    cleanups.push(() => provider.shutdown());
    const memsize = createMemsize({ meterProvider: provider, minIntervalMs: 0 });
    memsize.addRoot('a', {});
    const first = memsize.shutdown();
    expect(memsize.shutdown()).toBe(first);
    await first;
    expect(codeOf(() => memsize.addRoot('b', {}))).toBe('ERR_MEMSIZE_SHUT_DOWN');
    expect(codeOf(() => memsize.scanRoot('a'))).toBe('ERR_MEMSIZE_SHUT_DOWN');
    expect(memsize.rootNames()).toEqual([]);
    expect(memsize.collect().roots.size).toBe(0);
    const collected = await collectMetrics(reader);
    expect(collected.errors).toEqual([]);
  });
});
