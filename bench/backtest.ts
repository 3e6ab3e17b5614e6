/**
 * A backtest at size: N contacts with 90 days of stored events (built set-based into a SQLite
 * file, as a live server would have stored them: events, and the history rows they made), and a
 * 90-day backtest of a changed model (clicks 10 → 25 points) through `runBacktest`, as
 * `POST /api/backtest` runs it. Goal at 100,000 contacts: under a minute.
 *
 * `npx tsx bench/backtest.ts [contacts] [days] [events a contact] [--no-decay]` runs it alone.
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { ManualClock } from '../engine/clock.js';
import { readDraft } from '../server/backtest/draft.js';
import { runBacktest, type BacktestPlan } from '../server/backtest/job.js';
import { contactsAt, eventsOf, idsAfter } from '../server/backtest/read.js';
import { ResultStore } from '../server/backtest/result.js';
import { Runtime } from '../server/runtime/runtime.js';
import { saveModel } from '../server/runtime/scoring.js';
import { Store } from '../server/store/store.js';
import { DAY, peakRssMb, scratch, T0, time } from './common.js';

export interface BacktestBenchResult {
  readonly contacts: number;
  readonly days: number;
  readonly events: number;
  /** Building the database (set-based), ms. */
  readonly setupMs: number;
  /** The whole backtest, ms: reads, replays, live scores, outcomes, the summary. */
  readonly ms: number;
  /** Stored events replayed per second over the whole backtest. */
  readonly eventsPerSecond: number;
  /** Where the time goes: reading contacts as they were and their events from the real database (measured alone, ms). */
  readonly readMs: number;
  /** The summary at the end (distribution, differences, conversion by band), ms. */
  readonly summaryMs: number;
  /** Contacts whose draft score differs from their live one. */
  readonly changed: number;
  readonly peakRssMb: number;
}

/** The model of the live database, with `points` a click (and 1 % a day of degradation, unless `decay` is false). */
const model = (points: number, decay = true) => ({
  id: 'lead', name: 'Lead score', field: 'lead_score', max: 10_000,
  fields: [{ key: 'lead_score', label: 'Lead score', type: 'number', decimals: 2 }],
  ...(decay ? { degradation: { percentPerDay: 1 } } : {}),
  rules: [
    { id: 'clicks', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points },
    { id: 'visits', label: 'Visited a page', when: { event: 'page_visited' }, points: 3 },
  ],
});

/**
 * Contacts made at T0, each with `perContact` events spread over `days` (clicks, visits, opens),
 * each event with the history rows a live server writes for it (last activity; the score for a
 * click or a visit), and the live score at the end: what the live model gave, without its decay.
 */
async function build(store: Store, n: number, days: number, perContact: number, decay: boolean): Promise<number> {
  const clock = new ManualClock(T0);
  const rt = await Runtime.create({ store, clock });
  await saveModel(rt, model(10, decay), { create: true });
  const span = days * 86_400;
  await store.transaction(async (s) => {
    const db = s.db;
    const seq = sql`with recursive seq(i) as (select 0 union all select i + 1 from seq where i + 1 < ${sql.lit(n)})`;
    const ks = sql`k(k) as (select 0 union all select k + 1 from k where k + 1 < ${sql.lit(perContact)})`;
    const id = sql`'c' || printf('%07d', i)`;
    const email = sql`${id} || '@bench.test'`;
    await sql`${seq} insert into contacts (id, email_norm, created_at, updated_at, f_email, f_created_at)
      select ${id}, ${email}, ${sql.lit(T0)}, ${sql.lit(T0)}, ${email}, ${sql.lit(T0)} from seq`.execute(db);
    // Event k of contact i: a second in the period, spread by two primes; its type by (i + k) mod 3.
    const at = sql`(${sql.lit(T0)} + 1000 * (1 + ((i * 7919 + k * 104729) % ${sql.lit(span - 1)})))`;
    const type = sql`case (i + k) % 3 when 0 then 'email_link_clicked' when 1 then 'page_visited' else 'email_opened' end`;
    await sql`${seq}, ${ks} insert into events (id, contact_id, type, at, props_json, accepted_at)
      select 'e' || i || '-' || k, ${id}, ${type}, ${at}, null, ${at} from seq, k`.execute(db);
    await sql`insert into history (contact_id, at, field, from_json, to_json, cause_json)
      select contact_id, at, 'last_activity_at', null, cast(at as text), json_object('event', json_object('id', id, 'type', type))
      from events order by at`.execute(db);
    await sql`insert into history (contact_id, at, field, from_json, to_json, cause_json)
      select contact_id, at, 'lead_score', null, '1', json_object('scoringModel', 'lead', 'rule', case type when 'page_visited' then 'visits' else 'clicks' end)
      from events where type <> 'email_opened' order by at`.execute(db);
    await sql`update contacts set f_lead_score = (select sum(case type when 'email_link_clicked' then 10 when 'page_visited' then 3 else 0 end) from events e where e.contact_id = contacts.id)`.execute(db);
  });
  return n * perContact;
}

/**
 * Builds the database, then times a backtest of the model with clicks at 25 over the whole period.
 * `decay: false` leaves out the model's daily degradation (to see what it costs).
 */
export async function backtestBench(n: number, days = 90, perContact = 5, decay = true): Promise<BacktestBenchResult> {
  const tmp = scratch();
  try {
    const path = tmp.file('backtest.db');
    const setupStore = await Store.open(path);
    const setup = await time(() => build(setupStore, n, days, perContact, decay));
    await setupStore.close();

    const store = await Store.open(path);
    const to = T0 + days * DAY;
    const rt = await Runtime.create({ store, clock: new ManualClock(to) });
    try {
      const draft = await readDraft(rt, { model: model(25, decay) });
      const plan: BacktestPlan = { draft, field: 'lead_score', from: T0, to, windowMs: 30 * DAY, outcomes: [], bands: { kind: 'ranges', edges: [20, 50, 80] }, total: n };
      const results = await ResultStore.open(to);
      try {
        const run = await time(() => runBacktest(rt, plan, results, () => {}));
        const summary = await time(() => results.summary(plan));
        const read = await time(() => readAll(store, T0, to));
        const ms = run.ms + summary.ms;
        return {
          contacts: n, days, events: setup.value, setupMs: setup.ms, ms, eventsPerSecond: setup.value / (ms / 1000),
          readMs: read.ms, summaryMs: summary.ms, changed: summary.value.changed, peakRssMb: peakRssMb(),
        };
      } finally {
        await results.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    tmp.remove();
  }
}

/** The backtest's reads of the real database alone, in its chunks: the share of its time that is reading. */
async function readAll(store: Store, from: number, to: number): Promise<void> {
  for (let after: string | null = null; ; ) {
    const ids = await idsAfter(store.db, after, 5_000, from);
    if (!ids.length) return;
    for (let i = 0; i < ids.length; i += 500) {
      await contactsAt(store, ids.slice(i, i + 500), from);
      await eventsOf(store.db, ids.slice(i, i + 500), from, to);
    }
    after = ids[ids.length - 1];
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [n = 100_000, days = 90, perContact = 5] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
  const r = await backtestBench(n, days, perContact, !process.argv.includes('--no-decay'));
  console.log(JSON.stringify(r, null, 2));
  console.log(`backtest of ${r.contacts.toLocaleString('en')} contacts, ${r.events.toLocaleString('en')} events over ${r.days} days: ${(r.ms / 1000).toFixed(1)} s, ${Math.round(r.eventsPerSecond).toLocaleString('en')} events/s (reads alone ${(r.readMs / 1000).toFixed(1)} s, summary ${(r.summaryMs / 1000).toFixed(1)} s)`);
}
