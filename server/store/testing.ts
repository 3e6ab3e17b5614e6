import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Migrator, sql, type Kysely } from 'kysely';
import { MIGRATIONS } from './migrations.js';
import type { DB } from './schema.js';
import { Store, type OpenOptions } from './store.js';

/**
 * The PostgreSQL database the PostgreSQL half of the suite runs on (vite.config.ts sets it for that
 * half only); empty: the tests run on SQLite.
 */
export const TEST_POSTGRES = process.env.SCOREMAP_TEST_PG ?? '';

/** Whether this test run is the PostgreSQL half. */
export const onPostgres = TEST_POSTGRES !== '';

/** Schemas the PostgreSQL half creates are named so, then the run's start (base 36 ms): the global setup drops them. */
export const TEST_SCHEMA_PREFIX = 'scoremap_t_';

/**
 * Where a test opens a fresh database: in memory on SQLite, a new schema on PostgreSQL. Opening the
 * same location again (a restart) finds what was written.
 */
export function testDatabase(file?: string): string {
  if (!onPostgres) return file ?? ':memory:';
  const u = new URL(TEST_POSTGRES);
  const schema = `${TEST_SCHEMA_PREFIX}${process.env.SCOREMAP_TEST_RUN ?? '0'}_${randomBytes(6).toString('hex')}`;
  u.searchParams.set('schema', schema);
  createdSchemas.push(schema);
  return u.toString();
}

/** The schemas this test file made: `test/postgres-file.ts` drops them after the file's tests. */
export const createdSchemas: string[] = [];

/** Opens a store on a fresh test database (see {@link testDatabase}). */
export async function openTestStore(opts: OpenOptions = {}): Promise<Store> {
  return Store.open(testDatabase(), opts);
}

/**
 * Drops, with all they hold, the schemas named `prefix…` in the database at `url` that `which`
 * accepts (test runs and benchmarks clean up after themselves with it).
 */
export async function dropSchemas(url: string, prefix: string, which: (name: string) => boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>('select nspname from pg_namespace where starts_with(nspname, $1)', [prefix]);
    for (const { nspname } of rows) if (which(nspname)) await client.query(`drop schema if exists ${nspname} cascade`);
  } finally {
    await client.end();
  }
}

/** Runs the migrations before `name` only: a database as an older Scoremap left it (for migration tests). */
export async function migrateBefore(db: Kysely<DB>, name: string): Promise<void> {
  const migrationTableSchema = onPostgres ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0].s : undefined;
  const older = Object.fromEntries(Object.entries(MIGRATIONS).filter(([n]) => n < name));
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => older }, ...(migrationTableSchema ? { migrationTableSchema } : {}) }).migrateToLatest();
  if (error) throw error;
}
