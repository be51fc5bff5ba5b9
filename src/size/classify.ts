/**
 * The `type` label of a heap thing: what a person debugging a leak recognises, and what becomes
 * a Prometheus label, so it comes from code (constructor names), never from data.
 *
 * The constructor is found by reading *data* properties along the prototype chain (never an
 * accessor, never a Proxy), and the result is cached on the prototype's ProtoInfo.
 */
import { types } from 'node:util';
import { Kind, type ProtoInfo } from '../walk/kinds.js';
import { getOwnPropertyDescriptor, getPrototypeOf, hasOwn } from '../walk/primordials.js';

/** Longest type name kept; longer names are cut and end in an ellipsis. */
export const MAX_TYPE_NAME_LENGTH = 64;
export const NULL_PROTOTYPE_TYPE = '(null prototype)';
export const ANONYMOUS_CLASS_TYPE = '(anonymous class)';


/** Names of the kinds that are not objects with a prototype of their own. */
const KIND_NAMES: Partial<Record<Kind, string>> = {
  [Kind.String]: 'string',
  [Kind.HeapNumber]: 'number',
  [Kind.BigInt]: 'bigint',
  [Kind.Symbol]: 'symbol',
  [Kind.Proxy]: 'Proxy',
  [Kind.Function]: 'Function',
  [Kind.Namespace]: 'Module',
  [Kind.Context]: '(closure)',
};

/** Fallback when the prototype names nothing: by layout kind. */
const KIND_FALLBACK: Partial<Record<Kind, string>> = {
  [Kind.Array]: 'Array',
  [Kind.Map]: 'Map',
  [Kind.Set]: 'Set',
  [Kind.TypedArray]: 'TypedArray',
  [Kind.DataView]: 'DataView',
  [Kind.ArrayBuffer]: 'ArrayBuffer',
  [Kind.SharedArrayBuffer]: 'SharedArrayBuffer',
  [Kind.Date]: 'Date',
  [Kind.RegExp]: 'RegExp',
  [Kind.Error]: 'Error',
  [Kind.WeakRef]: 'WeakRef',
  [Kind.Promise]: 'Promise',
  [Kind.Arguments]: 'Arguments',
};

/**
 * Control characters, line separators, and the invisible format characters that reorder or hide
 * text (bidirectional overrides and isolates, zero-width characters, the BOM): a class named
 * "\u202Eevil" would otherwise show reversed in a dashboard legend.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Strip control and invisible formatting characters and cap the length, so a name is safe as a label and in a table. */
export function sanitizeTypeName(name: string): string {
  let clean = name.replace(UNSAFE_IN_NAMES, '').trim();
  if (clean.length > MAX_TYPE_NAME_LENGTH) {
    let end = MAX_TYPE_NAME_LENGTH - 1;
    // Never cut a surrogate pair in half: a lone surrogate is not valid UTF-8 in a label.
    const last = clean.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    clean = `${clean.slice(0, end)}…`;
  }
  return clean;
}

function dataProperty(obj: object, key: string): unknown {
  const desc = getOwnPropertyDescriptor(obj, key);
  return desc !== undefined && hasOwn(desc, 'value') ? desc.value : undefined;
}

/** The constructor name an object with this prototype reports, read without running code. */
function nameFromPrototype(proto: object | null, kind: Kind): string {
  if (proto === null) return NULL_PROTOTYPE_TYPE;
  let p: object | null = proto;
  for (let depth = 0; p !== null && depth < 64; depth++) {
    if (types.isProxy(p)) break;
    const ctor = dataProperty(p, 'constructor');
    if (typeof ctor === 'function' && !types.isProxy(ctor)) {
      const name = dataProperty(ctor, 'name');
      if (typeof name === 'string') {
        const clean = sanitizeTypeName(name);
        return clean === '' ? ANONYMOUS_CLASS_TYPE : clean;
      }
      return ANONYMOUS_CLASS_TYPE;
    }
    if (ctor !== undefined) break;
    p = getPrototypeOf(p) as object | null;
  }
  return KIND_FALLBACK[kind] ?? 'Object';
}

/**
 * The `type` label of a heap thing. `value` is only inspected for objects whose ProtoInfo has no
 * name yet (the first object with that prototype).
 */
export function typeNameOf(kind: Kind, value: unknown, info: ProtoInfo | null): string {
  const fixed = KIND_NAMES[kind];
  if (fixed !== undefined) return fixed;
  if (info === null) return 'Object';
  if (info.typeName === undefined) {
    let name: string;
    try {
      name = nameFromPrototype(getPrototypeOf(value as object) as object | null, kind);
    } catch {
      name = KIND_FALLBACK[kind] ?? 'Object';
    }
    info.typeName = name;
  }
  return info.typeName;
}
