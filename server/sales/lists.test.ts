import { describe, expect, it } from 'vitest';
import { addPerson, asPerson, signIn } from '../people/testing.js';
import { setup, T0 } from '../routes/testing.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const MODEL = { id: 'lead', name: 'Lead', field: 'score', rules: [], brackets: [{ name: 'Hot', min: 80 }, { name: 'Warm', min: 40 }, { name: 'Cold', min: 0 }] };

/**
 * Scores made by hand over 40 days, so each filter's answer is known. A contact that came within
 * the period is measured from the score it came with (not from nothing):
 *
 * | contact | score at T0 | change                      | now (T0+40d) | in the last 30 days |
 * |---------|-------------|-----------------------------|--------------|---------------------|
 * | a       | 60          | 70 at T0+5d                 | 70           | stayed              |
 * | b       | 40          | 30 at T0+20d                | 30           | fell                |
 * | c       | 20          | 50 at T0+20d                | 50           | rose                |
 * | d       | 10          | 5 at T0+5d                  | 5            | stayed (fell before) |
 * | e       | created at T0+30d with 85 |               | 85           | stayed (since it came) |
 * | f       | created at T0+32d with 60 | 25 at T0+35d    | 25           | fell (since it came) |
 */
async function bench() {
  const b = await setup();
  const { ok } = b;
  const to = (ms: number) => ok(b.send('POST', '/api/clock/advance', { to: iso(ms) }));
  const score = (id: string, s: number) => ok(b.send('PATCH', `/api/contacts/${id}`, { fields: { score: s } }));
  await ok(b.send('POST', '/api/scoring-models', MODEL));
  for (const [id, s, company] of [['a', 60, 'Acme'], ['b', 40, 'Acme'], ['c', 20, 'Beta'], ['d', 10, 'Acme']] as const) {
    await ok(b.send('POST', '/api/contacts', { id, fields: { email: `${id}@client.example`, score: s, company } }));
  }
  await to(T0 + 5 * DAY);
  await score('a', 70);
  await score('d', 5);
  await to(T0 + 20 * DAY);
  await score('b', 30);
  await score('c', 50);
  await to(T0 + 30 * DAY);
  await ok(b.send('POST', '/api/contacts', { id: 'e', fields: { email: 'e@client.example', score: 85, company: 'Beta' } }));
  await to(T0 + 32 * DAY);
  await ok(b.send('POST', '/api/contacts', { id: 'f', fields: { email: 'f@client.example', score: 60, company: 'Beta' } }));
  await to(T0 + 35 * DAY);
  await score('f', 25);
  await to(T0 + 40 * DAY);

  await addPerson(b.send, 'sales', 'sam@acme.test', 'Sam Seller');
  await addPerson(b.send, 'sales', 'sue@acme.test', 'Sue Seller');
  await addPerson(b.send, 'editor', 'eddie@acme.test', 'Eddie Editor');
  const sam = asPerson(b.app, await signIn(b.app, 'sam@acme.test'));
  const sue = asPerson(b.app, await signIn(b.app, 'sue@acme.test'));
  const editor = asPerson(b.app, await signIn(b.app, 'eddie@acme.test'));
  await ok(sam('PUT', '/api/contacts/b/owner', { owner: 'sam@acme.test' }));
  await ok(sam('PUT', '/api/contacts/e/owner', { owner: 'sam@acme.test' }));
  await ok(sue('PUT', '/api/contacts/c/owner', { owner: 'sue@acme.test' }));
  const ids = async (send: typeof sam, query: string) => (await send('GET', `/api/contacts?${query}`)).body.contacts.map((x: { id: string }) => x.id);
  return { ...b, sam, sue, editor, ids };
}

describe('saved lists (SPEC §12)', () => {
  it('count and open the contacts of each kind of filter, the score change read from the history', async () => {
    const b = await bench();
    const make = async (name: string, filters: unknown) => {
      const r = await b.sam('POST', '/api/lists', { name, filters });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string; count: number };
    };
    const fell = await make('Score fell in the last 30 days', { scoreChange: { direction: 'fell', days: 30 } });
    const rose = await make('Score rose in the last 30 days', { scoreChange: { modelId: 'lead', direction: 'rose', days: 30 } });
    const fellWeek = await make('Score fell this week', { scoreChange: { direction: 'fell', days: 7 } });
    const warm = await make('Warm', { bracket: { modelId: 'lead', bracket: 'warm' } });
    const hot = await make('Hot', { bracket: { modelId: 'lead', bracket: 'Hot' } });
    const mine = await make('My Acme leads', { owner: 'me', condition: { field: 'company', op: 'eq', value: 'acme' } });
    const nobodys = await make('Unowned', { owner: null });
    const sues = await make('Sue\'s', { owner: 'SUE@acme.test' });
    const everything = await make('Everyone', {});

    expect([fell.count, rose.count, fellWeek.count, warm.count, hot.count, mine.count, nobodys.count, sues.count, everything.count]).toEqual([2, 1, 1, 2, 1, 1, 3, 1, 6]);
    const open = (id: string, send = b.sam) => b.ids(send, `list=${id}`);
    expect(await open(fell.id)).toEqual(['b', 'f']);
    expect(await open(fellWeek.id)).toEqual(['f']);
    expect(await open(rose.id)).toEqual(['c']);
    expect(await open(warm.id)).toEqual(['a', 'c']);
    expect(await open(hot.id)).toEqual(['e']);
    expect(await open(mine.id)).toEqual(['b']);
    expect(await open(nobodys.id)).toEqual(['a', 'f', 'd']);
    expect(await open(sues.id)).toEqual(['c']);
    // "me" is whoever opens a shared list.
    expect(await open(mine.id, b.sue)).toEqual([]);
    expect((await b.sue('GET', `/api/lists/${mine.id}`)).body.count).toBe(0);

    // A list pages and sorts as the contacts list does, and takes a filter on top.
    const first = await b.sam('GET', `/api/contacts?list=${everything.id}&sort=email&dir=asc&limit=2`);
    expect(first.body.contacts.map((x: { id: string }) => x.id)).toEqual(['a', 'b']);
    expect(first.body.total).toBe(6);
    const next = await b.sam('GET', `/api/contacts?list=${everything.id}&sort=email&dir=asc&limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.contacts.map((x: { id: string }) => x.id)).toEqual(['c', 'd']);
    expect(await b.ids(b.sam, `list=${rose.id}&filter=${encodeURIComponent(JSON.stringify({ field: 'company', op: 'eq', value: 'Beta' }))}&sort=email&dir=asc`)).toEqual(['c']);

    // Counts are live.
    await b.sam('POST', '/api/contacts/a/adjust', { points: -45, reason: 'Went quiet' });
    expect((await b.sam('GET', `/api/lists/${fell.id}`)).body.count).toBe(3);
    const all = (await b.sam('GET', '/api/lists')).body.lists as { name: string; count: number; shared: boolean; createdBy: { name: string } }[];
    expect(all.find((l) => l.name === 'Warm')).toMatchObject({ count: 1, shared: true, createdBy: { name: 'Sam Seller' } });
  });

  it('refuses bad filters in words, saving nothing', async () => {
    const b = await bench();
    const bad: [unknown, RegExp][] = [
      [{ condition: { field: 'shoe', op: 'eq', value: 1 } }, /Unknown field "shoe"|shoe/],
      [{ bracket: { modelId: 'lead', bracket: 'Lukewarm' } }, /no bracket "Lukewarm".*"Hot", "Warm", "Cold"/],
      [{ bracket: { modelId: 'nope', bracket: 'Hot' } }, /no scoring model "nope"/],
      [{ scoreChange: { direction: 'fell', days: 0 } }, /at least 1/],
      [{ scoreChange: { direction: 'fell', days: 400 } }, /at most 365/],
      [{ scoreChange: { direction: 'sideways', days: 3 } }, /direction/],
      [{ colour: 'red' }, /colour|Unrecognized/i],
    ];
    for (const [filters, words] of bad) {
      const r = await b.sam('POST', '/api/lists', { name: 'Bad', filters });
      expect(r.status, JSON.stringify(filters)).toBe(400);
      expect(r.body.error.message).toMatch(words);
    }
    const tokenMine = await b.send('POST', '/api/lists', { name: 'Mine', filters: { owner: 'me' } });
    expect(tokenMine.status).toBe(400);
    expect(tokenMine.body.error.message).toMatch(/key or the start-up token is nobody/);
    expect((await b.send('POST', '/api/lists', { name: 'Private', shared: false, filters: {} })).status).toBe(400);
    expect((await b.sam('GET', '/api/contacts?list=nope')).status).toBe(404);
    expect((await b.sam('GET', '/api/lists')).body.lists).toEqual([]);
    expect(await b.store.db.selectFrom('saved_lists').select('id').execute()).toEqual([]);
  });

  it('keeps personal lists to their owner; a shared list is changed by its creator, an editor or an admin', async () => {
    const b = await bench();
    const personal = (await b.sam('POST', '/api/lists', { name: 'Sam only', shared: false, filters: { owner: 'me' } })).body;
    const shared = (await b.sam('POST', '/api/lists', { name: 'Team', filters: { owner: null } })).body;
    expect(personal).toMatchObject({ shared: false, count: 2, canChange: true });

    // Sue sees the shared list only, cannot change it, and cannot reach Sam's personal one.
    expect((await b.sue('GET', '/api/lists')).body.lists.map((l: { name: string; canChange: boolean }) => [l.name, l.canChange])).toEqual([['Team', false]]);
    expect((await b.sue('GET', `/api/lists/${personal.id}`)).status).toBe(404);
    expect((await b.sue('GET', `/api/contacts?list=${personal.id}`)).status).toBe(404);
    expect((await b.sue('PATCH', `/api/lists/${personal.id}`, { name: 'Mine now' })).status).toBe(404);
    expect((await b.sue('DELETE', `/api/lists/${personal.id}`)).status).toBe(404);
    const refused = await b.sue('PATCH', `/api/lists/${shared.id}`, { name: 'Sue\'s team' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/only by the person who made it, an editor or an admin/);
    expect((await b.sue('DELETE', `/api/lists/${shared.id}`)).status).toBe(403);
    expect((await b.sam('GET', `/api/lists/${personal.id}`)).body.name).toBe('Sam only');

    // The creator and an editor may; a change and a delete are audited.
    expect((await b.sam('PATCH', `/api/lists/${shared.id}`, { name: 'Unowned leads' })).body.name).toBe('Unowned leads');
    const edited = await b.editor('PATCH', `/api/lists/${shared.id}`, { filters: { owner: null, bracket: { modelId: 'lead', bracket: 'Cold' } } });
    expect(edited.status).toBe(200);
    expect(edited.body.count).toBe(2);
    expect((await b.editor('PATCH', `/api/lists/${shared.id}`, { filters: { bracket: { modelId: 'lead', bracket: 'Tepid' } } })).status).toBe(400);
    expect((await b.editor('GET', `/api/lists/${shared.id}`)).body.filters).toEqual({ owner: null, bracket: { modelId: 'lead', bracket: 'Cold' } });
    expect((await b.editor('DELETE', `/api/lists/${shared.id}`)).status).toBe(204);
    expect((await b.sam('GET', `/api/lists/${shared.id}`)).status).toBe(404);
    const actions = await b.store.db.selectFrom('audit_log').select(['action', 'actor_name']).where('target_type', '=', 'list').orderBy('id').execute();
    expect(actions.map((a) => `${a.action} ${a.actor_name}`)).toEqual([
      'list.create Sam Seller', 'list.create Sam Seller', 'list.change Sam Seller', 'list.change Eddie Editor', 'list.delete Eddie Editor',
    ]);
  });
});
