/**
 * Weak roots against real garbage collection: runs test/roots/weak-root.mjs in a child
 * `node --expose-gc` against dist/ (built by `npm run build`, which `npm ci` runs in CI).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertDistFresh } from '../support/dist.js';

const script = fileURLToPath(new URL('./weak-root.mjs', import.meta.url));

function runScript(): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${String(error)}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('a weak root', () => {
  it('does not keep its object alive, and its series disappear once it is collected', async () => {
    assertDistFresh();
    const { stdout } = await runScript();
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.before).toEqual(['strong', 'weak']);
    expect(result.weakCollected, `still alive after ${result.rounds} gc rounds`).toBe(true);
    expect(result.after).toEqual(['strong']);
    expect(result.rootNames).toEqual(['strong']);
    // The strong root survived the same collections: gc ran and weak: false holds.
    expect(result.strongAlive).toBe(true);
  });
});
