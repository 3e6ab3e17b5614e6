import type { TestProject } from 'vitest/node';
import { TEST_SCHEMA_PREFIX, dropSchemas } from '../server/store/testing.js';

/** How old another run's schemas must be before this run drops them (a run takes minutes). */
const STALE_MS = 6 * 3_600_000;

/**
 * Drops the schemas of the PostgreSQL half: before this run, those earlier runs left behind (older
 * than six hours: a run beside this one keeps its own); after it, its own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = project.config.env.SCOREMAP_TEST_PG as string;
  const run = project.config.env.SCOREMAP_TEST_RUN as string;
  const runOf = (schema: string) => schema.slice(TEST_SCHEMA_PREFIX.length).split('_')[0];
  await dropSchemas(url, TEST_SCHEMA_PREFIX, (s) => !(Date.now() - parseInt(runOf(s), 36) < STALE_MS));
  return () => dropSchemas(url, TEST_SCHEMA_PREFIX, (s) => runOf(s) === run);
}
