/**
 * Shared by the reliability tests: run a small .mjs script in a child `node` (for --expose-gc and
 * for real ES module namespaces, neither of which a vitest worker has) against the built dist/.
 */
import { execFile } from 'node:child_process';
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

/** Throws unless dist/ exists and is at least as new as every file in src/ (child scripts run dist/). */
export function assertDistFresh(): void {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/ is missing: run `npm run build` (npm ci does it)');
  if (newestMtimeMs(join(ROOT_DIR, 'src')) > statSync(DIST_INDEX).mtimeMs + 1) {
    throw new Error('dist/ is older than src/: run `npm run build` so the child scripts run the current code');
  }
}

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node [execArgv] script [args]` with this test's Node binary; killed after timeoutMs. */
export function runNode(script: string, options: { execArgv?: string[]; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<NodeRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.execArgv ?? []), script, ...(options.args ?? [])],
      { cwd: ROOT_DIR, env: options.env ?? process.env, timeout: options.timeoutMs ?? 90_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr: error !== null && code === null ? `${stderr}\n${String(error)}` : stderr });
      },
    );
  });
}

/** The last line of a child's stdout, parsed as JSON (the scripts end by printing their result). */
export function lastJsonLine<T>(run: NodeRun): T {
  const lines = run.stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  if (run.code !== 0 || last === undefined || last === '') {
    throw new Error(`the child script failed (exit ${String(run.code)}):\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(last) as T;
}
