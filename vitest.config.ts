import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Heap snapshots, real Prometheus and Chromium make some files slow; none loops unbounded.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in forks so a heap snapshot in one does not see another's graph.
    pool: 'forks',
    maxWorkers: 2,
  },
});
