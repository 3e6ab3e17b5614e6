import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Where `scripts/test-postgres.sh` starts its throwaway server. */
const LOCAL_TEST_POSTGRES = 'postgres://scoremap@127.0.0.1:54329/scoremap_test';

/** Whether something listens at the URL's host and port (a quick look, no login). */
function listening(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 5432), timeout: 500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * The PostgreSQL half of the suite runs when a server is there: SCOREMAP_TEST_DATABASE_URL (which
 * must answer), else the one `scripts/test-postgres.sh` starts, if it is running.
 */
async function testPostgres(): Promise<string | null> {
  const given = process.env.SCOREMAP_TEST_DATABASE_URL;
  if (given) {
    if (!(await listening(given))) throw new Error(`SCOREMAP_TEST_DATABASE_URL is set, but nothing answers at ${new URL(given).host}`);
    return given;
  }
  if (await listening(LOCAL_TEST_POSTGRES)) return LOCAL_TEST_POSTGRES;
  console.log('PostgreSQL half skipped: no server (start one with `bash scripts/test-postgres.sh`, or set SCOREMAP_TEST_DATABASE_URL)');
  return null;
}

/**
 * Tests of what only SQLite has (its file, its pragmas, the benchmarks' baselines), of the browser,
 * of the command line and server process on a SQLite file (simulations always run on a private
 * in-memory SQLite database), and of the engine, which has no database: the PostgreSQL half would
 * only run them again.
 */
const SQLITE_ONLY = [
  // The engine touches no database: its tests would only run again.
  'engine/**',
  'test/e2e/**', 'editor/**', 'test/bench.test.ts', 'test/prune.test.ts', 'server/prune.test.ts', 'server/store/checkpointer.test.ts',
  // The docs' checks read files and run the engine on its own simulation database.
  'test/docs/**',
  'test/crash.test.ts', 'test/server-process.test.ts', 'test/under-load.test.ts', 'test/cli.test.ts', 'test/scenarios.test.ts',
];

// One config: the editor's build (root `editor/`, output `dist/editor/`, served by the server)
// and Vitest (run from the repository root), whose engine and server tests run on SQLite and, in a
// second project, on PostgreSQL.
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const pg = await testPostgres();
  return {
    root: here('./editor'),
    plugins: [react()],
    build: { outDir: here('./dist/editor'), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
    test: {
      root: here('.'),
      environment: 'node',
      pool: 'forks',
      // Vitest's default leaves a core free (one worker on two cores), and much of this suite waits
      // on processes, browsers and PostgreSQL rather than on the CPU. Measured on two cores: one
      // worker ran 2,167 tests in 1,144 s; two ran 2,410 (the same and issue 22's) in 960 s.
      maxWorkers: Math.max(2, availableParallelism() - 1),
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // expect.poll waits for a condition: a loaded machine may need far longer than the default second.
      expect: { poll: { timeout: 30_000 } },
      projects: [
        {
          extends: true,
          test: {
            name: 'sqlite',
            include: ['engine/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts', 'editor/**/*.test.ts'],
            globalSetup: ['test/global-setup.ts'],
            env: { SCOREMAP_TEST_PG: '' },
          },
        },
        ...(pg
          ? [{
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['engine/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts'],
                exclude: SQLITE_ONLY,
                globalSetup: ['test/postgres-setup.ts'],
                setupFiles: ['test/postgres-file.ts'],
                // Each run's schemas carry its start time: runs side by side leave each other's alone.
                env: { SCOREMAP_TEST_PG: pg, SCOREMAP_TEST_RUN: Date.now().toString(36) },
              },
            }]
          : []),
      ],
    },
  };
});
