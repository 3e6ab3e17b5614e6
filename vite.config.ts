import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One config: the editor's build (root `editor/`, output `dist/editor/`, served by the server)
// and Vitest (run from the repository root).
export default defineConfig({
  root: here('./editor'),
  plugins: [react()],
  build: { outDir: here('./dist/editor'), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  test: {
    root: here('.'),
    include: ['engine/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts', 'editor/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
