import { defineConfig } from 'vitest/config';

// Tests import the TypeScript sources; worker threads load the built dist/ (npm test builds first).
// Latency-sensitive files (names ending in .latency.test.ts) run last and alone, so other files'
// busy workers do not share the 2 cores with them.
const common = { testTimeout: 60_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...common,
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.latency.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...common,
          name: 'latency',
          include: ['test/**/*.latency.test.ts'],
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
