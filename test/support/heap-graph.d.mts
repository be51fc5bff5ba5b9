// Types for heap-graph.mjs: the same modules, read from the TypeScript sources.
export * from '../../src/verify/heap-graph.js';
export * from '../../src/verify/dominators.js';
export * from '../../src/verify/retained.js';
