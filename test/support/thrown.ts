// The MemsizeError a call throws, for tests that check its code and message.
import { MemsizeError } from '../../src/index.js';

/** Runs `fn` and returns the MemsizeError it throws; fails when it throws something else or nothing. */
export function thrown(fn: () => unknown): MemsizeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MemsizeError) return error;
    throw error;
  }
  throw new Error('expected a MemsizeError, nothing was thrown');
}
