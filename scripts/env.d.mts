// Types for env.mjs.

/** The integer in environment variable `name`, or `fallback` when unset or empty; throws when out of `min`..`max`. */
export function envInt(name: string, fallback: number, min: number, max: number): number;

/** Absolute path of an executable found on PATH, or null. */
export function findExecutable(name: string): string | null;
