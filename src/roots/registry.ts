/**
 * Named roots: an object (held weakly by default) or a function called at each collection.
 * Owns registration, name checks, the cap on roots and turning an entry into the value to measure.
 * Knows nothing of bytes or metrics, and never calls user code except a root function, in
 * {@link RootEntry.resolve}, where whatever it throws is caught.
 */
import { types } from 'node:util';
import { describeValue, MemsizeError } from '../errors.js';
import { resolveAddRootOptions, type AddRootOptions } from '../options.js';
import { assertRootName } from './name.js';

/** What `addRoot()` accepts: an object to measure, or a function returning it at each collection. */
export type RootTarget = object | (() => unknown);

/** Why a root could not be measured in a collection. */
export type RootErrorReason =
  /** The root function threw. */
  | 'threw'
  /** The root function returned a primitive (undefined, null, a number...). */
  | 'primitive'
  /** The root (or what its function returned) is a revoked Proxy. */
  | 'revoked-proxy'
  /**
   * The root function alone ran longer than the collection's whole budget (`maxMillis`). It cannot
   * be interrupted, so its time still counts against the budget; the collector reports this one.
   */
  | 'slow';

/** A root that could not be measured, as reported in `RootMeasurement.error`. */
export interface RootError {
  reason: RootErrorReason;
  /** Human-readable detail, e.g. the thrown error's message. */
  message: string;
}

/** The outcome of {@link RootEntry.resolve}. */
export type Resolution =
  | { readonly status: 'ok'; readonly value: object }
  | { readonly status: 'collected' }
  | { readonly status: 'failed'; readonly error: RootError };

/**
 * A revoked Proxy throws on nearly every operation. `Array.isArray` checks the proxy's handler
 * without calling any trap (IsArray in the spec), so it tells revoked from live without running
 * user code.
 */
export function isRevokedProxy(value: unknown): boolean {
  if (!types.isProxy(value)) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-Error value (${describeValue(error)})`;
}

/** One registered root. Identity matters: a root removed and added again is a new entry. */
export class RootEntry {
  readonly name: string;
  readonly kind: 'object' | 'function';
  /** True when an object root is held through a WeakRef. */
  readonly weak: boolean;
  /** `Date.now()` at `addRoot()`. */
  readonly addedAt: number;
  readonly #target: WeakRef<object> | object | (() => unknown);

  constructor(name: string, target: RootTarget, weak: boolean) {
    this.name = name;
    this.kind = typeof target === 'function' ? 'function' : 'object';
    this.weak = weak;
    this.addedAt = Date.now();
    this.#target = weak ? new WeakRef(target) : target;
  }

  /** The value to measure now: calls a root function (catching what it throws) or dereferences a weak root. */
  resolve(): Resolution {
    let value: unknown;
    if (this.kind === 'function') {
      try {
        value = (this.#target as () => unknown)();
      } catch (error) {
        return { status: 'failed', error: { reason: 'threw', message: `the root function threw ${describeThrown(error)}` } };
      }
      if (!isObjectLike(value)) {
        return { status: 'failed', error: { reason: 'primitive', message: `the root function returned ${describeValue(value)}, not an object` } };
      }
    } else if (this.weak) {
      value = (this.#target as WeakRef<object>).deref();
      if (value === undefined) return { status: 'collected' };
    } else {
      value = this.#target;
    }
    if (isRevokedProxy(value)) {
      const what = this.kind === 'function' ? 'the root function returned a revoked Proxy' : 'the root is a revoked Proxy';
      return { status: 'failed', error: { reason: 'revoked-proxy', message: what } };
    }
    return { status: 'ok', value: value as object };
  }
}

/** The set of registered roots, in registration order. */
export class RootRegistry {
  readonly #maxRoots: number;
  readonly #entries = new Map<string, RootEntry>();
  /**
   * Weak roots found garbage-collected, by name: when (Date.now()). So that a page or a call
   * naming one can say it was collected rather than never registered. At most `maxRoots` names;
   * a name leaves when it is added or removed again.
   */
  readonly #collected = new Map<string, number>();
  #generation = 0;

  constructor(maxRoots: number) {
    this.#maxRoots = maxRoots;
  }

  /** Changes whenever a root is added or removed (collections cached under an older generation are stale). */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Register a root. Throws a MemsizeError for a bad name, target or option, a taken name, or too many roots. */
  add(name: unknown, target: unknown, options: AddRootOptions | undefined): RootEntry {
    assertRootName('addRoot()', name);
    const call = `addRoot(${JSON.stringify(name)})`;
    if (!isObjectLike(target)) {
      throw new MemsizeError(
        'ERR_MEMSIZE_INVALID_ROOT',
        `${call}: the target must be an object, or a function returning the object to measure, got ${describeValue(target)}`,
      );
    }
    if (isRevokedProxy(target)) {
      throw new MemsizeError('ERR_MEMSIZE_INVALID_ROOT', `${call}: the target is a revoked Proxy, which cannot be measured`);
    }
    const { weak } = resolveAddRootOptions(name, options as AddRootOptions | undefined, typeof target === 'function');
    if (this.#entries.has(name)) {
      throw new MemsizeError('ERR_MEMSIZE_ROOT_EXISTS', `${call}: a root named ${JSON.stringify(name)} already exists; removeRoot() it first`);
    }
    if (this.#entries.size >= this.#maxRoots) {
      throw new MemsizeError(
        'ERR_MEMSIZE_TOO_MANY_ROOTS',
        `${call}: already ${this.#entries.size} roots, the maximum (options.maxRoots = ${this.#maxRoots})`,
      );
    }
    const entry = new RootEntry(name, target, weak);
    this.#entries.set(name, entry);
    this.#collected.delete(name);
    this.#generation++;
    return entry;
  }

  /** Unregister a root by name; false when there is none. */
  remove(name: string): boolean {
    this.#collected.delete(name);
    const removed = this.#entries.delete(name);
    if (removed) this.#generation++;
    return removed;
  }

  /** Drop this exact entry (a weak root found collected) unless it was already replaced, and remember when. */
  drop(entry: RootEntry): void {
    if (this.#entries.get(entry.name) !== entry) return;
    this.remove(entry.name);
    if (this.#collected.size >= this.#maxRoots) this.#collected.delete(this.#collected.keys().next().value!);
    this.#collected.set(entry.name, Date.now());
  }

  /** When a weak root of this name was found garbage-collected and dropped (Date.now()), or undefined. */
  collectedAt(name: string): number | undefined {
    return this.#collected.get(name);
  }

  get(name: string): RootEntry | undefined {
    return this.#entries.get(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  entries(): RootEntry[] {
    return [...this.#entries.values()];
  }

  /** Forget every root (shutdown). */
  clear(): void {
    if (this.#entries.size > 0) this.#generation++;
    this.#entries.clear();
    this.#collected.clear();
  }
}

/**
 * What to tell someone who names a weak root that was garbage-collected: why it went, and the two
 * ways to keep it.
 */
export function collectedRootMessage(name: string, collectedAt: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - collectedAt) / 1000));
  return (
    `the root ${JSON.stringify(name)} was garbage-collected (found ${seconds} s ago) and unregistered: memsize holds an object root ` +
    'weakly, so an object only memsize referenced (such as addRoot(name, new Map()) inline) goes at the next garbage collection. ' +
    'Keep your own reference to it, or pass { weak: false }, or a function returning it'
  );
}
