import { describe, expect, it } from 'vitest';
import { MemsizeError } from '../../src/errors.js';
import { assertRootName, MAX_ROOT_NAME_LENGTH } from '../../src/roots/name.js';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MemsizeError);
    return (error as MemsizeError).code;
  }
  return undefined;
}

describe('assertRootName', () => {
  it.each(['sessions', 'cache.v2', 'tenant-42', '_internal', '2fa_codes', 'a'.repeat(MAX_ROOT_NAME_LENGTH)])('accepts %j', (name) => {
    expect(() => assertRootName('addRoot()', name)).not.toThrow();
  });

  it.each([
    ['', 'must not be empty'],
    ['a'.repeat(MAX_ROOT_NAME_LENGTH + 1), `at most ${MAX_ROOT_NAME_LENGTH} characters`],
    ['has space', 'only letters'],
    ['quote"d', 'only letters'],
    ['-leading', 'start with'],
    ['.leading', 'start with'],
    ['ünïcode', 'only letters'],
    ['new\nline', 'only letters'],
    ['{root}', 'only letters'],
  ])('rejects %j with a message saying why', (name, why) => {
    expect(codeOf(() => assertRootName('addRoot()', name))).toBe('ERR_MEMSIZE_INVALID_ROOT_NAME');
    expect(() => assertRootName('addRoot()', name)).toThrow(why);
  });

  it.each([undefined, null, 42, Symbol('x'), {}])('rejects the non-string %s', (name) => {
    expect(codeOf(() => assertRootName('addRoot()', name))).toBe('ERR_MEMSIZE_INVALID_ROOT_NAME');
    expect(() => assertRootName('addRoot()', name)).toThrow(/addRoot\(\): the root name must be a string/);
  });
});
