// Regression: on Node 20 (V8 11), scan() of an Error whose stack nobody had read yet formatted the
// stack, which calls Error.prepareStackTrace: user code run by the walk. Found by
// test/walk/hostile.test.ts; fixed in src/walk/edges.ts (a non-enumerable `stack` is skipped there).
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: an unread Error stack', () => {
  it('is not formatted by scan(), so Error.prepareStackTrace is not called', () => {
    const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    let calls = 0;
    Error.prepareStackTrace = () => {
      calls++;
      return 'formatted by the app';
    };
    try {
      const error = new Error('boom', { cause: new TypeError('inner') });
      const captured = {};
      Error.captureStackTrace(captured);
      const result = scan({ error, captured });
      expect(calls).toBe(0);
      expect(result.byType.get('Error')?.objects).toBeGreaterThan(0);
      // The application still gets its formatted stack afterwards.
      expect(error.stack).toBe('formatted by the app');
      expect(calls).toBe(1);
    } finally {
      if (saved === undefined) delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      else Object.defineProperty(Error, 'prepareStackTrace', saved);
    }
  });

  it('still follows an ordinary data property named stack', () => {
    const big = 'x'.repeat(10_000);
    const without = scan({ stack: [] });
    const withString = scan({ stack: [big] });
    expect(withString.bytes - without.bytes).toBeGreaterThanOrEqual(10_000);
  });
});
