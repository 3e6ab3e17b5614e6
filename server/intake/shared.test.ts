/**
 * Two servers on one PostgreSQL database take Segment calls about the same new person at the same
 * moment: one contact, every event on it (PostgreSQL half only: SQLite has one writer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Runtime } from '../runtime/runtime.js';
import { T0 } from '../runtime/testing.js';
import { Store } from '../store/store.js';
import { onPostgres, testDatabase } from '../store/testing.js';
import { takeIn } from './apply.js';
import { translateRequest } from './segment.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe.skipIf(!onPostgres)('two servers take in calls about one new person at once', () => {
  it('make one contact with every event, whether named by user id, email or anonymous id', async () => {
    const url = testDatabase();
    const engines: Runtime[] = [];
    for (let i = 0; i < 2; i++) {
      const store = await Store.open(url);
      stores.push(store);
      let k = 0;
      engines.push(await Runtime.create({ store, clock: new ManualClock(T0), ids: () => `p${i}-${++k}` }));
    }
    const send = (rt: Runtime, n: number) => {
      const body = { batch: [
        { type: 'page', anonymousId: 'anon-1', messageId: `page-${n}`, properties: { url: 'https://example.com/pricing' } },
        { type: 'track', userId: 'u-1', anonymousId: 'anon-1', event: 'Demo Requested', messageId: `demo-${n}`, context: { traits: { email: 'ann@example.com' } } },
      ] };
      const r = translateRequest('batch', body, { now: T0, fields: rt.world.fields.all(), makeId: () => rt.ids() });
      if (!r.ok) throw new Error(r.message);
      return takeIn(rt, r.calls);
    };
    // Ten rounds, both servers at once each time, so their transactions race on the new identities.
    for (let round = 0; round < 10; round++) await Promise.all(engines.map((rt, i) => send(rt, round * 2 + i)));
    const contacts = await engines[0].store.db.selectFrom('contacts').select(['id', 'f_email', 'f_external_id']).execute();
    expect(contacts).toEqual([expect.objectContaining({ f_email: 'ann@example.com', f_external_id: 'u-1' })]);
    const events = await engines[0].store.db.selectFrom('events').select(['id', 'contact_id']).execute();
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.contact_id))).toEqual(new Set([contacts[0].id]));
    const anon = await engines[0].store.db.selectFrom('anonymous_ids').selectAll().execute();
    expect(anon.map((a) => [a.anonymous_id, a.contact_id])).toEqual([['anon-1', contacts[0].id]]);
  });
});
