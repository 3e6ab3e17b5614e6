import { afterEach, describe, expect, it } from 'vitest';
import { updateContact } from './contacts.js';
import { DAY, HOUR, MINUTE, T0, at, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

const go = (next: string) => ({ id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next });
const mark = (id: string, value: string, next = 'e') => ({ id, kind: 'update_field', field: 'step', value, next });
const end = { id: 'e', kind: 'end' };
const when = async (id: string) => (await b.changes(id, 'step')).map(([w, , to]) => [w, to]);

describe('wait for a duration', () => {
  it('holds the contact for exact minutes, hours, days and weeks (a day is 24 hours)', async () => {
    b = await setup();
    await b.publish(mapDoc([
      go('w1'),
      { id: 'w1', kind: 'wait', for: { minutes: 90 }, next: 's1' }, mark('s1', '1', 'w2'),
      { id: 'w2', kind: 'wait', for: { hours: 2 }, next: 's2' }, mark('s2', '2', 'w3'),
      { id: 'w3', kind: 'wait', for: { days: 1, hours: 12 }, next: 's3' }, mark('s3', '3', 'w4'),
      { id: 'w4', kind: 'wait', for: { weeks: 1 }, next: 's4' }, mark('s4', '4'),
      end,
    ], [numberField('step')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w1', dueAt: T0 + 90 * MINUTE, enteredAt: T0 });
    await b.advance(T0 + 90 * MINUTE - 1);
    expect(await b.score('ann', 'step')).toBe(null);
    await b.advance(T0 + 30 * DAY);
    expect(await when('ann')).toEqual([
      ['2026-01-01T01:30:00.000Z', 1],
      ['2026-01-01T03:30:00.000Z', 2],
      ['2026-01-02T15:30:00.000Z', 3],
      ['2026-01-09T15:30:00.000Z', 4],
    ]);
    expect(await b.position('map-1', 'ann')).toBeUndefined();
  });
});

describe('wait until a date field', () => {
  const doc = () => mapDoc([
    go('w'),
    { id: 'w', kind: 'wait', until: { field: 'Trial ends', offset: { days: 1 } }, next: 's' },
    mark('s', '1'),
    end,
  ], [numberField('step'), { key: 'trial_ends', label: 'Trial ends', type: 'date' }]);

  it('continues at the date plus the offset', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann', { trial_ends: '2026-01-03T12:00:00Z' });
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w', dueAt: at('2026-01-04T12:00:00Z') });
    await b.advance('2026-01-10T00:00:00Z');
    expect(await when('ann')).toEqual([['2026-01-04T12:00:00.000Z', 1]]);
  });

  it('continues at once when the date plus the offset has passed, or the date is empty', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('past', { trial_ends: '2025-12-31T00:00:00Z' }); // + 1 day = T0: not in the future
    await b.contact('empty');
    await b.event('past', 'go');
    await b.event('empty', 'go');
    expect(await when('past')).toEqual([['2026-01-01T00:00:00.000Z', 1]]);
    expect(await when('empty')).toEqual([['2026-01-01T00:00:00.000Z', 1]]);
    expect((await b.stats('map-1')).w).toMatchObject({ hereNow: 0, wereHere: 2 });
  });

  it('keeps the due time it parked with when the date changes later (the wait is a row with a due time)', async () => {
    b = await setup();
    await b.publish(doc());
    await b.contact('ann', { trial_ends: '2026-01-03T00:00:00Z' });
    await b.event('ann', 'go');
    await updateContact(b.rt, 'ann', { trial_ends: '2026-02-01T00:00:00Z' }, { api: true });
    await b.advance('2026-01-05T00:00:00Z');
    expect(await when('ann')).toEqual([['2026-01-04T00:00:00.000Z', 1]]);
  });
});

describe('wait until a time of day', () => {
  it('continues at the next such moment on the given weekdays, in the given time zone', async () => {
    b = await setup({ start: at('2026-01-02T15:00:00Z') }); // Friday 10:00 in New York
    await b.publish(mapDoc([
      go('w'),
      { id: 'w', kind: 'wait', until: { time: '09:00', weekdays: ['mon', 'wed'], timezone: 'America/New_York' }, next: 's' },
      mark('s', '1'),
      end,
    ], [numberField('step')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    // Monday 5 January, 09:00 EST = 14:00 UTC
    expect(await b.position('map-1', 'ann')).toMatchObject({ dueAt: at('2026-01-05T14:00:00Z') });
    await b.advance('2026-01-08T00:00:00Z');
    expect(await when('ann')).toEqual([['2026-01-05T14:00:00.000Z', 1]]);
  });

  it('keeps the wall-clock time across a daylight-saving change: 09:00 New York is 14:00 UTC, then 13:00 UTC', async () => {
    b = await setup({ start: at('2026-03-06T12:00:00Z') }); // DST starts Sunday 8 March 2026 in the US
    await b.publish(mapDoc([
      go('w'),
      { id: 'w', kind: 'wait', until: { time: '09:00', timezone: 'America/New_York' }, next: 's' },
      { id: 's', kind: 'update_field', field: 'step', value: '[step] + 1', next: 'loop' },
      { id: 'loop', kind: 'goto', target: 'w' },
    ], [numberField('step')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance('2026-03-10T00:00:00Z');
    expect(await when('ann')).toEqual([
      ['2026-03-06T14:00:00.000Z', 1],
      ['2026-03-07T14:00:00.000Z', 2],
      ['2026-03-08T13:00:00.000Z', 3],
      ['2026-03-09T13:00:00.000Z', 4],
    ]);
  });

  it('uses UTC when no time zone is given, and a time already passed today means tomorrow', async () => {
    b = await setup({ start: at('2026-01-01T10:00:00Z') });
    await b.publish(mapDoc([
      go('w'),
      { id: 'w', kind: 'wait', until: { time: '10:00' }, next: 's' },
      mark('s', '1'),
      end,
    ], [numberField('step')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ dueAt: at('2026-01-02T10:00:00Z') });
  });
});

describe('wait until a condition', () => {
  const doc = (until: object, extra: object = {}) => mapDoc([
    go('w'),
    { id: 'w', kind: 'wait', until: { condition: until }, next: 's', ...extra },
    mark('s', '1'),
    mark('late', '2'),
    end,
  ], [numberField('step'), numberField('points'), { key: 'last_seen', label: 'Last seen', type: 'date' }]);

  it('continues at once when the condition already holds', async () => {
    b = await setup();
    await b.publish(doc({ field: 'points', op: 'gte', value: 10 }));
    await b.contact('ann', { points: 12 });
    await b.event('ann', 'go');
    expect(await when('ann')).toEqual([['2026-01-01T00:00:00.000Z', 1]]);
  });

  it('continues as soon as a field change (the API, or another map) makes it true, not before', async () => {
    b = await setup();
    await b.publish(doc({ field: 'points', op: 'gte', value: 10 }));
    await b.publish(mapDoc([
      { id: 'bump', kind: 'trigger', on: { type: 'event', event: 'bump' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'points', value: '[points] + 5', next: 'e' },
      end,
    ]));
    await b.contact('ann');
    await b.contact('bob');
    await b.event('ann', 'go');
    await b.event('bob', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w', onCondition: true, dueAt: null });

    await b.advance(T0 + HOUR);
    await updateContact(b.rt, 'ann', { points: 9 }, { api: true });
    expect(await b.score('ann', 'step')).toBe(null);
    await b.advance(T0 + 2 * HOUR);
    await updateContact(b.rt, 'ann', { points: 10 }, { api: true });
    expect(await when('ann')).toEqual([['2026-01-01T02:00:00.000Z', 1]]);

    await b.advance(T0 + 3 * HOUR);
    await b.event('bob', 'bump');
    expect(await b.score('bob', 'step')).toBe(null);
    await b.advance(T0 + 4 * HOUR);
    await b.event('bob', 'bump');
    expect(await when('bob')).toEqual([['2026-01-01T04:00:00.000Z', 1]]);
    expect((await b.history('bob', 'step'))[0].cause).toEqual({ map: 'map-1', version: 1, element: 's' });
  });

  it('continues by time when a date-relative term comes due (on_or_before_days_ago: at date + N days)', async () => {
    b = await setup();
    await b.publish(doc({ field: 'last_seen', op: 'on_or_before_days_ago', value: 7 }));
    await b.contact('ann', { last_seen: '2026-01-01T00:00:00Z' });
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ dueAt: T0 + 7 * DAY, onCondition: true });
    await b.advance(T0 + 7 * DAY - 1);
    expect(await b.score('ann', 'step')).toBe(null);
    await b.advance(T0 + 7 * DAY);
    expect(await when('ann')).toEqual([['2026-01-08T00:00:00.000Z', 1]]);
  });

  it('continues when "within the last N days" stops holding (1 ms after date + N days)', async () => {
    b = await setup();
    await b.publish(doc({ not: { field: 'last_seen', op: 'within_last_days', value: 3 } }));
    await b.contact('ann', { last_seen: '2026-01-01T00:00:00Z' });
    await b.event('ann', 'go');
    await b.advance(T0 + 10 * DAY);
    expect(await when('ann')).toEqual([['2026-01-04T00:00:00.001Z', 1]]);
  });

  it('moves its re-check when the date changes: a new visit pushes "7 days quiet" back', async () => {
    b = await setup();
    await b.publish(doc({ field: 'last_seen', op: 'on_or_before_days_ago', value: 7 }));
    await b.contact('ann', { last_seen: '2026-01-01T00:00:00Z' });
    await b.event('ann', 'go');
    await b.advance(T0 + 2 * DAY);
    await updateContact(b.rt, 'ann', { last_seen: '2026-01-03T00:00:00Z' }, { api: true });
    expect(await b.position('map-1', 'ann')).toMatchObject({ dueAt: T0 + 9 * DAY });
    await b.advance(T0 + 20 * DAY);
    expect(await when('ann')).toEqual([['2026-01-10T00:00:00.000Z', 1]]);
  });

  it('goes to timeoutNext when the timeout runs out first', async () => {
    b = await setup();
    await b.publish(doc({ field: 'points', op: 'gte', value: 10 }, { timeout: { days: 2 }, timeoutNext: 'late' }));
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ dueAt: T0 + 2 * DAY, timeoutAt: T0 + 2 * DAY });
    await b.advance(T0 + 5 * DAY);
    expect(await when('ann')).toEqual([['2026-01-03T00:00:00.000Z', 2]]);
  });

  it('a timeout without timeoutNext continues with next', async () => {
    b = await setup();
    await b.publish(doc({ field: 'points', op: 'gte', value: 10 }, { timeout: { hours: 5 } }));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance(T0 + DAY);
    expect(await when('ann')).toEqual([['2026-01-01T05:00:00.000Z', 1]]);
  });

  it('the condition coming true before the timeout takes next, and the timeout never fires', async () => {
    b = await setup();
    await b.publish(doc({ field: 'points', op: 'gte', value: 10 }, { timeout: { days: 2 }, timeoutNext: 'late' }));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance(T0 + DAY);
    await updateContact(b.rt, 'ann', { points: 50 }, { api: true });
    await b.advance(T0 + 5 * DAY);
    expect(await when('ann')).toEqual([['2026-01-02T00:00:00.000Z', 1]]);
  });
});
