import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { TEST_SCHEMA_PREFIX } from '../server/store/testing.js';

/** How old another run's schemas must be before this run drops them (a run takes minutes). */
const STALE_MS = 6 * 3_600_000;

/**
 * Drops the schemas of the PostgreSQL half: before this run, those earlier runs left behind (older
 * than six hours: a run beside this one keeps its own); after it, its own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = project.config.env.SCOREMAP_TEST_PG as string;
  const run = project.config.env.SCOREMAP_TEST_RUN as string;
  const drop = async (which: (runId: string) => boolean) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like $1`, [`${TEST_SCHEMA_PREFIX}%`]);
      for (const r of rows) {
        if (which(r.nspname.slice(TEST_SCHEMA_PREFIX.length).split('_')[0])) await client.query(`drop schema if exists ${r.nspname} cascade`);
      }
    } finally {
      await client.end();
    }
  };
  await drop((id) => !(Date.now() - parseInt(id, 36) < STALE_MS));
  return () => drop((id) => id === run);
}
