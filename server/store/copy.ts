import { sql } from 'kysely';
import { BUILTIN_FIELDS, type FieldDefinition } from '../../engine/schema/field.js';
import { chunk } from './chunk.js';
import type { DB } from './schema.js';
import type { Store } from './store.js';

/**
 * Every table Scoremap keeps, with the key it is read in (pages of `PAGE` rows), in copying order.
 * A migration that adds a table adds it here: `test/copy.test.ts` compares this list with the
 * tables a migrated database has.
 */
export const TABLES: readonly { readonly table: keyof DB; readonly key: readonly string[] }[] = [
  { table: 'meta', key: ['key'] },
  { table: 'fields', key: ['key'] },
  { table: 'contacts', key: ['id'] },
  { table: 'contact_tags', key: ['contact_id', 'tag'] },
  { table: 'maps', key: ['id'] },
  { table: 'map_versions', key: ['map_id', 'version'] },
  { table: 'positions', key: ['map_id', 'contact_id'] },
  { table: 'date_timers', key: ['map_id', 'element_id', 'contact_id'] },
  { table: 'schedules', key: ['map_id', 'element_id'] },
  { table: 'element_stats', key: ['map_id', 'element_id'] },
  { table: 'events', key: ['id'] },
  { table: 'history', key: ['id'] },
  { table: 'scoring_models', key: ['id'] },
  { table: 'scoring_model_versions', key: ['model_id', 'version'] },
  { table: 'scoring_rule_states', key: ['model_id', 'rule_id', 'contact_id'] },
  { table: 'degradation_runs', key: ['model_id', 'day'] },
  { table: 'job_contacts_done', key: ['job', 'contact_id'] },
  { table: 'score_grants', key: ['id'] },
  { table: 'score_accounts', key: ['model_id', 'contact_id'] },
  { table: 'anonymous_ids', key: ['anonymous_id'] },
  { table: 'api_keys', key: ['id'] },
  { table: 'webhooks', key: ['id'] },
  { table: 'webhook_deliveries', key: ['seq'] },
  { table: 'webhook_attempts', key: ['delivery_id', 'n'] },
  { table: 'users', key: ['id'] },
  { table: 'sessions', key: ['id_hash'] },
  { table: 'audit_log', key: ['id'] },
  { table: 'saved_lists', key: ['id'] },
  { table: 'rotations', key: ['key'] },
];

const PAGE = 5_000;

/** What a copy moved: rows per table. */
export type CopyResult = Record<string, number>;

/**
 * Copies a whole Scoremap database into an empty one (SQLite to PostgreSQL, to move): every table,
 * row for row, history ids included, custom fields' columns created first. One transaction on each
 * side: the source is read as one snapshot (holding its write lock: stop the server first, or it
 * waits), and the target has all of it or, after an error, none. Refuses a target that has contacts,
 * maps, scoring models or history.
 */
export async function copyDatabase(from: Store, to: Store, log: (line: string) => void = () => {}): Promise<CopyResult> {
  const result: CopyResult = {};
  await from.transaction((src) =>
    to.transaction(async (dst) => {
      for (const table of ['contacts', 'maps', 'scoring_models', 'history'] as const) {
        const any = await dst.db.selectFrom(table).select(sql<number>`1`.as('x')).limit(1).execute();
        if (any.length) throw new Error(`The target database already has ${table.replace('_', ' ')}: copy into an empty one`);
      }
      // The target's contacts table gets a column per custom field before rows arrive.
      const builtin = new Set(BUILTIN_FIELDS.map((f) => f.key));
      const custom = (await src.listFields()).filter((f): f is FieldDefinition => !builtin.has(f.key) && f.type !== 'tags');
      await dst.createFields(custom, Date.now());
      for (const { table, key } of TABLES) {
        let n = 0;
        for (let after: unknown[] | null = null; ; ) {
          let q = src.db.selectFrom(table).selectAll();
          if (after) q = q.where(sql<boolean>`(${sql.join(key.map((k) => sql.ref(k)))}) > (${sql.join(after)})`);
          for (const k of key) q = q.orderBy(sql.ref(k));
          const rows = (await q.limit(PAGE).execute()) as Record<string, unknown>[];
          if (!rows.length) break;
          await insertRows(dst, table, rows);
          n += rows.length;
          const last = rows[rows.length - 1];
          after = key.map((k) => last[k]);
        }
        result[table] = n;
        log(`${table}: ${n.toLocaleString('en')} rows`);
      }
      // New history rows go on from the copied ids.
      await dst.dialect.syncIds(dst.db, 'history', 'id');
      await dst.dialect.syncIds(dst.db, 'webhook_deliveries', 'seq');
      await dst.dialect.syncIds(dst.db, 'score_grants', 'id');
      await dst.dialect.syncIds(dst.db, 'audit_log', 'id');
    }),
  );
  return result;
}

/** Inserts rows as they were; rows a migration already made (the built-in fields, settings) are replaced by the source's. */
async function insertRows(dst: Store, table: keyof DB, rows: Record<string, unknown>[]): Promise<void> {
  const columns = Object.keys(rows[0]);
  const key = TABLES.find((t) => t.table === table)!.key;
  for (const part of chunk(rows, columns.length)) {
    let q = dst.db.insertInto(table).values(part as never);
    if (table === 'fields' || table === 'meta') {
      const set = columns.filter((c) => !key.includes(c));
      q = q.onConflict((oc) => oc.columns(key as never).doUpdateSet(Object.fromEntries(set.map((c) => [c, sql.ref(`excluded.${c}`)])) as never));
    }
    await q.execute();
  }
}
