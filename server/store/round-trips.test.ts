/**
 * Statements sent together (PostgreSQL: `Dialect.defer` and `Dialect.together`): a lock or a write
 * whose answer nobody reads goes out with the transaction's next statement, and reads that do not
 * depend on each other go out at once. The order of the statements, and what a failure undoes,
 * stay as if each had been sent alone; a group of event requests costs few round trips.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { setup, type Bench } from '../runtime/testing.js';
import { onPostgres, openTestStore } from './testing.js';
import type { Store } from './store.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function store(): Promise<Store> {
  const s = await openTestStore();
  open.push(s);
  return s;
}

/**
 * Counts round trips to PostgreSQL while `count` runs: statements sent on one connection in one
 * run of synchronous code go out together, one round trip. Installed before the connections are
 * opened (`open`), which see it as the client's own `query`.
 */
async function roundTrips<T>(open: () => Promise<T>, count: (opened: T) => Promise<unknown>): Promise<number> {
  const query = pg.Client.prototype.query;
  const sending = new WeakSet<object>();
  let trips = 0;
  let counting = false;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (counting && !sending.has(this)) {
      trips++;
      sending.add(this);
      queueMicrotask(() => sending.delete(this));
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    const opened = await open();
    counting = true;
    await count(opened);
  } finally {
    counting = false;
    pg.Client.prototype.query = query;
  }
  return trips;
}

describe('statements sent together', () => {
  it('run in the order they were asked for: a read sees the writes sent before it', async () => {
    const s = await store();
    await s.insertContacts([{ id: 'a', fields: {}, tags: [], createdAt: 1 }]);
    const seen = await s.transaction(async (tx) => {
      await tx.insertEvents([{ id: 'e1', contactId: 'a', type: 'click', at: 2, props: null, acceptedAt: 2 }]);
      await tx.insertHistory([{ contactId: 'a', at: 2, field: 'score', from: null, to: 1, cause: { api: true } }]);
      await tx.bumpStats([{ mapId: 'm', elementId: 'w', wereHere: 1, errors: 0, at: 2 }]);
      return tx.knownEventsAndEmails(['e1', 'e2'], ['nobody@x.test']);
    });
    expect([...seen.existing]).toEqual(['e1']);
    expect((await s.getStats('m')).w).toMatchObject({ wereHere: 1 });
    expect((await s.contactHistory('a')).map((h) => h.to)).toEqual([1]);
  });

  it("fail the transaction when a write sent with the next statement fails, and leave nothing of it", async () => {
    const s = await store();
    await s.insertContacts([{ id: 'a', fields: { email: 'a@x.test' }, tags: [], createdAt: 1 }]);
    await s.insertEvents([{ id: 'e1', contactId: 'a', type: 'click', at: 1, props: null, acceptedAt: 1 }]);
    let after = false;
    const run = s.transaction(async (tx) => {
      await tx.insertHistory([{ contactId: 'a', at: 2, field: 'score', from: null, to: 1, cause: { api: true } }]);
      // The same id again: a unique key refuses it.
      await tx.insertEvents([{ id: 'e1', contactId: 'a', type: 'click', at: 2, props: null, acceptedAt: 2 }]);
      await tx.bumpStats([{ mapId: 'm', elementId: 'w', wereHere: 1, errors: 0, at: 2 }]);
      await tx.loadContacts(['a']);
      after = true;
    });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(s.dialect.isUniqueViolation(err)).toBe(true);
    expect(after).toBe(false);
    expect(await s.contactHistory('a')).toEqual([]);
    expect(await s.getStats('m')).toEqual({});
    // The connection serves the next transaction as usual.
    await s.transaction((tx) => tx.insertEvents([{ id: 'e2', contactId: 'a', type: 'click', at: 3, props: null, acceptedAt: 3 }]));
    expect((await sql<{ id: string }>`select id from events order by id`.execute(s.db)).rows.map((r) => r.id)).toEqual(['e1', 'e2']);
  });

  it('leave nothing behind when the transaction throws before they were sent', async () => {
    const s = await store();
    await s.insertContacts([{ id: 'a', fields: {}, tags: [], createdAt: 1 }]);
    await expect(
      s.transaction(async (tx) => {
        await tx.insertHistory([{ contactId: 'a', at: 2, field: 'score', from: null, to: 1, cause: { api: true } }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await s.contactHistory('a')).toEqual([]);
    expect(await s.contactCount()).toBe(1);
  });

  it('refuse a checked read before anything after it is decided or committed', async () => {
    const s = await store();
    await s.insertContacts([{ id: 'a', fields: {}, tags: [], createdAt: 1 }]);
    await s.setMeta('rev', 'r2');
    const refuse = (v: string | null) => {
      if (v !== 'r1') throw new Error(`the revision is ${v}`);
    };
    // Only writes after the check: it is refused before the commit, and nothing is kept.
    await expect(
      s.transaction(async (tx) => {
        await tx.checkMeta('rev', refuse);
        await tx.insertHistory([{ contactId: 'a', at: 2, field: 'score', from: null, to: 1, cause: { api: true } }]);
      }),
    ).rejects.toThrow('the revision is r2');
    expect(await s.contactHistory('a')).toEqual([]);
    // A read after the check is never answered.
    let read = false;
    await expect(
      s.transaction(async (tx) => {
        await tx.checkMeta('rev', refuse);
        await tx.loadContacts(['a']);
        read = true;
      }),
    ).rejects.toThrow('the revision is r2');
    expect(read).toBe(false);
    // A check that passes changes nothing.
    await s.transaction(async (tx) => {
      await tx.checkMeta('rev', (v) => expect(v).toBe('r2'));
      await tx.insertHistory([{ contactId: 'a', at: 3, field: 'score', from: null, to: 2, cause: { api: true } }]);
    });
    expect((await s.contactHistory('a')).map((h) => h.to)).toEqual([2]);
  });

  it.skipIf(!onPostgres)('cost a group of 16 single-event requests at most 4 round trips on PostgreSQL', async () => {
    let b!: Bench;
    const trips = await roundTrips(
      async () => {
        b = await setup();
        open.push(b);
        for (const name of ['custom-lead-score', 'composite-score']) await b.publish(JSON.parse(readFileSync(`maps/${name}.json`, 'utf8')));
        for (let i = 0; i < 16; i++) await b.contact(`c${i}`, { email: `c${i}@x.test` });
      },
      async () => {
        const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => b.rt.ingest([{ id: `e${i}`, contact: { email: `c${i}@x.test` }, type: 'email_link_clicked' }])));
        expect(answers.every((a) => a.accepted === 1)).toBe(true);
      },
    );
    expect(b.rt.intakeStats).toMatchObject({ groups: 1, requests: 16, fallbacks: 0 });
    // 17 with each statement sent alone.
    expect(trips).toBeLessThanOrEqual(4);
    expect(await b.score('c3', 'custom_lead_score')).toBe(5);
  });

  it.skipIf(!onPostgres)('keep the hot statements prepared on PostgreSQL, and go on when a new field adds a column', async () => {
    // What each connection was sent: a named statement is parsed and planned once per connection.
    const sent: { name?: string; text: string }[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const [config] = args;
      if (typeof config === 'string') sent.push({ text: config });
      else if (config && typeof config === 'object' && 'text' in config) sent.push({ name: (config as { name?: string }).name, text: String((config as { text: unknown }).text) });
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      const b = await setup();
      open.push(b);
      await b.publish(JSON.parse(readFileSync('maps/custom-lead-score.json', 'utf8')));
      for (let i = 0; i < 4; i++) await b.contact(`c${i}`, { email: `c${i}@x.test` });
      const send = (from: number) => Promise.all(Array.from({ length: 4 }, (_, i) => b.rt.ingest([{ id: `e${from + i}`, contact: { email: `c${i}@x.test` }, type: 'email_link_clicked' }])));
      sent.length = 0;
      await send(0);
      const named = (text: string) => sent.filter((q) => q.text.startsWith(text));
      // The event rows' batch insert and the idempotency check go by name; a select * never does.
      expect(named('insert into "events"').every((q) => q.name?.startsWith('scoremap_'))).toBe(true);
      expect(named('select "id" from "events"').every((q) => q.name?.startsWith('scoremap_'))).toBe(true);
      // Tags and places name their columns, so they are kept too.
      expect(named('select "contact_id", "tag" from "contact_tags"').length).toBeGreaterThan(0);
      expect(named('select "contact_id", "tag" from "contact_tags"').every((q) => q.name?.startsWith('scoremap_'))).toBe(true);
      expect(named('select * from "contacts"').length).toBeGreaterThan(0);
      expect(named('select * from "contacts"').every((q) => q.name === undefined)).toBe(true);
      // A field created while the statements are kept adds a column to contacts: the kept writes
      // of contacts are planned again by PostgreSQL, and the next events score as before.
      await b.publish({
        name: 'Fit', fields: [{ key: 'fit', label: 'Fit', type: 'number' }],
        elements: [
          { id: 't', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'add' },
          { id: 'add', kind: 'update_field', field: 'fit', value: '[Fit] + 1', next: 'end' },
          { id: 'end', kind: 'end' },
        ],
      });
      await send(4);
      await send(8);
      expect(await b.score('c2', 'custom_lead_score')).toBe(15);
      expect(await b.score('c2', 'fit')).toBe(2);
    } finally {
      pg.Client.prototype.query = query;
    }
  });
});
