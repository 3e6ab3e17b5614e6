import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { updateContact } from './contacts.js';
import { createMap, pauseMap, publishMap, resumeMap, saveDraft } from './maps.js';
import { DAY, HOUR, T0, at, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

const end = { id: 'e', kind: 'end' };
const go = { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w1' };
const set = (id: string, value: number) => ({ id, kind: 'update_field', field: 'step', value: String(value), next: 'e' });

/** v1: go → w1 (1 day) → s1; a second branch parks contacts at w2 (2 days) → s2. */
const v1 = () => mapDoc([
  go,
  { id: 'side', kind: 'trigger', on: { type: 'event', event: 'side' }, next: 'w2' },
  { id: 'w1', kind: 'wait', for: { days: 1 }, next: 's1' },
  { id: 'w2', kind: 'wait', for: { days: 2 }, next: 's2' },
  set('s1', 1), set('s2', 2),
  end,
], [numberField('step')]);

describe('publishing', () => {
  it('numbers versions 1, 2, … and keeps each', async () => {
    b = await setup();
    await createMap(b.rt, v1(), 'm');
    expect((await publishMap(b.rt, 'm')).version).toBe(1);
    await b.advance(T0 + HOUR);
    expect(await publishMap(b.rt, 'm')).toEqual({ version: 2, relocated: 0, removed: {} });
    expect(await b.store.listVersions('m')).toEqual([{ version: 1, publishedAt: T0, author: null }, { version: 2, publishedAt: T0 + HOUR, author: null }]);
    expect(await b.store.getMap('m')).toMatchObject({ status: 'published', version: 2 });
  });

  it('keeps contacts on elements the new version still has, with their due times', async () => {
    b = await setup();
    await b.publish(v1());
    await b.contact('ann');
    await b.event('ann', 'go');
    const doc = v1();
    (doc.elements[2] as { for: object }).for = { days: 5 }; // w1 changes settings, keeps its id
    await saveDraft(b.rt, 'map-1', doc, 1);
    await b.republish('map-1');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w1', dueAt: T0 + DAY, version: 2 });
    await b.advance(T0 + DAY);
    expect(await b.score('ann', 'step')).toBe(1);
    expect((await b.history('ann', 'step'))[0].cause).toEqual({ map: 'map-1', version: 2, element: 's1' });
  });

  /** v2 of v1: w1 and w2 are gone; w3 (3 days) is new, then s3; `more` elements before the end. */
  const v2 = (more: object[] = []) => mapDoc([
    { ...go, next: 'w3' },
    { id: 'side', kind: 'trigger', on: { type: 'event', event: 'side' }, next: 'w3' },
    { id: 'w3', kind: 'wait', for: { days: 3 }, next: 's3' },
    set('s3', 3),
    ...more,
    end,
  ], [numberField('step')]);

  it('relocates contacts of removed elements where asked; the others leave the map, recorded in history', async () => {
    b = await setup();
    await b.publish(v1());
    for (const c of ['ann', 'bob']) await b.contact(c);
    await b.event('ann', 'go'); // at w1
    await b.event('bob', 'side'); // at w2
    await b.advance(T0 + HOUR);
    await saveDraft(b.rt, 'map-1', v2(), 1);
    const res = await b.republish('map-1', { w1: 'w3' });
    expect(res).toEqual({ version: 2, relocated: 1, removed: { w1: 1, w2: 1 } });
    // A relocated contact arrives at its new element: the 3-day wait starts at the publish.
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w3', version: 2, dueAt: T0 + HOUR + 3 * DAY });
    expect(await b.position('map-1', 'bob')).toBeUndefined();
    expect((await b.history('bob')).at(-1)).toMatchObject({
      at: T0 + HOUR, field: 'map:map-1', from: 'w2', to: null, cause: { publish: { map: 'map-1', version: 2 } },
    });
    expect((await b.stats('map-1')).w3).toMatchObject({ hereNow: 1 });
    await b.advance(T0 + 10 * DAY);
    expect(await b.changes('ann', 'step')).toEqual([['2026-01-04T01:00:00.000Z', null, 3, { map: 'map-1', version: 2, element: 's3' }]]);
    expect(await b.score('bob', 'step')).toBe(null);
  });

  it('on a paused map, a relocated contact\'s new wait starts at the publish; another element runs on at resume', async () => {
    b = await setup();
    await b.publish(v1());
    for (const c of ['ann', 'bob']) await b.contact(c);
    await b.event('ann', 'go'); // at w1, due in a day
    await b.event('bob', 'side'); // at w2, due in 2 days
    await pauseMap(b.rt, 'map-1');
    await b.advance(T0 + HOUR);
    await saveDraft(b.rt, 'map-1', v2([set('s9', 9)]), 1);
    expect(await b.republish('map-1', { w1: 'w3', w2: 's9' })).toMatchObject({ relocated: 2 });
    // Nothing moves on a paused map, but the new element's clock starts now.
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w3', dueAt: T0 + HOUR + 3 * DAY });
    expect(await b.position('map-1', 'bob')).toMatchObject({ elementId: 's9', dueAt: T0 + HOUR });
    expect(await b.score('bob', 'step')).toBe(null);
    await b.advance(T0 + 2 * HOUR);
    await resumeMap(b.rt, 'map-1');
    expect(await b.score('bob', 'step')).toBe(9); // runs on from s9 once the map runs again
    await b.advance(T0 + HOUR + 3 * DAY - 1);
    expect(await b.score('ann', 'step')).toBe(null);
    await b.advance(T0 + HOUR + 3 * DAY);
    expect(await b.score('ann', 'step')).toBe(3);
  });

  it('a contact relocated from a wait to another kind of element runs on from it at once', async () => {
    b = await setup();
    await b.publish(v1());
    await b.contact('ann');
    await b.event('ann', 'side'); // at w2, due in 2 days
    // v2 drops w2; its contacts go to the update s9
    await saveDraft(b.rt, 'map-1', mapDoc([go, { id: 'w1', kind: 'wait', for: { days: 1 }, next: 's1' }, set('s1', 1), set('s9', 9), end], [numberField('step')]), 1);
    expect(await b.republish('map-1', { w2: 's9' })).toMatchObject({ relocated: 1 });
    expect(await b.changes('ann', 'step')).toEqual([['2026-01-01T00:00:00.000Z', null, 9, { map: 'map-1', version: 2, element: 's9' }]]);
    expect(await b.position('map-1', 'ann')).toBeUndefined();
    expect((await b.stats('map-1')).s9).toMatchObject({ wereHere: 1, errors: 0, hereNow: 0 });
  });

  it('refuses a relocation to an unknown element, to a trigger, or from a kept element (422)', async () => {
    b = await setup();
    await b.publish(v1());
    await expect(b.republish('map-1', { gone: 'nowhere' })).rejects.toMatchObject({ status: 422 });
    await expect(b.republish('map-1', { gone: 't' })).rejects.toMatchObject({ status: 422 });
    await expect(b.republish('map-1', { w1: 'w2' })).rejects.toMatchObject({ status: 422 });
    expect(await b.store.listVersions('map-1')).toHaveLength(1);
  });

  it('refuses a map with errors (422 with the problems) and publishes nothing', async () => {
    b = await setup();
    await createMap(b.rt, mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' } },
      { id: 'loop', kind: 'goto', target: 'nowhere' },
    ]), 'bad');
    const err = await publishMap(b.rt, 'bad').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    const problems = ((err as AppError).details as { problems: { element: string | null; message: string }[] }).problems;
    expect(problems.map((p) => p.element)).toEqual(expect.arrayContaining(['t', 'loop']));
    expect(problems.every((p) => typeof p.message === 'string' && p.message.length > 0)).toBe(true);
    expect(await b.store.getMap('bad')).toMatchObject({ status: 'draft', version: null });
    expect(b.rt.world.maps).toHaveLength(0);
  });

  it('answers 404 for an unknown map', async () => {
    b = await setup();
    await expect(publishMap(b.rt, 'nope')).rejects.toMatchObject({ status: 404 });
  });
});

describe('pausing and resuming', () => {
  const loop = () => mapDoc([
    { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
    { id: 'w', kind: 'wait', for: { days: 1 }, next: 'decay' },
    { id: 'decay', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'again' },
    { id: 'again', kind: 'goto', target: 'w' },
  ], [numberField('ticks')]);

  it('a paused map admits no one through its triggers', async () => {
    b = await setup();
    await b.publish(loop());
    await b.contact('ann');
    await pauseMap(b.rt, 'map-1');
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toBeUndefined();
    expect(await b.stats('map-1')).toEqual({});
    await resumeMap(b.rt, 'map-1');
    await b.event('ann', 'go');
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w' });
  });

  it('its waits do not fire while paused; on resume an overdue wait fires once, then the loop goes on from then', async () => {
    b = await setup();
    await b.publish(loop());
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.advance(T0 + 12 * HOUR);
    await pauseMap(b.rt, 'map-1');
    await b.advance(T0 + 4 * DAY);
    expect(await b.score('ann', 'ticks')).toBe(null);
    await resumeMap(b.rt, 'map-1');
    expect(await b.changes('ann', 'ticks')).toEqual([['2026-01-05T00:00:00.000Z', null, 1, { map: 'map-1', version: 1, element: 'decay' }]]);
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w', dueAt: T0 + 5 * DAY });
    await b.advance(T0 + 5 * DAY);
    expect(await b.score('ann', 'ticks')).toBe(2);
  });

  it('a wait not yet due when resumed keeps its time', async () => {
    b = await setup();
    await b.publish(loop());
    await b.contact('ann');
    await b.event('ann', 'go');
    await pauseMap(b.rt, 'map-1');
    await b.advance(T0 + 6 * HOUR);
    await resumeMap(b.rt, 'map-1');
    expect(await b.position('map-1', 'ann')).toMatchObject({ dueAt: T0 + DAY });
  });

  it('a condition wait whose condition came true while paused goes on when resumed', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      { id: 'w', kind: 'wait', until: { condition: { field: 'company_size', op: 'gte', value: 10 } }, next: 's' },
      { id: 's', kind: 'update_field', field: 'ticks', value: '1', next: 'e' },
      end,
    ], [numberField('ticks')]));
    await b.contact('ann');
    await b.event('ann', 'go');
    await pauseMap(b.rt, 'map-1');
    await updateContact(b.rt, 'ann', { company_size: 20 }, { api: true });
    expect(await b.score('ann', 'ticks')).toBe(null);
    await b.advance(T0 + HOUR);
    await resumeMap(b.rt, 'map-1');
    expect(await b.history('ann', 'ticks')).toMatchObject([{ at: T0 + HOUR, to: 1 }]);
  });

  it('a date trigger that came due while paused fires once, when resumed', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'date_reached', field: 'renews_at' }, next: 's' },
      { id: 's', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'e' },
      end,
    ], [numberField('ticks'), { key: 'renews_at', label: 'Renews at', type: 'date' }]));
    await b.contact('ann');
    await pauseMap(b.rt, 'map-1');
    await updateContact(b.rt, 'ann', { renews_at: '2026-01-02T00:00:00Z' }, { api: true });
    await b.advance(T0 + 3 * DAY);
    expect(await b.score('ann', 'ticks')).toBe(null);
    await resumeMap(b.rt, 'map-1');
    await b.advance(T0 + 5 * DAY);
    expect(await b.history('ann', 'ticks')).toMatchObject([{ at: T0 + 3 * DAY, to: 1 }]);
  });

  it('cron ticks that fall while paused admit no one, and resuming does not catch them up', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'schedule', cron: '0 3 * * *' }, next: 's' },
      { id: 's', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'e' },
      end,
    ], [numberField('ticks')]));
    await b.contact('ann');
    await b.advance(T0 + DAY); // tick on the 1st
    await pauseMap(b.rt, 'map-1');
    await b.advance(T0 + 4 * DAY); // the 2nd, 3rd and 4th pass while paused
    await resumeMap(b.rt, 'map-1');
    expect(await b.store.getSchedules('map-1')).toEqual([{ mapId: 'map-1', elementId: 't', nextAt: at('2026-01-05T03:00:00Z') }]);
    await b.advance(T0 + 5 * DAY);
    expect((await b.history('ann', 'ticks')).map((h) => new Date(h.at).toISOString())).toEqual([
      '2026-01-01T03:00:00.000Z', '2026-01-05T03:00:00.000Z',
    ]);
  });

  it('refuses to pause a draft or a paused map, and to resume a running one (409)', async () => {
    b = await setup();
    await createMap(b.rt, loop(), 'draft');
    await expect(pauseMap(b.rt, 'draft')).rejects.toMatchObject({ status: 409 });
    await b.publish(loop(), 'live');
    await expect(resumeMap(b.rt, 'live')).rejects.toMatchObject({ status: 409 });
    await pauseMap(b.rt, 'live');
    await expect(pauseMap(b.rt, 'live')).rejects.toMatchObject({ status: 409 });
  });
});
