/**
 * fast-check parameters shared by the property tests: every run has a seed that is printed on
 * failure with the command that replays it, and MEMSIZE_PROPERTY_SEED fixes it.
 *   MEMSIZE_PROPERTY_SEED=<n>      replay the run that failed with seed n
 *   MEMSIZE_PROPERTY_RUNS=<n>      runs per property (each file picks its default)
 *   MEMSIZE_PROPERTY_NO_SHRINK=1   report the first failure as found (no shrinking)
 */
import fc from 'fast-check';

function seedFromEnv(): number {
  const text = process.env.MEMSIZE_PROPERTY_SEED;
  if (text === undefined || text === '') return (Math.random() * 2 ** 31) | 0;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`MEMSIZE_PROPERTY_SEED must be an integer, got ${JSON.stringify(text)}`);
  return seed;
}

/** One seed for the whole test file (so one environment variable replays all of it). */
export const PROPERTY_SEED = seedFromEnv();

/** Runs per property: MEMSIZE_PROPERTY_RUNS, else `fallback`. */
export function propertyRuns(fallback: number): number {
  return Number(process.env.MEMSIZE_PROPERTY_RUNS ?? fallback);
}

/** The failure message: fast-check's (counterexample, shrink path), then how to replay the run. */
export function replayMessage(details: fc.RunDetails<unknown>): string {
  return (
    `${fc.defaultReportMessage(details) ?? 'property failed'}\n` +
    `Replay this run with MEMSIZE_PROPERTY_SEED=${details.seed} (e.g. MEMSIZE_PROPERTY_SEED=${details.seed} npx vitest run <this file>)`
  );
}

/** fast-check parameters with the file's seed and a reporter that prints it on failure. */
export function propertyParams<T>(params: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    seed: PROPERTY_SEED,
    ...(process.env.MEMSIZE_PROPERTY_NO_SHRINK === '1' ? { endOnFailure: true } : {}),
    ...params,
    reporter(details) {
      if (details.failed) throw new Error(replayMessage(details as fc.RunDetails<unknown>));
    },
  };
}
