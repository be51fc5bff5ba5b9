/**
 * Tests that run dist/ in a child process (for --expose-gc, real module namespaces, the demo)
 * must run the current code: this checks dist/ was built after the last change to src/.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT_DIR = join(import.meta.dirname, '..', '..');
export const DIST_INDEX = join(ROOT_DIR, 'dist', 'index.js');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws unless dist/ exists and is at least as new as every file in src/. */
export function assertDistFresh(): void {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  if (newestMtimeMs(join(ROOT_DIR, 'src')) > statSync(DIST_INDEX).mtimeMs + 1) {
    throw new Error('dist/ is older than src/: run `npm run build` so tests that run dist/ run the current code');
  }
}
