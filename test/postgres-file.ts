import { afterAll } from 'vitest';
import pg from 'pg';
import { TEST_POSTGRES, createdSchemas } from '../server/store/testing.js';

// Each test file of the PostgreSQL half drops the schemas it made once its tests are done: with
// hundreds left until the run ends, every migration's look at the catalog (Kysely lists the tables
// of every schema) grows slower.
afterAll(async () => {
  if (!createdSchemas.length) return;
  const client = new pg.Client({ connectionString: TEST_POSTGRES });
  await client.connect();
  try {
    for (const schema of createdSchemas.splice(0)) await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
});
