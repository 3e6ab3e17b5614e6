import { sql, type Kysely } from 'kysely';
import { chunk } from './chunk.js';
import type { DB } from './schema.js';

/**
 * What `scoremap prune` may delete: the field history (by the time of the change) and the stored
 * events (by when they were accepted: the idempotency window runs from acceptance, whatever `at`
 * the event carries, so a backfill of old events accepted today stays recognised).
 */
export type PrunableTable = 'history' | 'events';

/** One page of a sweep in key order: the keys of the rows older than the cut-off, and the last key read (null: the end). */
export interface SweepPage {
  readonly old: (number | string)[];
  readonly last: number | string | null;
}

/**
 * The next `limit` rows of a table after `after` in key order, and which of them are from before
 * `before`. Paging by the primary key bounds the work of each statement (no index on the times is
 * needed, and none is added to the hottest tables for a monthly job); filtering in the page makes no
 * assumption that keys follow time.
 */
export async function sweepPage(db: Kysely<DB>, table: PrunableTable, after: number | string | null, limit: number, before: number): Promise<SweepPage> {
  if (table === 'history') {
    const rows = await db.selectFrom('history').select(['id', 'at']).where('id', '>', Number(after ?? 0)).orderBy('id').limit(limit).execute();
    return { old: rows.filter((r) => Number(r.at) < before).map((r) => Number(r.id)), last: rows.length ? Number(rows[rows.length - 1].id) : null };
  }
  let q = db.selectFrom('events').select(['id', 'accepted_at']).orderBy('id').limit(limit);
  if (after !== null) q = q.where('id', '>', String(after));
  const rows = await q.execute();
  return { old: rows.filter((r) => Number(r.accepted_at) < before).map((r) => r.id), last: rows.length ? rows[rows.length - 1].id : null };
}

/** Deletes rows by key; answers how many went. */
export async function deleteRows(db: Kysely<DB>, table: PrunableTable, keys: readonly (number | string)[]): Promise<number> {
  let n = 0;
  for (const part of chunk(keys)) {
    const r = table === 'history'
      ? await db.deleteFrom('history').where('id', 'in', part.map(Number)).executeTakeFirst()
      : await db.deleteFrom('events').where('id', 'in', part.map(String)).executeTakeFirst();
    n += Number(r.numDeletedRows);
  }
  return n;
}

// ---- SQLite-specific: giving free pages back to the file system --------------------------------
// (PostgreSQL's autovacuum does this on its own; these few statements sit here rather than in
// sqlite.ts so that housekeeping stays in one module.)

/** How the database file is used: its pages, the free ones among them, and its auto-vacuum mode. */
export interface Space {
  readonly pageSize: number;
  readonly pages: number;
  readonly freePages: number;
  readonly autoVacuum: 'none' | 'full' | 'incremental';
}

const pragma = async (db: Kysely<DB>, name: string): Promise<number> => {
  const { rows } = await sql<Record<string, number>>`pragma ${sql.raw(name)}`.execute(db);
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
};

export async function space(db: Kysely<DB>): Promise<Space> {
  const mode = await pragma(db, 'auto_vacuum');
  return {
    pageSize: await pragma(db, 'page_size'),
    pages: await pragma(db, 'page_count'),
    freePages: await pragma(db, 'freelist_count'),
    autoVacuum: mode === 2 ? 'incremental' : mode === 1 ? 'full' : 'none',
  };
}

/** Returns up to `pages` free pages to the file system, in one short write (incremental auto-vacuum only). */
export async function incrementalVacuum(db: Kysely<DB>, pages: number): Promise<void> {
  await sql`pragma incremental_vacuum(${sql.raw(String(Math.max(1, Math.floor(pages))))})`.execute(db);
}

/**
 * Rewrites the whole file without its free pages (VACUUM), switching it to incremental auto-vacuum
 * on the way so later vacuums can go in small steps. Holds the write lock while it runs.
 */
export async function fullVacuum(db: Kysely<DB>): Promise<void> {
  await sql`pragma auto_vacuum = incremental`.execute(db);
  await sql`vacuum`.execute(db);
}

/**
 * Copies the write-ahead log into the file and truncates it, so the file's size shows what was
 * freed (best effort next to readers). The checkpointer thread may be running a checkpoint of its
 * own at that moment, and SQLite then answers "busy" at once instead of waiting: tried again for
 * up to a second (a passive checkpoint takes milliseconds).
 */
export async function checkpoint(db: Kysely<DB>): Promise<void> {
  const deadline = Date.now() + 1_000;
  for (;;) {
    const { rows } = await sql<{ busy: number }>`pragma wal_checkpoint(truncate)`.execute(db);
    if (!Number(rows[0]?.busy) || Date.now() >= deadline) return;
    await new Promise((done) => setTimeout(done, 5));
  }
}
