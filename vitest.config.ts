import { defineConfig } from 'vitest/config';

// Tests import the TypeScript sources; worker threads load the built dist/ (npm test builds first).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Concurrency tests start many real worker threads; two files at a time fits 2 cores.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
