import { afterEach, describe, expect, it } from 'vitest';
import { addToMap, createContacts, updateContact } from './contacts.js';
import { saveDraft } from './maps.js';
import { DAY, HOUR, T0, at, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

const end = { id: 'e', kind: 'end' };
/** A map whose trigger `on` counts each entry in the field `hits`. */
const counter = (on: object, extra: object = {}, fields = [numberField('hits')]) => mapDoc([
  { id: 't', kind: 'trigger', on, next: 'count', ...extra },
  { id: 'count', kind: 'update_field', field: 'hits', value: '[hits] + 1', next: 'e' },
  end,
], fields);

describe('event triggers', () => {
  it('fire for their event type only', async () => {
    b = await setup();
    await b.publish(counter({ type: 'event', event: 'email_opened' }));
    await b.contact('ann');
    await b.event('ann', 'email_opened');
    await b.event('ann', 'email_replied');
    await b.event('ann', 'email_opened');
    expect(await b.score('ann', 'hits')).toBe(2);
  });

  it('test the event\'s props in `where` (text ignoring case)', async () => {
    b = await setup();
    await b.publish(counter({ type: 'event', event: 'page_visited', where: { prop: 'url', op: 'contains', value: '/PRICING' } }));
    await b.contact('ann');
    await b.event('ann', 'page_visited', { url: 'https://x.io/pricing?plan=pro' });
    await b.event('ann', 'page_visited', { url: 'https://x.io/blog' });
    await b.event('ann', 'page_visited');
    expect(await b.score('ann', 'hits')).toBe(1);
  });

  it('test the contact\'s fields in `where`', async () => {
    b = await setup();
    await b.publish(counter({
      type: 'event', event: 'demo_requested',
      where: { all: [{ field: 'Job title', op: 'in', value: ['ceo', 'cto'] }, { prop: 'source', op: 'neq', value: 'spam' }] },
    }));
    await b.contact('ceo', { job_title: 'CEO' });
    await b.contact('intern', { job_title: 'Intern' });
    await b.event('ceo', 'demo_requested', { source: 'web' });
    await b.event('ceo', 'demo_requested', { source: 'spam' });
    await b.event('intern', 'demo_requested', { source: 'web' });
    expect(await b.score('ceo', 'hits')).toBe(1);
    expect(await b.score('intern', 'hits')).toBe(null);
  });
});

describe('field_updated triggers', () => {
  it('fire on a change through the API, with the change\'s cause in history', async () => {
    b = await setup();
    await b.publish(counter({ type: 'field_updated', field: 'Company size' }));
    await b.contact('ann', { company_size: 10 }); // a first value at creation is not an update
    expect(await b.score('ann', 'hits')).toBe(null);
    await updateContact(b.rt, 'ann', { company_size: 50 }, { api: true });
    await updateContact(b.rt, 'ann', { company_size: 50 }, { api: true }); // no change: no trigger
    expect(await b.score('ann', 'hits')).toBe(1);
    expect(await b.changes('ann', 'company_size')).toEqual([
      ['2026-01-01T00:00:00.000Z', null, 10, { api: true }],
      ['2026-01-01T00:00:00.000Z', 10, 50, { api: true }],
    ]);
  });

  it('fire on another map\'s update_field', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'purchase' }, next: 'set' },
      { id: 'set', kind: 'update_field', field: 'lifecycle_stage', value: '"customer"', next: 'e' },
      end,
    ]));
    await b.publish(counter({ type: 'field_updated', field: 'lifecycle_stage', where: { field: 'lifecycle_stage', op: 'eq', value: 'Customer' } }));
    await b.contact('ann');
    await b.event('ann', 'purchase');
    expect(await b.score('ann', 'hits')).toBe(1);
  });

  it('crossed_above and crossed_below compare the value before and after the change', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 'up', kind: 'trigger', on: { type: 'field_updated', field: 'points', where: { field: 'points', op: 'crossed_above', value: 50 } }, next: 'hot' },
      { id: 'down', kind: 'trigger', on: { type: 'field_updated', field: 'points', where: { field: 'points', op: 'crossed_below', value: 50 } }, next: 'cold' },
      { id: 'hot', kind: 'update_field', field: 'ups', value: '[ups] + 1', next: 'e' },
      { id: 'cold', kind: 'update_field', field: 'downs', value: '[downs] + 1', next: 'e' },
      end,
    ], [numberField('points'), numberField('ups'), numberField('downs')]));
    await b.contact('ann');
    const set = (points: number) => updateContact(b.rt, 'ann', { points }, { api: true });
    // empty (0) → 40: no cross; 40 → 50: above (from < 50 ≤ to); 50 → 70: no; 70 → 49: below; 49 → 10: no; 10 → 90: above
    for (const p of [40, 50, 70, 49, 10, 90]) await set(p);
    expect(await b.score('ann', 'ups')).toBe(2);
    expect(await b.score('ann', 'downs')).toBe(1);
  });
});

describe('contact_created triggers', () => {
  it('fire for a new contact whose fields match `where`, with the map\'s update recorded', async () => {
    b = await setup();
    await b.publish(counter({ type: 'contact_created', where: { field: 'country', op: 'eq', value: 'FR' } }));
    await createContacts(b.rt, [{ id: 'fr', fields: { country: 'fr' } }, { id: 'de', fields: { country: 'DE' } }], { import: true });
    expect(await b.score('fr', 'hits')).toBe(1);
    expect(await b.score('de', 'hits')).toBe(null);
    expect(await b.changes('fr', 'country')).toEqual([['2026-01-01T00:00:00.000Z', null, 'fr', { import: true }]]);
  });
});

describe('tag triggers', () => {
  it('tag_added and tag_removed fire when the API changes tags, once per real change', async () => {
    b = await setup();
    await b.publish(counter({ type: 'tag_added', tag: 'customer' }));
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'tag_removed', tag: 'customer' }, next: 'count' },
      { id: 'count', kind: 'update_field', field: 'gone', value: '[gone] + 1', next: 'e' },
      end,
    ], [numberField('gone')]));
    await b.contact('ann', { tags: ['customer'] }); // tags given at creation are not "added"
    expect(await b.score('ann', 'hits')).toBe(null);
    await updateContact(b.rt, 'ann', { tags: ['lead'] }, { api: true });
    expect(await b.score('ann', 'gone')).toBe(1);
    await updateContact(b.rt, 'ann', { tags: ['lead', 'customer'] }, { api: true });
    await updateContact(b.rt, 'ann', { tags: ['customer', 'lead'] }, { api: true });
    expect(await b.score('ann', 'hits')).toBe(1);
    expect(await b.score('ann', 'gone')).toBe(1);
  });
});

describe('date_reached triggers', () => {
  const renewal = { key: 'renews_at', label: 'Renews at', type: 'date' } as const;
  const doc = (where?: object) => counter(
    { type: 'date_reached', field: 'renews_at', offset: { days: 2 }, ...(where ? { where } : {}) },
    {},
    [numberField('hits'), renewal],
  );

  it('stop, with an error on the trigger, when their map keeps moving the date into the past', async () => {
    b = await setup();
    const id = await b.publish(mapDoc([
      { id: 'due', kind: 'trigger', on: { type: 'date_reached', field: 'renews_at' }, next: 'back' },
      { id: 'back', kind: 'update_field', field: 'renews_at', value: '[renews_at] - 1', next: 'count' },
      { id: 'count', kind: 'update_field', field: 'hits', value: '[hits] + 1', next: 'e' },
      end,
    ], [numberField('hits'), renewal]));
    await b.contact('ann', { renews_at: '2026-01-01T00:00:00Z' });
    await b.advance(T0 + HOUR);
    // Each firing re-armed the trigger for a moment already past: 32 ran, the 33rd was refused.
    expect(await b.score('ann', 'hits')).toBe(32);
    expect((await b.stats(id)).due).toMatchObject({ wereHere: 32, errors: 1, lastError: expect.stringMatching(/came due again at the same moment more than 32 times/) });
    await b.advance(T0 + 2 * DAY);
    expect(await b.score('ann', 'hits')).toBe(32); // the timer stays fired for that value
  });

  it('fire exactly at field + offset, once per value; a new value arms them again', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann');
    await updateContact(b.rt, 'ann', { renews_at: '2026-01-03T06:00:00Z' }, { api: true });
    await b.advance(at('2026-01-05T06:00:00Z') - 1);
    expect(await b.score('ann', 'hits')).toBe(null);
    await b.advance('2026-01-05T06:00:00Z');
    expect(await b.history('ann', 'hits')).toMatchObject([{ at: at('2026-01-05T06:00:00Z'), to: 1 }]);
    await b.advance('2026-02-01T00:00:00Z');
    expect(await b.score('ann', 'hits')).toBe(1);

    await updateContact(b.rt, 'ann', { renews_at: '2026-02-10T00:00:00Z' }, { api: true });
    await b.advance('2026-03-01T00:00:00Z');
    expect((await b.history('ann', 'hits')).map((h) => [new Date(h.at).toISOString(), h.to])).toEqual([
      ['2026-01-05T06:00:00.000Z', 1],
      ['2026-02-12T00:00:00.000Z', 2],
    ]);
  });

  it('a value changed before the moment re-arms for the new value; clearing it disarms', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann');
    await b.contact('bob');
    await updateContact(b.rt, 'ann', { renews_at: '2026-01-03T00:00:00Z' }, { api: true });
    await updateContact(b.rt, 'ann', { renews_at: '2026-01-10T00:00:00Z' }, { api: true });
    await updateContact(b.rt, 'bob', { renews_at: '2026-01-03T00:00:00Z' }, { api: true });
    await updateContact(b.rt, 'bob', { renews_at: null }, { api: true });
    await b.advance('2026-02-01T00:00:00Z');
    expect(await b.history('ann', 'hits')).toMatchObject([{ at: at('2026-01-12T00:00:00Z'), to: 1 }]);
    expect(await b.score('bob', 'hits')).toBe(null);
  });

  it('are armed for a value a contact is created with', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann', { renews_at: '2026-01-03T00:00:00Z' });
    await b.advance('2026-01-10T00:00:00Z');
    expect(await b.history('ann', 'hits')).toMatchObject([{ at: at('2026-01-05T00:00:00Z'), to: 1 }]);
  });

  it('on created_at: armed for a contact an event creates by email', async () => {
    b = await setup();
    await b.publish(counter({ type: 'date_reached', field: 'created_at', offset: { weeks: 1 } }));
    await b.advance(T0 + HOUR);
    await b.rt.ingest([{ contact: { email: 'new@example.com' }, type: 'page_visited' }]);
    const [id] = [...(await b.store.findIdsByEmail(['new@example.com'])).values()];
    await b.advance(T0 + 30 * DAY);
    expect(await b.history(id, 'hits')).toMatchObject([{ at: T0 + HOUR + 7 * DAY, to: 1 }]);
  });

  it('a value whose moment has already passed when it is set fires at once, now (an event stamped long ago)', async () => {
    b = await setup({ start: at('2026-03-01T00:00:00Z') });
    await b.publish(counter({ type: 'date_reached', field: 'last_activity_at', offset: { days: 30 } }));
    await b.contact('ann');
    await b.rt.ingest([{ contact: { id: 'ann' }, type: 'email_opened', at: '2026-01-01T00:00:00Z' }]);
    expect(await b.history('ann', 'hits')).toMatchObject([{ at: at('2026-03-01T00:00:00Z'), to: 1 }]);
  });

  it('a moment that passed before the map was published fires at once, once; publishing again does not fire it again', async () => {
    b = await setup({ fields: [renewal] });
    await b.contact('old', { renews_at: '2025-06-01T00:00:00Z' });
    await b.contact('soon', { renews_at: '2026-01-02T00:00:00Z' });
    await b.advance(T0 + HOUR);
    await b.publish(doc());
    expect(await b.history('old', 'hits')).toMatchObject([{ at: T0 + HOUR, to: 1 }]);
    expect(await b.score('soon', 'hits')).toBe(null);
    await b.advance(T0 + 2 * DAY);
    await saveDraft(b.rt, 'map-1', doc(), 1);
    await b.republish('map-1');
    await b.advance(T0 + 10 * DAY);
    expect(await b.score('old', 'hits')).toBe(1);
    expect(await b.history('soon', 'hits')).toMatchObject([{ at: at('2026-01-04T00:00:00Z'), to: 1 }]);
  });

  it('test `where` when they fire, and count as fired either way', async () => {
    b = await setup();
    await b.publish(doc({ field: 'country', op: 'eq', value: 'FR' }));
    await b.contact('ann', { country: 'DE' });
    await updateContact(b.rt, 'ann', { renews_at: '2026-01-02T00:00:00Z' }, { api: true });
    await b.advance('2026-01-04T00:00:00Z');
    await updateContact(b.rt, 'ann', { country: 'FR' }, { api: true });
    await b.advance('2026-02-01T00:00:00Z');
    expect(await b.score('ann', 'hits')).toBe(null);
  });
});

describe('schedule triggers', () => {
  const doc = (extra: object = {}) => counter({ type: 'schedule', cron: '0 3 * * *', where: { field: 'country', op: 'eq', value: 'FR' }, ...extra });

  it('at each tick every contact matching `where` enters: three days of "0 3 * * *" is three entries', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('fr', { country: 'FR' });
    await b.contact('de', { country: 'DE' });
    await b.advance(T0 + 3 * DAY);
    expect((await b.history('fr', 'hits')).map((h) => new Date(h.at).toISOString())).toEqual([
      '2026-01-01T03:00:00.000Z', '2026-01-02T03:00:00.000Z', '2026-01-03T03:00:00.000Z',
    ]);
    expect(await b.score('de', 'hits')).toBe(null);
    expect((await b.store.getSchedules('map-1'))[0].nextAt).toBe(at('2026-01-04T03:00:00Z'));
  });

  it('ticks in UTC when no time zone is given, whatever the server\'s own zone', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      b = await setup();
      await b.publish(doc());
      await b.contact('fr', { country: 'FR' });
      await b.advance(T0 + DAY);
      expect((await b.history('fr', 'hits')).map((h) => new Date(h.at).toISOString())).toEqual(['2026-01-01T03:00:00.000Z']);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('a schedule that has no tick left stops alone; the map\'s other schedules go on', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 'once', kind: 'trigger', on: { type: 'schedule', cron: '0 0 3 1 1 * 2026' }, next: 'count' },
      { id: 'daily', kind: 'trigger', on: { type: 'schedule', cron: '0 4 * * *' }, next: 'count' },
      { id: 'count', kind: 'update_field', field: 'hits', value: '[hits] + 1', next: 'e' },
      end,
    ], [numberField('hits')]));
    await b.contact('ann');
    await b.advance(T0 + 3 * DAY);
    expect((await b.history('ann', 'hits')).map((h) => new Date(h.at).toISOString())).toEqual([
      '2026-01-01T03:00:00.000Z', '2026-01-01T04:00:00.000Z', '2026-01-02T04:00:00.000Z', '2026-01-03T04:00:00.000Z',
    ]);
    expect(await b.store.getSchedules('map-1')).toEqual([{ mapId: 'map-1', elementId: 'daily', nextAt: at('2026-01-04T04:00:00Z') }]);
  });

  it('ticks in the given time zone', async () => {
    b = await setup();
    await b.publish(doc({ timezone: 'Europe/Paris' }));
    await b.contact('fr', { country: 'FR' });
    await b.advance(T0 + DAY);
    expect((await b.history('fr', 'hits')).map((h) => new Date(h.at).toISOString())).toEqual(['2026-01-01T02:00:00.000Z']);
  });
});

describe('manual triggers', () => {
  it('addToMap puts the given contacts on the map through its manual trigger', async () => {
    b = await setup();
    await b.publish(counter({ type: 'manual' }));
    await b.contact('ann');
    await b.contact('bob');
    expect(await addToMap(b.rt, 'map-1', ['ann'])).toEqual({ added: 1 });
    expect(await b.score('ann', 'hits')).toBe(1);
    expect(await b.score('bob', 'hits')).toBe(null);
    expect((await b.history('ann', 'hits'))[0].cause).toEqual({ map: 'map-1', version: 1, element: 'count' });
  });

  it('refuses an unknown contact (404) and adds no one', async () => {
    b = await setup();
    await b.publish(counter({ type: 'manual' }));
    await b.contact('ann');
    await expect(addToMap(b.rt, 'map-1', ['ann', 'ghost'])).rejects.toMatchObject({ status: 404 });
    expect(await b.score('ann', 'hits')).toBe(null);
  });

  it('refuses a map without a manual trigger (409)', async () => {
    b = await setup();
    await b.publish(counter({ type: 'event', event: 'go' }));
    await b.contact('ann');
    await expect(addToMap(b.rt, 'map-1', ['ann'])).rejects.toMatchObject({ status: 409 });
  });
});
