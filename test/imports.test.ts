/**
 * The import graph of src/ has no cycles (type-only imports count: a cycle of types is still two
 * modules that cannot be understood apart). Every cycle found is reported.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importGraph, parseImports, type ImportEdge } from './support/imports.js';

/** Every elementary cycle among src/ modules (Johnson-style search from each start, smallest first). */
function findCycles(graph: Map<string, readonly ImportEdge[]>): string[] {
  const modules = [...graph.keys()].sort();
  const targets = (from: string) => [...new Set((graph.get(from) ?? []).map((e) => e.to).filter((to) => graph.has(to)))].sort();
  const cycles: string[] = [];
  for (const start of modules) {
    // Only cycles whose smallest module is `start`, so each cycle is found once.
    const path: string[] = [start];
    const onPath = new Set(path);
    const visit = (node: string) => {
      for (const next of targets(node)) {
        if (next === start) cycles.push([...path, start].join(' -> '));
        else if (next > start && !onPath.has(next)) {
          path.push(next);
          onPath.add(next);
          visit(next);
          onPath.delete(next);
          path.pop();
        }
      }
    };
    visit(start);
  }
  return cycles;
}

describe('src/ import graph', () => {
  const graph = importGraph();
  const cycles = findCycles(graph);

  it('parses the graph (sanity: the entry imports scan.ts, scan.ts imports walk/)', () => {
    expect(graph.get('index.ts')!.map((e) => e.to)).toContain('scan.ts');
    expect(graph.get('scan.ts')!.some((e) => e.to.startsWith('walk/'))).toBe(true);
  });

  it('has no import cycles', () => {
    expect(cycles, `cycles in src/:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('sees every module of src/ (a module the parser missed could hide a cycle)', () => {
    expect(graph.size).toBe(readdirSync(new URL('../src/', import.meta.url), { recursive: true }).filter((f) => String(f).endsWith('.ts')).length);
  });
});

describe('findCycles and parseImports (the checker itself)', () => {
  const edges = (...to: string[]): ImportEdge[] => to.map((t) => ({ to: t, typeOnly: false }));

  it('finds a two-module cycle once and a three-module cycle once, and nothing in a DAG', () => {
    const graph = new Map([
      ['a.ts', edges('b.ts')],
      ['b.ts', edges('a.ts', 'c.ts')],
      ['c.ts', edges('d.ts')],
      ['d.ts', edges('b.ts', '@opentelemetry/api')],
    ]);
    expect(findCycles(graph)).toEqual(['a.ts -> b.ts -> a.ts', 'b.ts -> c.ts -> d.ts -> b.ts']);
    expect(findCycles(new Map([['a.ts', edges('b.ts')], ['b.ts', edges()]]))).toEqual([]);
  });

  it('reads value, type-only, re-export and side-effect imports, and ignores comments and dynamic import()', () => {
    const found = parseImports(
      [
        "import { a, type B } from './a.js';",
        "import type { C } from './c.js';",
        "export { d } from './d.js';",
        "export type { E } from './e.js';",
        "export * from './f.js';",
        "import './g.js';",
        "// import { x } from './commented.js';",
        "/* import { y } from './block.js'; */",
        "const lazy = await import('./lazy.js');",
        'import {\n  multi,\n  line,\n} from "./h.js";',
      ].join('\n'),
    );
    expect(found).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './c.js', typeOnly: true },
      { specifier: './d.js', typeOnly: false },
      { specifier: './e.js', typeOnly: true },
      { specifier: './f.js', typeOnly: false },
      { specifier: './g.js', typeOnly: false },
      { specifier: './h.js', typeOnly: false },
    ]);
  });
});
