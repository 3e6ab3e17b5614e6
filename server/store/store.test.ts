import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_FIELDS } from '../../engine/schema/field.js';
import { migrate } from './migrations.js';
import { Store } from './store.js';
import { TEST_POSTGRES, TEST_SCHEMA_PREFIX, dropSchemas, onPostgres, openTestStore } from './testing.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scoremap-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('opening', () => {
  it('creates the folder and the database readable by their owner only', async () => {
    const path = join(dir, 'data', 'scoremap.db');
    const store = await Store.open(path);
    await store.close();
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('creates the parent folder, turns WAL on and migrates a file once (opening twice is a no-op)', async () => {
    const path = join(dir, 'nested', 'data', 'scoremap.db');
    const first = await Store.open(path);
    await first.createFields([{ key: 'lead_points', label: 'Lead points', type: 'number', decimals: 2 }], 1000);
    await first.insertContacts([{ id: 'c1', fields: { email: 'a@example.com', lead_points: 1.25 }, tags: ['x'], createdAt: 5 }]);
    await first.setMeta('token', 'abc');
    await first.close();

    const second = await Store.open(path, { durable: true });
    expect(await second.getMeta('token')).toBe('abc');
    expect((await second.loadContacts(['c1'])).get('c1')?.fields.lead_points).toBe(1.25);
    const migrations = await sql<{ name: string }>`select name from kysely_migration`.execute(second.db);
    expect(migrations.rows.map((r) => r.name)).toEqual(['0001_init', '0002_scoring', '0003_due_order', '0004_rule_points', '0005_jobs_done', '0006_keys_webhooks', '0007_identities', '0008_delivery_heads', '0009_ledger', '0010_model_versions', '0011_report_indexes', '0012_teams']);
    const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(second.db);
    expect(synchronous.rows[0].synchronous).toBe(2); // FULL when durable
    await second.close();

    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('opens an in-memory database with every built-in field', async () => {
    const store = await openTestStore();
    const fields = await store.listFields();
    expect(fields.map((f) => f.key)).toEqual(BUILTIN_FIELDS.map((f) => f.key));
    expect(fields.every((f) => f.builtin)).toBe(true);
    expect(fields.find((f) => f.key === 'score')).toEqual({ key: 'score', label: 'Score', type: 'number', decimals: 3, builtin: true });
    await store.close();
  });

  it('migrating an up-to-date database again changes nothing', async () => {
    const store = await openTestStore();
    await store.insertContacts([{ id: 'c1', fields: { score: 3 }, tags: [], createdAt: 1 }]);
    await migrate(store.db);
    expect(await store.contactCount()).toBe(1);
    await store.close();
  });

  it('adds a built-in field that an older database lacks', async () => {
    const path = join(dir, 'old.db');
    await (await Store.open(path)).close();
    const raw = new Database(path);
    raw.exec(`delete from fields where key = 'country'; alter table contacts drop column f_country;`);
    raw.close();

    const store = await Store.open(path);
    expect((await store.listFields()).find((f) => f.key === 'country')).toEqual({ key: 'country', label: 'Country', type: 'text', builtin: true });
    await store.insertContacts([{ id: 'c1', fields: { country: 'NZ' }, tags: [], createdAt: 1 }]);
    expect((await store.loadContacts(['c1'])).get('c1')?.fields.country).toBe('NZ');
    await store.close();
  });

  it('keeps and reads settings', async () => {
    const store = await openTestStore();
    expect(await store.getMeta('missing')).toBeNull();
    await store.setMeta('k', 'v1');
    await store.setMeta('k', 'v2');
    expect(await store.getMeta('k')).toBe('v2');
    await store.close();
  });
});

describe.runIf(onPostgres)('migrating beside other schemas (PostgreSQL)', () => {
  it('reads only its own schema, so a neighbour dropping a schema meanwhile cannot fail it', async () => {
    const store = await openTestStore();
    try {
      // A neighbour's schema, with the bookkeeping table Kysely looks for: it must not be seen.
      const other = `${TEST_SCHEMA_PREFIX}neighbour_${process.pid}`;
      await sql.raw(`create schema if not exists ${other}; create table if not exists ${other}.kysely_migration (name text)`).execute(store.db);
      try {
        const tables = await store.db.introspection.getTables();
        const own = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0].s;
        expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([own]));
        expect(tables.map((t) => t.name)).toContain('contacts');
        // Migrating again while the neighbour's schema comes and goes is a no-op, every time.
        const churn = (async () => {
          for (let i = 0; i < 20; i++) {
            await sql.raw(`drop schema if exists ${other} cascade; create schema ${other}`).execute(store.db);
          }
        })();
        for (let i = 0; i < 20; i++) await migrate(store.db);
        await churn;
      } finally {
        await dropSchemas(TEST_POSTGRES, other, () => true);
      }
    } finally {
      await store.close();
    }
  });
});

describe('fields', () => {
  it('adds a typed column per custom field, skips a known key of the same type and refuses another type', async () => {
    const store = await openTestStore();
    await store.createFields(
      [
        { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 },
        { key: 'renewal_on', label: 'Renewal on', type: 'date' },
        { key: 'vip', label: 'VIP', type: 'boolean', default: false },
        { key: 'segment', label: 'Segment', type: 'text', default: 'smb' },
      ],
      2000,
    );
    await store.createFields([{ key: 'vip', label: 'Very important', type: 'boolean' }], 3000);
    await expect(store.createFields([{ key: 'vip', label: 'VIP', type: 'number' }], 3000)).rejects.toThrow(
      "field 'vip' already exists as a boolean field; it cannot be redefined as number",
    );
    await expect(store.createFields([{ key: 'other', label: 'custom lead SCORE', type: 'number' }], 3000)).rejects.toThrow(/already used by field 'custom_lead_score'/);

    const fields = await store.listFields();
    expect(fields.slice(BUILTIN_FIELDS.length)).toEqual([
      { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 },
      { key: 'renewal_on', label: 'Renewal on', type: 'date' },
      { key: 'segment', label: 'Segment', type: 'text', default: 'smb' },
      { key: 'vip', label: 'VIP', type: 'boolean', default: false },
    ]);
    const pg = store.dialect.name === 'postgres';
    const columns = pg
      ? await sql<{ name: string; type: string }>`select column_name as name, data_type as type from information_schema.columns where table_name = 'contacts' and table_schema = current_schema()`.execute(store.db)
      : await sql<{ name: string; type: string }>`pragma table_info(contacts)`.execute(store.db);
    const types = Object.fromEntries(columns.rows.map((c) => [c.name, c.type.toLowerCase()]));
    expect(types).toMatchObject({ f_custom_lead_score: 'double precision', f_renewal_on: 'bigint', f_vip: 'integer', f_segment: 'text' });
    expect(types.f_tags).toBeUndefined();
    const indexes = pg
      ? await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'contacts' and schemaname = current_schema()`.execute(store.db)
      : await sql<{ name: string }>`pragma index_list(contacts)`.execute(store.db);
    expect(indexes.rows.map((i) => i.name)).toEqual(
      expect.arrayContaining(['contacts_f_custom_lead_score_idx', 'contacts_f_renewal_on_idx', 'contacts_f_score_idx', 'contacts_f_last_activity_at_idx']),
    );
    await store.close();
  });

  it('creates none of a batch when one of them is refused', async () => {
    const store = await openTestStore();
    await expect(
      store.createFields(
        [
          { key: 'fine', label: 'Fine', type: 'number' },
          { key: 'score', label: 'Score again', type: 'text' },
        ],
        1,
      ),
    ).rejects.toThrow(/already exists as a number field/);
    expect((await store.listFields()).some((f) => f.key === 'fine')).toBe(false);
    await expect(store.writeContacts([{ id: 'c', values: { fine: 1 } }], 1)).rejects.toThrow("'fine' is not a known field");
    await store.close();
  });

  it('refuses a key that is not a valid identifier before it reaches SQL', async () => {
    const store = await openTestStore();
    await expect(store.createFields([{ key: 'x"; drop table contacts; --', label: 'Bad', type: 'text' }], 1)).rejects.toThrow(/not a valid field key/);
    await store.close();
  });
});

describe('maps', () => {
  it('numbers maps in creation order, saves drafts with optimistic concurrency and keeps versions', async () => {
    const store = await openTestStore();
    const a = await store.insertMap({ id: 'a', name: 'A', doc: { name: 'A', elements: [] }, now: 10 });
    const b = await store.insertMap({ id: 'b', name: 'B', doc: { name: 'B' }, now: 11 });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a).toEqual({ id: 'a', seq: 1, name: 'A', status: 'draft', doc: { name: 'A', elements: [] }, rev: 1, version: null, createdAt: 10, updatedAt: 10 });

    const saved = await store.updateDraft('a', { name: 'A2' }, 'A2', 1, 20);
    expect(saved).toMatchObject({ name: 'A2', rev: 2, doc: { name: 'A2' }, updatedAt: 20 });
    expect(await store.updateDraft('a', { name: 'stale' }, 'stale', 1, 21)).toBe('conflict');
    expect(await store.updateDraft('nope', {}, 'x', 1, 21)).toBeNull();

    await store.insertVersion('a', 1, { name: 'A2', v: 1 }, 30);
    await store.insertVersion('a', 2, { name: 'A2', v: 2 }, 40);
    await store.setMapState('a', { status: 'published', version: 2 }, 40);
    expect(await store.getMap('a')).toMatchObject({ status: 'published', version: 2, rev: 2 });
    await store.setMapState('a', { status: 'paused' }, 50);
    expect(await store.getMap('a')).toMatchObject({ status: 'paused', version: 2 });
    expect(await store.getVersion('a', 1)).toEqual({ name: 'A2', v: 1 });
    expect(await store.getVersion('a', 3)).toBeNull();
    expect(await store.listVersions('a')).toEqual([
      { version: 1, publishedAt: 30, author: null },
      { version: 2, publishedAt: 40, author: null },
    ]);
    expect((await store.listMaps()).map((m) => m.id)).toEqual(['a', 'b']);
    await store.close();
  });

  it('deleting a map deletes its versions, positions, date timers, schedules and stats, and nothing of other maps', async () => {
    const store = await openTestStore();
    await store.insertContacts([{ id: 'c1', fields: { last_activity_at: 1000 }, tags: [], createdAt: 1 }]);
    for (const id of ['gone', 'kept']) {
      await store.insertMap({ id, name: id, doc: {}, now: 1 });
      await store.insertVersion(id, 1, {}, 2);
      await store.upsertPositions([{ mapId: id, contactId: 'c1', elementId: 'w', version: 1, enteredAt: 1, dueAt: 5, timeoutAt: null, onCondition: false, stuck: false }]);
      await store.armDateTimers(id, 'd', 'last_activity_at', 10);
      await store.upsertSchedules([{ mapId: id, elementId: 's', nextAt: 100 }]);
      await store.bumpStats([{ mapId: id, elementId: 'w', wereHere: 1, errors: 0, at: 1 }]);
    }
    await store.deleteMap('gone');
    expect(await store.getMap('gone')).toBeNull();
    expect(await store.listVersions('gone')).toEqual([]);
    expect(await store.getStats('gone')).toEqual({});
    expect(await store.getSchedules('gone')).toEqual([]);
    expect(await store.dueDateTimers('gone', 1e12, 10)).toEqual([]);
    expect(await store.nextDuePosition(['gone'])).toBeNull();

    expect(await store.getStats('kept')).toEqual({ w: { hereNow: 1, wereHere: 1, errors: 0, lastError: null, lastErrorAt: null } });
    expect(await store.getSchedules()).toEqual([{ mapId: 'kept', elementId: 's', nextAt: 100 }]);
    expect(await store.dueDateTimers('kept', 1e12, 10)).toHaveLength(1);
    expect([...(await store.loadContacts(['c1'])).get('c1')!.positions.keys()]).toEqual(['kept']);
    await store.close();
  });
});

describe('transactions', () => {
  it('rolls everything back when the function throws, and joins an outer transaction when nested', async () => {
    const store = await openTestStore();
    await expect(
      store.transaction(async (s) => {
        await s.createFields([{ key: 'temp', label: 'Temp', type: 'number' }], 1);
        await s.insertContacts([{ id: 'c1', fields: { temp: 3 }, tags: ['t'], createdAt: 1 }]);
        await s.insertMap({ id: 'm', name: 'M', doc: {}, now: 1 });
        await s.transaction(async (inner) => {
          expect(inner).toBe(s);
          await inner.insertHistory([{ contactId: 'c1', at: 1, field: 'temp', from: null, to: 3, cause: { api: true } }]);
        });
        expect(await s.contactCount()).toBe(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');

    expect(await store.contactCount()).toBe(0);
    expect(await store.listMaps()).toEqual([]);
    expect(await store.contactHistory('c1')).toEqual([]);
    expect((await store.listFields()).some((f) => f.key === 'temp')).toBe(false);
    // The rolled-back field is not in the catalog either: writing it is refused.
    await store.insertContacts([{ id: 'c2', fields: {}, tags: [], createdAt: 1 }]);
    await expect(store.writeContacts([{ id: 'c2', values: { temp: 1 } }], 2)).rejects.toThrow("'temp' is not a known field");
    await store.close();
  });

  it('commits the result of the function', async () => {
    const store = await openTestStore();
    const n = await store.transaction(async (s) => {
      await s.createFields([{ key: 'kept', label: 'Kept', type: 'text' }], 1);
      await s.insertContacts([{ id: 'c1', fields: { kept: 'yes' }, tags: [], createdAt: 1 }]);
      return s.contactCount();
    });
    expect(n).toBe(1);
    expect((await store.loadContacts(['c1'])).get('c1')?.fields.kept).toBe('yes');
    await store.close();
  });
});
