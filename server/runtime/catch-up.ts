import { MAX_DEPTH, processWork, type TakeBack, type Work } from '../../engine/cascade.js';
import type { Effects } from '../../engine/effects.js';
import { SCORING_TIMER_PREFIX } from '../../engine/scoring/model.js';
import type { ContactState } from '../../engine/state.js';
import type { Store } from '../store/store.js';
import { decayJob, doneEarly, markDoneEarly, tickJob } from '../store/jobs-store.js';
import { dueDateTimersOf, type DateTimer } from '../store/timers-store.js';
import { scheduleCursorKey, stopDateLoop } from './due.js';
import { dayRewind, decayDay, startDay } from '../scoring/day-run.js';
import { endExpired, expiring } from '../scoring/ledger-store.js';
import { hasDailyRun } from '../../engine/scoring/ledger.js';
import type { Runtime } from './runtime.js';

/** A bulk job due by now that has not reached every contact: which of the given contacts it still owes. */
interface OwedJob {
  readonly job: string;
  readonly at: number;
  /** Before the other due work of the same moment: a degradation (0), then a cron tick (1). */
  readonly rank: number;
  readonly work: Work;
  /** The work of a contact when it differs from `work`. */
  readonly perContact?: ReadonlyMap<string, Work>;
  readonly owes: Set<string>;
}

/** A piece of due work for one contact. */
interface Due {
  readonly at: number;
  /** Jobs first at one moment, then maps in creation order, then scoring models. */
  readonly rank: number;
  readonly seq: number;
  readonly key: string;
  readonly work: Work;
  readonly job?: OwedJob;
  readonly timer?: { mapId: string; elementId: string; armedValue: number };
}

/**
 * Runs, for these contacts only, everything due at or before `now` that has not run yet: their
 * waits, date triggers and timed scoring rules, and their share of a cron tick or a day's
 * degradation still in progress (recorded, so the job's pages pass them by) — each at its own
 * time, in time order, into `effects`. A request calls it for the contacts it is about to change,
 * inside its transaction, so a contact's due work and its events keep their order even while the
 * scheduler is still on its way through a big wave of due work, which the request does not wait
 * for. What the request's own work makes due now is run by calling it again afterwards.
 * `beforeContact` hears each contact before its work runs, in the order of `states` (a group of
 * requests gives each request's contacts a step budget of their own).
 */
export async function catchUp(
  rt: Runtime, s: Store, states: ReadonlyMap<string, ContactState>, now: number, effects: Effects, beforeContact?: (contactId: string) => void,
  /** The stored timers due by `now` of these contacts (or more), when the caller read them with the contacts (see `dueDateTimersSoon`). */
  storedTimers?: () => readonly (DateTimer & { dueAt: number })[] | undefined,
): Promise<void> {
  if (!states.size) return;
  const world = rt.world;
  const ids = [...states.keys()];
  // Timers: the stored ones due by now, then what this transaction wrote (in `effects`) over them.
  const timerKeys: { mapId: string; elementId: string; seq: number; work: (armedValue: number) => Work }[] = [];
  for (const [seq, map] of world.maps.entries()) {
    if (map.paused) continue;
    for (const t of map.triggers.date_reached) {
      timerKeys.push({ mapId: map.id, elementId: t.id, seq, work: (armedValue) => ({ kind: 'date', mapId: map.id, elementId: t.id, armedValue }) });
    }
  }
  for (const [i, m] of (world.models ?? []).entries()) {
    if (!m.timeDependent) continue;
    timerKeys.push({ mapId: `${SCORING_TIMER_PREFIX}${m.model.id}`, elementId: 'rules', seq: world.maps.length + i, work: () => ({ kind: 'rescore', modelId: m.model.id }) });
  }
  const stored = new Map<string, { armedValue: number; dueAt: number }>();
  if (timerKeys.length) {
    for (const t of storedTimers?.() ?? (await dueDateTimersOf(s.db, ids, now))) stored.set(`${t.mapId}\u0000${t.elementId}\u0000${t.contactId}`, t);
  }
  const jobs = await owedJobs(rt, s, states, now);
  const doneByJob = new Map<string, string[]>();

  for (const state of states.values()) {
    const c = state.id;
    beforeContact?.(c);
    // How often each piece of work came due at one instant: a map that re-arms a date into the
    // past, or a wait that parks again at a moment already past, stops after MAX_DEPTH.
    const seen = new Map<string, number>();
    const skipped = new Set<string>();
    const timerOf = (k: (typeof timerKeys)[number]) => {
      const key = `${k.mapId}\u0000${k.elementId}\u0000${c}`;
      const written = effects.dateTimers.get(key);
      if (written) return written.drop || written.dueAt === null ? undefined : { armedValue: written.armedValue, dueAt: written.dueAt };
      return stored.get(key);
    };
    for (;;) {
      let next: Due | undefined;
      const consider = (d: Due) => {
        if (skipped.has(d.key)) return;
        if (!next || d.at < next.at || (d.at === next.at && (d.rank < next.rank || (d.rank === next.rank && d.seq < next.seq)))) next = d;
      };
      for (const j of jobs) if (j.owes.has(c)) consider({ at: j.at, rank: j.rank, seq: 0, key: j.job, work: j.perContact?.get(c) ?? j.work, job: j });
      for (const [seq, map] of world.maps.entries()) {
        if (map.paused) continue;
        const pos = state.positions.get(map.id);
        if (pos && !pos.stuck && pos.dueAt !== null && pos.dueAt <= now) consider({ at: pos.dueAt, rank: 2, seq, key: `wake:${map.id}`, work: { kind: 'wake', mapId: map.id } });
      }
      for (const k of timerKeys) {
        const t = timerOf(k);
        if (t && t.dueAt <= now) {
          consider({ at: t.dueAt, rank: 2, seq: k.seq, key: `timer:${k.mapId}\u0000${k.elementId}`, work: k.work(t.armedValue), timer: { mapId: k.mapId, elementId: k.elementId, armedValue: t.armedValue } });
        }
      }
      const d = next as Due | undefined;
      if (!d) break;
      const again = `${d.key}\u0000${d.at}`;
      const n = (seen.get(again) ?? 0) + 1;
      seen.set(again, n);
      if (n > MAX_DEPTH) {
        if (d.work.kind === 'date' && d.timer) stopDateLoop(effects, { ...d.timer, contactId: c }, d.at);
        skipped.add(d.key);
        continue;
      }
      processWork(world, state, d.work, d.at, effects);
      if (d.job) {
        d.job.owes.delete(c);
        let done = doneByJob.get(d.job.job);
        if (!done) doneByJob.set(d.job.job, (done = []));
        done.push(c);
      }
    }
  }
  for (const [job, done] of doneByJob) await markDoneEarly(s.db, job, done);
}

/**
 * The cron ticks and degradations due by `now` whose pages have not reached some of these
 * contacts yet. Read after the contacts were locked (on a shared database, a page holding one of
 * them has committed by then, with its cursor). A contact created after a job's moment is not
 * the job's, whatever its id (the job's own pages pass it by too).
 */
async function owedJobs(rt: Runtime, s: Store, states: ReadonlyMap<string, ContactState>, now: number): Promise<OwedJob[]> {
  const out: OwedJob[] = [];
  const owing = async (job: string, at: number, after: string | null): Promise<Set<string>> => {
    const candidates = [...states.values()]
      .filter((c) => (after === null || c.id > after) && ((c.fields.created_at as number | null | undefined) ?? -Infinity) <= at)
      .map((c) => c.id);
    if (!candidates.length) return new Set();
    const done = await doneEarly(s.db, job, candidates);
    return new Set(candidates.filter((id) => !done.has(id)));
  };
  for (const m of rt.world.models ?? []) {
    const at = rt.decayDue.get(m.model.id);
    if (at === null || at === undefined || at > now || !hasDailyRun(m.model)) continue;
    const day = decayDay(m.model, at);
    const run = await s.getDecayRun(m.model.id, day);
    if (run?.finished) continue;
    const job = decayJob(m.model.id, day);
    const owes = await owing(job, at, run?.cursor ?? null);
    if (!owes.size) continue;
    if (!run) await startDay(s, m.model, day, at, m.since);
    // Either path of the job does for a contact what the engine's day work does: expiring points
    // taken back, then the decaying part degraded within the bounds.
    const expire = m.model.rules.some((r) => r.expiresAfter) ? await expiring(s.db, m.model.id, [...owes], at, dayRewind(m.model, at, m.since)) : new Map<string, TakeBack[]>();
    if (expire.size) await endExpired(s.db, m.model.id, [...expire.keys()], at);
    const perContact = new Map([...owes].map((c) => [c, { kind: 'decay', modelId: m.model.id, expire: expire.get(c) } as Work]));
    out.push({ job, at, rank: 0, work: { kind: 'decay', modelId: m.model.id }, perContact, owes });
  }
  const running = new Set(rt.world.maps.filter((m) => !m.paused && m.triggers.schedule.length).map((m) => m.id));
  if (running.size) {
    for (const tick of await s.getSchedules()) {
      if (!running.has(tick.mapId) || tick.nextAt > now) continue;
      const saved = JSON.parse((await s.getMeta(scheduleCursorKey(tick.mapId, tick.elementId))) ?? 'null') as { at: number; after: string } | null;
      const job = tickJob(tick.mapId, tick.elementId, tick.nextAt);
      const owes = await owing(job, tick.nextAt, saved?.at === tick.nextAt ? saved.after : null);
      if (owes.size) out.push({ job, at: tick.nextAt, rank: 1, work: { kind: 'enter', mapId: tick.mapId, elementId: tick.elementId, checkWhere: true }, owes });
    }
  }
  return out;
}
