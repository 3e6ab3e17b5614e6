/**
 * Round robin (SPEC §12): the assign_owner element hands out owners in turn, and its count of turns
 * lives in the `rotations` table — through batches, restarts, rollbacks, list edits, several
 * processes on PostgreSQL, and simulations (each its own count).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { onPostgres, testDatabase } from '../store/testing.js';
import { Store } from '../store/store.js';
import { simulate } from '../simulate.js';
import { createContacts } from './contacts.js';
import { checkMap, createMap, publishMap, saveDraft } from './maps.js';
import { Runtime } from './runtime.js';
import { DAY, HOUR, MINUTE, T0, mapDoc, setup, type Bench } from './testing.js';

const OWNERS = ['ana@acme.com', 'ben@acme.com', 'cy@acme.com'];
const [A, B, C] = OWNERS;

/** Each contact that signs up gets the next owner; a change of Owner tags the contact (its triggers fire). */
const rotation = (owners: readonly string[] = OWNERS) => mapDoc([
  { id: 'signup', kind: 'trigger', on: { type: 'event', event: 'signed_up' }, next: 'assign' },
  { id: 'assign', kind: 'assign_owner', owners: [...owners], next: 'done' },
  { id: 'done', kind: 'end' },
  { id: 'owned', kind: 'trigger', on: { type: 'field_updated', field: 'owner' }, next: 'tag' },
  { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['has-owner'], next: 'done' },
], [], 'Round robin');

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `c${String(from + i).padStart(3, '0')}`);

let bench: Bench | undefined;
const stores: Store[] = [];
let dir: string | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The owners of these contacts, in order. */
async function owners(store: Store, contactIds: readonly string[]): Promise<unknown[]> {
  const states = await store.loadContacts([...contactIds]);
  return contactIds.map((id) => states.get(id)?.fields.owner ?? null);
}

async function storedTurns(store: Store, key: string): Promise<number | null> {
  const row = await store.db.selectFrom('rotations').select('n').where('key', '=', key).executeTakeFirst();
  return row ? Number(row.n) : null;
}

/** Sends `signed_up` for each contact, one request each (one batch each). */
async function signUpOneByOne(rt: Runtime, contactIds: readonly string[]): Promise<void> {
  for (const id of contactIds) await rt.ingest([{ contact: { id }, type: 'signed_up' }]);
}

describe('the assign_owner element', () => {
  it('gives 7 contacts, one batch each, the owners a, b, c, a, b, c, a — each a change caused by the element that fires Owner triggers', async () => {
    bench = await setup();
    const map = await bench.publish(rotation());
    await createContacts(bench.rt, ids(7).map((id) => ({ id })), { api: true });
    await signUpOneByOne(bench.rt, ids(7));
    expect(await owners(bench.store, ids(7))).toEqual([A, B, C, A, B, C, A]);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(7);
    expect(await bench.changes('c000', 'owner')).toEqual([['2026-01-01T00:00:00.000Z', null, A, { map, version: 1, element: 'assign' }]]);
    expect(await bench.tags('c006')).toEqual(['has-owner']);
  });

  it('gives 7 contacts of one batch the same turns in the same order, and the next batch goes on from there', async () => {
    bench = await setup();
    const map = await bench.publish(rotation());
    await createContacts(bench.rt, ids(9).map((id) => ({ id })), { api: true });
    await bench.rt.ingest(ids(7).map((id) => ({ contact: { id }, type: 'signed_up' })));
    expect(await owners(bench.store, ids(7))).toEqual([A, B, C, A, B, C, A]);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(7);
    await bench.rt.ingest(ids(2, 7).map((id) => ({ contact: { id }, type: 'signed_up' })));
    expect(await owners(bench.store, ids(2, 7))).toEqual([B, C]);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(9);
  });

  it('goes on where it left off after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scoremap-rotation-'));
    const url = testDatabase(join(dir, 'scoremap.db'));
    bench = await setup({ path: url });
    await bench.publish(rotation());
    await createContacts(bench.rt, ids(7).map((id) => ({ id })), { api: true });
    await signUpOneByOne(bench.rt, ids(4));
    await bench.close();
    bench = undefined;

    const store = await Store.open(url);
    stores.push(store);
    const rt = await Runtime.create({ store, clock: new ManualClock(T0) });
    await signUpOneByOne(rt, ids(3, 4));
    expect(await owners(store, ids(7))).toEqual([A, B, C, A, B, C, A]);
  });

  it('hands out no turn in a batch that is rolled back: the next contact gets the turn it would have had', async () => {
    bench = await setup();
    const map = await bench.publish(rotation());
    await createContacts(bench.rt, ids(3).map((id) => ({ id })), { api: true });
    await signUpOneByOne(bench.rt, ids(1));
    const work = { kind: 'event' as const, event: { id: 'e-rolled-back', type: 'signed_up', at: T0, props: {} } };
    await expect(bench.rt.transaction(async (s) => {
      await bench!.rt.runItems(s, [{ contactId: 'c001', work, at: T0 }]);
      throw new Error('something later in the transaction failed');
    })).rejects.toThrow('something later in the transaction failed');
    expect(await owners(bench.store, ['c001'])).toEqual([null]);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(1);
    await signUpOneByOne(bench.rt, ['c002', 'c001']);
    expect(await owners(bench.store, ids(3))).toEqual([A, C, B]);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(3);
  });

  it('keeps its count when the list is edited: the next turn is the count modulo the new length', async () => {
    bench = await setup();
    const map = await bench.publish(rotation());
    await createContacts(bench.rt, ids(9).map((id) => ({ id })), { api: true });
    await signUpOneByOne(bench.rt, ids(7)); // 7 turns given
    await saveDraft(bench.rt, map, rotation(['dee@acme.com', 'eve@acme.com']), (await bench.store.getMap(map))!.rev);
    await bench.republish(map);
    await signUpOneByOne(bench.rt, ids(2, 7)); // turns 7 and 8: 7 mod 2 = 1, 8 mod 2 = 0
    expect(await owners(bench.store, ids(2, 7))).toEqual(['eve@acme.com', 'dee@acme.com']);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(9);
  });

  it('after a wait, hands out the turns contact by contact in due order (no set-based cohort runs it)', async () => {
    bench = await setup();
    const map = await bench.publish(mapDoc([
      { id: 'signup', kind: 'trigger', on: { type: 'event', event: 'signed_up' }, next: 'later' },
      { id: 'later', kind: 'wait', for: { days: 1 }, next: 'assign' },
      { id: 'assign', kind: 'assign_owner', owners: OWNERS, next: 'done' },
      { id: 'done', kind: 'end' },
    ]));
    await createContacts(bench.rt, ids(5).map((id) => ({ id })), { api: true });
    // Signed up in the order c004, c003, …: they come due in that order.
    for (const [i, id] of [...ids(5)].reverse().entries()) {
      bench.clock.set(T0 + i * MINUTE);
      await bench.event(id, 'signed_up');
    }
    await bench.advance(T0 + DAY + HOUR);
    expect(await owners(bench.store, [...ids(5)].reverse())).toEqual([A, B, C, A, B]);
    expect(await storedTurns(bench.store, `${map}:assign`)).toBe(5);
    expect(bench.rt.cohortStats.cohorts).toBe(0);
  });

  it('warns (without blocking the publish) of a listed email that is no person\'s', async () => {
    bench = await setup();
    await bench.store.db.insertInto('users').values({
      id: 'u1', email: 'Ana@Acme.com', email_norm: 'ana@acme.com', name: 'Ana', role: 'sales', password_hash: 'x', created_at: T0, updated_at: T0,
    }).execute();
    const { map } = await createMap(bench.rt, rotation([A, 'Ben@acme.com']), 'rr');
    const problems = await checkMap(bench.rt, map.doc as never, 'rr');
    expect(problems).toEqual([{
      element: 'assign', path: 'owners', severity: 'warning',
      message: "Element 'assign': ben@acme.com is no one's email here: their leads get an owner who cannot sign in — add them under People, or fix the spelling",
    }]);
    expect((await publishMap(bench.rt, 'rr')).version).toBe(1);
  });

  it('runs in a simulation, with a count of its own for each run', async () => {
    const scenario = {
      start: '2026-01-01T00:00:00Z',
      until: '2026-01-02T00:00:00Z',
      maps: [rotation()],
      contacts: ids(4).map((id) => ({ id })),
      events: ids(4).map((id, i) => ({ contact: { id }, type: 'signed_up', at: `2026-01-01T0${i + 1}:00:00Z` })),
      expect: [{ contact: 'c003', at: '2026-01-01T05:00:00Z', field: 'owner', equals: A }],
    };
    for (let run = 0; run < 2; run++) {
      const r = await simulate(scenario);
      expect(ids(4).map((id) => r.final[id].owner)).toEqual([A, B, C, A]);
      expect(r.expectations.every((e) => e.pass)).toBe(true);
    }
  });
});

describe.skipIf(!onPostgres)('the assign_owner element on one PostgreSQL database shared by two engines', () => {
  it('hands out each turn exactly once while both assign at the same time', async () => {
    const url = testDatabase();
    const engines: Runtime[] = [];
    for (let i = 0; i < 2; i++) {
      // One after the other: the first makes the schema.
      const store = await Store.open(url);
      stores.push(store);
      engines.push(await Runtime.create({ store, clock: new ManualClock(T0) }));
    }
    const [a, b] = engines;
    // As many owners as contacts: each owner is given out once exactly when each turn is.
    const people = Array.from({ length: 60 }, (_, i) => `p${i}@acme.com`);
    await createMap(a, rotation(people), 'rr');
    await publishMap(a, 'rr');
    await createContacts(a, ids(60).map((id) => ({ id })), { api: true });
    await b.refresh();
    // Each engine signs up its half, three contacts a request, both at once.
    const half = (rt: Runtime, from: number) => (async () => {
      for (let i = from; i < from + 30; i += 3) await rt.ingest(ids(3, i).map((id) => ({ contact: { id }, type: 'signed_up' })));
    })();
    await Promise.all([half(a, 0), half(b, 30)]);
    const given = await owners(a.store, ids(60));
    expect(given.filter((o) => o === null)).toEqual([]);
    expect([...new Set(given)].sort()).toEqual([...people].sort());
    expect(await storedTurns(a.store, 'rr:assign')).toBe(60);
  });
});
