import { randomUUID } from 'node:crypto';
import type { Clock } from '../../engine/clock.js';
import { compileMap, type CompiledMap } from '../../engine/compile.js';
import { MAX_DEPTH, processWork, type EngineEvent, type Work, type World } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import { nextTick } from '../../engine/elements/trigger.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import type { EventInput } from '../../engine/schema/event.js';
import { MapDocument } from '../../engine/schema/map.js';
import type { ContactState } from '../../engine/state.js';
import { RetryTransaction, type Store } from '../store/store.js';
import { notFound } from '../errors.js';
import { flushEffects } from './flush.js';
import { Lock } from './lock.js';
import { coerceForField } from '../../engine/values.js';
import { runDecay } from './scoring.js';
import { compileModel } from '../../engine/scoring/compile.js';
import { ScoringModel, SCORING_TIMER_PREFIX } from '../../engine/scoring/model.js';

/** How many due waits or contacts one transaction handles. */
export const BATCH = 1_000;

/** How long a process leaves a job (a cron tick, a degradation) to the other process it found running it, ms. */
const ELSEWHERE_MS = 1_000;

export interface RuntimeOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Makes ids for contacts and events that come without one. */
  readonly ids?: () => string;
  /**
   * At most this much due work (a piece of work, a wait or a date trigger, counts one; each batch
   * four more) for this runtime's whole life, and
   * a turn of the event loop between batches: a simulation answering an HTTP request must neither
   * run for hours (a loop of one-second waits over ten years is 315 million wake-ups) nor keep the
   * server from answering others while it runs.
   */
  readonly dueWorkBudget?: number;
}

/** Thrown when a runtime's due-work budget runs out. */
export class WorkBudgetExceeded extends Error {
  constructor(readonly budget: number) {
    super(`more than ${budget.toLocaleString('en')} steps of due work (waits and date triggers firing)`);
  }
}

/** The meta key of the world's revision: changed by every change to maps, fields or scoring models. */
const WORLD_REV = 'world_rev';

/** Another process changed the world since this one read it: read it again, then run the transaction again. */
class StaleWorld extends RetryTransaction {}

/** A due item: a wait that fires or a date trigger that comes due. */
interface DueItem {
  readonly at: number;
  readonly seq: number;
  readonly contactId: string;
  readonly work: Work;
}

/**
 * The engine's hands: keeps the published maps compiled in memory, takes in events, fires what
 * comes due, and writes each batch's effects in one transaction. All work takes turns (`lock`).
 */
export class Runtime {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: () => string;
  readonly lock = new Lock();
  world: World = { maps: [], fields: new FieldRegistry([]) };
  #listeners = new Set<(at: number) => void>();
  /** The world revision `world` was read at. */
  #rev: string | null = null;
  /** While this runtime changes the world (and holds the world lock alone). */
  #changingWorld = 0;
  /** Jobs (cron ticks, degradations) another process was running when this one looked: key → when to look again (real time, ms). */
  #elsewhere = new Map<string, number>();

  #budget: { readonly total: number; left: number } | undefined;

  private constructor(opts: RuntimeOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.ids = opts.ids ?? randomUUID;
    if (opts.dueWorkBudget !== undefined) this.#budget = { total: opts.dueWorkBudget, left: opts.dueWorkBudget };
  }

  static async create(opts: RuntimeOptions): Promise<Runtime> {
    const rt = new Runtime(opts);
    await rt.reload();
    return rt;
  }

  /** Re-reads fields and published maps (after a publish, pause, resume or field change). */
  async reload(): Promise<void> {
    // The revision first: a change landing while this reads makes the next transaction read again.
    this.#rev = await this.store.getMeta(WORLD_REV);
    const fields = new FieldRegistry(await this.store.listFields());
    const maps: CompiledMap[] = [];
    for (const m of await this.store.listMaps()) {
      if (m.status === 'draft' || m.version === null) continue;
      const doc = MapDocument.parse(await this.store.getVersion(m.id, m.version));
      maps.push(compileMap({ id: m.id, version: m.version, paused: m.status === 'paused', doc }, fields));
    }
    const records = await this.store.listModels();
    const models = records.map((r) => compileModel(ScoringModel.parse(r.doc), fields));
    this.decayDue = new Map(records.map((r) => [r.id, r.nextDecayAt]));
    this.world = { maps, fields, models };
    this.#changed();
  }

  /** When each scoring model's next daily degradation is due (null: none). */
  decayDue = new Map<string, number | null>();

  /**
   * A transaction of engine work: it holds the world lock shared (so no publish lands in the
   * middle) and runs on the world as it is now, re-reading it first when another process changed
   * it. Reruns after a deadlock or a unique-key race with another process: `fn` reads what it
   * decides on inside.
   */
  async transaction<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    return this.store.transaction(
      async (s) => {
        if (this.#changingWorld === 0) {
          await s.shareWorld();
          if ((await s.getMeta(WORLD_REV)) !== this.#rev) throw new StaleWorld('the maps changed');
        }
        return fn(s);
      },
      { beforeRetry: async (err) => (err instanceof StaleWorld ? this.reload() : undefined) },
    );
  }

  /**
   * Changes maps, fields or scoring models: takes this runtime's turn and the world lock alone
   * (every process's engine work waits), runs `fn`, then records a new world revision, which tells
   * every process to read the world again, and reads it.
   */
  async changeWorld<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(() =>
      this.store.exclusively(async () => {
        this.#changingWorld++;
        try {
          const result = await fn();
          await this.store.setMeta(WORLD_REV, randomUUID());
          return result;
        } finally {
          // A refused change wrote nothing (each is one transaction), and leaves the revision be;
          // either way this process reads the world as it now is.
          try {
            await this.reload();
          } finally {
            this.#changingWorld--;
          }
        }
      }),
    );
  }

  /** Whether the world changed in another process; reads it again if so (a worker between batches). */
  async refresh(): Promise<void> {
    if ((await this.store.getMeta(WORLD_REV)) !== this.#rev) await this.lock.run(() => this.reload());
  }

  /**
   * Hears when work may come due: `at` is the earliest due time something just scheduled
   * (-Infinity: anything may have changed, look again). The scheduler sleeps until the next due
   * time and wakes early only for what is due sooner.
   */
  onChange(listener: (at: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(at = -Infinity): void {
    if (at === Infinity) return;
    for (const l of this.#listeners) l(at);
  }

  /** Writes a batch's effects in the caller's transaction and tells the scheduler what they made due. */
  async flush(s: Store, effects: Effects, now: number): Promise<void> {
    await flushEffects(s, effects, now);
    this.#changed(effects.earliestDue);
  }

  /**
   * Takes in events in one transaction: duplicates by id are counted and skipped, contacts named
   * by an unknown email are created, every event runs through every published map. Resolves once
   * everything is committed.
   */
  async ingest(events: readonly EventInput[]): Promise<{ accepted: number; duplicates: number; created: number }> {
    return this.lock.run(async () => {
      const now = this.clock.now();
      // Whatever came due before this instant runs before the events of this instant.
      await this.#runDue(now);
      const { dueBy, ...result } = await this.transaction(async (s) => {
        const given = events.map((e) => e.id).filter((id): id is string => id !== undefined);
        const existing = given.length ? await s.existingEventIds(given) : new Set<string>();
        const seen = new Set<string>();
        const fresh: (EventInput & { id: string })[] = [];
        for (const e of events) {
          if (e.id !== undefined && (existing.has(e.id) || seen.has(e.id))) continue;
          const id = e.id ?? this.ids();
          seen.add(id);
          fresh.push({ ...e, id });
        }
        const emails = [...new Set(fresh.flatMap((e) => ('email' in e.contact ? [e.contact.email.trim().toLowerCase()] : [])))];
        const byEmail = emails.length ? await s.findIdsByEmail(emails) : new Map<string, string>();
        const ids = new Set<string>(byEmail.values());
        for (const e of fresh) if ('id' in e.contact) ids.add(e.contact.id);
        const states = await s.loadContacts([...ids], { rules: this.#scores() });
        const missing = fresh.flatMap((e) => ('id' in e.contact && !states.has(e.contact.id) ? [e.contact.id] : []));
        if (missing.length) {
          throw notFound(`No contact with id ${[...new Set(missing)].slice(0, 5).map((m) => `"${m}"`).join(', ')}${missing.length > 5 ? ', …' : ''}: create it first, or name it by email`);
        }
        const effects = new Effects();
        const created: ContactState[] = [];
        for (const email of emails) {
          if (byEmail.has(email)) continue;
          const c = this.newContact(now, { email });
          byEmail.set(email, c.id);
          states.set(c.id, c);
          created.push(c);
          // History explains the new contact's email, as it does for contacts created through the API.
          const first = fresh.find((e) => 'email' in e.contact && e.contact.email.trim().toLowerCase() === email)!;
          effects.changes.push({ contactId: c.id, at: now, field: 'email', from: null, to: email, cause: { event: { id: first.id, type: first.type } } });
        }
        if (created.length) await s.insertContacts(created.map((c) => ({ id: c.id, fields: c.fields, tags: c.tags, createdAt: now })));
        for (const c of created) processWork(this.world, c, { kind: 'created' }, now, effects);
        const rows = [];
        for (const e of fresh) {
          const contactId = 'id' in e.contact ? e.contact.id : byEmail.get(e.contact.email.trim().toLowerCase())!;
          const event: EngineEvent = { id: e.id, type: e.type, at: e.at ? Date.parse(e.at) : now, props: e.props ?? {} };
          rows.push({ id: e.id, contactId, type: e.type, at: event.at, props: e.props ?? null, acceptedAt: now });
          processWork(this.world, states.get(contactId)!, { kind: 'event', event }, now, effects);
        }
        if (rows.length) await s.insertEvents(rows);
        await this.flush(s, effects, now);
        return { accepted: fresh.length, duplicates: events.length - fresh.length, created: created.length, dueBy: effects.earliestDue };
      });
      // Everything due by now ran before the events: only what they scheduled for now can be due.
      if (dueBy <= now) await this.#runDue(now);
      return result;
    });
  }

  /** Whether a scoring model runs: only then do contacts' held rules need reading. */
  #scores(): boolean {
    return (this.world.models?.length ?? 0) > 0;
  }

  /** A new contact's state, with its creation time set. */
  newContact(now: number, fields: Record<string, ContactState['fields'][string]>, id = this.ids()): ContactState {
    // Custom fields with a default start with it unless a value is given.
    const defaults: Record<string, ContactState['fields'][string]> = {};
    for (const f of this.world.fields.all()) {
      if (f.default === undefined || f.type === 'tags') continue;
      try {
        defaults[f.key] = coerceForField(f, f.default);
      } catch {
        // A default that no longer fits its field is ignored rather than blocking new contacts.
      }
    }
    return { id, fields: { ...defaults, ...fields, created_at: now }, tags: [], positions: new Map() };
  }

  /**
   * Runs work for contacts in one transaction: loads them, runs each piece in order at its own
   * time, writes the effects. Unknown contacts are skipped. With `inOrder`, it stops before an
   * item due later than something this batch scheduled, so due work always runs in time order;
   * it answers how many items it ran.
   */
  async runBatch(
    items: readonly { contactId: string; work: Work; at: number }[],
    inOrder = false,
    /** More writes that must commit with this batch (e.g. how far a bulk job got). */
    also?: (s: Store) => Promise<void>,
  ): Promise<number> {
    return this.transaction(async (s) => {
      const done = await this.runItems(s, items, { inOrder });
      await also?.(s);
      return done;
    });
  }

  /**
   * `runBatch`'s work inside the caller's transaction. `locked`: the transaction claimed these
   * contacts already (due work), so they are not locked again.
   */
  async runItems(s: Store, items: readonly { contactId: string; work: Work; at: number }[], opts: { inOrder?: boolean; locked?: boolean } = {}): Promise<number> {
    const states = await s.loadContacts([...new Set(items.map((i) => i.contactId))], { rules: this.#scores(), locked: opts.locked });
    const effects = new Effects();
    let done = 0;
    let last = 0;
    for (const item of items) {
      if (opts.inOrder && done > 0 && item.at > effects.earliestDue) break;
      const state = states.get(item.contactId);
      if (state) processWork(this.world, state, item.work, item.at, effects);
      last = Math.max(last, item.at);
      done++;
    }
    await this.flush(s, effects, last);
    return done;
  }

  /** Fires everything due at or before the clock's now. */
  runDue(): Promise<void> {
    return this.lock.run(() => this.#runDue(this.clock.now()));
  }

  /**
   * Fires what is due up to `upTo`, earliest first. Each wait runs at its own due time, so a
   * server that was down for three days catches up three days of a decay loop, exactly as a
   * manual clock advanced by three days does.
   */
  async #runDue(upTo: number): Promise<void> {
    // How often each date trigger came due for a contact at one instant: see #stopInstantLoops.
    const fired = new Map<string, number>();
    for (;;) {
      const schedule = await this.#dueSchedule(upTo);
      const decay = this.#dueDecay(upTo);
      const job = Math.min(schedule?.nextAt ?? Infinity, decay?.at ?? Infinity);
      // Waits and date triggers due before the next job (a tick or a degradation at the same
      // moment goes first), claimed and run in one transaction: on a shared database, what another
      // process holds is skipped and what this one claims no other takes.
      const ran = await this.transaction(async (s) => {
        const due = await this.#dueItems(s, Math.min(upTo, job - 1));
        const items = await this.#stopInstantLoops(s, due, fired);
        return due.length ? { claimed: due.length, done: items.length ? await this.runItems(s, items, { inOrder: true, locked: true }) : 0 } : null;
      });
      if (ran) {
        if (this.#budget) {
          // A batch's queries cost about as much as four pieces of work (measured: ~200 µs a batch of
          // one, ~47 µs a piece in batches of 1,000), so a loop of one contact counts too.
          this.#budget.left -= ran.done + 4;
          if (this.#budget.left < 0) throw new WorkBudgetExceeded(this.#budget.total);
          await new Promise((resolve) => setImmediate(resolve));
        }
        continue;
      }
      if (decay && decay.at === job) {
        if (await runDecay(this, decay.modelId, decay.at)) continue;
        this.#elsewhere.set(`decay:${decay.modelId}`, Date.now() + ELSEWHERE_MS);
        continue;
      }
      if (schedule) {
        if (await this.#runSchedule(schedule)) continue;
        this.#elsewhere.set(`schedule:${schedule.mapId}:${schedule.elementId}`, Date.now() + ELSEWHERE_MS);
        continue;
      }
      return;
    }
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
      const message = `Stopped: this date trigger came due again at the same moment more than ${MAX_DEPTH} times (does the map move the date it watches into the past?)`;
      const effects = new Effects();
      for (const { work, contactId, at } of stopped) {
        if (work.kind !== 'date') continue;
        effects.dateTimer({ mapId: work.mapId, elementId: work.elementId, contactId, armedValue: work.armedValue, dueAt: null });
        effects.count(work.mapId, work.elementId, at, 'errors', message);
      }
      await this.flush(s, effects, stopped[0].at);
    }
    return kept;
  }

  /** The earliest daily degradation due by `upTo`. */
  #dueDecay(upTo: number): { modelId: string; at: number } | undefined {
    let best: { modelId: string; at: number } | undefined;
    for (const [modelId, at] of this.decayDue) {
      if (at !== null && at <= upTo && (!best || at < best.at) && !this.#busyElsewhere(`decay:${modelId}`)) best = { modelId, at };
    }
    return best;
  }

  /** The next batch of due waits and date triggers over all running maps, in due-time order, claimed for the transaction `s`. */
  async #dueItems(s: Store, upTo: number): Promise<DueItem[]> {
    const items: DueItem[] = [];
    for (const [seq, map] of this.world.maps.entries()) {
      if (map.paused) continue;
      // Only ask the database about what a map can have: waits, date triggers.
      for (const p of map.hasWaits ? await s.claimDueContacts(map.id, upTo, BATCH) : []) {
        items.push({ at: p.dueAt, seq, contactId: p.contactId, work: { kind: 'wake', mapId: map.id } });
      }
      for (const t of map.triggers.date_reached.length ? await s.claimDueDateTimers(map.id, upTo, BATCH) : []) {
        items.push({ at: t.dueAt, seq, contactId: t.contactId, work: { kind: 'date', mapId: map.id, elementId: t.elementId, armedValue: t.armedValue } });
      }
    }
    // Scoring rules that compare dates with the clock are re-checked when their moment comes.
    for (const [i, m] of (this.world.models ?? []).entries()) {
      if (!m.timeDependent) continue;
      for (const t of await s.claimDueDateTimers(`${SCORING_TIMER_PREFIX}${m.model.id}`, upTo, BATCH)) {
        items.push({ at: t.dueAt, seq: this.world.maps.length + i, contactId: t.contactId, work: { kind: 'rescore', modelId: m.model.id } });
      }
    }
    items.sort((a, b) => a.at - b.at || a.seq - b.seq || (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
    return items.slice(0, BATCH);
  }

  async #dueSchedule(upTo: number) {
    const running = new Set(this.world.maps.filter((m) => !m.paused && m.triggers.schedule.length).map((m) => m.id));
    if (!running.size) return undefined;
    const due = (await this.store.getSchedules()).filter((s) => running.has(s.mapId) && s.nextAt <= upTo && !this.#busyElsewhere(`schedule:${s.mapId}:${s.elementId}`));
    due.sort((a, b) => a.nextAt - b.nextAt);
    return due[0];
  }

  /**
   * A cron tick: every contact matching the trigger's condition enters, a page per transaction.
   * Each page takes the tick's job lock and goes on from where the last page (of any process)
   * got; false when another process holds the tick now.
   */
  async #runSchedule(tick: { mapId: string; elementId: string; nextAt: number }): Promise<boolean> {
    const at = tick.nextAt;
    const map = this.world.maps.find((m) => m.id === tick.mapId);
    const t = map?.elements.get(tick.elementId);
    const work: Work = { kind: 'enter', mapId: tick.mapId, elementId: tick.elementId, checkWhere: true };
    // How far the tick got commits with each page: after a crash mid-tick, the restart goes on
    // from there instead of admitting the first pages' contacts a second time.
    const key = `schedule-cursor:${tick.mapId}:${tick.elementId}`;
    for (;;) {
      const step = await this.transaction(async (s) => {
        if (!(await s.tryJobLock(key))) return 'elsewhere';
        const row = (await s.getSchedules(tick.mapId)).find((r) => r.elementId === tick.elementId);
        if (row?.nextAt !== at) return 'done'; // another process finished this tick
        const saved = JSON.parse((await s.getMeta(key)) ?? 'null') as { at: number; after: string } | null;
        const page = t?.kind === 'trigger' && t.on.type === 'schedule' ? await s.contactIdsAfter(saved?.at === at ? saved.after : null, BATCH) : [];
        if (page.length) {
          await this.runItems(s, page.map((contactId) => ({ contactId, work, at })));
          await s.setMeta(key, JSON.stringify({ at, after: page[page.length - 1] }));
          return 'page';
        }
        const next = t?.kind === 'trigger' && t.on.type === 'schedule' ? nextTick(t.on, at) : null;
        if (next !== null) {
          await s.upsertSchedules([{ mapId: tick.mapId, elementId: tick.elementId, nextAt: next }]);
        } else {
          // No tick left (or no such trigger): drop this schedule only, not the map's others.
          const others = (await s.getSchedules(tick.mapId)).map((r) => r.elementId).filter((e) => e !== tick.elementId);
          await s.deleteSchedulesExcept(tick.mapId, others);
        }
        return 'done';
      });
      if (step === 'elsewhere') return false;
      if (step === 'done') return true;
    }
  }

  /** The earliest moment something is due on a running map, or null. */
  async nextDue(): Promise<number | null> {
    const running = this.world.maps.filter((m) => !m.paused).map((m) => m.id);
    const timed = (this.world.models ?? []).filter((m) => m.timeDependent).map((m) => `${SCORING_TIMER_PREFIX}${m.model.id}`);
    const set = new Set(running);
    const times = [
      running.length ? await this.store.nextDuePosition(running) : null,
      running.length || timed.length ? await this.store.nextDueDateTimer([...running, ...timed]) : null,
      ...(running.length ? (await this.store.getSchedules()).filter((s) => set.has(s.mapId)).map((s) => s.nextAt) : []),
      ...this.decayDue.values(),
    ].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  /**
   * Moves a manual clock to `to` after running every wait, date trigger and cron tick due up to
   * then, each at its own time, in time order (SPEC §6 "Clock").
   */
  async advance(to: number, clock: { set(t: number): void }): Promise<void> {
    await this.lock.run(async () => {
      await this.#runDue(to);
      clock.set(to);
    });
  }
}
