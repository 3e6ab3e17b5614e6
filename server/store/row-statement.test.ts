import { describe, expect, it } from 'vitest';
import { Store } from './store.js';
import { onPostgres, openTestStore, testDatabase } from './testing.js';
import { sql } from 'kysely';
import { RowStatement } from './row-statement.js';

/** Every row of the tables these writes touch, in a stable order. */
async function snapshot(s: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, by] of [['contacts', 'id'], ['positions', 'map_id, contact_id'], ['history', 'id'], ['events', 'id']]) {
    out[table] = (await sql`select * from ${sql.table(table)} order by ${sql.raw(by)}`.execute(s.db)).rows;
  }
  return out;
}

/** The same writes through both paths: direct prepared statements (SQLite) and Kysely (other dialects). */
async function writeAll(direct: boolean, location = ':memory:'): Promise<Record<string, unknown[]>> {
  const s = await Store.open(location, { direct });
  await s.createFields([{ key: 'points', label: 'Points', type: 'number' }], 1);
  await s.insertContacts([{ id: 'a', fields: { email: 'a@x.test', points: 1 }, tags: [], createdAt: 1 }]);
  await s.transaction(async (tx) => {
    // One existing contact updated, one unknown id created by the same write.
    await tx.writeContacts([{ id: 'a', values: { points: 5 } }, { id: 'b', values: { points: 7 } }], 2);
    const pos = { mapId: 'm', elementId: 'w', version: 1, enteredAt: 2, dueAt: 9, timeoutAt: null, onCondition: false, stuck: false };
    await tx.upsertPositions([{ ...pos, contactId: 'a' }, { ...pos, contactId: 'b', onCondition: true }]);
    // The second write of a position replaces the first.
    await tx.upsertPositions([{ ...pos, contactId: 'a', elementId: 'x', dueAt: 12, stuck: true }]);
    await tx.insertHistory([{ contactId: 'a', at: 2, field: 'points', from: 1, to: 5, cause: { api: true } }]);
    await tx.insertEvents([{ id: 'e1', contactId: 'a', type: 'click', at: 2, props: { url: '/' }, acceptedAt: 2 }]);
  });
  const snap = await snapshot(s);
  await s.close();
  return snap;
}

describe('hot statements', () => {
  it('write the same rows directly on SQLite as through Kysely', async () => {
    const direct = await writeAll(true);
    expect(direct).toEqual(await writeAll(false));
    expect(direct.contacts).toMatchObject([{ id: 'a', f_points: 5, updated_at: 2 }, { id: 'b', f_points: 7, created_at: 2 }]);
    expect(direct.positions).toMatchObject([{ contact_id: 'a', element_id: 'x', due_at: 12, stuck: 1 }, { contact_id: 'b', element_id: 'w', on_condition: 1 }]);
    expect(direct.events).toMatchObject([{ id: 'e1', contact_id: 'a', type: 'click' }]);
  });

  it.skipIf(!onPostgres)('write the same rows on PostgreSQL, many rows to a statement, as on SQLite one by one', async () => {
    expect(await writeAll(false, testDatabase())).toEqual(await writeAll(true));
    // Many rows at once keep their order (history ids) and the last write to a key wins.
    const s = await openTestStore();
    await s.insertContacts([{ id: 'a', fields: {}, tags: [], createdAt: 1 }, { id: 'b', fields: {}, tags: [], createdAt: 1 }]);
    const changes = Array.from({ length: 12_000 }, (_, i) => ({ contactId: i % 2 ? 'a' : 'b', at: i, field: 'score', from: i, to: i + 1, cause: { api: true as const } }));
    await s.transaction((tx) => tx.insertHistory(changes));
    const history = (await snapshot(s)).history as { at: number; id: number }[];
    expect(history.map((h) => h.at)).toEqual(changes.map((c) => c.at));
    expect(new Set(history.map((h) => h.id)).size).toBe(12_000);
    await s.transaction((tx) => tx.writeContacts([{ id: 'a', values: { score: 1 } }, { id: 'b', values: { score: 2 } }, { id: 'a', values: { score: 3 } }, { id: 'new', values: { score: 4 } }], 5));
    expect(((await snapshot(s)).contacts as { id: string; f_score: number }[]).map((c) => [c.id, c.f_score])).toEqual([['a', 3], ['b', 2], ['new', 4]]);
    await s.close();
  });

  it('write only what changed in a position whose stored row is known', async () => {
    const statements: string[] = [];
    const s = await Store.open(':memory:', { log: (e) => void statements.push(e.query.sql) });
    const at = { mapId: 'm', contactId: 'a', elementId: 'w', version: 1, enteredAt: 1, dueAt: 5, timeoutAt: null, onCondition: false, stuck: false };
    await s.writePositions([{ position: at, prior: null }]);
    statements.length = 0;
    const { contactId: _, ...prior } = at;
    const parkedAgain = { ...at, enteredAt: 5, dueAt: 9 };
    await s.writePositions([{ position: parkedAgain, prior }, { position: { ...at, contactId: 'b' }, prior: null }]);
    expect(statements.filter((q) => q.startsWith('update'))).toEqual(['update "positions" set "entered_at" = ?, "due_at" = ? where "map_id" = ? and "contact_id" = ?']);
    statements.length = 0;
    await s.writePositions([{ position: parkedAgain, prior: { ...prior, enteredAt: 5, dueAt: 9 } }]);
    expect(statements.filter((q) => /^(update|insert)/.test(q))).toEqual([]); // nothing changed: nothing written
    expect((await snapshot(s)).positions).toMatchObject([{ contact_id: 'a', entered_at: 5, due_at: 9, element_id: 'w' }, { contact_id: 'b', due_at: 5 }]);
    await s.close();
  });

  it('leave nothing behind when the transaction rolls back', async () => {
    const s = await openTestStore();
    await expect(
      s.transaction(async (tx) => {
        await tx.insertHistory([{ contactId: 'a', at: 1, field: 'email', from: null, to: 'a@x.test', cause: { api: true } }]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await snapshot(s)).history).toEqual([]);
    await s.close();
  });

  it('read by a list of any length the same as a Kysely in list, in and out of a transaction', async () => {
    const statements: string[] = [];
    const s = await openTestStore({ log: (e) => void statements.push(e.query.sql) });
    const ids = Array.from({ length: 700 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    await s.insertContacts(ids.map((id, i) => ({ id, fields: {}, tags: i % 3 ? [] : ['t'], createdAt: i })));
    const byIds = new RowStatement<{ ids: readonly string[]; since: number }>((db, p) =>
      db.selectFrom('contacts').select('id').where('created_at', '>=', p('since')).where('id', 'in', p.list('ids')).orderBy('id'));
    // Unknown ids, repeated ids, and lists of many lengths (each padded on SQLite).
    const asked = [['nobody'], ['c001'], ['c001', 'c001', 'c002'], ids.slice(0, 17), [...ids.slice(0, 600), 'x']];
    for (const list of asked) {
      const expected = (await s.db.selectFrom('contacts').select('id').where('id', 'in', list).where('created_at', '>=', 2).orderBy('id').execute()).map((r) => r.id);
      expect((await byIds.all<{ id: string }>(s.db, { ids: list, since: 2 })).map((r) => r.id)).toEqual(expected);
      expect(await s.transaction(async (tx) => (await byIds.all<{ id: string }>(tx.db, { ids: list, since: 2 })).map((r) => r.id))).toEqual(expected);
    }
    // not in, the same way.
    const others = new RowStatement<{ ids: readonly string[]; below: string }>((db, p) => db.selectFrom('contacts').select('id').where('id', 'not in', p.list('ids')).where('id', '<', p('below')).orderBy('id'));
    expect((await others.all<{ id: string }>(s.db, { ids: ['c001', 'c003', 'c003'], below: 'c005' })).map((r) => r.id)).toEqual(['c000', 'c002', 'c004']);
    // An empty list matches nothing.
    expect(await byIds.all(s.db, { ids: [], since: 0 })).toEqual([]);
    expect(await s.transaction((tx) => byIds.all(tx.db, { ids: [], since: 0 }))).toEqual([]);
    // A list parameter anywhere but the right side of in is refused when the statement is built.
    const wrong = new RowStatement<{ ids: readonly string[] }>((db, p) => db.selectFrom('contacts').select('id').where('id', '=', p.list('ids')));
    await expect(wrong.all(s.db, { ids: ['a'] })).rejects.toThrow(/right side of in/);
    // On SQLite a list is sent padded to a power of two (3 as 4, 17 as 32, 601 as 1,024; none as none), so its
    // texts stay few; on PostgreSQL every length is one array parameter.
    const texts = new Set(statements.filter((q) => q.includes('where "created_at" >=')));
    if (onPostgres) expect([...texts]).toEqual(['select "id" from "contacts" where "created_at" >= $1 and "id" = any($2) order by "id"']);
    else expect([...texts].map((q) => q.split('?').length - 2).sort((a, b) => a - b)).toEqual([0, 1, 4, 32, 1024]);
    await s.close();
  });
});
