/**
 * The one error class memsize throws, with a stable `code` per failure kind. Errors are thrown
 * only from calls the host makes directly (options, addRoot, removeRoot, report functions),
 * never from a walk or a metrics callback.
 */

/** Stable codes carried by {@link MemsizeError.code}. */
export type MemsizeErrorCode =
  | 'ERR_MEMSIZE_INVALID_OPTION'
  | 'ERR_MEMSIZE_INVALID_ROOT_NAME'
  | 'ERR_MEMSIZE_INVALID_ROOT'
  | 'ERR_MEMSIZE_ROOT_EXISTS'
  | 'ERR_MEMSIZE_ROOT_UNKNOWN'
  | 'ERR_MEMSIZE_TOO_MANY_ROOTS'
  | 'ERR_MEMSIZE_SHUT_DOWN'
  | 'ERR_MEMSIZE_LISTEN'
  | 'ERR_MEMSIZE_MISSING_PEER'
  | 'ERR_MEMSIZE_HEAP_TOO_LARGE'
  | 'ERR_MEMSIZE_INSTANCE_EXISTS';

/** Thrown for bad input at the call the user made. `code` is stable; the message names the input. */
export class MemsizeError extends Error {
  readonly code: MemsizeErrorCode;
  constructor(code: MemsizeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemsizeError';
    this.code = code;
  }
}

/** Render a user-supplied value for an error message without running its code. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${String(value)}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
  }
}
