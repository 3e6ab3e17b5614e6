/**
 * Migration 0012_teams on a database of before (SPEC §12, "an existing installation starts"): a
 * custom text field `owner` becomes the built-in one with its values; a custom `owner` of another
 * type stops the start with the migration's words and leaves the database as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, DatabaseUnavailable } from '../store/store.js';
import { migrateBefore, onPostgres, testDatabase } from '../store/testing.js';
import { openPostgres } from '../store/postgres.js';
import { openSqlite } from '../store/sqlite.js';
import type { DB } from '../store/schema.js';
import { TEAM_FIELDS } from '../../engine/schema/field.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('migration 0012_teams on a 0011 database', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A database migrated up to 0011, holding a custom field `owner` of `type` and one contact with `value` in it. */
  async function oldDatabase(type: 'text' | 'number', value: string | number): Promise<string> {
    dir = mkdtempSync(join(tmpdir(), 'scoremap-teams-'));
    const location = testDatabase(join(dir, 'old.db'));
    const old: Kysely<DB> = onPostgres ? await openPostgres(location) : openSqlite(location).db;
    try {
      await migrateBefore(old, '0012_teams');
      // 0001 makes today's built-in fields: take away the ones a real 0011 database never had.
      for (const key of TEAM_FIELDS) {
        await old.deleteFrom('fields').where('key', '=', key).execute();
        await old.schema.alterTable('contacts').dropColumn(`f_${key}`).execute();
      }
      await old.insertInto('fields').values({ key: 'owner', label: 'Account owner', label_norm: 'account owner', type, decimals: null, default_json: null, builtin: 0, created_at: T0 }).execute();
      await old.schema.alterTable('contacts').addColumn('f_owner', type === 'text' ? 'text' : 'double precision').execute();
      await (old as Kysely<any>).insertInto('contacts').values({ id: 'c1', email_norm: 'lee@example.com', created_at: T0, updated_at: T0, f_email: 'lee@example.com', f_owner: value }).execute();
    } finally {
      await old.destroy();
    }
    return location;
  }

  it('makes a custom text field "owner" the built-in one, its values kept', async () => {
    const location = await oldDatabase('text', 'ana@acme.com');
    const store = await Store.open(location);
    try {
      const field = await store.db.selectFrom('fields').selectAll().where('key', '=', 'owner').executeTakeFirstOrThrow();
      expect({ type: field.type, builtin: Number(field.builtin) }).toEqual({ type: 'text', builtin: 1 });
      const row = await (store.db as Kysely<any>).selectFrom('contacts').select(['id', 'f_owner']).execute();
      expect(row).toEqual([{ id: 'c1', f_owner: 'ana@acme.com' }]);
      // The other fields of the migration are there beside it.
      const keys = (await store.db.selectFrom('fields').select('key').where('key', 'in', ['qualification_status', 'qualification_reason']).execute()).map((r) => r.key).sort();
      expect(keys).toEqual(['qualification_reason', 'qualification_status']);
      expect(await store.db.selectFrom('users').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses to start over a custom number field "owner", in the migration\'s words, and changes nothing', async () => {
    const location = await oldDatabase('number', 42);
    const opened = Store.open(location);
    await expect(opened).rejects.toBeInstanceOf(DatabaseUnavailable);
    await expect(opened).rejects.toThrow('database migration 0012_teams failed: the custom field "owner" is a number field, and Scoremap now keeps "owner" as a built-in text field: rename or delete yours, then start again');
    const again: Kysely<any> = onPostgres ? await openPostgres(location) : openSqlite(location).db;
    try {
      expect(await again.selectFrom('contacts').select(['id', 'f_owner']).execute()).toEqual([{ id: 'c1', f_owner: 42 }]);
      const names = (await again.selectFrom('kysely_migration').select('name').execute()).map((r: { name: string }) => r.name);
      expect(names).not.toContain('0012_teams');
      expect(names).toContain('0011_report_indexes');
    } finally {
      await again.destroy();
    }
  });
});
