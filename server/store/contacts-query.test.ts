import { afterEach, describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../engine/conditions.js';
import type { Condition } from '../../engine/schema/condition.js';
import { FieldRegistry, type FieldDef } from '../../engine/schema/field.js';
import type { FieldValue } from '../../engine/elements/types.js';
import { Store } from './store.js';
import { openTestStore } from './testing.js';
import { FilterError, decodeCursor, encodeCursor, queryContacts, type ContactQuery } from './contacts-query.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

type Row = { id: string; fields: Record<string, FieldValue>; tags?: string[] };
const ROWS: Row[] = [
  { id: 'a', fields: { email: 'ann@x.com', company: 'Acme', score: 50, last_activity_at: NOW - 2 * DAY, vip: true, company_size: 10 }, tags: ['VIP', 'lead'] },
  { id: 'b', fields: { email: 'bob@x.com', company: 'acme corp', score: 80.5, last_activity_at: NOW - 40 * DAY, vip: false }, tags: ['lead'] },
  { id: 'c', fields: { email: 'cat@y.org', company: '100% Real_Deal', score: 50, last_activity_at: NOW - 30 * DAY } },
  { id: 'd', fields: { email: 'dan@y.org', company: '', score: 0 }, tags: [' customer '] },
  { id: 'e', fields: { email: 'eve@z.net', company: 'Zeta' } },
  { id: 'f', fields: { company: 'beta', score: -3, last_activity_at: NOW } },
  { id: 'g', fields: { score: 80.5, company: 'ACME' } },
];

async function bench() {
  const store = await openTestStore();
  stores.push(store);
  await store.createFields([{ key: 'vip', label: 'VIP', type: 'boolean' }], NOW);
  const defs = await store.listFields();
  const fields = new FieldRegistry(defs);
  await store.insertContacts(ROWS.map((r) => ({ id: r.id, fields: r.fields, tags: r.tags ?? [], createdAt: NOW - DAY })));
  const all = defs.filter((f) => f.type !== 'tags');
  const query = (q: Partial<ContactQuery> = {}) =>
    queryContacts(store.db, { sort: fields.get('score')!, dir: 'desc', resolve: (n) => fields.resolve(n), columns: all, limit: 100, now: NOW, ...q });
  const ids = async (q: Partial<ContactQuery> = {}) => (await query(q)).contacts.map((c) => c.id);
  return { store, fields, query, ids, sortBy: (key: string): FieldDef => fields.get(key)! };
}

/** What a map's condition says about the same contacts: the engine's own evaluator. */
function expected(fields: FieldRegistry, c: Condition): string[] {
  return ROWS.filter((r) => {
    const values: Record<string, FieldValue> = { ...r.fields, created_at: NOW - DAY };
    return evaluateCondition(c, { now: NOW, fields, get: (k) => (k === 'tags' ? (r.tags ?? []) : (values[k] ?? null)) });
  }).map((r) => r.id).sort();
}

describe('queryContacts: sorting and paging', () => {
  it('sorts by score, highest first, empty scores last, ties by id', async () => {
    const { ids } = await bench();
    expect(await ids()).toEqual(['b', 'g', 'a', 'c', 'd', 'f', 'e']);
  });

  it('keeps empty values last in ascending order too', async () => {
    const { ids } = await bench();
    expect(await ids({ dir: 'asc' })).toEqual(['f', 'd', 'a', 'c', 'b', 'g', 'e']);
  });

  it('sorts text ignoring case', async () => {
    const { ids, sortBy } = await bench();
    // '' sorts first among values; "100%…" before letters; Acme/ACME/acme corp by lower(), ties by id.
    expect(await ids({ sort: sortBy('company'), dir: 'asc' })).toEqual(['d', 'c', 'a', 'g', 'b', 'f', 'e']);
  });

  it('pages with a cursor through every contact once, in order, across ties and empty values', async () => {
    const { query, ids } = await bench();
    for (const dir of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let after;
      for (let guard = 0; guard < 10; guard++) {
        const page = await query({ dir, limit: 2, after });
        expect(page.total).toBe(7);
        seen.push(...page.contacts.map((c) => c.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(seen).toEqual(await ids({ dir }));
    }
  });

  it('pages with an offset', async () => {
    const { ids } = await bench();
    expect(await ids({ limit: 3, offset: 2 })).toEqual(['a', 'c', 'd']);
    expect(await ids({ limit: 3, offset: 7 })).toEqual([]);
  });

  it('answers only the chosen fields, raw, and the tags', async () => {
    const { query, sortBy } = await bench();
    const page = await query({ columns: [sortBy('email'), sortBy('last_activity_at')], limit: 1 });
    expect(page.contacts).toEqual([{ id: 'b', fields: { email: 'bob@x.com', last_activity_at: NOW - 40 * DAY }, tags: ['lead'] }]);
  });

  it('turns cursors into strings and back, refusing one of another sort', () => {
    const s = encodeCursor('score', 'desc', { value: 80.5, id: 'g' });
    expect(decodeCursor(s, 'score', 'desc')).toEqual({ value: 80.5, id: 'g' });
    expect(decodeCursor(s, 'score', 'asc')).toBeNull();
    expect(decodeCursor('not-a-cursor', 'score', 'desc')).toBeNull();
    expect(decodeCursor(Buffer.from('["score","desc",{},"g"]').toString('base64url'), 'score', 'desc')).toBeNull();
  });
});

const FILTERS: [string, Condition, string[]][] = [
  ['eq on a number (an empty number reads as 0)', { field: 'score', op: 'eq', value: 0 }, ['d', 'e']],
  ['eq on text, ignoring case', { field: 'Company', op: 'eq', value: 'acme' }, ['a', 'g']],
  ['neq on text', { field: 'company', op: 'neq', value: 'ACME' }, ['b', 'c', 'd', 'e', 'f']],
  ['gt', { field: 'score', op: 'gt', value: 50 }, ['b', 'g']],
  ['gte', { field: 'score', op: 'gte', value: '50' }, ['a', 'b', 'c', 'g']],
  ['lt', { field: 'score', op: 'lt', value: 0 }, ['f']],
  ['lte', { field: 'score', op: 'lte', value: 0 }, ['d', 'e', 'f']],
  ['contains, ignoring case', { field: 'company', op: 'contains', value: 'CME' }, ['a', 'b', 'g']],
  ['contains with LIKE wildcards taken literally', { field: 'company', op: 'contains', value: '0% real_' }, ['c']],
  ['contains "_" matches only "_"', { field: 'company', op: 'contains', value: '_' }, ['c']],
  ['contains "%" matches only "%"', { field: 'company', op: 'contains', value: '%' }, ['c']],
  ['contains a backslash literally', { field: 'company', op: 'contains', value: '\\' }, []],
  ['not_contains (empty text contains nothing)', { field: 'company', op: 'not_contains', value: 'acme' }, ['c', 'd', 'e', 'f']],
  ['starts_with', { field: 'email', op: 'starts_with', value: 'B' }, ['b']],
  ['in', { field: 'company', op: 'in', value: ['zeta', 'Beta'] }, ['e', 'f']],
  ['in on numbers', { field: 'score', op: 'in', value: [50, -3] }, ['a', 'c', 'f']],
  ['is_empty (empty text counts)', { field: 'company', op: 'is_empty' }, ['d']],
  ['is_empty on a number', { field: 'score', op: 'is_empty' }, ['e']],
  ['not_empty', { field: 'email', op: 'not_empty' }, ['a', 'b', 'c', 'd', 'e']],
  ['has_tag, ignoring case and spaces', { field: 'tags', op: 'has_tag', value: 'vip' }, ['a']],
  ['has_tag trims the stored tag', { field: 'tags', op: 'has_tag', value: 'Customer' }, ['d']],
  ['tags is_empty', { field: 'tags', op: 'is_empty' }, ['c', 'e', 'f', 'g']],
  ['on_or_before_days_ago', { field: 'last_activity_at', op: 'on_or_before_days_ago', value: 30 }, ['b', 'c']],
  ['within_last_days', { field: 'Last activity', op: 'within_last_days', value: 30 }, ['a', 'c', 'f']],
  ['eq on a date', { field: 'last_activity_at', op: 'eq', value: new Date(NOW).toISOString() }, ['f']],
  ['gt on a date', { field: 'last_activity_at', op: 'gt', value: '2026-02-01' }, ['a', 'f']],
  ['neq on a date (an empty date is not equal)', { field: 'last_activity_at', op: 'neq', value: NOW }, ['a', 'b', 'c', 'd', 'e', 'g']],
  ['eq on true/false (empty reads as false)', { field: 'vip', op: 'eq', value: false }, ['b', 'c', 'd', 'e', 'f', 'g']],
  ['eq true', { field: 'VIP', op: 'eq', value: 'true' }, ['a']],
  ['all', { all: [{ field: 'score', op: 'gte', value: 50 }, { field: 'tags', op: 'has_tag', value: 'lead' }] }, ['a', 'b']],
  ['any', { any: [{ field: 'score', op: 'lt', value: 0 }, { field: 'email', op: 'contains', value: 'z.net' }] }, ['e', 'f']],
  ['not (two-valued: empty values flip too)', { not: { field: 'last_activity_at', op: 'within_last_days', value: 30 } }, ['b', 'd', 'e', 'g']],
  ['not of not_empty on tags', { not: { field: 'tags', op: 'not_empty' } }, ['c', 'e', 'f', 'g']],
  ['all of nothing holds', { all: [] }, ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
  ['any of nothing does not', { any: [] }, []],
];

describe('queryContacts: filters mean what they mean in a map', () => {
  it.each(FILTERS)('%s', async (_name, filter, want) => {
    const { ids, query, fields } = await bench();
    const got = (await ids({ filter })).sort();
    expect(got).toEqual(want);
    // The engine's evaluator agrees on the same contacts.
    expect(got).toEqual(expected(fields, filter));
    expect((await query({ filter, limit: 1 })).total).toBe(want.length);
  });

  it('compares text ignoring case beyond ASCII, as the engine does', async () => {
    const { ids, store } = await bench();
    await store.insertContacts([{ id: 'h', fields: { company: 'Émile Ölander' }, tags: ['Ünique'], createdAt: NOW }]);
    expect(await ids({ filter: { field: 'company', op: 'eq', value: 'ÉMILE ÖLANDER' } })).toEqual(['h']);
    expect(await ids({ filter: { field: 'company', op: 'contains', value: 'öLAN' } })).toEqual(['h']);
    expect(await ids({ filter: { field: 'company', op: 'starts_with', value: 'émile' } })).toEqual(['h']);
    expect(await ids({ filter: { field: 'tags', op: 'has_tag', value: 'ünique' } })).toEqual(['h']);
  });

  it('refuses tests that need an event or a change, and unknown fields', async () => {
    const { query } = await bench();
    await expect(query({ filter: { prop: 'url', op: 'contains', value: 'x' } })).rejects.toThrow(FilterError);
    await expect(query({ filter: { field: 'score', op: 'crossed_above', value: 5 } })).rejects.toThrow(/not usable in a contacts filter/);
    await expect(query({ filter: { not: { field: 'nope', op: 'eq', value: 1 } } })).rejects.toThrow(/Unknown field "nope"/);
  });
});
