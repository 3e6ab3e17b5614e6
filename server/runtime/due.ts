import { MAX_DEPTH, type Work } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import { nextTick } from '../../engine/elements/trigger.js';
import { SCORING_TIMER_PREFIX } from '../../engine/scoring/model.js';
import type { Store } from '../store/store.js';
import { clearDoneEarly, tickJob } from '../store/jobs-store.js';
import { Lock } from './lock.js';
import { decayPage } from '../scoring/day-run.js';
import type { Runtime } from './runtime.js';
import { runDueItems } from './cohort.js';
import { claimWaits, type ClaimedCohorts } from './cohort-split.js';

/** How many due waits or contacts one transaction handles at most. */
export const BATCH = 1_000;

/**
 * How many due waits a transaction takes while requests are coming in (one arrived in the last
 * `BUSY_MS`): a request waits for the slice in hand, so slices are shorter then. Measured on the
 * decay tick at 100,000 with a client sending single events: batches of 1,000 gave event requests
 * a p99 of 236 ms, batches of 250 38 ms; alone, 1,000 a batch runs the tick about a fifth faster.
 * Again with cohorts (2026-12-06, two runs each): 250 gave p99 38–39 ms and the tick 39,000
 * steps/s under that stream; 500, p99 85–87 ms and 48,000; 1,000, p99 110–117 ms and 58,600. 500
 * would leave too little of the 100 ms on a busy machine.
 */
export const BUSY_BATCH = 250;
/** How long after a request due work keeps to short slices, ms (real time). */
export const BUSY_MS = 1_000;

/**
 * How many slices (of BATCH waits and SLICE_STEPS steps) one transaction takes while no request
 * is coming in: bigger cohorts and fewer commits. A request that arrives then waits for at most
 * one such transaction (a decay wave's 4,000 contacts); the next slices are short (BUSY_BATCH).
 * Measured (2026-12-06, the decay loop): at 100,000 contacts the tick's ratio to its baseline was
 * 0.40 with 1, 0.44–0.46 with 2 and 0.43–0.46 with 4; at 1,000,000, 0.50–0.51 with 2 and 0.55
 * with 4. A request arriving after a quiet second during a tick of 500,000 waited a median 22 ms
 * with 2 and 42 ms with 4: both far inside the 100 ms a request may wait, so the tick's 4 stays.
 */
export const IDLE_SLICES = 4;

/**
 * Instant steps one slice of due work may run before it commits and lets the server answer
 * requests (a decay loop's wake is about three steps: a batch of 1,000 is one slice; a slice of
 * floods is cut short).
 */
export const SLICE_STEPS = 5_000;

/** How long a process leaves a job (a cron tick, a degradation) to the other process it found running it, ms. */
const ELSEWHERE_MS = 1_000;

/** A due item: a wait that fires or a date trigger that comes due. */
interface DueItem {
  readonly at: number;
  readonly seq: number;
  readonly contactId: string;
  readonly work: Work;
}

/** Thrown when a runtime's due-work budget runs out. */
export class WorkBudgetExceeded extends Error {
  constructor(readonly budget: number) {
    super(`more than ${budget.toLocaleString('en')} steps of due work (waits and date triggers firing)`);
  }
}

/** Gives the event loop a turn: requests that arrived meanwhile are read and take their turn at the lock. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How a run of due work is watched and stopped. */
export interface DueRunOptions {
  /** Called, inside the runtime's turn, with the time each slice reached (a manual clock follows it). */
  readonly reached?: (at: number) => void;
  /** Called, inside the runtime's turn, when nothing is left due by the run's end: no request can come between. */
  readonly finished?: () => void;
  /** Asked between slices: true stops the run (a server shutting down). */
  readonly stopped?: () => boolean;
}

/**
 * Fires what comes due, in slices: each slice is one transaction (a batch of waits and date
 * triggers, or one page of a cron tick or a day's degradation) taken at the runtime's lock, and
 * between slices the event loop gets a turn, so requests (events, reads, health checks) are
 * served while a big wave runs. Their contacts are caught up first (`catchUp`), so each contact
 * still sees its due work and its events in time order. One run at a time: a second waits.
 */
export class DueWork {
  readonly #runs = new Lock();
  /** Jobs (cron ticks, degradations) another process was running when this one looked: key → when to look again (real time, ms). */
  readonly #elsewhere = new Map<string, number>();
  #budget: { readonly total: number; left: number } | undefined;
  /** When a request last arrived (real time, ms). */
  #requestAt = -Infinity;
  /** Whether a scheduler runs this runtime's due work as it comes due (see `Runtime.settle`). */
  scheduled = false;

  constructor(
    private readonly rt: Runtime,
    /** See `RuntimeOptions.dueWorkBudget`. */
    budget?: number,
  ) {
    if (budget !== undefined) this.#budget = { total: budget, left: budget };
  }

  /** A request arrived: for a moment, slices are kept short so it waits little. */
  noteRequest(): void {
    this.#requestAt = Date.now();
  }

  /** Whether a request arrived in the last `BUSY_MS`: then slices are kept short. */
  get busy(): boolean {
    return Date.now() - this.#requestAt < BUSY_MS;
  }

  /** How many due waits the next slice takes. */
  #batch(): number {
    return this.busy ? BUSY_BATCH : BATCH;
  }

  /** How many due waits and steps the next transaction of waits and date triggers takes. */
  #dueBatch(): { readonly limit: number; readonly steps: number } {
    return this.busy ? { limit: BUSY_BATCH, steps: SLICE_STEPS } : { limit: IDLE_SLICES * BATCH, steps: IDLE_SLICES * SLICE_STEPS };
  }

  /**
   * Fires what is due up to `upTo`, earliest first. Each wait runs at its own due time, so a
   * server that was down for three days catches up three days of a decay loop, exactly as a
   * manual clock advanced by three days does.
   */
  run(upTo: number, opts: DueRunOptions = {}): Promise<void> {
    return this.#runs.run(async () => {
      // How often each date trigger came due for a contact at one instant: see #stopInstantLoops.
      const fired = new Map<string, number>();
      for (;;) {
        if (opts.stopped?.()) return;
        const more = await this.rt.lock.run(async () => {
          const reached = await this.#slice(upTo, fired);
          if (reached === null) opts.finished?.();
          else if (reached !== undefined) opts.reached?.(reached);
          return reached !== null;
        });
        if (!more) return;
        await turn();
      }
    });
  }

  /**
   * One slice: the next batch of waits and date triggers, or a page of the cron tick or
   * degradation due first. Answers the time it reached (undefined: a job was left to another
   * process), or null when nothing is due by `upTo`.
   */
  async #slice(upTo: number, fired: Map<string, number>): Promise<number | undefined | null> {
    const rt = this.rt;
    const schedule = await this.#dueSchedule(upTo);
    const decay = this.#dueDecay(upTo);
    const job = Math.min(schedule?.nextAt ?? Infinity, decay?.at ?? Infinity);
    // Waits and date triggers due before the next job (a tick or a degradation at the same
    // moment goes first), claimed and run in one transaction: on a shared database, what another
    // process holds is skipped and what this one claims no other takes.
    const ran = await rt.transaction(async (s) => {
      const { limit, steps } = this.#dueBatch();
      const claimed: ClaimedCohorts = new Map();
      const due = await this.#dueItems(s, Math.min(upTo, job - 1), limit, claimed);
      if (!due.length) return null;
      const items = await this.#stopInstantLoops(s, due, fired);
      const done = items.length ? await runDueItems(rt, s, items, { inOrder: true, locked: true, slice: true, steps, claimed }) : 0;
      return { done, at: done ? items[done - 1].at : due[0].at };
    });
    if (ran) {
      if (this.#budget) {
        // A batch's queries cost about as much as four pieces of work (measured: ~200 µs a batch of
        // one, ~47 µs a piece in batches of 1,000), so a loop of one contact counts too.
        this.#budget.left -= ran.done + 4;
        if (this.#budget.left < 0) throw new WorkBudgetExceeded(this.#budget.total);
      }
      return ran.at;
    }
    if (decay && decay.at === job) {
      const step = await decayPage(rt, decay.modelId, decay.at);
      if (step === 'elsewhere') this.#elsewhere.set(`decay:${decay.modelId}`, Date.now() + ELSEWHERE_MS);
      return step === 'elsewhere' ? undefined : decay.at;
    }
    if (schedule) {
      const step = await this.#schedulePage(schedule);
      if (step === 'elsewhere') this.#elsewhere.set(`schedule:${schedule.mapId}:${schedule.elementId}`, Date.now() + ELSEWHERE_MS);
      return step === 'elsewhere' ? undefined : schedule.nextAt;
    }
    return null;
  }

  /** Whether another process was running this job a moment ago: then this one leaves it alone for now. */
  #busyElsewhere(key: string): boolean {
    const until = this.#elsewhere.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.#elsewhere.delete(key);
    return false;
  }

  /**
   * A date trigger whose map moves the date it watches to a moment already past is due again at
   * once, as a new cause each time: time never passes and no cascade guard sees it. Past
   * MAX_DEPTH firings for one contact at one instant, the timer is marked fired and the trigger
   * gets the error, as a guard would; the item is dropped from the work.
   */
  async #stopInstantLoops(s: Store, items: DueItem[], fired: Map<string, number>): Promise<DueItem[]> {
    const stopped: DueItem[] = [];
    const kept = items.filter((item) => {
      if (item.work.kind !== 'date') return true;
      const key = `${item.work.mapId}\u0000${item.work.elementId}\u0000${item.contactId}\u0000${item.at}`;
      const n = (fired.get(key) ?? 0) + 1;
      fired.set(key, n);
      if (n <= MAX_DEPTH) return true;
      stopped.push(item);
      return false;
    });
    if (stopped.length) {
      const effects = new Effects();
      for (const { work, contactId, at } of stopped) {
        if (work.kind === 'date') stopDateLoop(effects, { mapId: work.mapId, elementId: work.elementId, contactId, armedValue: work.armedValue }, at);
      }
      await this.rt.flush(s, effects, stopped[0].at);
    }
    return kept;
  }

  /** The earliest daily degradation due by `upTo`. */
  #dueDecay(upTo: number): { modelId: string; at: number } | undefined {
    let best: { modelId: string; at: number } | undefined;
    for (const [modelId, at] of this.rt.decayDue) {
      if (at !== null && at <= upTo && (!best || at < best.at) && !this.#busyElsewhere(`decay:${modelId}`)) best = { modelId, at };
    }
    return best;
  }

  /**
   * The next batch of due waits and date triggers over all running maps, in due-time order, claimed
   * for the transaction `s`; what the claims worked out for cohorts goes into `claimed`.
   */
  async #dueItems(s: Store, upTo: number, limit: number, claimed: ClaimedCohorts): Promise<DueItem[]> {
    const world = this.rt.world;
    const items: DueItem[] = [];
    for (const [seq, map] of world.maps.entries()) {
      if (map.paused) continue;
      // Only ask the database about what a map can have: waits, date triggers.
      const cohort = map.hasWaits ? await claimWaits(this.rt, s, map, upTo, limit) : null;
      if (cohort) claimed.set(map, cohort);
      for (const p of cohort ? cohort.due : map.hasWaits ? await s.claimDueContacts(map.id, upTo, limit) : []) {
        items.push({ at: p.dueAt, seq, contactId: p.contactId, work: { kind: 'wake', mapId: map.id } });
      }
      for (const t of map.triggers.date_reached.length ? await s.claimDueDateTimers(map.id, upTo, limit) : []) {
        items.push({ at: t.dueAt, seq, contactId: t.contactId, work: { kind: 'date', mapId: map.id, elementId: t.elementId, armedValue: t.armedValue } });
      }
    }
    // Scoring rules that compare dates with the clock are re-checked when their moment comes.
    for (const [i, m] of (world.models ?? []).entries()) {
      if (!m.timeDependent) continue;
      for (const t of await s.claimDueDateTimers(`${SCORING_TIMER_PREFIX}${m.model.id}`, upTo, limit)) {
        items.push({ at: t.dueAt, seq: world.maps.length + i, contactId: t.contactId, work: { kind: 'rescore', modelId: m.model.id } });
      }
    }
    items.sort((a, b) => a.at - b.at || a.seq - b.seq || (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
    return items.slice(0, limit);
  }

  async #dueSchedule(upTo: number) {
    const running = new Set(this.rt.world.maps.filter((m) => !m.paused && m.triggers.schedule.length).map((m) => m.id));
    if (!running.size) return undefined;
    const due = (await this.rt.store.getSchedules()).filter((s) => running.has(s.mapId) && s.nextAt <= upTo && !this.#busyElsewhere(`schedule:${s.mapId}:${s.elementId}`));
    due.sort((a, b) => a.nextAt - b.nextAt);
    return due[0];
  }

  /**
   * One page of a cron tick: the next contacts in id order enter if they match the trigger's
   * condition. The page takes the tick's job lock and goes on from where the last page (of any
   * process) got; contacts an event caught up already are passed by. 'elsewhere' when another
   * process holds the tick now.
   */
  async #schedulePage(tick: { mapId: string; elementId: string; nextAt: number }): Promise<'page' | 'done' | 'elsewhere'> {
    const rt = this.rt;
    const at = tick.nextAt;
    const t = rt.world.maps.find((m) => m.id === tick.mapId)?.elements.get(tick.elementId);
    const on = t?.kind === 'trigger' && t.on.type === 'schedule' ? t.on : undefined;
    const work: Work = { kind: 'enter', mapId: tick.mapId, elementId: tick.elementId, checkWhere: true };
    // How far the tick got commits with each page: after a crash mid-tick, the restart goes on
    // from there instead of admitting the first pages' contacts a second time.
    const key = scheduleCursorKey(tick.mapId, tick.elementId);
    const job = tickJob(tick.mapId, tick.elementId, at);
    return rt.transaction(async (s) => {
      if (!(await s.tryJobLock(key))) return 'elsewhere';
      const row = (await s.getSchedules(tick.mapId)).find((r) => r.elementId === tick.elementId);
      if (row?.nextAt !== at) return 'done'; // another process finished this tick
      const saved = JSON.parse((await s.getMeta(key)) ?? 'null') as { at: number; after: string } | null;
      const page = on ? await s.contactIdsAfter(saved?.at === at ? saved.after : null, this.#batch(), at) : [];
      if (page.length) {
        const done = await rt.runItems(s, page.map((contactId) => ({ contactId, work, at })), { slice: true, job });
        await s.setMeta(key, JSON.stringify({ at, after: page[Math.max(1, done) - 1] }));
        return 'page';
      }
      const next = on ? nextTick(on, at) : null;
      if (next !== null) {
        await s.upsertSchedules([{ mapId: tick.mapId, elementId: tick.elementId, nextAt: next }]);
      } else {
        // No tick left (or no such trigger): drop this schedule only, not the map's others.
        const others = (await s.getSchedules(tick.mapId)).map((r) => r.elementId).filter((e) => e !== tick.elementId);
        await s.deleteSchedulesExcept(tick.mapId, others);
      }
      await clearDoneEarly(s.db, job);
      return 'done';
    });
  }
}

/** The meta key where a cron trigger's tick in progress keeps how far it got: `{ at, after }`. */
export const scheduleCursorKey = (mapId: string, elementId: string): string => `schedule-cursor:${mapId}:${elementId}`;

/**
 * Marks a date trigger that came due again at one instant more than MAX_DEPTH times fired, and
 * gives its trigger the error (see `DueWork.#stopInstantLoops`).
 */
export function stopDateLoop(effects: Effects, t: { mapId: string; elementId: string; contactId: string; armedValue: number }, at: number): void {
  effects.dateTimer({ ...t, dueAt: null });
  effects.count(t.mapId, t.elementId, at, 'errors', `Stopped: this date trigger came due again at the same moment more than ${MAX_DEPTH} times (does the map move the date it watches into the past?)`);
}
