import { defineConfig } from 'vitest/config';

// One config for the editor build (root `editor/`, added with the editor) and for Vitest.
export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
