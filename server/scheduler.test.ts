import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../engine/clock.js';
import { openTestStore } from './store/testing.js';
import { Runtime } from './runtime/runtime.js';
import { createMap, publishMap } from './runtime/maps.js';
import { createContacts } from './runtime/contacts.js';
import { Scheduler } from './scheduler.js';
import { BATCH, IDLE_SLICES } from './runtime/due.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const waitFor = async (check: () => Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};

/** A runtime on the real clock with a scheduler (not yet started), counting its runs of due work. */
async function started() {
  const store = await openTestStore();
  const rt = await Runtime.create({ store, clock: realClock });
  let count = 0;
  const runDue = rt.runDue.bind(rt);
  rt.runDue = () => {
    count++;
    return runDue();
  };
  const scheduler = new Scheduler(rt);
  cleanup = async () => {
    await scheduler.stop();
    await store.close();
  };
  return { store, rt, scheduler, runs: () => count };
}

describe('Scheduler on the real clock', () => {
  it('fires a wait when it comes due, sleeping in between, and finishes its batch on stop', async () => {
    const { store, rt, scheduler, runs } = await started();
    scheduler.start();
    await createMap(rt, {
      name: 'Short wait',
      fields: [{ key: 'done', label: 'Done', type: 'number' }],
      elements: [
        { id: 't', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'w' },
        { id: 'w', kind: 'wait', for: { minutes: 1 / 60 }, next: 's' }, // 1 s, the shortest wait a map may publish
        { id: 's', kind: 'update_field', field: 'done', value: '1', next: 'e' },
        { id: 'e', kind: 'end' },
      ],
    }, 'm');
    await publishMap(rt, 'm');
    await rt.ingest([{ contact: { email: 'ann@example.com' }, type: 'page_visited' }]);
    const [ann] = await store.contactIdsAfter(null, 1);
    const done = async () => (await store.loadContacts([ann])).get(ann)?.fields.done === 1;
    expect(await done()).toBe(false);
    const before = runs();
    expect(await waitFor(done)).toBe(true);
    // It slept until the wait was due rather than polling: a handful of wake-ups, not hundreds.
    expect(runs() - before).toBeLessThan(10);
  });

  it('wakes for a wait that a contact created through the API reaches, and not for waits of days', async () => {
    const { store, rt, scheduler, runs } = await started();
    await createMap(rt, {
      name: 'Welcome',
      fields: [{ key: 'done', label: 'Done', type: 'number' }],
      elements: [
        { id: 'new', kind: 'trigger', on: { type: 'contact_created' }, next: 'w' },
        { id: 'w', kind: 'wait', for: { minutes: 1 / 60 }, next: 's' },
        { id: 's', kind: 'update_field', field: 'done', value: '1', next: 'e' },
        { id: 'visit', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'long' },
        { id: 'long', kind: 'wait', for: { days: 3 }, next: 'e' },
        { id: 'e', kind: 'end' },
      ],
    }, 'm');
    await publishMap(rt, 'm');
    scheduler.start();
    // Nothing is due: the scheduler sleeps its longest sleep (a minute).
    await waitFor(async () => runs() > 0);
    await new Promise((r) => setTimeout(r, 50));
    const asleep = runs();
    await createContacts(rt, [{ id: 'ann', fields: {} }], { api: true });
    const done = async () => (await store.loadContacts(['ann'])).get('ann')?.fields.done === 1;
    expect(await waitFor(done)).toBe(true); // within seconds, not at the end of the minute
    expect(runs()).toBeGreaterThan(asleep);
    // The run's own writes may ask for one more look: once it is over, the scheduler sleeps long.
    const asleepLong = () => Number.isFinite(scheduler.sleepingUntil) && scheduler.sleepingUntil - Date.now() > 30_000;
    expect(await waitFor(async () => asleepLong())).toBe(true);
    const afterWait = runs();
    const until = scheduler.sleepingUntil;
    await rt.ingest([{ contact: { id: 'ann' }, type: 'page_visited' }]);
    await new Promise((r) => setTimeout(r, 100));
    // A wait of three days needs no early look.
    expect(runs()).toBe(afterWait);
    expect(scheduler.sleepingUntil).toBe(until);
  });

  it('runs what a publish made due after the publish has answered: a publish does not wait for a wave of due work', async () => {
    const { store, rt, scheduler } = await started();
    scheduler.start();
    const long = Date.now() - 90 * 86_400_000;
    // More than two of the scheduler's largest transactions (four slices when no request comes in).
    const n = 2 * IDLE_SLICES * BATCH + 1;
    await store.transaction((s) => s.insertContacts(Array.from({ length: n }, (_, i) => ({
      id: `q${String(i).padStart(5, '0')}`, fields: { last_activity_at: long, created_at: long }, tags: [], createdAt: long,
    }))));
    await createMap(rt, {
      name: 'Quiet for 30 days',
      fields: [{ key: 'quiet', label: 'Quiet', type: 'number' }],
      elements: [
        { id: 't', kind: 'trigger', on: { type: 'date_reached', field: 'last_activity_at', offset: { days: 30 } }, next: 'u' },
        { id: 'u', kind: 'update_field', field: 'quiet', value: '1', next: 'e' },
        { id: 'e', kind: 'end' },
      ],
    }, 'quiet');
    await publishMap(rt, 'quiet');
    const fired = async () => Number((await store.db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).where('f_quiet' as never, '=', 1 as never).executeTakeFirstOrThrow()).n);
    // Answered before all the resets ran (they are the scheduler's, in slices)…
    expect(await fired()).toBeLessThan(n);
    // …and they all run, once each, soon after.
    expect(await waitFor(async () => (await fired()) === n, 120_000)).toBe(true);
    expect((await store.getStats('quiet')).u.wereHere).toBe(n);
  });
});
