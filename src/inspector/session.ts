/**
 * The one in-process `node:inspector` session memsize uses, opened on first use and kept for the
 * process. It reads what JavaScript cannot (a class's `#private` fields, a function's scopes, a
 * WeakMap's entries, the live object behind a heap-snapshot node) and hands the values back to
 * JavaScript; what to read and how to count it belongs to its callers (walk/hidden.ts,
 * verify/discover.ts).
 *
 * - `session.post` answers synchronously when the session is connected in process (checked on
 *   Node 20.20.2 and 26.12.1): every call here returns its answer or throws.
 * - Values cross back through a `sink`: a null-prototype object of ours, so writing to it and
 *   reading from it can reach no accessor and no prototype. The inspector refers to it by an
 *   object id in a group that is never released; everything else a call creates lives in the
 *   caller's group, which the caller releases (`release`) before it returns, so the session
 *   keeps nothing alive.
 * - No `Debugger.enable` and no `Runtime.enable`: the session sends no events and costs the
 *   application nothing between calls. Another session (`--inspect`, a debugger) keeps working.
 * - Where the inspector is missing (a Node built without it, a policy that forbids it, a session
 *   that fails), {@link openSession} returns null and {@link unavailableReason} says why; callers
 *   fall back to what JavaScript sees.
 */
import { createRequire } from 'node:module';
import type { HiddenStatus } from '../results.js';

const hasOwn = Object.hasOwn;
const setPrototypeOf = Object.setPrototypeOf;
function bareArray<T>(): T[] {
  return setPrototypeOf([], null) as T[];
}

/** A value as the inspector protocol describes it (the fields memsize reads). */
export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  description?: string;
  objectId?: string;
  value?: unknown;
  unserializableValue?: string;
}

/** Why deep reads are unavailable, as the results report it (results.ts HiddenStatus). */
export type UnavailableReason = Exclude<HiddenStatus, 'on' | 'off'>;

/** What callers need from the session. */
export interface InspectorSession {
  /** Send one protocol command and return its result; throws the protocol error. */
  post<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): T;
  /** A remote object for `value` in `group` (the caller releases the group). */
  remoteOf(value: unknown, group: string): RemoteObject;
  /** The live value behind a remote object (objects by id, primitives by value). */
  valueOf(remote: RemoteObject): unknown;
  /** The live values behind several remote objects, in one call (objects by id, primitives by value). */
  valuesOf(remotes: readonly RemoteObject[]): unknown[];
  /** The global name under which the sink was reachable while the session was set up. */
  readonly sinkName: string;
  /** Release every remote object of `group`. Never throws. */
  release(group: string): void;
}


interface Sink {
  t: unknown;
  v: unknown;
}

interface NodeSession {
  connect(): void;
  disconnect(): void;
  post(method: string, params: Record<string, unknown>, callback: (error: Error | null, result?: unknown) => void): void;
}

let session: InspectorSession | null = null;
let failure: UnavailableReason | null = null;
let failureDetail = '';

/**
 * The inspector module is loaded and the session object made when this module loads, not in a
 * walk: both run Node's own code, which builds internal Sets through `Array.prototype
 * [Symbol.iterator]` (seen on Node 20.20.2), a built-in a program could have replaced by the time
 * of its first collection. Connecting, later, runs none of it. Nothing is connected until used.
 */
let unconnected: NodeSession | null = null;
try {
  // Loaded through require, not imported: a Node built without the inspector throws on load.
  const { Session } = createRequire(import.meta.url)('node:inspector') as { Session: new () => NodeSession };
  unconnected = new Session();
} catch (error) {
  fail('no-inspector', error);
}

/** The session, connected on first call; null when the inspector is unavailable (see {@link unavailableReason}). */
export function openSession(): InspectorSession | null {
  if (session !== null || failure !== null) return session;
  const raw = unconnected;
  if (raw === null) return fail('no-inspector', new Error('node:inspector is not available'));
  unconnected = null;
  try {
    raw.connect();
  } catch (error) {
    return fail('connect-failed', error);
  }
  try {
    session = wrap(raw);
  } catch (error) {
    try {
      raw.disconnect();
    } catch {
      // Nothing more to do: the session is not used.
    }
    return fail('session-failed', error);
  }
  return session;
}

/** Why {@link openSession} returned null (null while it has not failed). */
export function unavailableReason(): UnavailableReason | null {
  return failure;
}

/** The error behind {@link unavailableReason}, for a log line. */
export function unavailableDetail(): string {
  return failureDetail;
}

/**
 * Stop using the session after a call failed mid-use (it may be in any state): later callers
 * get null and the reason `session-failed`.
 */
export function abandonSession(error: unknown): void {
  session = null;
  fail('session-failed', error);
}

function fail(reason: UnavailableReason, error: unknown): null {
  failure = reason;
  failureDetail = error instanceof Error ? error.message : String(error);
  return null;
}

const KEEP_GROUP = 'memsize-keep';

function wrap(raw: NodeSession): InspectorSession {
  const post = <T>(method: string, params: Record<string, unknown> = {}): T => {
    let answered = false;
    let failed: Error | null = null;
    let answer: unknown;
    raw.post(method, params, (error, result) => {
      answered = true;
      failed = error;
      answer = result;
    });
    if (!answered) throw new Error(`inspector: ${method} did not answer synchronously`);
    if (failed !== null) throw failed;
    return answer as T;
  };
  const sink: Sink = Object.create(null) as Sink;
  sink.t = undefined;
  sink.v = undefined;
  // The sink is reachable under a global name nobody else uses just long enough to get its object
  // id, non-enumerable so that code listing the global's keys does not trip over it.
  const sinkName = `__memsize_sink_${Math.random().toString(36).slice(2, 10)}`;
  // A null-prototype descriptor: defineProperty looks `get` and `set` up on it, and an accessor
  // on Object.prototype named so must not be called.
  Object.defineProperty(globalThis, sinkName, { __proto__: null, value: sink, enumerable: false, configurable: true, writable: false } as PropertyDescriptor);
  const sinkId = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: `globalThis.${sinkName}`, objectGroup: KEEP_GROUP }).result.objectId;
  Reflect.deleteProperty(globalThis, sinkName);
  if (sinkId === undefined) throw new Error('inspector: no object id for the sink');
  return {
    post,
    sinkName,
    remoteOf(value, group) {
      sink.t = value;
      try {
        return post<{ result: RemoteObject }>('Runtime.callFunctionOn', {
          objectId: sinkId,
          functionDeclaration: 'function () { return this.t; }',
          objectGroup: group,
        }).result;
      } finally {
        sink.t = undefined;
      }
    },
    valueOf(remote) {
      // Parsed JSON: read a field only if the record has it (never through Object.prototype).
      if (!hasOwn(remote, 'objectId') || remote.objectId === undefined) {
        if (hasOwn(remote, 'unserializableValue') && remote.unserializableValue !== undefined) return unserializable(remote.unserializableValue);
        return hasOwn(remote, 'value') ? remote.value : undefined;
      }
      sink.v = undefined;
      try {
        post('Runtime.callFunctionOn', {
          objectId: sinkId,
          functionDeclaration: 'function (value) { this.v = value; }',
          arguments: [{ objectId: remote.objectId }],
        });
        return sink.v;
      } finally {
        sink.v = undefined;
      }
    },
    valuesOf(remotes) {
      // Arrays with no prototype: an index stored past the end reaches no accessor.
      const out = bareArray<unknown>();
      const args = bareArray<{ objectId: string }>();
      const at = bareArray<number>();
      for (let i = 0; i < remotes.length; i++) {
        const remote = remotes[i]!;
        if (hasOwn(remote, 'objectId') && remote.objectId !== undefined) {
          at[at.length] = i;
          args[args.length] = { objectId: remote.objectId };
          out[i] = undefined;
        } else if (hasOwn(remote, 'unserializableValue') && remote.unserializableValue !== undefined) {
          out[i] = unserializable(remote.unserializableValue);
        } else {
          out[i] = hasOwn(remote, 'value') ? remote.value : undefined;
        }
      }
      if (args.length === 0) return out;
      sink.v = undefined;
      try {
        post('Runtime.callFunctionOn', { objectId: sinkId, functionDeclaration: 'function (...values) { this.v = values; }', arguments: args });
        const live = sink.v as unknown;
        if (!Array.isArray(live)) return out;
        for (let j = 0; j < at.length; j++) out[at[j]!] = live[j];
        return out;
      } finally {
        sink.v = undefined;
      }
    },
    release(group) {
      try {
        post('Runtime.releaseObjectGroup', { objectGroup: group });
      } catch {
        // A session that cannot release cannot have created the group's objects either.
      }
    },
  };
}

function unserializable(text: string): unknown {
  switch (text) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      // A bigint literal such as "12n".
      return text.endsWith('n') ? BigInt(text.slice(0, -1)) : undefined;
  }
}
