import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { updateContact } from '../runtime/contacts.js';
import { saveModel } from '../runtime/scoring.js';
import { DAY, HOUR, T0, mapDoc, numberField, setup, type Bench } from '../runtime/testing.js';
import { migrate } from '../store/migrations.js';
import { openPostgres } from '../store/postgres.js';
import { openSqlite } from '../store/sqlite.js';
import { Store } from '../store/store.js';
import { migrateBefore, onPostgres, testDatabase } from '../store/testing.js';
import { dayWork, decayDay, startDay } from './day-run.js';
import { endExpired } from './ledger-store.js';
import { breakdown } from './routes.js';
import { Runtime } from '../runtime/runtime.js';
import { ManualClock } from '../../engine/clock.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

const model = {
  id: 'm', name: 'M', field: 'score', degradation: { percentPerDay: 50 },
  rules: [
    { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 10, expiresAfter: { days: 1 } },
    { id: 'buy', label: 'Bought', when: { event: 'purchase' }, points: 20 },
  ],
};

describe("a day's run interrupted halfway", () => {
  for (const listened of [false, true]) {
    it(`takes back expired points and degrades each contact once (${listened ? 'through the engine' : 'set-based'})`, async () => {
      b = await setup();
      await saveModel(b.rt, model, { create: true });
      if (listened) {
        await b.publish(mapDoc([{ id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'score' }, next: 'e' }, { id: 'e', kind: 'end' }]));
      }
      for (const id of ['a', 'b', 'c']) {
        await b.contact(id);
        await b.event(id, 'email_link_clicked');
        await b.event(id, 'purchase');
      }
      // The process running day 2 committed its first page (contact "a": its click taken back,
      // the rest halved), then died.
      const at = T0 + DAY;
      const day = decayDay(b.rt.world.models![0].model, at);
      await b.rt.lock.run(() => b!.rt.transaction(async (s) => {
        await startDay(s, b!.rt.world.models![0].model, day, at, b!.rt.world.models![0].since);
        await b!.rt.runItems(s, await dayWork(s, b!.rt.world.models![0].model, b!.rt.world.models![0].since, ['a'], at));
        await endExpired(s.db, 'm', ['a'], at);
        await s.saveDecayRun('m', day, 'a', false, at);
      }));
      expect(await b.score('a')).toBe(10);
      await b.advance(T0 + DAY + HOUR);
      expect([await b.score('a'), await b.score('b'), await b.score('c')]).toEqual([10, 10, 10]);
      for (const id of ['a', 'b', 'c']) {
        const causes = (await b.changes(id, 'score')).map((c) => c[3]);
        expect(causes.filter((c) => 'reason' in c && c.reason === 'expired')).toHaveLength(1);
        expect(causes.filter((c) => 'decay' in c)).toHaveLength(1);
        expect((await breakdown(b.rt, id)).models[0].text).toBe('10 = 20 Bought − 10 decay');
      }
    });
  }
});

describe('a contact created while a day\'s run is under way', () => {
  for (const listened of [false, true]) {
    it(`is not the day's, whatever its id: neither an event's catch-up nor the run's pages degrade it (${listened ? 'through the engine' : 'set-based'})`, async () => {
      b = await setup();
      await saveModel(b.rt, model, { create: true });
      if (listened) {
        await b.publish(mapDoc([{ id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'score' }, next: 'e' }, { id: 'e', kind: 'end' }]));
      }
      await b.contact('a');
      await b.event('a', 'purchase');
      // Day 2's run started at midnight and has done nothing yet ("0" sorts before every id)…
      const at = T0 + DAY;
      const m = b.rt.world.models![0];
      const day = decayDay(m.model, at);
      await b.rt.lock.run(() => b!.rt.transaction(async (s) => {
        await startDay(s, m.model, day, at, m.since);
        await s.saveDecayRun('m', day, '0', false, at);
      }));
      // …when, half an hour later, an event creates a contact (an id after the cursor) with 20
      // points, and ten minutes later another event of it runs its catch-up.
      b.clock.set(at + 30 * 60_000);
      // A second new contact has no later event: only the run's pages could reach it.
      await b.rt.ingest([{ id: 'p1', contact: { email: 'new@example.com' }, type: 'purchase' }, { id: 'q1', contact: { email: 'quiet@example.com' }, type: 'purchase' }]);
      b.clock.set(at + 40 * 60_000);
      await b.rt.ingest([{ id: 'p2', contact: { email: 'new@example.com' }, type: 'purchase' }]);
      await b.advance(at + HOUR);
      const ids = await b.store.findIdsByEmail(['new@example.com', 'quiet@example.com']);
      const [fresh, quiet] = [ids.get('new@example.com')!, ids.get('quiet@example.com')!];
      expect(fresh > '0' && quiet > '0').toBe(true);
      // a: 20 halved at midnight; the new contacts: 20 + 20 and 20, never halved on a day that began before them.
      expect([await b.score('a'), await b.score(fresh), await b.score(quiet)]).toEqual([10, 40, 20]);
      for (const id of [fresh, quiet]) expect((await b.changes(id, 'score')).map((c) => c[3]).filter((c) => 'decay' in c)).toEqual([]);
    });
  }
});

describe("a day's degradation rounds as the engine does", () => {
  for (const listened of [false, true]) {
    it(`24.09 halved is 12.05 at two decimals, though the double 12.045 lies just below the half (${listened ? 'through the engine' : 'set-based'})`, async () => {
      b = await setup({ fields: [numberField('pts', 2)] });
      await b.contact('a', { pts: 24.09 });
      await b.contact('b', { pts: -24.09 });
      await saveModel(b.rt, { id: 'm', name: 'M', field: 'pts', degradation: { percentPerDay: 50 }, min: -100, rules: [] }, { create: true });
      if (listened) {
        await b.publish(mapDoc([{ id: 't', kind: 'trigger', on: { type: 'field_updated', field: 'pts' }, next: 'e' }, { id: 'e', kind: 'end' }]));
      }
      await b.advance(T0 + DAY + HOUR);
      expect([await b.score('a', 'pts'), await b.score('b', 'pts')]).toEqual([12.05, -12.05]);
      expect((await b.changes('a', 'pts')).at(-1)?.slice(1, 3)).toEqual([24.09, 12.05]);
    });
  }
});

describe('migration 0009_ledger', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('keeps every score: held condition rules and an opening grant for the rest, so taking a rule back takes its points', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scoremap-ledger-'));
    const location = testDatabase(join(dir, 'old.db'));
    const old = onPostgres ? await openPostgres(location) : openSqlite(location).db;
    await migrateBefore(old, '0009_ledger');
    const doc = {
      id: 'm', name: 'M', field: 'score', min: 0, max: 100,
      rules: [
        { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 5 },
        { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10 },
      ],
    };
    await old.insertInto('scoring_models').values({ id: 'm', seq: 1, doc_json: JSON.stringify(doc), next_decay_at: null, created_at: T0, updated_at: T0 } as never).execute();
    for (const [id, score, title] of [['ann', 42, 'CEO'], ['bob', 7, 'Engineer']] as const) {
      await old.insertInto('contacts').values({ id, created_at: T0, updated_at: T0, f_created_at: T0, f_score: score, f_job_title: title } as never).execute();
    }
    await old.insertInto('scoring_rule_states').values({ model_id: 'm', rule_id: 'ceo', contact_id: 'ann', points: 10 }).execute();
    await migrate(old);
    await old.destroy();

    const store = await Store.open(location);
    const rt = await Runtime.create({ store, clock: new ManualClock(T0 + DAY) });
    try {
      expect((await breakdown(rt, 'ann')).models[0].text).toBe('42 = 10 CEO + 32 points from before the ledger');
      expect((await breakdown(rt, 'bob')).models[0].text).toBe('7 = 7 points from before the ledger');
      await updateContact(rt, 'ann', { job_title: 'Advisor' }, { api: true });
      expect((await store.loadContacts(['ann'])).get('ann')!.fields.score).toBe(32);
    } finally {
      await store.close();
    }
  });
});
