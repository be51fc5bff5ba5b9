// Ground truth for memsize, for plain-Node scripts (bench/layout-probe.mjs, bench/scan.bench.mjs):
// a thin re-export of the library's own heap-snapshot reader in src/verify/ (heap-graph.ts,
// dominators.ts, retained.ts), compiled to dist/. There is ONE implementation; run
// `npm run build` before a script that imports this file. The vitest suites import the
// TypeScript sources through heap-snapshot.ts instead, so they never depend on a stale dist/.
export * from '../../dist/verify/heap-graph.js';
export * from '../../dist/verify/dominators.js';
export * from '../../dist/verify/retained.js';
