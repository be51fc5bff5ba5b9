/**
 * The static import graph of src/: every `import … from` and `export … from` of every
 * src/**\/*.ts file, with whether it is type-only (erased at build). Dynamic `import()` is not an
 * edge: it loads on demand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

export interface ImportEdge {
  /** The imported module: a path relative to src/ (`walk/edges.ts`) or a package name. */
  readonly to: string;
  /** `import type` / `export type`: no runtime dependency. */
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

// `import x from 'm'`, `import { a, type B } from 'm'`, `import type { T } from 'm'`,
// `export { a } from 'm'`, `export * from 'm'`, `import 'm'`. Comments are stripped first.
const STATEMENT = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^;'"]*?\bfrom\s+)?['"]([^'"]+)['"]/g;

/** Parse the imports of one source text (exported for the test of the parser itself). */
export function parseImports(text: string): { specifier: string; typeOnly: boolean }[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of code.matchAll(STATEMENT)) {
    const [, keyword, typeKeyword, clause, specifier] = match;
    if (keyword === 'export' && clause === undefined) continue; // `export 'x'` is not a statement
    found.push({ specifier: specifier!, typeOnly: typeKeyword !== undefined });
  }
  return found;
}

/** Module (path relative to src/, e.g. `walk/walk.ts`) → its imports. */
export function importGraph(): Map<string, ImportEdge[]> {
  const graph = new Map<string, ImportEdge[]>();
  for (const file of sourceFiles(SRC_DIR)) {
    const from = relative(SRC_DIR, file).split('\\').join('/');
    const edges = parseImports(readFileSync(file, 'utf8')).map(({ specifier, typeOnly }) => ({
      to: specifier.startsWith('.')
        ? relative(SRC_DIR, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))).split('\\').join('/')
        : specifier,
      typeOnly,
    }));
    graph.set(from, edges);
  }
  return graph;
}

/** Every module reachable from `entry` through runtime (not type-only) imports, packages included. */
export function runtimeClosure(graph: Map<string, ImportEdge[]>, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const stack = [entry];
  while (stack.length > 0) {
    for (const edge of graph.get(stack.pop()!) ?? []) {
      if (edge.typeOnly || seen.has(edge.to)) continue;
      seen.add(edge.to);
      stack.push(edge.to);
    }
  }
  return seen;
}
