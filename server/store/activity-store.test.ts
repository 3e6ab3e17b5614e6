import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './store.js';
import { openTestStore } from './testing.js';

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(async () => {
  await store.close();
});

describe('element stats', () => {
  it('adds to the counts, keeps the last error and joins the here-now counts', async () => {
    await store.bumpStats([
      { mapId: 'm', elementId: 'wait', wereHere: 2, errors: 0, at: 1 },
      { mapId: 'm', elementId: 'wait', wereHere: 1, errors: 0, at: 2 },
      { mapId: 'm', elementId: 'add', wereHere: 1, errors: 1, lastError: 'first', at: 3 },
    ]);
    await store.bumpStats([
      { mapId: 'm', elementId: 'add', wereHere: 4, errors: 2, lastError: 'Too many instant steps', at: 9 },
      { mapId: 'm', elementId: 'wait', wereHere: 1, errors: 0, at: 10 },
      { mapId: 'other', elementId: 'wait', wereHere: 7, errors: 0, at: 10 },
    ]);
    await store.bumpStats([{ mapId: 'm', elementId: 'add', wereHere: 1, errors: 0, at: 11 }]);
    await store.upsertPositions([
      { mapId: 'm', contactId: 'a', elementId: 'wait', version: 1, enteredAt: 1, dueAt: 5, timeoutAt: null, onCondition: false, stuck: false },
      { mapId: 'm', contactId: 'b', elementId: 'never_counted', version: 1, enteredAt: 1, dueAt: 5, timeoutAt: null, onCondition: false, stuck: false },
    ]);
    expect(await store.getStats('m')).toEqual({
      add: { hereNow: 0, wereHere: 6, errors: 3, lastError: 'Too many instant steps', lastErrorAt: 9 },
      wait: { hereNow: 1, wereHere: 4, errors: 0, lastError: null, lastErrorAt: null },
      never_counted: { hereNow: 1, wereHere: 0, errors: 0, lastError: null, lastErrorAt: null },
    });
  });
});

describe('events', () => {
  it('finds the ids already accepted, and refuses to store one twice, keeping the first', async () => {
    const e = { id: 'evt-1', contactId: 'a', type: 'page_visited', at: 5, props: { url: '/pricing', n: 2, ok: true }, acceptedAt: 6 };
    await store.insertEvents([e, { ...e, id: 'evt-2', props: null }]);
    // The unique key is what keeps intake idempotent across processes.
    await expect(store.insertEvents([{ ...e, type: 'changed' }])).rejects.toThrow(/UNIQUE|unique/);
    expect([...(await store.existingEventIds(['evt-2', 'evt-3', 'evt-1', 'evt-1']))].sort()).toEqual(['evt-1', 'evt-2']);
    expect(await store.existingEventIds([])).toEqual(new Set());
    const rows = await store.db.selectFrom('events').selectAll().orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'evt-1', contact_id: 'a', type: 'page_visited', at: 5, props_json: '{"url":"/pricing","n":2,"ok":true}', accepted_at: 6 },
      { id: 'evt-2', contact_id: 'a', type: 'page_visited', at: 5, props_json: null, accepted_at: 6 },
    ]);
  });
});

describe('history', () => {
  it('round-trips values and causes, newest first, filtered by field and paged by id', async () => {
    await store.insertHistory([
      { contactId: 'a', at: 1, field: 'score', from: null, to: 5, cause: { scoringModel: 'default', rule: 'clicked' } },
      { contactId: 'a', at: 2, field: 'tags', from: [], to: ['sql'], cause: { map: 'brackets', version: 2, element: 'tag' } },
      { contactId: 'b', at: 2, field: 'score', from: 1, to: 2, cause: { api: true } },
      { contactId: 'a', at: 3, field: 'score', from: 5, to: 4.85, cause: { decay: 'default' } },
      { contactId: 'a', at: 4, field: 'vip', from: false, to: true, cause: { import: true } },
      { contactId: 'a', at: 5, field: 'note', from: 'x', to: null, cause: { event: { id: 'e1', type: 'form_submitted' } } },
    ]);
    const all = await store.contactHistory('a');
    expect(all.map((h) => [h.at, h.field, h.from, h.to])).toEqual([
      [5, 'note', 'x', null],
      [4, 'vip', false, true],
      [3, 'score', 5, 4.85],
      [2, 'tags', [], ['sql']],
      [1, 'score', null, 5],
    ]);
    expect(all[3].cause).toEqual({ map: 'brackets', version: 2, element: 'tag' });
    expect(all[0].cause).toEqual({ event: { id: 'e1', type: 'form_submitted' } });

    const scores = await store.contactHistory('a', { field: 'score' });
    expect(scores.map((h) => h.to)).toEqual([4.85, 5]);
    const page1 = await store.contactHistory('a', { limit: 2 });
    const page2 = await store.contactHistory('a', { limit: 2, beforeId: page1[1].id });
    expect([...page1, ...page2].map((h) => h.at)).toEqual([5, 4, 3, 2]);

    const everyone = await store.historyAfter(0, 100);
    expect(everyone.map((h) => [h.contactId, h.at])).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 2],
      ['a', 3],
      ['a', 4],
      ['a', 5],
    ]);
    expect((await store.historyAfter(everyone[3].id, 1)).map((h) => h.at)).toEqual([4]);
  });
});
