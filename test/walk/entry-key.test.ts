// A Map value holding its own string key in a field (`map.set(s.id, s)`): the walk knows the
// string is a key already counted without looking it up (walk.ts, stackKeys). These pin that the
// shortcut answers exactly what the lookup would: the key counts once, another key of the same
// Map too, and a string that only has a key's length counts on its own.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';

const N = 2_000;
const EXACT = { estimate: false } as const;
// Longer than the 9-10 chars under which strings are counted by value.
const keyOf = (i: number): string => `session-${String(i).padStart(12, '0')}`;

function storeOf(field: (i: number) => unknown): Map<string, { id: unknown }> {
  const map = new Map<string, { id: unknown }>();
  for (let i = 0; i < N; i++) map.set(keyOf(i), { id: field(i) });
  return map;
}

describe('a Map value that holds a string equal to a key', () => {
  const withoutString = scan(storeOf(() => 1), EXACT);

  it('counts its own key once', () => {
    const result = scan(storeOf((i) => keyOf(i)), EXACT);
    expect(result.objects).toBe(withoutString.objects);
    expect(result.bytes).toBe(withoutString.bytes);
  });

  it('counts another entry\'s key once', () => {
    const result = scan(storeOf((i) => keyOf((i + 1) % N)), EXACT);
    expect(result.objects).toBe(withoutString.objects);
  });

  it('counts a string of a key\'s length that is no key', () => {
    const result = scan(storeOf((i) => keyOf(i).replace('session', 'sessioN')), EXACT);
    expect(result.objects).toBe(withoutString.objects + N);
  });

  it('gives the figures the walk with paths gives (which looks every string up)', () => {
    const store = storeOf((i) => keyOf(i));
    const plain = scan(store, EXACT);
    const withPaths = scan(store, { ...EXACT, paths: true });
    expect(withPaths.objects).toBe(plain.objects);
    expect(withPaths.bytes).toBe(plain.bytes);
  });
});
