/**
 * Weak roots against real garbage collection: runs test/roots/weak-root.mjs in a child
 * `node --expose-gc` against dist/ (built by `npm run build`, which `npm ci` runs in CI).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertDistFresh } from '../support/dist.js';
import { lastJsonLine, runNode } from '../support/node.js';

const script = fileURLToPath(new URL('./weak-root.mjs', import.meta.url));

describe('a weak root', () => {
  it('does not keep its object alive, and its series disappear once it is collected', async () => {
    assertDistFresh();
    const result = lastJsonLine<{ before: string[]; weakCollected: boolean; rounds: number; after: string[]; rootNames: string[]; strongAlive: boolean }>(
      await runNode(script, { execArgv: ['--expose-gc'], timeoutMs: 60_000 }),
    );
    expect(result.before).toEqual(['strong', 'weak']);
    expect(result.weakCollected, `still alive after ${result.rounds} gc rounds`).toBe(true);
    expect(result.after).toEqual(['strong']);
    expect(result.rootNames).toEqual(['strong']);
    // The strong root survived the same collections: gc ran and weak: false holds.
    expect(result.strongAlive).toBe(true);
  });
});
