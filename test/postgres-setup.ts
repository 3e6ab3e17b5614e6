import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { TEST_SCHEMA_PREFIX } from '../server/store/testing.js';

/** Drops the schemas earlier runs of the PostgreSQL half left behind, before and after this run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = project.config.env.SCOREMAP_TEST_PG as string;
  const drop = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like $1`, [`${TEST_SCHEMA_PREFIX}%`]);
      for (const r of rows) await client.query(`drop schema if exists ${r.nspname} cascade`);
    } finally {
      await client.end();
    }
  };
  await drop();
  return drop;
}
