/**
 * Run a small .mjs script in a child `node` (for --expose-gc and for real ES module namespaces,
 * neither of which a vitest worker has) against the built dist/. Shared by the reliability and
 * roots suites.
 */
import { execFile } from 'node:child_process';
import { ROOT_DIR } from './dist.js';

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
