/**
 * Root names become the `root` label of every series and appear in URLs of the report page, so
 * they are checked at `addRoot()`: short, and from a small character set that needs no escaping
 * in PromQL, Grafana variables, URLs or HTML. This module knows nothing of bytes or metrics.
 */
import { describeValue, MemsizeError } from '../errors.js';

/** Longest accepted root name, in characters. */
export const MAX_ROOT_NAME_LENGTH = 64;

/** Letters, digits, `_`, `.` and `-`; starting with a letter, digit or `_`. */
const ROOT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Throw ERR_MEMSIZE_INVALID_ROOT_NAME unless `name` is a valid root name.
 * @param call the user's call, for the message (e.g. `addRoot()`)
 */
export function assertRootName(call: string, name: unknown): asserts name is string {
  let problem: string | null = null;
  if (typeof name !== 'string') problem = `must be a string, got ${describeValue(name)}`;
  else if (name.length === 0) problem = 'must not be empty';
  else if (name.length > MAX_ROOT_NAME_LENGTH) {
    problem = `must be at most ${MAX_ROOT_NAME_LENGTH} characters, got ${name.length} (${describeValue(name)})`;
  } else if (!ROOT_NAME.test(name)) {
    problem = `must use only letters, digits, "_", "." and "-" and start with a letter, digit or "_", got ${describeValue(name)}`;
  }
  if (problem !== null) throw new MemsizeError('ERR_MEMSIZE_INVALID_ROOT_NAME', `${call}: the root name ${problem}`);
}
