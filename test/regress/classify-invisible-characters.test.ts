// Regression: type names (the `type` label, the report page's type column) kept bidirectional
// overrides and zero-width characters, so a class named "\u202Eevil" displayed reversed in a
// dashboard legend, and capping a long name could cut a surrogate pair in half, leaving a lone
// surrogate (not valid UTF-8) at the end of a label. Found by test/walk/hostile.test.ts ("type
// names built to break labels and pages"); fixed in src/size/classify.ts (sanitizeTypeName).
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

function typeOf(name: string): string {
  const C = class {};
  Object.defineProperty(C, 'name', { value: name });
  return [...scan([new C()]).byType.keys()].find((t) => t !== 'Array')!;
}

describe('regression: type names with invisible characters', () => {
  it('drop bidirectional controls, zero-width characters and the BOM', () => {
    expect(typeOf('\u202Eevil\u202C')).toBe('evil');
    expect(typeOf('Zero\u200BWidth\u200D\uFEFF')).toBe('ZeroWidth');
    expect(typeOf('\u2066Isolate\u2069')).toBe('Isolate');
    expect(typeOf('\u200B\u200B')).toBe('(anonymous class)');
  });

  it('never end in half a surrogate pair when capped', () => {
    for (const prefix of ['', 'a']) {
      const type = typeOf(prefix + '😀'.repeat(100));
      expect(type.endsWith('…')).toBe(true);
      expect(type.length).toBeLessThanOrEqual(64);
      // No lone surrogate: one would be encoded as U+FFFD, and String.prototype.isWellFormed (Node 20+) says so.
      expect((type as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
    }
  });
});
