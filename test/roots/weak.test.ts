/**
 * Weak roots against real garbage collection: runs test/roots/weak-root.mjs in a child
 * `node --expose-gc` against dist/ (built by `npm run build`, which `npm ci` runs in CI).
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./weak-root.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const registrySource = fileURLToPath(new URL('../../src/roots/registry.ts', import.meta.url));

function runScript(): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${String(error)}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('a weak root', () => {
  it('is built: dist/ exists and is not older than the registry source', () => {
    expect(existsSync(dist), 'dist/index.js is missing: run `npm run build`').toBe(true);
    expect(statSync(dist).mtimeMs, 'dist/ is older than src/roots/registry.ts: run `npm run build`').toBeGreaterThanOrEqual(
      statSync(registrySource).mtimeMs - 1,
    );
  });

  it('does not keep its object alive, and its series disappear once it is collected', async () => {
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
