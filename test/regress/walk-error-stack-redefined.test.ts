// Regression (fast-check counterexample, seed 836838980, shrunk): on Node 20 (V8 11) an error
// whose class has a `stack` accessor on its prototype, and whose own stack the application
// redefined with a value, hid that value from scan(): __lookupGetter__ looks through V8's special
// `stack` property to the prototype's accessor, so the walk took the property for a getter and
// skipped it, while the reference walk followed it. Fixed in src/walk/edges.ts: before V8 12 an
// enumerable `stack` (redefined by the application, which formats it) is read through its
// descriptor. A non-enumerable one is still never read there: it may not be formatted yet.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: an error stack redefined by the application', () => {
  it('is followed, without calling the class accessor or Error.prepareStackTrace', () => {
    const userCode: string[] = [];
    class AppError extends Error {}
    Object.defineProperty(AppError.prototype, 'stack', {
      configurable: true,
      get() {
        userCode.push('AppError.prototype get stack');
        return undefined;
      },
      set() {
        userCode.push('AppError.prototype set stack');
      },
    });
    const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    try {
      const error = new AppError('hostile 0');
      const value = Object.freeze({ kept: 'x'.repeat(1000) });
      Object.defineProperty(error, 'stack', { value, enumerable: true, configurable: true, writable: true });
      Object.freeze(error);
      // From here on, anything that runs is the walk's doing.
      Error.prepareStackTrace = () => {
        userCode.push('Error.prepareStackTrace');
        return '';
      };
      const result = scan(error);
      expect(userCode).toEqual([]);
      expect(result.byType.get('Object')?.objects).toBe(1);
      expect(scan(error).bytes - scan(value).bytes).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      else Object.defineProperty(Error, 'prepareStackTrace', saved);
    }
  });
});
