/**
 * Figure 1: the daily decay tick. N contacts parked on the point-decay-loop's wait; the clock moves
 * one day; every wait fires, runs the update and the condition, and parks again. The baseline is
 * raw better-sqlite3 doing the least equivalent work on the same database: select the due rows by
 * index, update the field, reschedule, 1,000 rows per transaction.
 */
import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ManualClock } from '../engine/clock.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { sqlTimeOf } from './replay.js';
import { applyPragmas } from '../server/store/sqlite.js';
import { dbBytes, DAY, peakRssMb, scratch, T0, time } from './common.js';
import { DECAY_MAP, openDecayWorld, parkSetBased } from './park.js';

export interface DecayTickResult {
  readonly n: number;
  /** Contact-steps per second through the engine (one step: wake, update, condition, park). */
  readonly engine: number;
  /** The same work in raw SQL, per second. */
  readonly baseline: number;
  readonly ratio: number;
  readonly setupMs: number;
  readonly engineMs: number;
  readonly baselineMs: number;
  /** The engine's own statements replayed on a copy: contact-steps per second if the engine cost only its SQL. */
  readonly sqlOnly: number;
  /** The share of the engine's time that is SQLite running its statements. */
  readonly sqlShare: number;
  /** Peak RSS of the process with N contacts parked and ticked once, MB. */
  readonly peakRssMb: number;
  readonly dbBytesPerContact: number;
  /**
   * How the engine ran the tick's due waits: as cohorts (set-based statements per wait, see
   * server/runtime/cohort.ts) with how many contacts, and how many went contact by contact
   * (fallbacks; 0 for this map).
   */
  readonly cohorts: { readonly cohorts: number; readonly contacts: number; readonly fallbacks: number };
  /**
   * The physical limit: the same tick as two set-based statements for all N at once (one UPDATE of
   * the scores, one of the positions, one transaction), per second. No history, no claims, no
   * batches: what SQLite itself does at the least.
   */
  readonly setBased: number;
}

/** Parks `n` contacts, times one engine tick, then one raw tick on the same file. `cohorts: false` times the per-contact path. */
export async function decayTick(n: number, opts: { cohorts?: boolean } = {}): Promise<DecayTickResult> {
  const tmp = scratch();
  try {
    const path = tmp.file('decay.db');
    const world = await openDecayWorld(path);
    const setup = await time(() => parkSetBased(world.store, n));
    await world.store.close();
    // Copies of the parked database for the SQL share, measured after the peak RSS of the engine alone.
    copyFileSync(path, tmp.file('before.db'));
    const store = await Store.open(path);
    const clock = new ManualClock(T0);
    const rt = await Runtime.create({ store, clock, cohorts: opts.cohorts });
    const engine = await time(() => rt.advance(T0 + DAY, clock));
    const moved = await store.db.selectFrom('positions').select((eb) => eb.fn.countAll().as('n'))
      .where('map_id', '=', DECAY_MAP).where('due_at', '=', T0 + 2 * DAY).executeTakeFirstOrThrow();
    if (Number(moved.n) !== n) throw new Error(`decay tick: ${moved.n} of ${n} contacts were parked again for day 2`);
    const rss = peakRssMb();
    await store.close();
    // The same tick again on a copy, its statements replayed on another copy: the SQL share.
    const sqlMs = await sqlTimeOf(tmp.file('before.db'), tmp.file('logged.db'), tmp.file('replayed.db'), (rt, clock) => rt.advance(T0 + DAY, clock));
    const bytes = dbBytes(path);
    const baselineMs = rawTick(path, T0 + 2 * DAY);
    const setBasedMs = rawSetTick(path, T0 + 3 * DAY);
    return {
      n, engine: n / (engine.ms / 1000), baseline: n / (baselineMs / 1000), ratio: baselineMs / engine.ms,
      setupMs: setup.ms, engineMs: engine.ms, baselineMs, sqlOnly: n / (sqlMs / 1000), sqlShare: sqlMs / engine.ms,
      peakRssMb: rss, dbBytesPerContact: bytes / n, cohorts: { ...rt.cohortStats }, setBased: n / (setBasedMs / 1000),
    };
  } finally {
    tmp.remove();
  }
}

/** The raw tick at `upTo`: due rows by index, the decay, the next due time, in 1,000-row transactions. */
export function rawTick(path: string, upTo: number): number {
  const db = new Database(path);
  applyPragmas(db);
  try {
    const due = db.prepare('select contact_id from positions where map_id = ? and due_at <= ? order by due_at, contact_id limit 1000');
    const decay = db.prepare('update contacts set f_custom_lead_score = max(0, f_custom_lead_score - 2), updated_at = ? where id = ?');
    const park = db.prepare('update positions set entered_at = ?, due_at = ? where map_id = ? and contact_id = ?');
    const batch = db.transaction((ids: string[]) => {
      for (const id of ids) {
        decay.run(upTo, id);
        park.run(upTo, upTo + DAY, DECAY_MAP, id);
      }
    });
    const t = process.hrtime.bigint();
    for (;;) {
      const ids = due.pluck().all(DECAY_MAP, upTo) as string[];
      if (!ids.length) break;
      batch(ids);
    }
    return Number(process.hrtime.bigint() - t) / 1e6;
  } finally {
    db.close();
  }
}

/** The raw tick at `upTo` as two statements over every due contact in one transaction (see `DecayTickResult.setBased`). */
export function rawSetTick(path: string, upTo: number): number {
  const db = new Database(path);
  applyPragmas(db);
  try {
    const decay = db.prepare('update contacts set f_custom_lead_score = max(0, f_custom_lead_score - 2), updated_at = ? where id in (select contact_id from positions where map_id = ? and due_at <= ?)');
    const park = db.prepare('update positions set entered_at = ?, due_at = ? where map_id = ? and due_at <= ?');
    const t = process.hrtime.bigint();
    const { changes } = db.transaction(() => {
      const moved = decay.run(upTo, DECAY_MAP, upTo);
      park.run(upTo, upTo + DAY, DECAY_MAP, upTo);
      return moved;
    })();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (changes === 0) throw new Error('the set-based raw tick found nothing due');
    return ms;
  } finally {
    db.close();
  }
}
