/**
 * Several engines on one PostgreSQL database, as several `scoremap serve` and `scoremap worker`
 * processes run: each its own store (connection pool), clock and compiled world. Cron ticks and
 * degradations run once, not once per process; a map published by one runs in the others; an
 * event sent to two at once counts once. (PostgreSQL half only: SQLite has one writer.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Store } from '../store/store.js';
import { onPostgres, testDatabase } from '../store/testing.js';
import { createContacts } from './contacts.js';
import { createMap, publishMap } from './maps.js';
import { Runtime } from './runtime.js';
import { saveModel } from './scoring.js';
import { DAY, T0, mapDoc, numberField } from './testing.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** `n` runtimes on one fresh database, each with its own store and manual clock at T0. */
async function engines(n: number): Promise<Runtime[]> {
  const url = testDatabase();
  const out: Runtime[] = [];
  for (let i = 0; i < n; i++) {
    const store = await Store.open(url);
    stores.push(store);
    let k = 0;
    out.push(await Runtime.create({ store, clock: new ManualClock(T0), ids: () => `p${i}-${++k}` }));
  }
  return out;
}

const hits = (on: object) => mapDoc([
  { id: 't', kind: 'trigger', on, next: 'count' },
  { id: 'count', kind: 'update_field', field: 'hits', value: '[hits] + 1', next: 'e' },
  { id: 'e', kind: 'end' },
], [numberField('hits')]);

const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${String(i).padStart(4, '0')}` }));

describe.skipIf(!onPostgres)('several engines on one PostgreSQL database', () => {
  it('run a cron tick once between them: 2,500 contacts over three pages each enter once per tick', async () => {
    const [a, b, c] = await engines(3);
    await createMap(a, hits({ type: 'schedule', cron: '0 3 * * *' }), 'daily');
    await publishMap(a, 'daily');
    await createContacts(a, people(2_500), { api: true });
    await Promise.all([b.refresh(), c.refresh()]); // as their schedulers do every second
    // All three reach 03:00 together, twice.
    await Promise.all([a, b, c].map((rt) => rt.advance(T0 + DAY + 4 * 3_600_000, rt.clock as ManualClock)));
    const { n, total } = await a.store.db.selectFrom('contacts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('f_hits').as('total')]).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(2_500);
    expect(Number(total)).toBe(2 * 2_500);
    expect((await a.store.getStats('daily')).count.wereHere).toBe(2 * 2_500);
    expect((await b.store.getSchedules('daily'))[0].nextAt).toBe(T0 + 2 * DAY + 3 * 3_600_000);
  });

  it('degrade scores once a day between them, not once per engine', async () => {
    const [a, b] = await engines(2);
    await saveModel(a, {
      id: 'main', name: 'Main', field: 'score', degradation: { percentPerDay: 10 },
      rules: [{ id: 'click', label: 'Click', when: { event: 'email_link_clicked' }, points: 100 }],
    }, { create: true });
    await createContacts(a, people(1_200), { api: true });
    await a.ingest(people(1_200).map((p) => ({ contact: { id: p.id }, type: 'email_link_clicked' })));
    await b.refresh(); // b learns of the model (its scheduler would, within a second)
    await Promise.all([a, b].map((rt) => rt.advance(T0 + 3 * DAY - 1, rt.clock as ManualClock)));
    const scores = await a.store.db.selectFrom('contacts').select('f_score').distinct().execute();
    // Two midnights: 100 × 0.9 × 0.9.
    expect(scores.map((r) => r.f_score)).toEqual([81]);
    const runs = await a.store.db.selectFrom('degradation_runs').select(['day', 'finished']).orderBy('day').execute();
    expect(runs).toEqual([{ day: '2026-01-02', finished: 1 }, { day: '2026-01-03', finished: 1 }]);
  });

  it('run a map another engine published, from their next transaction', async () => {
    const [a, b] = await engines(2);
    await createContacts(b, [{ id: 'ann' }], { api: true });
    await createMap(a, hits({ type: 'event', event: 'email_opened' }), 'opens');
    await publishMap(a, 'opens');
    // b never reloaded: its transaction sees the new world revision, reads the maps again, and runs it.
    await b.ingest([{ contact: { id: 'ann' }, type: 'email_opened' }]);
    expect((await b.store.loadContacts(['ann'])).get('ann')!.fields.hits).toBe(1);
    expect(b.world.maps.map((m) => m.id)).toEqual(['opens']);
  });

  it('count an event sent to two engines at once only once (its id is the key)', async () => {
    const [a, b] = await engines(2);
    await createMap(a, hits({ type: 'event', event: 'email_opened' }), 'opens');
    await publishMap(a, 'opens');
    await createContacts(a, people(50), { api: true });
    await b.refresh();
    const batch = people(50).map((p, i) => ({ id: `evt-${i}`, contact: { id: p.id }, type: 'email_opened' }));
    for (let round = 0; round < 5; round++) {
      const [ra, rb] = await Promise.all([a.ingest(batch), b.ingest(batch)]);
      expect(ra.accepted + rb.accepted).toBe(round === 0 ? 50 : 0);
      expect(ra.duplicates + rb.duplicates).toBe(round === 0 ? 50 : 100);
    }
    const rows = await a.store.db.selectFrom('contacts').select('f_hits').distinct().execute();
    expect(rows.map((r) => r.f_hits)).toEqual([1]);
    // New contacts named by the same email at once: one contact, not two.
    const byEmail = [{ id: 'new-1', contact: { email: 'Zoe@Example.com' }, type: 'email_opened' }];
    await Promise.all([a.ingest(byEmail), b.ingest([{ ...byEmail[0], id: 'new-2' }])]);
    const zoe = await a.store.findIdsByEmail(['zoe@example.com']);
    expect(zoe.size).toBe(1);
    expect((await a.store.loadContacts([...zoe.values()])).get([...zoe.values()][0])!.fields.hits).toBe(2);
  });

  it('leave installations in other schemas of the same database alone: their locks are their own', async () => {
    const [a] = await engines(1);
    const [b] = await engines(1);
    let release!: () => void;
    const held = a.store.exclusively(() => new Promise<void>((ok) => (release = ok)));
    await new Promise((r) => setTimeout(r, 100)); // a holds its world lock alone now
    const timeout = new Promise<string>((ok) => setTimeout(() => ok('waited for the other schema'), 3_000));
    expect(await Promise.race([b.runDue().then(() => 'ran'), timeout])).toBe('ran');
    release();
    await held;
  });
});
