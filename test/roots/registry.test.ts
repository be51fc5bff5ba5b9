import { describe, expect, it } from 'vitest';
import { MemsizeError } from '../../src/errors.js';
import { isRevokedProxy, RootRegistry } from '../../src/roots/registry.js';

function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MemsizeError) return error.code;
    throw error;
  }
  throw new Error('expected a MemsizeError, nothing was thrown');
}

/** A proxy whose every trap records that it ran: the registry must never trigger one. */
function trappedProxy(): { proxy: object; trapCalls: string[] } {
  const trapCalls: string[] = [];
  const handler = new Proxy({}, { get: (_t, trap) => { trapCalls.push(String(trap)); return undefined; } });
  return { proxy: new Proxy({}, handler), trapCalls };
}

describe('RootRegistry.add', () => {
  it('registers object and function roots in order', () => {
    const registry = new RootRegistry(10);
    registry.add('a', {}, undefined);
    registry.add('b', () => [], undefined);
    expect(registry.names()).toEqual(['a', 'b']);
    expect(registry.get('a')?.kind).toBe('object');
    expect(registry.get('b')?.kind).toBe('function');
  });

  it('holds objects weakly by default and strongly on request', () => {
    const registry = new RootRegistry(10);
    expect(registry.add('weak', {}, undefined).weak).toBe(true);
    expect(registry.add('strong', {}, { weak: false }).weak).toBe(false);
    expect(registry.add('fn', () => ({}), undefined).weak).toBe(false);
  });

  it('rejects a duplicate name', () => {
    const registry = new RootRegistry(10);
    registry.add('a', {}, undefined);
    expect(thrownCode(() => registry.add('a', {}, undefined))).toBe('ERR_MEMSIZE_ROOT_EXISTS');
    expect(() => registry.add('a', {}, undefined)).toThrow('addRoot("a"): a root named "a" already exists');
  });

  it('rejects a root beyond maxRoots, and accepts one again after a removal', () => {
    const registry = new RootRegistry(2);
    registry.add('a', {}, undefined);
    registry.add('b', {}, undefined);
    expect(thrownCode(() => registry.add('c', {}, undefined))).toBe('ERR_MEMSIZE_TOO_MANY_ROOTS');
    expect(() => registry.add('c', {}, undefined)).toThrow('options.maxRoots = 2');
    expect(registry.remove('a')).toBe(true);
    registry.add('c', {}, undefined);
    expect(registry.names()).toEqual(['b', 'c']);
  });

  it.each([undefined, null, 0, 'text', Symbol('s'), 10n])('rejects the primitive target %s', (target) => {
    const registry = new RootRegistry(10);
    expect(thrownCode(() => registry.add('a', target, undefined))).toBe('ERR_MEMSIZE_INVALID_ROOT');
    expect(registry.size).toBe(0);
  });

  it('rejects a revoked proxy target', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const registry = new RootRegistry(10);
    expect(thrownCode(() => registry.add('a', proxy, undefined))).toBe('ERR_MEMSIZE_INVALID_ROOT');
    expect(() => registry.add('a', proxy, undefined)).toThrow('revoked Proxy');
  });

  it('rejects a bad name before looking at anything else', () => {
    const registry = new RootRegistry(10);
    expect(thrownCode(() => registry.add('bad name', 42, undefined))).toBe('ERR_MEMSIZE_INVALID_ROOT_NAME');
  });

  it('rejects weak: true for a function root, a non-boolean weak and unknown options', () => {
    const registry = new RootRegistry(10);
    expect(thrownCode(() => registry.add('a', () => ({}), { weak: true }))).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(() => registry.add('a', () => ({}), { weak: true })).toThrow('object roots only');
    expect(thrownCode(() => registry.add('a', {}, { weak: 'yes' as never }))).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(thrownCode(() => registry.add('a', {}, { strong: true } as never))).toBe('ERR_MEMSIZE_INVALID_OPTION');
    expect(registry.size).toBe(0);
  });

  it('bumps the generation on add, remove and clear only when something changed', () => {
    const registry = new RootRegistry(10);
    const g0 = registry.generation;
    registry.add('a', {}, undefined);
    const g1 = registry.generation;
    expect(g1).toBeGreaterThan(g0);
    expect(registry.remove('nope')).toBe(false);
    expect(registry.generation).toBe(g1);
    registry.remove('a');
    expect(registry.generation).toBeGreaterThan(g1);
    const g2 = registry.generation;
    registry.clear();
    expect(registry.generation).toBe(g2);
  });
});

describe('RootEntry.resolve', () => {
  it('returns the object, or what the root function returns now', () => {
    const registry = new RootRegistry(10);
    const obj = { x: 1 };
    let current: object = [1];
    const a = registry.add('a', obj, { weak: false });
    const b = registry.add('b', () => current, undefined);
    expect(a.resolve()).toEqual({ status: 'ok', value: obj });
    expect(b.resolve()).toEqual({ status: 'ok', value: current });
    current = new Map();
    expect(b.resolve()).toEqual({ status: 'ok', value: current });
  });

  it('reports a root function that throws, naming the error', () => {
    const registry = new RootRegistry(10);
    const entry = registry.add('a', () => {
      throw new RangeError('not ready');
    }, undefined);
    const resolution = entry.resolve();
    expect(resolution.status).toBe('failed');
    if (resolution.status !== 'failed') return;
    expect(resolution.error.reason).toBe('threw');
    expect(resolution.error.message).toContain('RangeError: not ready');
  });

  it('reports a root function that throws a non-Error', () => {
    const registry = new RootRegistry(10);
    const entry = registry.add('a', () => {
      throw 'just a string';
    }, undefined);
    const resolution = entry.resolve();
    expect(resolution.status === 'failed' && resolution.error.message).toContain('"just a string"');
  });

  it.each([undefined, null, 3, 'str'])('reports a root function returning the primitive %s', (value) => {
    const registry = new RootRegistry(10);
    const resolution = registry.add('a', () => value, undefined).resolve();
    expect(resolution.status === 'failed' && resolution.error.reason).toBe('primitive');
  });

  it('reports a root function returning a revoked proxy, and an object root revoked after registration', () => {
    const registry = new RootRegistry(10);
    const first = Proxy.revocable({}, {});
    first.revoke();
    expect(registry.add('fn', () => first.proxy, undefined).resolve()).toMatchObject({ status: 'failed', error: { reason: 'revoked-proxy' } });
    const second = Proxy.revocable({}, {});
    const entry = registry.add('obj', second.proxy, { weak: false });
    expect(entry.resolve().status).toBe('ok');
    second.revoke();
    expect(entry.resolve()).toMatchObject({ status: 'failed', error: { reason: 'revoked-proxy' } });
  });
});

describe('isRevokedProxy', () => {
  it('tells revoked from live proxies and plain values without running a trap', () => {
    const { proxy, trapCalls } = trappedProxy();
    expect(isRevokedProxy(proxy)).toBe(false);
    expect(trapCalls).toEqual([]);
    const revocable = Proxy.revocable([], {});
    revocable.revoke();
    expect(isRevokedProxy(revocable.proxy)).toBe(true);
    expect(isRevokedProxy({})).toBe(false);
    expect(isRevokedProxy(null)).toBe(false);
  });
});
