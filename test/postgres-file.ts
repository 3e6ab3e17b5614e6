import { afterAll } from 'vitest';
import { TEST_POSTGRES, TEST_SCHEMA_PREFIX, createdSchemas, dropSchemas } from '../server/store/testing.js';

// Each test file of the PostgreSQL half drops the schemas it made once its tests are done: with
// hundreds left until the run ends, every migration's look at the catalog (Kysely lists the tables
// of every schema) grows slower.
afterAll(async () => {
  if (!createdSchemas.length) return;
  const mine = new Set(createdSchemas.splice(0));
  await dropSchemas(TEST_POSTGRES, TEST_SCHEMA_PREFIX, (s) => mine.has(s));
});
