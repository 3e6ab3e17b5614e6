import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { simulate } from '../simulate.js';
import { updateContact } from './contacts.js';
import { DAY, HOUR, T0, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

const end = { id: 'e', kind: 'end' };
const trail = { key: 'trail', label: 'Trail', type: 'text' } as const;
/** An update that appends `mark` to the text field `trail`: the order things ran in, readable. */
const append = (id: string, mark: string, next = 'e') => ({ id, kind: 'update_field', field: 'trail', value: `[trail] + "${mark}"`, next });

describe('ifOnMap', () => {
  const doc = (ifOnMap?: 'ignore' | 'move_here') => mapDoc([
    { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, ...(ifOnMap ? { ifOnMap } : {}), next: 'w' },
    { id: 'w', kind: 'wait', for: { days: 1 }, next: 'done' },
    { id: 'done', kind: 'update_field', field: 'hits', value: '[hits] + 1', next: 'e' },
    end,
  ], [numberField('hits')]);

  it('ignore (the default) keeps the contact at its wait with its due time unchanged', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance(T0 + 5 * HOUR);
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w', dueAt: T0 + DAY, enteredAt: T0 });
    await b.advance(T0 + 3 * DAY);
    expect(await b.history('ann', 'hits')).toMatchObject([{ at: T0 + DAY, to: 1 }]);
    expect((await b.stats('map-1')).t.wereHere).toBe(1);
  });

  it('move_here cancels the wait and starts again from the trigger', async () => {
    b = await setup();
    await b.publish(doc('move_here'));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance(T0 + 5 * HOUR);
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w', dueAt: T0 + DAY + 5 * HOUR, enteredAt: T0 + 5 * HOUR });
    await b.advance(T0 + 3 * DAY);
    expect(await b.history('ann', 'hits')).toMatchObject([{ at: T0 + DAY + 5 * HOUR, to: 1 }]);
    expect((await b.stats('map-1')).t.wereHere).toBe(2);
  });
});

describe('order', () => {
  it('for one event, published maps act in the order they were created (not by id or name)', async () => {
    b = await setup({ fields: [trail] });
    const second = mapDoc([{ id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'a' }, append('a', 'Z'), end], [], 'A first by name');
    const first = mapDoc([{ id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'a' }, append('a', 'Y'), end], [], 'Z last by name');
    await b.publish(first, 'zzz');
    await b.publish(second, 'aaa');
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.score('ann', 'trail')).toBe('YZ');
  });

  it('within a map, the first matching trigger in document order acts and the others are skipped', async () => {
    b = await setup({ fields: [trail] });
    await b.publish(mapDoc([
      { id: 'pricing', kind: 'trigger', on: { type: 'event', event: 'page_visited', where: { prop: 'url', op: 'contains', value: 'pricing' } }, next: 'p' },
      { id: 'any', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'v' },
      { id: 'also', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'x' },
      append('p', 'P'), append('v', 'V'), append('x', 'X'),
      end,
    ]));
    await b.contact('ann');
    await b.event('ann', 'page_visited', { url: '/pricing' });
    await b.event('ann', 'page_visited', { url: '/blog' });
    expect(await b.score('ann', 'trail')).toBe('PV');
  });

  it('a first matching trigger that ignores a contact on the map still skips the later ones', async () => {
    b = await setup({ fields: [trail] });
    await b.publish(mapDoc([
      { id: 'first', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'a' },
      { id: 'second', kind: 'trigger', on: { type: 'event', event: 'go' }, ifOnMap: 'move_here', next: 'b' },
      append('a', 'A', 'w'), append('b', 'B', 'w'),
      { id: 'w', kind: 'wait', for: { days: 1 }, next: 'e' },
      end,
    ]));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.event('ann', 'go');
    expect(await b.score('ann', 'trail')).toBe('A');
  });
});

describe('per-element statistics', () => {
  it('count "were here" per visit and "here now" per parked contact', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'check' },
      { id: 'check', kind: 'condition', if: { field: 'company_size', op: 'gt', value: 10 }, then: 'w', else: 'e' },
      { id: 'w', kind: 'wait', for: { days: 1 }, next: 'e' },
      end,
    ]));
    await b.contact('ann', { company_size: 50 });
    await b.contact('bob', { company_size: 5 });
    await b.contact('cat', { company_size: 500 });
    for (const c of ['ann', 'bob', 'cat']) await b.event(c, 'go');
    const before = await b.stats('map-1');
    expect(before).toEqual({
      t: { hereNow: 0, wereHere: 3, errors: 0, lastError: null, lastErrorAt: null },
      check: { hereNow: 0, wereHere: 3, errors: 0, lastError: null, lastErrorAt: null },
      w: { hereNow: 2, wereHere: 2, errors: 0, lastError: null, lastErrorAt: null },
      e: { hereNow: 0, wereHere: 1, errors: 0, lastError: null, lastErrorAt: null },
    });
    await b.advance(T0 + DAY);
    const after = await b.stats('map-1');
    expect([after.w.hereNow, after.w.wereHere, after.e.wereHere]).toEqual([0, 2, 3]);
  });
});

describe('history', () => {
  it('records each change with its cause: a map\'s element, an event (last activity), the API', async () => {
    b = await setup();
    const mapId = await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'points', value: '[points] + 5', next: 'e' },
      end,
    ], [numberField('points')]));
    await b.contact('ann');
    await b.advance(T0 + HOUR);
    await b.rt.ingest([{ id: 'ev-1', contact: { id: 'ann' }, type: 'email_opened', at: '2026-01-01T00:30:00Z' }]);
    await updateContact(b.rt, 'ann', { points: 1 }, { api: true });
    const rows = (await b.history('ann')).map((h) => [h.field, h.from, h.to, h.cause]);
    expect(rows).toEqual([
      ['last_activity_at', null, T0 + 30 * 60_000, { event: { id: 'ev-1', type: 'email_opened' } }],
      ['points', null, 5, { map: mapId, version: 1, element: 'add' }],
      ['points', 5, 1, { api: true }],
    ]);
    expect((await b.history('ann')).every((h) => h.at === T0 + HOUR)).toBe(true);
  });

  it('writes no row when a value does not change (an update to the same value, an older event)', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'set' },
      { id: 'set', kind: 'update_field', field: 'points', value: '7', next: 'e' },
      end,
    ], [numberField('points')]));
    await b.contact('ann');
    await b.rt.ingest([{ contact: { id: 'ann' }, type: 'go', at: '2026-01-01T00:00:00Z' }]);
    await b.rt.ingest([{ contact: { id: 'ann' }, type: 'go', at: '2025-12-01T00:00:00Z' }]);
    await updateContact(b.rt, 'ann', { points: 7 }, { api: true });
    expect((await b.history('ann')).map((h) => [h.field, h.to])).toEqual([
      ['last_activity_at', T0],
      ['points', 7],
    ]);
  });
});

describe('events', () => {
  const doc = () => mapDoc([
    { id: 't', kind: 'trigger', on: { type: 'event', event: 'purchase' }, next: 'add' },
    { id: 'add', kind: 'update_field', field: 'points', value: '[points] + 25', next: 'e' },
    { id: 'new', kind: 'trigger', on: { type: 'contact_created' }, next: 'welcome' },
    { id: 'welcome', kind: 'update_field', field: 'tags', addTags: ['new'], next: 'e' },
    end,
  ], [numberField('points')]);

  it('an id seen twice in one request is a duplicate and counts once', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann');
    const ev = { id: 'p-1', contact: { id: 'ann' }, type: 'purchase' };
    expect(await b.rt.ingest([ev, ev])).toEqual({ accepted: 1, duplicates: 1, created: 0 });
    expect(await b.score('ann', 'points')).toBe(25);
  });

  it('an id accepted by an earlier request is a duplicate and changes nothing', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann');
    const ev = { id: 'p-1', contact: { id: 'ann' }, type: 'purchase', at: '2026-01-01T00:00:00Z' };
    await b.rt.ingest([ev]);
    const rows = (await b.history('ann')).length;
    await b.advance(T0 + HOUR);
    expect(await b.rt.ingest([{ ...ev, at: '2026-01-01T01:00:00Z' }])).toEqual({ accepted: 0, duplicates: 1, created: 0 });
    expect(await b.score('ann', 'points')).toBe(25);
    expect(await b.score('ann', 'last_activity_at')).toBe(T0);
    expect((await b.history('ann')).length).toBe(rows);
  });

  it('an email that matches no contact creates one (its contact_created triggers fire); a known email, any case, does not', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann', { email: 'ann@example.com' });
    const res = await b.rt.ingest([
      { contact: { email: 'new@example.com' }, type: 'purchase' },
      { contact: { email: 'ANN@example.com' }, type: 'purchase' },
    ]);
    expect(res).toEqual({ accepted: 2, duplicates: 0, created: 1 });
    const [id] = await b.store.findIdsByEmail(['new@example.com']).then((m) => [...m.values()]);
    expect(await b.tags(id)).toEqual(['new']);
    expect(await b.score(id, 'points')).toBe(25);
    expect(await b.score(id, 'created_at')).toBe(T0);
    expect(await b.score('ann', 'points')).toBe(25);
    expect(await b.store.contactCount()).toBe(2);
    expect((await b.history(id, 'email')).map((h) => [h.from, h.to, h.cause])).toEqual([
      [null, 'new@example.com', { event: { id: 'id-1', type: 'purchase' } }],
    ]);
  });

  it('an unknown contact id fails the request with 404 and stores nothing, not even its other events', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann');
    const err = await b.rt.ingest([
      { id: 'ok-1', contact: { id: 'ann' }, type: 'purchase' },
      { contact: { email: 'someone@example.com' }, type: 'purchase' },
      { id: 'bad-1', contact: { id: 'ghost' }, type: 'purchase' },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 404, message: expect.stringContaining('"ghost"') });
    expect(await b.score('ann', 'points')).toBe(null);
    expect(await b.score('ann', 'last_activity_at')).toBe(null);
    expect(await b.store.contactCount()).toBe(1);
    expect(await b.store.existingEventIds(['ok-1', 'bad-1'])).toEqual(new Set());
    // The same event can be sent again once the mistake is fixed.
    expect(await b.rt.ingest([{ id: 'ok-1', contact: { id: 'ann' }, type: 'purchase' }])).toEqual({ accepted: 1, duplicates: 0, created: 0 });
  });
});

describe('determinism', () => {
  it('the same scenario simulated twice gives identical results', async () => {
    const scenario = {
      start: '2026-01-01T00:00:00Z',
      until: '2026-01-20T00:00:00Z',
      maps: [mapDoc([
        { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add' },
        { id: 'add', kind: 'update_field', field: 'score_x', value: '[score_x] + 7.5', next: 'wait' },
        { id: 'wait', kind: 'wait', for: { hours: 30 }, next: 'decay' },
        { id: 'decay', kind: 'update_field', field: 'score_x', value: 'max(0, [score_x] * 0.9)', next: 'loop' },
        { id: 'loop', kind: 'goto', target: 'wait' },
      ], [numberField('score_x', 3)]), mapDoc([
        { id: 'daily', kind: 'trigger', on: { type: 'schedule', cron: '0 6 * * *', where: { field: 'score_x', op: 'gt', value: 5 } }, next: 'tag' },
        { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['active'], next: 'e' },
        end,
      ])],
      contacts: [{ id: 'ann', fields: { email: 'ann@example.com' } }, { id: 'bob' }],
      events: [
        { contact: { id: 'ann' }, type: 'email_link_clicked', at: '2026-01-01T10:00:00Z' },
        { contact: { email: 'new@example.com' }, type: 'email_link_clicked', at: '2026-01-02T10:00:00Z' },
        { contact: { id: 'bob' }, type: 'email_link_clicked', at: '2026-01-02T10:00:00Z' },
        { contact: { id: 'ann' }, type: 'email_link_clicked', at: '2026-01-05T11:00:00Z' },
      ],
      expect: [{ contact: 'ann', at: '2026-01-02T16:00:00Z', field: 'score_x', equals: 6.75 }],
    };
    const first = await simulate(scenario);
    const second = await simulate(structuredClone(scenario));
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.expectations[0]).toMatchObject({ actual: 6.75, pass: true });
    expect(first.errors).toEqual([]);
    expect(first.history).toHaveLength(55);
    expect(first.history.filter((h) => h.field === 'tags').map((h) => [h.contact, h.at])).toEqual([
      ['ann', '2026-01-02T06:00:00.000Z'], ['bob', '2026-01-03T06:00:00.000Z'], ['sim-4', '2026-01-03T06:00:00.000Z'],
    ]);
    expect(Object.fromEntries(Object.entries(first.final).map(([id, f]) => [id, f.score_x]))).toEqual({ ann: 4.071, bob: 1.716, 'sim-4': 1.716 });
  });
});

describe('custom field defaults', () => {
  it('new contacts start with a field\'s default unless a value is given', async () => {
    const bench = await setup({ fields: [{ key: 'tier', label: 'Tier', type: 'text', default: 'free' }, { key: 'points', label: 'Points', type: 'number', default: 10 }] });
    try {
      await bench.contact('ann');
      await bench.contact('bob', { tier: 'pro' });
      await bench.rt.ingest([{ contact: { email: 'cat@example.com' }, type: 'page_visited' }]);
      expect(await bench.score('ann', 'tier')).toBe('free');
      expect(await bench.score('ann', 'points')).toBe(10);
      expect(await bench.score('bob', 'tier')).toBe('pro');
      const [cat] = (await bench.store.findIdsByEmail(['cat@example.com'])).values();
      expect(await bench.score(cat, 'tier')).toBe('free');
    } finally {
      await bench.close();
    }
  });
});
