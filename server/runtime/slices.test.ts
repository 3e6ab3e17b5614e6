import { afterEach, describe, expect, it } from 'vitest';
import type { FieldValue } from '../../engine/elements/types.js';
import { turn } from './due.js';
import { saveModel } from './scoring.js';
import { DAY, HOUR, MINUTE, T0, mapDoc, numberField, setup, type Bench } from './testing.js';

/**
 * Due work runs in slices (issue 15): a request is served between two transactions of a big wave
 * of due work instead of after all of it, and still sees its contact's due work and its own
 * events in time order — waits, a day's degradation and a cron tick that have not reached the
 * contact yet run for it first, once.
 */
let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

/** Contacts `c00000` … in id order, inserted directly (fast), with these field values. */
async function bulkContacts(bench: Bench, n: number, fields: Record<string, FieldValue>): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `c${String(i).padStart(5, '0')}`);
  for (let i = 0; i < n; i += 2_000) {
    await bench.store.transaction((s) =>
      s.insertContacts(ids.slice(i, i + 2_000).map((id) => ({ id, fields: { ...fields, created_at: T0 }, tags: [], createdAt: T0 }))));
  }
  return ids;
}

/** Waits, turn by turn, until `ready` holds: the run in progress goes on meanwhile. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  while (!(await ready())) await turn();
}

/** Settles `p` and says whether it settled before `other`. */
function first(p: Promise<unknown>, other: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => true), other.then(() => false)]);
}

const hourlyLoop = mapDoc([
  { id: 'start', kind: 'trigger', on: { type: 'manual' }, next: 'wait' },
  { id: 'wait', kind: 'wait', for: { hours: 1 }, next: 'tick' },
  { id: 'tick', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'again' },
  { id: 'again', kind: 'goto', target: 'wait' },
], [numberField('ticks')]);

/** Records how many ticks a contact had when it clicked. */
const clicks = mapDoc([
  { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'mark' },
  { id: 'mark', kind: 'update_field', field: 'clicks_at_tick', value: '[ticks]', next: 'done' },
  { id: 'done', kind: 'end' },
], [numberField('clicks_at_tick')]);

describe('a clock advance in slices', () => {
  it('serves an event while it runs, and the event sees its contact exactly as far as the clock got', async () => {
    b = await setup();
    const map = await b.publish(hourlyLoop);
    await b.publish(clicks);
    const ids = await bulkContacts(b, 200, { ticks: 0 });
    const { addToMap } = await import('./contacts.js');
    await addToMap(b.rt, map, ids);
    const advance = b.advance(T0 + 5 * DAY); // 200 × 120 wakes
    // Once the clock has moved (slices are running), an event for the last contact.
    await until(async () => b!.clock.now() > T0 + 2 * HOUR);
    const ingest = b.rt.ingest([{ contact: { id: ids[ids.length - 1] }, type: 'email_link_clicked' }]);
    expect(await first(ingest, advance)).toBe(true);
    await advance;
    // The event saw every tick due before the moment it arrived, and none after.
    const last = ids[ids.length - 1];
    const history = await b.history(last);
    const click = history.find((h) => h.field === 'clicks_at_tick')!;
    expect(click.at).toBeGreaterThan(T0);
    expect(click.to).toBe(Math.floor((click.at - T0) / HOUR));
    // History is in time order, and every contact ticked every hour exactly once.
    const times = history.map((h) => h.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    for (const id of [ids[0], last]) expect(await b.score(id, 'ticks')).toBe(120);
    expect((await b.stats(map)).tick.wereHere).toBe(200 * 120);
  });

  it('lets two advances wait for each other; the clock ends at the later', async () => {
    b = await setup();
    const map = await b.publish(hourlyLoop);
    const { addToMap } = await import('./contacts.js');
    await addToMap(b.rt, map, await bulkContacts(b, 50, { ticks: 0 }));
    const one = b.advance(T0 + 2 * DAY);
    const two = b.advance(T0 + DAY);
    await Promise.all([one, two]);
    expect(b.clock.now()).toBe(T0 + 2 * DAY);
    expect(await b.score('c00049', 'ticks')).toBe(48);
  });
});

describe('a wave of date triggers on the real clock (what the scheduler runs)', () => {
  it('serves an event between its slices; the contact\'s trigger runs before the event', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 'ends', kind: 'trigger', on: { type: 'date_reached', field: 'trial_ends' }, next: 'mark' },
      { id: 'mark', kind: 'update_field', field: 'stage', value: '1', next: 'done' },
      { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'times' },
      { id: 'times', kind: 'update_field', field: 'stage', value: '[stage] * 10', next: 'done' },
      { id: 'done', kind: 'end' },
    ], [{ key: 'trial_ends', label: 'Trial ends', type: 'date' }, numberField('stage')]));
    const ids = await bulkContacts(b, 5_000, { trial_ends: T0 + HOUR });
    // Imported before the map knew them: a publish arms their triggers.
    await b.republish('map-1');
    b.clock.set(T0 + 2 * HOUR);
    const run = b.rt.runDue();
    await until(async () => (await b!.store.db.selectFrom('date_timers').select('contact_id').where('due_at', 'is', null).limit(1).execute()).length > 0);
    const lastId = ids[ids.length - 1];
    const ingest = b.rt.ingest([{ contact: { id: lastId }, type: 'email_link_clicked' }]);
    expect(await first(ingest, run)).toBe(true);
    await run;
    expect(await b.score(lastId, 'stage')).toBe(10);
    expect(await b.score(ids[0], 'stage')).toBe(1);
    expect((await b.stats('map-1')).mark.wereHere).toBe(5_000);
  });
});

describe("a day's degradation in progress", () => {
  const decaying = { id: 'main', name: 'Main', field: 'score', degradation: { percentPerDay: 10 }, rules: [
    { id: 'demo', label: 'Demo', when: { event: 'demo_requested' }, points: 5 },
  ] };

  for (const listened of [false, true]) {
    it(`degrades a contact it has not reached before the contact's event${listened ? ' (a map listens: engine pages)' : ' (set-based pages)'}, once`, async () => {
      b = await setup();
      await saveModel(b.rt, decaying, { create: true });
      if (listened) {
        await b.publish(mapDoc([
          { id: 'changed', kind: 'trigger', on: { type: 'field_updated', field: 'score' }, next: 'seen' },
          { id: 'seen', kind: 'update_field', field: 'seen', value: '[seen] + 1', next: 'done' },
          { id: 'done', kind: 'end' },
        ], [numberField('seen')]));
      }
      const n = listened ? 5_000 : 45_000; // five pages either way
      const ids = await bulkContacts(b, n, { score: 50 });
      const lastId = ids[n - 1];
      b.clock.set(T0 + DAY + MINUTE);
      // Requests are coming in (as the HTTP layer tells it): the degradation takes small pages.
      b.rt.due.noteRequest();
      const run = b.rt.runDue();
      await until(async () => {
        b!.rt.due.noteRequest();
        return (await b!.store.getDecayRun('main', '2026-01-02'))?.cursor != null;
      });
      await b.rt.ingest([{ contact: { id: lastId }, type: 'demo_requested' }]);
      // It ran ahead of the pages, and says so for them to pass it by.
      const early = await b.store.db.selectFrom('job_contacts_done').selectAll().execute();
      expect(early).toEqual([{ job: 'decay:main:2026-01-02', contact_id: lastId }]);
      await run;
      expect(await b.score(lastId)).toBe(50); // 50 × 0.9 + 5, not (50 + 5) × 0.9
      expect((await b.changes(lastId, 'score')).map(([, from, to, cause]) => [from, to, cause])).toEqual([
        [50, 45, { decay: 'main' }],
        [45, 50, { scoringModel: 'main', rule: 'demo' }],
      ]);
      expect(await b.score(ids[0])).toBe(45);
      expect(await b.score(ids[n - 2])).toBe(45);
      if (listened) expect(await b.score(lastId, 'seen')).toBe(2);
      // The finished day forgets who ran early.
      expect(await b.store.db.selectFrom('job_contacts_done').selectAll().execute()).toEqual([]);
      expect((await b.store.getDecayRun('main', '2026-01-02'))?.finished).toBe(true);
    });
  }
});

describe('a cron tick in progress', () => {
  it("admits a contact it has not reached before the contact's event, once", async () => {
    b = await setup();
    const map = await b.publish(mapDoc([
      { id: 'nightly', kind: 'trigger', on: { type: 'schedule', cron: '0 3 * * *' }, next: 'set' },
      { id: 'set', kind: 'update_field', field: 'stage', value: '1', next: 'hold' },
      { id: 'hold', kind: 'wait', for: { days: 30 }, next: 'done' },
      { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'times' },
      { id: 'times', kind: 'update_field', field: 'stage', value: '[stage] * 10', next: 'done' },
      { id: 'done', kind: 'end' },
    ], [numberField('stage')]));
    const ids = await bulkContacts(b, 4_000, {});
    b.clock.set(T0 + 3 * HOUR + MINUTE);
    const run = b.rt.runDue();
    await until(async () => (await b!.store.getMeta(`schedule-cursor:${map}:nightly`)) !== null);
    const lastId = ids[ids.length - 1];
    await b.rt.ingest([{ contact: { id: lastId }, type: 'email_link_clicked' }]);
    await run;
    // The tick at 03:00 set 1, the click after it made 10 (the other way round it would be 1).
    expect(await b.score(lastId, 'stage')).toBe(10);
    expect(await b.score(ids[0], 'stage')).toBe(1);
    expect((await b.stats(map)).set.wereHere).toBe(4_000);
    expect(await b.store.db.selectFrom('job_contacts_done').selectAll().execute()).toEqual([]);
  });
});
