import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { T0, setup } from './testing.js';

const DAY = 86_400_000;

/** 23 contacts: scores with ties and empties, companies in mixed case, tags, activity dates. */
async function bench() {
  const b = await setup();
  const inputs = Array.from({ length: 23 }, (_, i) => ({
    id: `c${String(i).padStart(2, '0')}`,
    fields: {
      email: `user${i}@example.com`,
      company: ['Acme', 'beta', 'ACME corp', 'Zeta'][i % 4],
      // Every fifth contact has no score; others tie in pairs.
      ...(i % 5 === 0 ? {} : { score: Math.floor(i / 2) * 10 }),
      last_activity_at: new Date(T0 - i * DAY).toISOString(),
      tags: i % 3 === 0 ? ['vip'] : [],
    },
  }));
  await createContacts(b.rt, inputs, { api: true });
  const list = async (query = '') => b.send('GET', `/api/contacts${query ? `?${query}` : ''}`);
  const ids = async (query = '') => (await list(query)).body.contacts.map((c: { id: string }) => c.id);
  const q = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  return { ...b, list, ids, q };
}

describe('GET /api/contacts', () => {
  it('sorts by score, highest first, empty scores last, ties by id, with the total', async () => {
    const { list } = await bench();
    const r = await list('limit=500');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(23);
    expect(r.body.nextCursor).toBeUndefined();
    const scores = r.body.contacts.map((c: { fields: { score?: number } }) => c.fields.score ?? null);
    expect(scores.slice(0, 4)).toEqual([110, 100, 90, 90]);
    expect(scores.slice(-5)).toEqual([null, null, null, null, null]);
    expect(r.body.contacts.slice(0, 4).map((c: { id: string }) => c.id)).toEqual(['c22', 'c21', 'c18', 'c19']);
    expect(r.body.contacts.slice(-5).map((c: { id: string }) => c.id)).toEqual(['c00', 'c05', 'c10', 'c15', 'c20']);
    expect(r.body.contacts[1]).toEqual({
      id: 'c21',
      fields: expect.objectContaining({ email: 'user21@example.com', score: 100, last_activity_at: new Date(T0 - 21 * DAY).toISOString() }),
      tags: ['vip'],
    });
  });

  it('pages with a cursor: every contact once, in order, even when contacts are added between pages', async () => {
    const { list, ids, send } = await bench();
    const all = await ids('limit=500');
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.body.total).toBe(23 + (page > 0 ? 1 : 0));
      seen.push(...r.body.contacts.map((c: { id: string }) => c.id));
      if (page === 0) await send('POST', '/api/contacts', { id: 'late', fields: { score: 1_000 } }); // sorts before the first page
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(all);
  });

  it('pages with an offset, and sorts by any field by key or label', async () => {
    const { ids, q } = await bench();
    const all = await ids('limit=500');
    expect(await ids('limit=5&offset=5')).toEqual(all.slice(5, 10));
    // Text sorts ascending by default, ignoring case.
    const byCompany = await ids(q({ sort: 'Company', limit: 500 }));
    expect(byCompany.slice(0, 6)).toEqual(['c00', 'c04', 'c08', 'c12', 'c16', 'c20']);
    expect(byCompany.slice(6, 8)).toEqual(['c02', 'c06']);
    expect(await ids(q({ sort: 'last_activity_at', dir: 'asc', limit: 2 }))).toEqual(['c22', 'c21']);
  });

  it('answers only the fields asked for', async () => {
    const { list } = await bench();
    const r = await list('fields=email,Score&limit=1');
    expect(r.body.contacts).toEqual([{ id: 'c22', fields: { email: 'user22@example.com', score: 110 }, tags: [] }]);
  });

  it.each([
    ['eq', { field: 'company', op: 'eq', value: 'acme' }, 6],
    ['has_tag', { field: 'tags', op: 'has_tag', value: 'VIP' }, 8],
    ['within_last_days', { field: 'Last activity', op: 'within_last_days', value: 3 }, 4],
    ['on_or_before_days_ago', { field: 'last_activity_at', op: 'on_or_before_days_ago', value: 20 }, 3],
    ['contains', { field: 'email', op: 'contains', value: 'ER1' }, 11],
    ['in', { field: 'company', op: 'in', value: ['beta', 'zeta'] }, 11],
    ['is_empty', { field: 'score', op: 'is_empty' }, 5],
    ['all / not', { all: [{ field: 'score', op: 'gte', value: 50 }, { not: { field: 'tags', op: 'has_tag', value: 'vip' } }] }, 7],
  ])('filters with %s', async (_op, filter, count) => {
    const { list, q } = await bench();
    const r = await list(q({ filter: JSON.stringify(filter), limit: 500 }));
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(count);
    expect(r.body.contacts).toHaveLength(count);
  });

  it('counts the date filters from the clock\'s now', async () => {
    const { list, q, clock } = await bench();
    clock.set(T0 + 10 * DAY);
    const r = await list(q({ filter: JSON.stringify({ field: 'last_activity_at', op: 'within_last_days', value: 12 }) }));
    expect(r.body.total).toBe(3);
  });

  it.each([
    ['a filter that is not JSON', { filter: '{field:' }, /The filter is not valid JSON/],
    ['a filter that is not a condition', { filter: '[1]' }, /The filter is not valid/],
    ['an event prop test', { filter: JSON.stringify({ prop: 'url', op: 'eq', value: 'x' }) }, /not usable in a contacts filter/],
    ['a crossing test', { filter: JSON.stringify({ any: [{ field: 'score', op: 'crossed_above', value: 5 }] }) }, /"crossed_above" \(at any\.0\) is not usable in a contacts filter/],
    ['an unknown field in the filter', { filter: JSON.stringify({ field: 'shoe', op: 'eq', value: 1 }) }, /Unknown field "shoe"/],
    ['an op that does not fit the field', { filter: JSON.stringify({ field: 'score', op: 'contains', value: '1' }) }, /needs a text field; Score is a number/],
    ['a value that does not fit the field', { filter: JSON.stringify({ field: 'score', op: 'gt', value: 'high' }) }, /Score is a number; "high" is not a number/],
    ['a deeply nested filter', { filter: `${'{"not":'.repeat(100)}{"field":"score","op":"is_empty"}${'}'.repeat(100)}` }, /nests too deep/],
    ['sorting by tags', { sort: 'tags' }, /cannot be sorted by their tags/],
    ['sorting by an unknown field', { sort: 'shoe' }, /Unknown field "shoe" in sort/],
    ['an unknown field to answer', { fields: 'email,shoe' }, /Unknown field "shoe" in fields/],
    ['a broken cursor', { cursor: 'garbage' }, /cursor is not valid/],
    ['a cursor and an offset', { cursor: 'x', offset: 1 }, /either cursor or offset/],
    ['a limit of 0', { limit: 0 }, /limit/],
    ['a limit over 500', { limit: 501 }, /limit/],
    ['an unknown direction', { dir: 'up' }, /dir/],
    ['an unknown parameter', { sortby: 'score' }, /sortby/],
  ])('refuses %s with 400 in words', async (_name, params, message) => {
    const { list, q } = await bench();
    const r = await list(q(params));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
  });

  it('refuses a cursor of another sort order', async () => {
    const { list, q } = await bench();
    const { nextCursor } = (await list('limit=2')).body;
    const r = await list(q({ cursor: nextCursor, dir: 'asc' }));
    expect(r.status).toBe(400);
  });
});
