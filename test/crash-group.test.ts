import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { onPostgres, testDatabase } from '../server/store/testing.js';
import { CrashClient, allContacts, prng } from './crash-client.js';
import { ExpectedContact, pointsFor } from './crash-expected.js';
import { api, killAll } from './server-process.js';

/**
 * Crash safety through group commit (issue 20): 32 clients send single-event requests at the same
 * time, so the server runs them in groups, one transaction each; the server process is SIGKILLed at
 * moments while many are in flight: after a random delay, the instant a chosen answer arrives (a
 * group just committed, its other answers on the way), or while the server is seen holding a
 * transaction open (a group being written). Before anything is resent, the database itself is read:
 * every request answered 200 is stored (an answer comes only after its group's commit), and every
 * stored event has its effects (a group is all or nothing). Then the client resends what was not
 * answered, unchanged, and every event counts exactly once.
 *
 * Each contact has at most one request in flight (a client that needs its events in order waits for
 * the answer), and every event's `at` is later than the one before it: each event, once stored, has
 * moved its contact's last activity, a history row naming the event, in the order sent.
 *
 * SQLite in the sqlite half of the suite, PostgreSQL in the postgres half. `SCOREMAP_SOAK=1` runs
 * more rounds; `SCOREMAP_CRASH_SEED` replays the choices and delays (the seed is printed; the
 * moments a kill falls on depend on the machine's timing as well).
 */
const SOAK = process.env.SCOREMAP_SOAK === '1';
const SEED = Number(process.env.SCOREMAP_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`crash-group.test: seed ${SEED} (replay with SCOREMAP_CRASH_SEED=${SEED})${SOAK ? ', soak' : ''}`);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (t: number) => new Date(t).toISOString();
const contactId = (i: number) => `c${String(i).padStart(3, '0')}`;

const CLIENTS = 32;
const CONTACTS = 50;
const ROUNDS = SOAK ? 18 : 5;
const TYPES = ['email_link_clicked', 'page_visited', 'page_visited', 'form_submitted', 'demo_requested', 'email_opened'];

type Event = { id: string; contact: { id: string }; type: string; at: string; props: Record<string, string> };

/** One request of one event, the `seq`-th of the run (its `at` grows with it). */
interface Sent {
  readonly seq: number;
  readonly event: Event;
  /** Answered 200: before the kill, or (once resent) after the restart. */
  answered: boolean;
}

/** What the database holds, read directly (not through the server). */
interface Snapshot {
  /** Stored event ids. */
  readonly events: Set<string>;
  /** History rows of the two fields the template writes, in the order written. */
  readonly history: { contact: string; field: string; to: unknown; cause: Record<string, any> }[];
}

/** The rows a snapshot is made of, from SQLite or PostgreSQL. */
type Rows = { events: { id: string }[]; history: { contact_id: string; field: string; to_json: string | null; cause_json: string }[] };

const EVENTS_SQL = 'select id from events';
const HISTORY_SQL = "select contact_id, field, to_json, cause_json from history where field in ('last_activity_at', 'custom_lead_score') order by id";

function snapshot(rows: Rows): Snapshot {
  return {
    events: new Set(rows.events.map((r) => r.id)),
    history: rows.history.map((r) => ({ contact: r.contact_id, field: r.field, to: r.to_json === null ? null : JSON.parse(r.to_json), cause: JSON.parse(r.cause_json) })),
  };
}

/** The database a server runs on, as the test sees it from outside the server. */
interface Target {
  /** What the server is started with (`--db`). */
  readonly db: string;
  /** What the database holds, read directly. */
  read(): Promise<Snapshot>;
  /** A probe of whether the server has a write transaction open at this instant. */
  probe(): Promise<{ open(): Promise<boolean>; close(): Promise<void> }>;
  /** How many events each transaction stored, where the database can tell (PostgreSQL's xmin). */
  groups?(): Promise<number[]>;
}

/** A SQLite file. WAL lets it be read while a server runs; after a kill, opening it recovers the log. */
function sqliteTarget(file: string): Target {
  return {
    db: file,
    read: () => {
      const db = new Database(file, { fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        return Promise.resolve(snapshot({ events: db.prepare(EVENTS_SQL).all() as Rows['events'], history: db.prepare(HISTORY_SQL).all() as Rows['history'] }));
      } finally {
        db.close();
      }
    },
    // The server's transactions take the write lock as they begin (BEGIN IMMEDIATE): while one is
    // open, another connection's BEGIN IMMEDIATE is refused at once (SQLITE_BUSY). When it is not,
    // the probe holds the lock for an instant (the server's own busy timeout waits that out).
    probe: async () => {
      const db = new Database(file, { fileMustExist: true });
      db.pragma('busy_timeout = 0');
      return {
        open: async () => {
          try {
            db.exec('begin immediate');
          } catch (e) {
            if ((e as { code?: string }).code === 'SQLITE_BUSY') return true;
            throw e;
          }
          db.exec('rollback');
          return false;
        },
        close: async () => {
          db.close();
        },
      };
    },
  };
}

/** A fresh schema of the PostgreSQL test database; the server's connections carry a name of their own. */
function postgresTarget(): Target {
  const url = new URL(testDatabase());
  const name = `crash-group-${process.pid}`;
  const schema = url.searchParams.get('schema')!;
  url.searchParams.delete('schema');
  const connect = async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(`set search_path to "${schema}"`);
    return client;
  };
  const server = new URL(url);
  server.searchParams.set('schema', schema);
  server.searchParams.set('application_name', name);
  return {
    db: server.toString(),
    read: async () => {
      const client = await connect();
      try {
        return snapshot({ events: (await client.query(EVENTS_SQL)).rows, history: (await client.query(HISTORY_SQL)).rows });
      } finally {
        await client.end();
      }
    },
    probe: async () => {
      const client = await connect();
      return {
        open: async () => (await client.query("select 1 from pg_stat_activity where application_name = $1 and xact_start is not null and state <> 'idle'", [name])).rowCount! > 0,
        close: () => client.end(),
      };
    },
    // Every row carries the id of the transaction that inserted it.
    groups: async () => {
      const client = await connect();
      try {
        return (await client.query<{ n: string }>('select count(*) as n from events group by xmin::text')).rows.map((r) => Number(r.n));
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs `work` on every item, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * Each contact as the template leaves it after the events of `rounds` (a round: the clock's time
 * and the events run then, in the order sent), the last round's events limited to `stored`.
 */
function expectedAfter(rounds: { now: number; events: Sent[] }[], stored?: Set<string>): Map<string, ExpectedContact> {
  const expected = new Map(Array.from({ length: CONTACTS }, (_, i) => [contactId(i), new ExpectedContact()]));
  for (const [r, round] of rounds.entries()) {
    for (const c of expected.values()) c.runUntil(round.now);
    for (const s of round.events) {
      if (stored && r === rounds.length - 1 && !stored.has(s.event.id)) continue;
      expected.get(s.event.contact.id)!.event(round.now, Date.parse(s.event.at), s.event.type, s.event.props);
    }
  }
  return expected;
}

/**
 * What a snapshot taken right after a kill must show: every answered event stored; every stored
 * event with its effects, and no effect of an event not stored; each contact's events applied in
 * the order sent; each contact's score what its stored events give.
 */
function checkAfterKill(db: Snapshot, sent: Sent[], rounds: { now: number; events: Sent[] }[]): void {
  // An answered request is never lost.
  const lost = sent.filter((s) => s.answered && !db.events.has(s.event.id)).map((s) => s.event.id);
  expect(lost, 'events answered 200 before the kill, missing from the database').toEqual([]);
  // Nothing that was never sent is there, and nothing is there twice.
  const ids = new Set(sent.map((s) => s.event.id));
  expect([...db.events].filter((id) => !ids.has(id))).toEqual([]);

  // Every stored event moved its contact's last activity (its `at` is later than any before), in
  // the same transaction: a history row names it, with its `at`; no row names an event not stored.
  const activity = db.history.filter((h) => h.field === 'last_activity_at');
  const named = new Map<string, unknown>();
  for (const h of activity) {
    expect(h.cause.event, `a last_activity_at row with cause ${JSON.stringify(h.cause)}`).toBeDefined();
    expect(named.has(h.cause.event.id), `two last_activity_at rows name ${h.cause.event.id}`).toBe(false);
    named.set(h.cause.event.id, h.to);
  }
  const stored = sent.filter((s) => db.events.has(s.event.id));
  expect(stored.filter((s) => named.get(s.event.id) !== Date.parse(s.event.at)).map((s) => s.event.id), 'stored events whose last_activity_at change is missing').toEqual([]);
  expect([...named.keys()].filter((id) => !db.events.has(id)), 'history naming events that are not stored').toEqual([]);

  // Ordering per contact: each contact's events took effect in the order it sent them.
  const order = new Map<string, string[]>();
  for (const h of activity) order.set(h.contact, [...(order.get(h.contact) ?? []), h.cause.event.id]);
  const sentOrder = new Map<string, string[]>();
  for (const s of [...stored].sort((a, b) => a.seq - b.seq)) sentOrder.set(s.event.contact.id, [...(sentOrder.get(s.event.contact.id) ?? []), s.event.id]);
  expect(order).toEqual(sentOrder);

  // The points: one add_* row per stored event that scores, and each score what the stored events give.
  const expected = expectedAfter(rounds, db.events);
  const adds = new Map<string, number>();
  const score = new Map<string, unknown>();
  for (const h of db.history) {
    if (h.field !== 'custom_lead_score') continue;
    if (String(h.cause.element).startsWith('add_')) adds.set(h.contact, (adds.get(h.contact) ?? 0) + 1);
    score.set(h.contact, h.to);
  }
  const got = [...expected.keys()].map((id) => ({ id, adds: adds.get(id) ?? 0, score: score.get(id) ?? 0 }));
  expect(got).toEqual([...expected].map(([id, c]) => ({ id, adds: c.counts.add, score: c.score })));
}

afterEach(killAll);

/** How a round's kill is timed (the rounds take turns). */
const KILLS = ['after a random delay', 'on an answer', 'in a transaction'] as const;

/** The test, on `target`'s database. */
async function crashThroughGroups(target: Target): Promise<void> {
  const rand = prng(SEED);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const client = await new CrashClient(target.db, iso(start)).start();
  const imported = await client.ok('/templates/custom-lead-score/import', {});
  const mapId: string = imported.map.id;
  await client.ok(`/maps/${mapId}/publish`, {});
  const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ id: contactId(i) }));
  expect((await client.ok('/contacts/import?wait=true', { contacts })).created).toBe(CONTACTS);

  const sent: Sent[] = [];
  const rounds: { now: number; events: Sent[] }[] = [];
  let now = start;
  let seq = 0;
  const summary: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // The clock moves 6–30 hours between rounds (whole hours): the daily decay runs in between.
    if (r > 0) await client.advance(iso((now += (6 + Math.floor(rand() * 25)) * HOUR)));
    const round = { now, events: [] as Sent[] };
    rounds.push(round);

    // The kill, once a warm-up of answers is in (the groups running): at a random moment within
    // about as long again; or the instant a chosen answer arrives (its group has just committed,
    // the rest of its answers may be on the way); or as soon as the server is seen in a
    // transaction (a group being written) after a chosen answer.
    const mode = KILLS[r % KILLS.length]!;
    const warmup = 100 + Math.floor(rand() * 200);
    const chosen = warmup + 1 + Math.floor(rand() * CLIENTS);
    const delay = rand();
    let probed: Promise<void> | undefined;
    let stopped = false;
    let inFlight = 0;
    let inFlightAtKill = 0;
    let answered = 0;
    const began = Date.now();
    const busy = new Set<string>();
    const kill = () => {
      if (stopped) return;
      stopped = true;
      inFlightAtKill = inFlight;
      client.kill();
    };
    let timer: NodeJS.Timeout | undefined;
    const server = client.server;
    const killInTransaction = async () => {
      const probe = await target.probe();
      try {
        const until = Date.now() + 30_000;
        while (!stopped) {
          if (await probe.open()) kill();
          else if (Date.now() > until) throw new Error('the server was never seen in a transaction while 32 clients were sending events');
          else await new Promise((ok) => setImmediate(ok));
        }
      } finally {
        await probe.close();
      }
    };

    const sender = async () => {
      while (!stopped) {
        // A contact with nothing in flight (at most 32 of the 50 are busy).
        const free = contacts.filter((c) => !busy.has(c.id));
        const contact = free[Math.floor(rand() * free.length)]!.id;
        busy.add(contact);
        const n = seq++;
        const type = TYPES[Math.floor(rand() * TYPES.length)]!;
        const props: Record<string, string> = type === 'page_visited' ? { url: rand() < 0.5 ? '/pricing' : '/blog/post' } : {};
        // Never on a whole hour (a reset, last activity + 30 days, never ties with a daily wait), later than every event before.
        const event = { id: `ev-${n}`, contact: { id: contact }, type, at: iso(now - 59 * MINUTE + n), props };
        const s: Sent = { seq: n, event, answered: false };
        sent.push(s);
        round.events.push(s);
        inFlight++;
        try {
          const res = await api(server, '/events', event);
          inFlight--;
          if (res.status !== 200) throw new Error(`POST /events ${event.id}: ${res.status} ${JSON.stringify(res.body)}`);
          expect(res.body).toMatchObject({ accepted: 1, duplicates: 0 });
          s.answered = true;
          busy.delete(contact);
          answered++;
          if (answered === warmup && mode === 'after a random delay') timer = setTimeout(kill, delay * (Date.now() - began));
          if (answered === chosen && mode === 'on an answer') kill();
          if (answered === chosen && mode === 'in a transaction') probed = killInTransaction();
        } catch (e) {
          inFlight--;
          // fetch's TypeError: the connection died (or was refused). The contact stays busy: its
          // request is resent, unchanged, after the restart, before it sends anything else.
          if (!(e instanceof TypeError)) throw e;
          if (!stopped) throw new Error(`The server died without being killed: ${e.message}\n${server.output()}`);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, sender));
    clearTimeout(timer);
    await probed;
    await server.exited;

    // Before any resend: what the database holds.
    const after = await target.read();
    checkAfterKill(after, sent, rounds);
    const unanswered = round.events.filter((s) => !s.answered);
    const storedUnanswered = unanswered.filter((s) => after.events.has(s.event.id));
    summary.push(`round ${r + 1}: ${answered} answered, ${inFlightAtKill} in flight at the kill (${mode === 'after a random delay' ? `${Math.round(delay * 100)} % into the stretch after answer ${warmup}` : `${mode}, after answer ${chosen}`}), ${storedUnanswered.length} of them stored`);
    // The kill came while many requests were in flight: the server was taking them in groups.
    expect(inFlightAtKill).toBeGreaterThanOrEqual(CLIENTS / 2);
    expect(answered).toBeGreaterThanOrEqual(warmup);

    // Restart, resend every unanswered request unchanged (those the dead server had committed are
    // duplicates, the others accepted now), and some answered ones (duplicates).
    await client.restart();
    const again = round.events.filter((s) => s.answered && rand() < 0.1);
    const answers = new Map<string, unknown>();
    await pool([...unanswered, ...again], CLIENTS, async (s) => {
      answers.set(s.event.id, await client.ok('/events', s.event));
    });
    const want = new Map([...unanswered, ...again].map((s) => [s.event.id, after.events.has(s.event.id) ? { accepted: 0, duplicates: 1, created: 0 } : { accepted: 1, duplicates: 0, created: 0 }]));
    expect(answers).toEqual(want);
    for (const s of unanswered) s.answered = true;
    // Everything sent so far is stored now, with its effects.
    checkAfterKill(await target.read(), sent, rounds);
  }
  expect(client.restarts).toBe(ROUNDS);
  // Where the database can tell which transaction stored each event: groups formed.
  const groups = await target.groups?.();
  if (groups) {
    summary.push(`${groups.length} transactions stored the events, ${groups.filter((n) => n > 1).length} of them more than one (largest ${Math.max(...groups)})`);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(sent.length);
    expect(Math.max(...groups)).toBeGreaterThan(1);
  }
  console.log(`crash-group.test: ${sent.length} events in ${ROUNDS} rounds of ${CLIENTS} clients;\n  ${summary.join(';\n  ')}`);

  // Every event counted exactly once: each score, and the map's counts of points given and taken.
  const expected = expectedAfter(rounds);
  const actual = await allContacts(client, ['custom_lead_score']);
  expect([...expected.keys()].map((id) => ({ id, score: actual.get(id)?.fields.custom_lead_score ?? 0 })))
    .toEqual([...expected].map(([id, c]) => ({ id, score: c.score })));
  const byElement: Record<string, number> = {};
  for (const s of sent) {
    const p = pointsFor(s.event.type, s.event.props);
    if (p) byElement[p.element] = (byElement[p.element] ?? 0) + 1;
  }
  const sum = (k: keyof ExpectedContact['counts']) => [...expected.values()].reduce((n, c) => n + c.counts[k], 0);
  const stats = (await client.ok(`/maps/${mapId}/stats`)).elements;
  for (const el of ['add_click', 'add_pricing', 'add_form', 'add_demo']) expect(stats[el].wereHere, el).toBe(byElement[el] ?? 0);
  expect(stats.decay.wereHere).toBe(sum('decay'));

  // Five weeks on: every loop runs out and every reset fires, once each.
  for (let w = 0; w < 5; w++) {
    await client.advance(iso((now += 7 * DAY)));
    for (const c of expected.values()) c.runUntil(now);
  }
  const end = (await client.ok(`/maps/${mapId}/stats`)).elements;
  expect({ decay: end.decay.wereHere, reset: end.reset.wereHere }).toEqual({ decay: sum('decay'), reset: sum('reset') });
  expect(sum('reset')).toBeGreaterThan(0);
  const last = await target.read();
  expect(last.events.size).toBe(sent.length);
}

describe.skipIf(onPostgres)('crash safety through group commit (SQLite)', () => {
  it('32 clients, SIGKILL with requests in flight: every answered event is stored with its effects; after resending, each counts once', { timeout: SOAK ? 600_000 : 120_000 }, async () => {
    const file = `${mkdtempSync(`${tmpdir()}/scoremap-crash-group-`)}/scoremap.db`;
    await crashThroughGroups(sqliteTarget(file));
    await killAll();
    rmSync(dirname(file), { recursive: true, force: true });
  });
});

describe.skipIf(!onPostgres)('crash safety through group commit (PostgreSQL)', () => {
  it('32 clients, SIGKILL with requests in flight: every answered event is stored with its effects; after resending, each counts once', { timeout: SOAK ? 600_000 : 120_000 }, async () => {
    await crashThroughGroups(postgresTarget());
  });
});
