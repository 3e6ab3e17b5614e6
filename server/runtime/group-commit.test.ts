/**
 * Group commit of event requests (issue 20): requests that arrive while the engine is busy, or in
 * the same turn of the event loop, run together in one transaction, and each is answered exactly
 * as if it had had its own transaction, one after the other, in arrival order.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_REQUEST_STEPS } from '../../engine/cascade.js';

// A request's step budget, small here (250,000 in earnest) so that the tests reach it: each
// request of a group has a budget of its own, for its events and for its contacts' catch-up.
vi.mock('../../engine/cascade.js', async (original) => ({ ...(await original<typeof import('../../engine/cascade.js')>()), MAX_REQUEST_STEPS: 30 }));
import { ManualClock } from '../../engine/clock.js';
import type { EventInput } from '../../engine/schema/event.js';
import { Rand } from '../../test/fuzz-kit.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { openTestStore } from '../store/testing.js';
import type { IngestAnswer } from './ingest.js';
import { createMap, publishMap } from './maps.js';
import { GROUP_EVENTS, Runtime, type RuntimeHook } from './runtime.js';
import { saveModel } from './scoring.js';
import { DAY, HOUR, T0, mapDoc, setup, type Bench } from './testing.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function bench(): Promise<Bench> {
  const b = await setup();
  open.push(b);
  return b;
}

const template = (name: string): unknown => JSON.parse(readFileSync(`maps/${name}.json`, 'utf8'));

/** Holds the engine's turn until `release` is called: requests sent meanwhile wait for it, and then run as one group. */
function holdEngine(rt: Runtime): { release: () => void; done: Promise<void> } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { release, done: rt.lock.run(() => held) };
}

/** The next turn of the event loop (no timer). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a request was answered: its counts, or its refusal's status and message. */
type Outcome = { ok: IngestAnswer } | { status: number | undefined; error: string };
const outcome = (p: Promise<IngestAnswer>): Promise<Outcome> =>
  p.then((ok) => ({ ok }), (err: Error) => ({ status: err instanceof AppError ? err.status : undefined, error: err.message }));

const click = (contact: EventInput['contact'], id?: string): EventInput => ({ ...(id ? { id } : {}), contact, type: 'email_link_clicked' });

async function eventRows(store: Store) {
  return (await store.db.selectFrom('events').select(['id', 'contact_id', 'type']).orderBy('id').execute()).map((r) => `${r.id}:${r.contact_id}:${r.type}`);
}

describe('requests that arrive together', () => {
  it('run in fewer transactions than requests, each answered its own counts, as if run one after the other', async () => {
    const b = await bench();
    await b.publish(template('custom-lead-score'));
    await b.contact('ann');
    await b.contact('bob');
    const before = { ...b.rt.intakeStats };

    // Sent in the same turn of the event loop: they join one group.
    const sameTurn = await Promise.all([
      b.rt.ingest([click({ id: 'ann' }, 'a1'), click({ id: 'ann' }, 'a2')]),
      b.rt.ingest([click({ id: 'bob' }, 'b1')]),
      b.rt.ingest([click({ id: 'ann' }, 'a2'), click({ id: 'bob' }, 'b2')]),
      b.rt.ingest([click({ email: 'cat@example.com' }), click({ email: 'dan@example.com' }), click({ email: 'CAT@example.com' })]),
    ]);
    expect(sameTurn).toEqual([
      { accepted: 2, duplicates: 0, created: 0 },
      { accepted: 1, duplicates: 0, created: 0 },
      { accepted: 1, duplicates: 1, created: 0 },
      { accepted: 3, duplicates: 0, created: 2 },
    ]);
    expect(b.rt.intakeStats.requests - before.requests).toBe(4);
    expect(b.rt.intakeStats.groups - before.groups).toBe(1);

    // Sent over several turns while the engine is busy: they wait, then run as one group.
    const hold = holdEngine(b.rt);
    const waiting: Promise<IngestAnswer>[] = [];
    for (let i = 0; i < 10; i++) {
      waiting.push(b.rt.ingest([click({ id: i % 2 ? 'ann' : 'bob' }, `w${i}`), click({ id: 'ann' }, `w${i - 1}`)]));
      await nextTurn();
    }
    expect(b.rt.waiting).toBeGreaterThanOrEqual(10);
    hold.release();
    await hold.done;
    const answers = await Promise.all(waiting);
    // w-1 is new in the first request; each later one repeats the id the one before it sent.
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => (i === 0 ? { accepted: 2, duplicates: 0, created: 0 } : { accepted: 1, duplicates: 1, created: 0 })));
    expect(b.rt.intakeStats.requests - before.requests).toBe(14);
    expect(b.rt.intakeStats.groups - before.groups).toBe(2);
    expect(b.rt.intakeStats.fallbacks).toBe(0);

    // 5 points a click: ann a1, a2, b's w1, w3, w5, w7, w9 and w-1 = 8 clicks; bob b1, b2, w0, w2, w4, w6, w8 = 7.
    expect(await b.score('ann', 'custom_lead_score')).toBe(40);
    expect(await b.score('bob', 'custom_lead_score')).toBe(35);
    expect((await b.history('ann', 'custom_lead_score')).map((h) => h.to)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect(await b.store.contactCount()).toBe(4);
    expect((await eventRows(b.store)).length).toBe(2 + 1 + 1 + 3 + 11);
  });
});

describe('the size of a group', () => {
  it(`takes requests while their events add up to at most GROUP_EVENTS (${GROUP_EVENTS}); a bigger request runs alone`, async () => {
    const b = await bench();
    await b.contact('ann');
    const sizes = [400, 500, 200, GROUP_EVENTS + 200, 5];
    let n = 0;
    const requests = sizes.map((size) => Array.from({ length: size }, () => click({ id: 'ann' }, `e${n++}`)));
    const hold = holdEngine(b.rt);
    const answers = Promise.all(requests.map((events) => b.rt.ingest(events)));
    hold.release();
    expect(await answers).toEqual(sizes.map((size) => ({ accepted: size, duplicates: 0, created: 0 })));
    // 400 + 500; 200 (the next would pass the limit); the big one alone; 5.
    expect(b.rt.intakeStats).toMatchObject({ groups: 4, requests: 5, fallbacks: 0 });
    expect((await eventRows(b.store)).length).toBe(n);
  });
});

describe('a refused request in a group', () => {
  it('naming an unknown contact id fails alone with 404 and writes nothing; the others of its group commit', async () => {
    const b = await bench();
    await b.publish(template('custom-lead-score'));
    await b.contact('ann');
    await b.contact('bob');
    const hold = holdEngine(b.rt);
    const results = [
      outcome(b.rt.ingest([click({ id: 'ann' }, 'e1')])),
      outcome(b.rt.ingest([click({ id: 'bob' }, 'e2'), click({ email: 'zed@example.com' }, 'e3'), click({ id: 'ghost' }, 'e4'), click({ id: 'nobody' })])),
      outcome(b.rt.ingest([click({ id: 'bob' }, 'e5'), click({ email: 'amy@example.com' }, 'e6')])),
    ];
    hold.release();
    expect(await Promise.all(results)).toEqual([
      { ok: { accepted: 1, duplicates: 0, created: 0 } },
      { status: 404, error: 'No contact with id "ghost", "nobody": create it first, or name it by email' },
      { ok: { accepted: 2, duplicates: 0, created: 1 } },
    ]);
    expect(b.rt.intakeStats).toMatchObject({ groups: 1, requests: 3, fallbacks: 0 });
    // The others' events, contacts, history and scores are there; nothing of the refused one is.
    const amy = (await b.store.findIdsByEmail(['amy@example.com'])).get('amy@example.com')!;
    expect(await eventRows(b.store)).toEqual(['e1:ann:email_link_clicked', 'e5:bob:email_link_clicked', `e6:${amy}:email_link_clicked`]);
    expect((await b.store.findIdsByEmail(['zed@example.com'])).size).toBe(0);
    expect(await b.store.contactCount()).toBe(3);
    expect(await b.score('ann', 'custom_lead_score')).toBe(5);
    expect(await b.score('bob', 'custom_lead_score')).toBe(5);
    expect(await b.score(amy, 'custom_lead_score')).toBe(5);
    expect((await b.history('bob', 'last_activity_at')).map((h) => h.cause)).toEqual([{ event: { id: 'e5', type: 'email_link_clicked' } }]);
    expect(await b.history('bob', 'custom_lead_score')).toHaveLength(1);
    expect((await b.stats('map-1')).clicked.wereHere).toBe(3);
  });
});

describe('duplicates and created contacts across the requests of a group', () => {
  it('an id accepted earlier in the group is a duplicate later; a new contact counts for the first request naming it; an id only a refused request carried is not', async () => {
    const b = await bench();
    await b.publish(template('custom-lead-score'));
    await b.contact('ann');
    await b.contact('bob');
    await b.rt.ingest([click({ id: 'ann' }, 'old')]);
    const hold = holdEngine(b.rt);
    const results = [
      [click({ id: 'ann' }, 'x1'), click({ id: 'ann' }, 'x1'), click({ id: 'bob' }, 'old')],
      [click({ id: 'bob' }, 'x1')],
      [click({ email: 'New@Example.com' }, 'n1'), click({ email: 'new@example.COM' })],
      [click({ email: 'new@example.com' }), click({ email: 'other@example.com' })],
      [click({ id: 'ghost' }, 'y1'), click({ id: 'ann' }, 'y2')],
      [click({ id: 'ann' }, 'y1'), click({ id: 'bob' }, 'y2')],
      [click({ id: 'bob' }, 'y1')],
    ].map((events) => outcome(b.rt.ingest(events)));
    hold.release();
    expect(await Promise.all(results)).toEqual([
      { ok: { accepted: 1, duplicates: 2, created: 0 } },
      { ok: { accepted: 0, duplicates: 1, created: 0 } },
      { ok: { accepted: 2, duplicates: 0, created: 1 } },
      { ok: { accepted: 2, duplicates: 0, created: 1 } },
      { status: 404, error: 'No contact with id "ghost": create it first, or name it by email' },
      // y1 and y2 came only with the refused request: new here.
      { ok: { accepted: 2, duplicates: 0, created: 0 } },
      { ok: { accepted: 0, duplicates: 1, created: 0 } },
    ]);
    expect(b.rt.intakeStats).toMatchObject({ groups: 2, fallbacks: 0 });
    const emails = await b.store.findIdsByEmail(['new@example.com', 'other@example.com']);
    expect(emails.size).toBe(2);
    // Each event is stored once, for the contact of the request that was first to bring it.
    const rows = await eventRows(b.store);
    expect(rows.filter((r) => !r.startsWith('id-'))).toEqual([
      'n1:' + emails.get('new@example.com') + ':email_link_clicked', 'old:ann:email_link_clicked', 'x1:ann:email_link_clicked', 'y1:ann:email_link_clicked', 'y2:bob:email_link_clicked',
    ]);
    expect(rows).toHaveLength(8);
    expect(await b.score('ann', 'custom_lead_score')).toBe(15);
    expect(await b.score('bob', 'custom_lead_score')).toBe(5);
    expect(await b.score(emails.get('new@example.com')!, 'custom_lead_score')).toBe(15);
    expect(await b.score(emails.get('other@example.com')!, 'custom_lead_score')).toBe(5);
    // The new contact's email is explained by the first event that named it.
    expect((await b.history(emails.get('new@example.com')!, 'email')).map((h) => h.cause)).toEqual([{ event: { id: 'n1', type: 'email_link_clicked' } }]);
  });
});

describe('a contact created by a later request of a group', () => {
  it('runs what its creation made due after its own events, as it would alone', async () => {
    const b = await bench();
    // Created is reached at once: it comes due at the very instant the contact is created.
    await b.publish(mapDoc([
      { id: 'mark', kind: 'trigger', on: { type: 'event', event: 'mark' }, next: 'e' },
      { id: 'e', kind: 'update_field', field: 'trail', value: '[trail] + "E"', next: 'end' },
      { id: 'born', kind: 'trigger', on: { type: 'date_reached', field: 'created_at' }, next: 'd' },
      { id: 'd', kind: 'update_field', field: 'trail', value: '[trail] + "D"', next: 'end' },
      { id: 'end', kind: 'end' },
    ], [{ key: 'trail', label: 'Trail', type: 'text' }]));
    const mark = (email: string): EventInput => ({ contact: { email }, type: 'mark' });
    await b.rt.ingest([mark('alone@example.com')]);
    await Promise.all([b.rt.ingest([mark('first@example.com')]), b.rt.ingest([mark('second@example.com')]), b.rt.ingest([mark('third@example.com')])]);
    expect(b.rt.intakeStats).toMatchObject({ groups: 2, requests: 4 });
    const ids = await b.store.findIdsByEmail(['alone@example.com', 'first@example.com', 'second@example.com', 'third@example.com']);
    for (const id of ids.values()) expect(await b.score(id, 'trail')).toBe('ED');
  });
});

describe('the step budget', () => {
  it("is each request's own in a group: two requests that together pass it both run to the end; one that passes it alone is stopped", async () => {
    expect(MAX_REQUEST_STEPS).toBe(30);
    const b = await bench();
    // 20 steps an event: the trigger, 18 changes, the end.
    await b.publish(mapDoc([
      { id: 'go', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'c1' },
      ...Array.from({ length: 18 }, (_, i) => ({ id: `c${i + 1}`, kind: 'update_field', field: 'n', value: '[n] + 1', next: i === 17 ? 'end' : `c${i + 2}` })),
      { id: 'end', kind: 'end' },
    ], [{ key: 'n', label: 'N', type: 'number' }]));
    for (const id of ['ann', 'bob', 'cat']) await b.contact(id);
    const go = (id: string): EventInput => ({ contact: { id }, type: 'go' });
    await Promise.all([b.rt.ingest([go('ann')]), b.rt.ingest([go('bob')]), b.rt.ingest([go('cat'), go('cat')])]);
    expect(b.rt.intakeStats).toMatchObject({ groups: 1, requests: 3 });
    expect(await b.score('ann', 'n')).toBe(18);
    expect(await b.score('bob', 'n')).toBe(18);
    // cat's request is stopped at its 30th step: its second event's trigger and 9 changes ran.
    expect(await b.score('cat', 'n')).toBe(27);
    expect(await b.position('map-1', 'cat')).toMatchObject({ elementId: 'c10', stuck: true });
    expect((await b.stats('map-1')).c10).toMatchObject({ errors: 1, lastError: 'Stopped: the request that caused this ran more than 30 steps in all: send its events in smaller requests' });
  });
});

describe('a group that fails as a whole', () => {
  it('runs each request again alone: only the faulty one is refused, the others commit, and the fallback is counted', async () => {
    const store = await openTestStore();
    open.push(store);
    let n = 0;
    // A capability that fails on one kind of event (here: when it explains a new contact's email):
    // the whole group's transaction throws.
    const failing: RuntimeHook = {
      async written(_s, effects) {
        if (effects.changes.some((c) => 'event' in c.cause && c.cause.event.type === 'form_submitted')) throw new Error('the outbox could not write (test)');
      },
    };
    const rt = await Runtime.create({ store, clock: new ManualClock(T0), ids: () => `id-${++n}`, hooks: [failing] });
    await createMap(rt, template('custom-lead-score'), 'lead');
    await publishMap(rt, 'lead');
    const hold = holdEngine(rt);
    const results = [
      outcome(rt.ingest([click({ email: 'ann@example.com' }, 'a1')])),
      outcome(rt.ingest([{ id: 'b2', contact: { email: 'bob@example.com' }, type: 'form_submitted' }, click({ email: 'bob@example.com' }, 'b1')])),
      outcome(rt.ingest([click({ email: 'cat@example.com' }, 'c1'), click({ email: 'bob@example.com' }, 'b1')])),
      outcome(rt.ingest([click({ email: 'dan@example.com' }, 'd1'), click({ id: 'ghost' }, 'd2')])),
    ];
    hold.release();
    expect(await Promise.all(results)).toEqual([
      { ok: { accepted: 1, duplicates: 0, created: 1 } },
      { status: undefined, error: 'the outbox could not write (test)' },
      // b1 came only with the failed request: new here, and so is bob.
      { ok: { accepted: 2, duplicates: 0, created: 2 } },
      { status: 404, error: 'No contact with id "ghost": create it first, or name it by email' },
    ]);
    expect(rt.intakeStats).toMatchObject({ groups: 1, requests: 4, fallbacks: 1 });
    const ids = await store.findIdsByEmail(['ann@example.com', 'bob@example.com', 'cat@example.com']);
    expect([...ids.keys()].sort()).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com']);
    expect((await eventRows(store)).map((r) => r.split(':')[0])).toEqual(['a1', 'b1', 'c1']);
    expect((await store.db.selectFrom('events').select('contact_id').where('id', '=', 'b1').executeTakeFirstOrThrow()).contact_id).toBe(ids.get('bob@example.com'));
    expect(await store.contactCount()).toBe(3);
    expect((await store.getStats('lead')).form).toBeUndefined();
  });
});

/**
 * The property: requests sent so that they group give, request for request and row for row, what
 * the same requests give one at a time. Two fresh stores, the same clock and ids counted per store;
 * ids the runtime makes (contacts created by email, events sent without an id) may come in another
 * order in a group, so rows name them by what made them (the email; the event's serial prop).
 */
describe('requests grouped or one at a time', () => {
  /** Appends a letter to `trail` on `mark` (E) and when a contact's Created date is reached (D): the order things ran in, readable. */
  const probe = mapDoc([
    { id: 'mark', kind: 'trigger', on: { type: 'event', event: 'mark' }, next: 'e' },
    { id: 'e', kind: 'update_field', field: 'trail', value: '[trail] + "E"', next: 'end' },
    { id: 'born', kind: 'trigger', on: { type: 'date_reached', field: 'created_at' }, next: 'd' },
    { id: 'd', kind: 'update_field', field: 'trail', value: '[trail] + "D"', next: 'end' },
    { id: 'end', kind: 'end' },
  ], [{ key: 'trail', label: 'Trail', type: 'text' }], 'Probe');

  const KNOWN = ['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
  const withEmail = (id: string) => Number(id.slice(2)) < 4;
  const EVENTS: { type: string; props?: (r: Rand) => Record<string, string | number> }[] = [
    { type: 'email_link_clicked' },
    { type: 'page_visited', props: (r) => ({ url: r.pick(['/pricing', '/blog', '/features/x']) }) },
    { type: 'form_submitted' },
    { type: 'demo_requested' },
    { type: 'subscription_started' },
    { type: 'purchase', props: (r) => ({ amount: r.pick([20, 600]) }) },
    { type: 'email_opened' },
    { type: 'mark' },
  ];

  interface Round {
    /** The clock moves here before the round's requests … */
    readonly at: number;
    /** … running what came due on the way (else requests catch their contacts up). */
    readonly advance: boolean;
    readonly requests: EventInput[][];
  }

  function workload(seed: number): Round[] {
    const r = new Rand(seed);
    const ids: string[] = [];
    let serial = 0;
    let at = T0;
    let behind = false;
    const rounds: Round[] = [];
    const cased = (email: string) => (r.chance(0.3) ? email.toUpperCase() : email);
    for (let round = 0; round < 6; round++) {
      const step = r.pick([0, HOUR, DAY, 3 * DAY, 31 * DAY]);
      at += step;
      const requests = Array.from({ length: 3 + r.int(10) }, () => Array.from({ length: 1 + r.int(4) }, (): EventInput => {
        const n = serial++;
        const x = r.next();
        const contact: EventInput['contact'] = x < 0.45 ? { id: r.pick(KNOWN) }
          : x < 0.6 ? { email: cased(`${r.pick(KNOWN.filter(withEmail)).replace('-', '')}@example.com`) }
          : x < 0.93 ? { email: cased(`n${r.int(6)}@example.com`) }
          : { id: `ghost-${r.int(3)}` };
        const kind = r.pick(EVENTS);
        const props: Record<string, string | number> = { ...kind.props?.(r) };
        const y = r.next();
        let id: string | undefined;
        if (y < 0.25) props.n = n;
        else if (y < 0.45 && ids.length) id = r.pick(ids);
        else ids.push((id = `ev-${n}`));
        return {
          ...(id ? { id } : {}), contact, type: kind.type,
          ...(r.chance(0.2) ? { at: new Date(at - r.int(40 * DAY)).toISOString() } : {}),
          ...(Object.keys(props).length ? { props } : {}),
        };
      }));
      // The scheduler runs short stretches until it first falls behind (a month of every
      // contact's daily work is slow to run); the rest is caught up by the requests, contact by contact.
      const advance: boolean = !behind && step <= DAY && r.chance(0.6);
      behind ||= !advance && step > 0;
      rounds.push({ at, advance, requests });
    }
    return rounds;
  }

  async function start(): Promise<Bench> {
    const b = await bench();
    for (const name of ['custom-lead-score', 'point-decay-loop', 'inactivity-reset']) await b.publish(template(name), name);
    await saveModel(b.rt, template('recommended-scoring'), { create: true });
    await b.publish(template('lifecycle-stages'), 'lifecycle-stages');
    await b.publish(probe, 'probe');
    for (const id of KNOWN) await b.contact(id, withEmail(id) ? { email: `${id.replace('-', '')}@example.com` } : {});
    return b;
  }

  const TABLES = ['contacts', 'contact_tags', 'positions', 'date_timers', 'schedules', 'element_stats', 'events', 'score_grants', 'score_accounts', 'scoring_rule_states', 'degradation_runs', 'job_contacts_done', 'history', 'anonymous_ids'] as const;
  /** Columns numbered by the database: another order of inserts numbers rows differently. */
  const NUMBERED: Partial<Record<(typeof TABLES)[number], string>> = { history: 'id', score_grants: 'id' };

  /** Every row of every table the engine writes, sorted, with the ids the runtime made named by what made them. */
  async function snapshot(store: Store): Promise<Record<string, string[]>> {
    const db = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const t of TABLES) {
      tables[t] = await db.selectFrom(t).selectAll().execute();
      const numbered = NUMBERED[t];
      if (numbered) for (const row of tables[t]) delete row[numbered];
    }
    // A finished day of degradation keeps where its last page ended: the greatest contact id, which
    // depends on how the runtime's ids were counted out.
    for (const run of tables.degradation_runs) if (Number(run.finished) === 1) run.cursor = 'finished';
    // An element's last error is the last one written: a group writes its catch-up before all its
    // requests' events, not request by request (errors are still counted the same).
    for (const stat of tables.element_stats) {
      delete stat.last_error;
      delete stat.last_error_at;
    }
    const names = new Map<string, string>();
    for (const c of tables.contacts) if (/^id-\d+$/.test(String(c.id))) names.set(String(c.id), `contact<${String(c.email_norm)}>`);
    for (const e of tables.events) if (/^id-\d+$/.test(String(e.id))) names.set(String(e.id), `event<${(JSON.parse(String(e.props_json)) as { n: number }).n}>`);
    const out: Record<string, string[]> = {};
    for (const [t, rows] of Object.entries(tables)) {
      out[t] = rows.map((row) => JSON.stringify(row).replace(/\bid-\d+\b/g, (id) => names.get(id) ?? `unnamed<${id}>`)).sort();
    }
    return out;
  }

  /** Sends each round's requests so that they group: a few in each turn of the event loop, while the engine works on the ones before. */
  async function grouped(b: Bench, requests: readonly EventInput[][], r: Rand): Promise<Outcome[]> {
    const sent: Promise<Outcome>[] = [];
    for (const events of requests) {
      if (sent.length && r.chance(0.3)) await nextTurn();
      sent.push(outcome(b.rt.ingest(events)));
    }
    return Promise.all(sent);
  }

  async function oneByOne(b: Bench, requests: readonly EventInput[][]): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const events of requests) out.push(await outcome(b.rt.ingest(events)));
    return out;
  }

  it.each([1, 2, 3, 4])('seed %i: the same answers and the same rows', async (seed) => {
    const rounds = workload(seed);
    // The two stores work side by side: neither sees the other.
    const [together, alone] = await Promise.all([start(), start()]);
    const r = new Rand(seed * 7919);
    for (const [i, round] of rounds.entries()) {
      await Promise.all([together, alone].map(async (b) => {
        if (round.advance) await b.advance(round.at);
        else b.clock.set(round.at);
      }));
      const [answers, expected] = await Promise.all([grouped(together, round.requests, r), oneByOne(alone, round.requests)]);
      expect(answers, `round ${i}`).toEqual(expected);
      const [got, want] = await Promise.all([snapshot(together.store), snapshot(alone.store)]);
      expect(got, `round ${i}`).toEqual(want);
    }
    const requests = rounds.reduce((n, round) => n + round.requests.length, 0);
    expect(together.rt.intakeStats.requests).toBe(requests);
    expect(together.rt.intakeStats.groups).toBeLessThan(requests);
    expect(together.rt.intakeStats.fallbacks).toBe(0);
  });
});
