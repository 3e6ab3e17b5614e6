import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FieldValue } from '../../engine/elements/types.js';
import { Store } from './store.js';
import { openTestStore } from './testing.js';

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
  await store.createFields(
    [
      { key: 'points', label: 'Points', type: 'number', decimals: 3 },
      { key: 'renewal_on', label: 'Renewal on', type: 'date' },
      { key: 'vip', label: 'VIP', type: 'boolean' },
      { key: 'note', label: 'Note', type: 'text' },
    ],
    1,
  );
});
afterEach(async () => {
  await store.close();
});

describe('contacts', () => {
  it('round-trips numbers, text, dates, booleans and tags, and omits empty fields', async () => {
    await store.insertContacts([
      {
        id: 'ann',
        fields: { email: ' Ann@Example.com ', first_name: 'Ann', company_size: 250, points: 12.345, renewal_on: Date.UTC(2026, 0, 2), vip: true, note: '' },
        tags: ['customer', 'beta', 'customer'],
        createdAt: 1000,
      },
      { id: 'bob', fields: { vip: false, points: null, note: null }, tags: [], createdAt: 2000 },
    ]);
    const loaded = await store.loadContacts(['ann', 'bob', 'nobody', 'ann']);
    expect([...loaded.keys()].sort()).toEqual(['ann', 'bob']);
    expect(loaded.get('ann')).toEqual({
      id: 'ann',
      fields: {
        email: ' Ann@Example.com ',
        first_name: 'Ann',
        company_size: 250,
        points: 12.345,
        renewal_on: Date.UTC(2026, 0, 2),
        vip: true,
        note: '',
        created_at: 1000,
      },
      tags: ['beta', 'customer'],
      positions: new Map(),
    });
    expect(loaded.get('bob')?.fields).toEqual({ vip: false, created_at: 2000 });
    expect(await store.contactCount()).toBe(2);
  });

  it('keeps a created_at given by an import', async () => {
    await store.insertContacts([{ id: 'old', fields: { created_at: 5 }, tags: [], createdAt: 9000 }]);
    expect((await store.loadContacts(['old'])).get('old')?.fields.created_at).toBe(5);
  });

  it('refuses unknown fields, tags as a field and values of the wrong type, with the field named', async () => {
    await expect(store.insertContacts([{ id: 'x', fields: { nope: 1 }, tags: [], createdAt: 1 }])).rejects.toThrow("'nope' is not a known field");
    await expect(store.insertContacts([{ id: 'x', fields: { tags: ['a'] }, tags: [], createdAt: 1 }])).rejects.toThrow(/addTags/);
    await expect(store.insertContacts([{ id: 'x', fields: { points: 'ten' }, tags: [], createdAt: 1 }])).rejects.toThrow(
      `field 'points' is a number field and cannot hold "ten"`,
    );
    await expect(store.writeContacts([{ id: 'x', values: { vip: 1 } }], 1)).rejects.toThrow(`field 'vip' is a boolean field`);
    expect(await store.contactCount()).toBe(0);
  });

  it('keeps emails unique ignoring case and spaces, allows many contacts without one, and finds ids by email', async () => {
    await store.insertContacts([
      { id: 'a', fields: { email: 'Ann@Example.com' }, tags: [], createdAt: 1 },
      { id: 'b', fields: {}, tags: [], createdAt: 1 },
      { id: 'c', fields: { email: '  ' }, tags: [], createdAt: 1 },
      { id: 'd', fields: { email: null }, tags: [], createdAt: 1 },
    ]);
    await expect(store.insertContacts([{ id: 'e', fields: { email: ' ann@EXAMPLE.com' }, tags: [], createdAt: 1 }])).rejects.toThrow(/UNIQUE|unique/);
    await expect(store.writeContacts([{ id: 'b', values: { email: 'ANN@example.com' } }], 2)).rejects.toThrow(/UNIQUE|unique/);

    const found = await store.findIdsByEmail(['ANN@example.com ', 'nobody@example.com', '']);
    expect([...found]).toEqual([['ann@example.com', 'a']]);

    // Changing an email moves the uniqueness with it.
    await store.writeContacts([{ id: 'a', values: { email: 'ann@new.example' } }], 3);
    await store.writeContacts([{ id: 'b', values: { email: 'Ann@Example.com' } }], 3);
    expect([...(await store.findIdsByEmail(['ann@example.com', 'ANN@NEW.EXAMPLE']))].sort()).toEqual([
      ['ann@example.com', 'b'],
      ['ann@new.example', 'a'],
    ]);
  });

  it('writes rows with different key sets, touching only the columns each row names', async () => {
    await store.insertContacts([
      { id: 'a', fields: { points: 1, note: 'keep', vip: true }, tags: [], createdAt: 1 },
      { id: 'b', fields: { points: 2, note: 'keep b' }, tags: [], createdAt: 1 },
      { id: 'c', fields: { points: 3 }, tags: [], createdAt: 1 },
    ]);
    await store.writeContacts(
      [
        { id: 'a', values: { points: 10 } },
        { id: 'b', values: { note: 'changed', vip: false } },
        { id: 'c', values: { vip: true, note: null } },
        { id: 'a', values: { points: 11 } }, // the later write wins
        { id: 'b', values: {} },
      ],
      50,
    );
    const loaded = await store.loadContacts(['a', 'b', 'c']);
    expect(loaded.get('a')?.fields).toEqual({ points: 11, note: 'keep', vip: true, created_at: 1 });
    expect(loaded.get('b')?.fields).toEqual({ points: 2, note: 'changed', vip: false, created_at: 1 });
    expect(loaded.get('c')?.fields).toEqual({ points: 3, vip: true, created_at: 1 });
    const updated = await store.db.selectFrom('contacts').select(['id', 'updated_at']).orderBy('id').execute();
    expect(updated).toEqual([
      { id: 'a', updated_at: 50 },
      { id: 'b', updated_at: 50 },
      { id: 'c', updated_at: 50 },
    ]);
  });

  it('adds and removes tags idempotently', async () => {
    await store.insertContacts([
      { id: 'a', fields: {}, tags: ['x'], createdAt: 1 },
      { id: 'b', fields: {}, tags: [], createdAt: 1 },
    ]);
    await store.addTags([
      { contactId: 'a', tag: 'x' },
      { contactId: 'a', tag: 'y' },
      { contactId: 'b', tag: 'y' },
      { contactId: 'b', tag: 'y' },
    ]);
    await store.removeTags([
      { contactId: 'a', tag: 'x' },
      { contactId: 'b', tag: 'absent' },
    ]);
    const loaded = await store.loadContacts(['a', 'b']);
    expect(loaded.get('a')?.tags).toEqual(['y']);
    expect(loaded.get('b')?.tags).toEqual(['y']);
  });

  it('deletes a contact with its tags, positions, timers, history and events', async () => {
    await store.insertContacts([
      { id: 'a', fields: { renewal_on: 100 }, tags: ['t'], createdAt: 1 },
      { id: 'b', fields: { renewal_on: 100 }, tags: ['t'], createdAt: 1 },
    ]);
    for (const id of ['a', 'b']) {
      await store.upsertPositions([{ mapId: 'm', contactId: id, elementId: 'w', version: 1, enteredAt: 1, dueAt: 9, timeoutAt: null, onCondition: false, stuck: false }]);
      await store.insertHistory([{ contactId: id, at: 1, field: 'renewal_on', from: null, to: 100, cause: { api: true } }]);
      await store.insertEvents([{ id: `e-${id}`, contactId: id, type: 'email_opened', at: 1, props: null, acceptedAt: 1 }]);
    }
    await store.armDateTimers('m', 'd', 'renewal_on', 0);
    expect(await store.deleteContact('a')).toBe(true);
    expect(await store.deleteContact('a')).toBe(false);

    expect((await store.loadContacts(['a', 'b'])).size).toBe(1);
    expect(await store.contactHistory('a')).toEqual([]);
    expect([...(await store.existingEventIds(['e-a', 'e-b']))]).toEqual(['e-b']);
    expect((await store.dueDateTimers('m', 1e12, 10)).map((t) => t.contactId)).toEqual(['b']);
    expect(await store.positionsByElement('m')).toEqual({ w: 1 });
    expect(await store.db.selectFrom('contact_tags').selectAll().execute()).toEqual([{ contact_id: 'b', tag: 't' }]);
  });

  it('pages through contact ids in id order', async () => {
    await store.insertContacts(['c', 'a', 'b', 'd'].map((id) => ({ id, fields: {}, tags: [], createdAt: 1 })));
    expect(await store.contactIdsAfter(null, 3)).toEqual(['a', 'b', 'c']);
    expect(await store.contactIdsAfter('c', 3)).toEqual(['d']);
  });
});

describe('chunking', () => {
  /** A store that records every statement's SQL and parameter count. */
  async function watched(): Promise<{ store: Store; statements: { sql: string; params: number }[] }> {
    const statements: { sql: string; params: number }[] = [];
    const s = await Store.open(':memory:', {
      log: (e) => {
        if (e.level === 'query') statements.push({ sql: e.query.sql, params: e.query.parameters.length });
      },
    });
    return { store: s, statements };
  }

  it('handles 2,000 contacts in statements of at most 500 rows', async () => {
    const { store: s, statements } = await watched();
    await s.createFields([{ key: 'points', label: 'Points', type: 'number' }, { key: 'vip', label: 'VIP', type: 'boolean' }, { key: 'note', label: 'Note', type: 'text' }], 1);
    const ids = Array.from({ length: 2000 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    statements.length = 0;
    await s.insertContacts(ids.map((id, i) => ({ id, fields: { email: `${id}@example.com`, points: i, note: `n${i}` }, tags: ['bulk'], createdAt: i })));
    expect(statements.filter((q) => q.sql.startsWith('insert into "contacts"'))).toHaveLength(4);
    expect(statements.filter((q) => q.sql.startsWith('insert into "contact_tags"'))).toHaveLength(4);

    statements.length = 0;
    await s.writeContacts(ids.map((id, i) => ({ id, values: i % 2 ? { points: i * 2 } : ({ vip: true, note: 'even' } as Record<string, FieldValue>) })), 9);
    // Existing contacts are updated in place, row by row on the transaction's connection: no insert.
    expect(statements.filter((q) => q.sql.startsWith('insert into "contacts"'))).toHaveLength(0);

    await s.addTags(ids.map((contactId) => ({ contactId, tag: 'more' })));
    await s.upsertPositions(ids.map((contactId, i) => ({ mapId: 'm', contactId, elementId: 'w', version: 1, enteredAt: 0, dueAt: 2000 - i, timeoutAt: null, onCondition: false, stuck: false })));
    await s.insertHistory(ids.map((contactId, i) => ({ contactId, at: i, field: 'points', from: null, to: i, cause: { import: true } })));
    await s.insertEvents(ids.map((id, i) => ({ id: `e${id}`, contactId: id, type: 'page_visited', at: i, props: { url: '/x' }, acceptedAt: i })));

    expect(await s.contactCount()).toBe(2000);
    statements.length = 0;
    const loaded = await s.loadContacts(ids);
    expect(statements).toHaveLength(16); // 4 chunks × (contacts, tags, positions, scoring rule states)
    expect(loaded.size).toBe(2000);
    expect(loaded.get('c0001')?.fields).toMatchObject({ points: 2, note: 'n1' });
    expect(loaded.get('c1998')?.fields).toMatchObject({ points: 1998, vip: true, note: 'even' });
    expect(loaded.get('c1999')?.tags).toEqual(['bulk', 'more']);
    expect(loaded.get('c1999')?.positions.get('m')?.dueAt).toBe(1);
    expect((await s.findIdsByEmail(ids.map((id) => `${id.toUpperCase()}@EXAMPLE.COM`))).size).toBe(2000);
    expect((await s.existingEventIds(ids.map((id) => `e${id}`))).size).toBe(2000);
    expect((await s.duePositions('m', 10, 5)).map((p) => p.contactId)).toEqual(['c1999', 'c1998', 'c1997', 'c1996', 'c1995']);
    expect((await s.contactHistory('c0007'))[0]).toMatchObject({ field: 'points', to: 7, cause: { import: true } });
    await s.removeTags(ids.map((contactId) => ({ contactId, tag: 'bulk' })));
    await s.deletePositions(ids.map((contactId) => ({ mapId: 'm', contactId })));
    expect(await s.positionsByElement('m')).toEqual({});
    expect((await s.loadContacts(['c0000'])).get('c0000')?.tags).toEqual(['more']);
    await s.close();
  });

  it('keeps a statement under 30,000 parameters when rows are wide', async () => {
    const { store: s, statements } = await watched();
    const keys = Array.from({ length: 80 }, (_, i) => `wide_${i}`);
    await s.createFields(keys.map((key) => ({ key, label: key, type: 'number' as const })), 1);
    const values = Object.fromEntries(keys.map((k, i) => [k, i]));
    statements.length = 0;
    await s.insertContacts(Array.from({ length: 1000 }, (_, i) => ({ id: `w${i}`, fields: values, tags: [], createdAt: 1 })));
    // Writing to ids that are not contacts yet creates them, in chunks too.
    await s.writeContacts(Array.from({ length: 1000 }, (_, i) => ({ id: `x${i}`, values })), 2);
    const inserts = statements.filter((q) => q.sql.startsWith('insert into "contacts"'));
    expect(inserts).toHaveLength(6); // about 85 parameters a row: 352 rows a statement, three statements for each 1,000
    expect(Math.max(...inserts.map((q) => q.params))).toBeLessThanOrEqual(30_000);
    expect((await s.loadContacts(['w999'])).get('w999')?.fields.wide_79).toBe(79);
    expect((await s.loadContacts(['x999'])).get('x999')?.fields).toMatchObject({ wide_79: 79, created_at: 2 });
    await s.close();
  });
});
