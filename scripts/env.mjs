// What the repository's scripts, the demo, the benchmarks and the tests read from the
// environment: integer settings, and executables on PATH. Plain JavaScript so that all of them
// (Node 20 included, which cannot strip types) can import it; types in env.d.mts.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The integer in environment variable `name`, or `fallback` when it is unset or empty.
 * Throws an Error naming the variable, the range and the value when it is not an integer from
 * `min` to `max`; each caller decides how to report it.
 */
export function envInt(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Absolute path of an executable found on PATH, or null. */
export function findExecutable(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
