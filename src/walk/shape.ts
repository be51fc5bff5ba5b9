/**
 * What the walk tells the size model about the thing it just expanded: one Shape, overwritten per
 * thing. The walk (edges.ts) fills it in; size/shallow.ts and size/tally.ts read it. Its own
 * module, with no imports, so neither side depends on the other's implementation.
 */

/** Layout facts about the thing just expanded. One instance per Walker, overwritten per thing. */
export interface Shape {
  /** Named own properties (string and symbol keys that are not array indices). */
  props: number;
  /** Present indexed elements (array elements, index-keyed properties). */
  elements: number;
  /** Array length, Map/Set size, or byte length of a buffer or view. */
  length: number;
  /** Numbers in tagged slots that are not Smis: each one is a HeapNumber of its own. */
  heapNumbers: number;
  /** ShapeFlag bits. */
  flags: number;
  /**
   * Named properties JavaScript shows were added after the object was made, which V8 keeps in a
   * PropertyArray: the symbol-keyed properties of a plain object (a literal's own keys are
   * in-object; libraries tag objects they do not own with symbols later: docs/accuracy.md 3b).
   */
  outOfObject: number;
}

export const enum ShapeFlag {
  /** Every element is a number: V8 keeps them unboxed in a double (or Smi) backing store. */
  NumericElements = 1,
  /** The properties are in a hash table (dictionary mode), see isDictionaryMode in edges.ts. */
  DictionaryProperties = 4,
  /** A typed array small enough that V8 keeps its bytes on the heap, with no ArrayBuffer yet. */
  OnHeapBytes = 8,
  /** An array with holes or sparse indices. */
  Holey = 16,
  /** A function with its own `prototype` slot (constructors, generators). */
  PrototypeSlot = 32,
}

export function newShape(): Shape {
  return { props: 0, elements: 0, length: 0, heapNumbers: 0, flags: 0, outOfObject: 0 };
}
