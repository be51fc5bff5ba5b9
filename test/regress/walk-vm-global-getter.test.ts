// Regression: after the walk switched to plain reads (`obj[key]` once __lookupGetter__ finds no
// getter, commit 2b1da31), scanning a vm context's global object called the sandbox's getters:
// the global's interceptors present a sandbox accessor as a data property and call it on a read.
// Found by test/walk/hostile.test.ts; fixed in src/walk (objects of another realm are read
// through descriptors: ProtoInfo.foreign, Walker.foreign).
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

describe('regression: a vm context global object', () => {
  it('is walked without calling the sandbox getters behind its interceptors', () => {
    let calls = 0;
    const sandbox = {
      get secret() {
        calls++;
        return 'computed';
      },
      kept: { payload: 'k'.repeat(2000) },
    };
    vm.createContext(sandbox);
    const global = vm.runInContext('globalThis', sandbox) as object;
    const result = scan(global);
    expect(calls).toBe(0);
    expect(result.truncated).toBe(false);
    // The sandbox's data properties are still followed through the global.
    expect(result.byType.get('string')?.bytes ?? 0).toBeGreaterThan(2000);
  });
});
