/**
 * Start the demo (demo/server.mjs, on the built dist/, as `npm start` runs it) as a child process
 * and wait for the URLs it prints. Shared by the e2e demo test and the security suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT_DIR, assertDistFresh } from './dist.js';

export interface RunningDemo {
  readonly child: ChildProcess;
  /** `app`, `report` and `metrics`, as the demo printed them. */
  readonly urls: { app: string; report: string; metrics: string };
  /** Everything the demo printed so far (stdout and stderr). */
  readonly output: { text: string };
  /** Resolves when the child exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawn the demo with `env` added to this process's environment (ports default to 0: free ones)
 * and wait until it prints its URLs. Rejects with its output if it exits first or takes longer
 * than `timeoutMs`; the child is killed then. Kill it yourself otherwise.
 */
export async function startDemo(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningDemo> {
  assertDistFresh();
  const output = { text: '' };
  const child = spawn(process.execPath, [join(ROOT_DIR, 'demo', 'server.mjs')], {
    cwd: ROOT_DIR,
    env: { ...process.env, PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
  try {
    const urls = await new Promise<RunningDemo['urls']>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`the demo printed no URLs within ${timeoutMs} ms:\n${output.text}`)), timeoutMs);
      const onData = () => {
        const found: Record<string, string> = {};
        for (const match of output.text.matchAll(/^\s+(app|report|metrics)\s+(http:\/\/\S+)$/gm)) found[match[1]!] = match[2]!;
        if (found.app !== undefined && found.report !== undefined && found.metrics !== undefined) {
          done(null, found as RunningDemo['urls']);
        }
      };
      const onExit = (code: number | null) => done(new Error(`the demo exited (code ${code}) before printing its URLs:\n${output.text}`));
      function done(error: Error | null, found?: RunningDemo['urls']) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.off('exit', onExit);
        if (error === null) resolve(found!);
        else reject(error);
      }
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', onExit);
      onData();
    });
    return { child, urls, output, exited };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
