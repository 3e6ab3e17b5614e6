import { randomUUID } from 'node:crypto';
import type { Clock } from '../../engine/clock.js';
import { compileMap, type CompiledMap } from '../../engine/compile.js';
import { MAX_REQUEST_STEPS, processWork, type Work, type World } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import type { EventInput } from '../../engine/schema/event.js';
import { MapDocument } from '../../engine/schema/map.js';
import type { ContactState } from '../../engine/state.js';
import type { Problem } from '../../engine/elements/types.js';
import { RetryTransaction, type Store } from '../store/store.js';
import { flushEffects } from './flush.js';
import { Lock } from './lock.js';
import { coerceForField } from '../../engine/values.js';
import { compileModel } from '../../engine/scoring/compile.js';
import { bracketOf, ScoringModel, SCORING_TIMER_PREFIX } from '../../engine/scoring/model.js';
import { bracketField } from '../../engine/scoring/run.js';
import { countedRules, readNotActivity } from '../scoring/activity.js';
import { doneEarly } from '../store/jobs-store.js';
import { catchUp } from './catch-up.js';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';
import { ingestGroup, type IngestAnswer } from './ingest.js';
import { DueWork, SLICE_STEPS, type DueRunOptions } from './due.js';
import type { CohortStats } from './cohort.js';
import { Rotations } from './rotations.js';

export { BATCH, WorkBudgetExceeded } from './due.js';

/**
 * Events one group of requests takes at most (a bigger request runs alone): about the batch that
 * runs fastest per event, and short enough that a group waits little for the one before.
 */
export const GROUP_EVENTS = 1_000;

/**
 * A capability that acts on the engine's work without reaching into it (STYLE: the outbox of
 * webhooks): it reads its configuration with the world, and sees each batch's effects in the
 * transaction that writes them.
 */
export interface RuntimeHook {
  /** Reads its configuration again: the world changed (in this process or another). */
  reload?(s: Store): Promise<void>;
  /** In the transaction that writes `effects`, after they are written. */
  written?(s: Store, effects: Effects, world: World, now: number): Promise<void>;
  /**
   * Whether changes of this field must each go through the engine (something hears them): the
   * daily degradation then runs contact by contact instead of in one statement per page.
   */
  listens?(field: string): boolean;
  /**
   * Problems of a map that only this capability can see (a `webhook` element naming a
   * subscription that does not exist), added to the engine's own on validate and publish.
   */
  checkMap?(s: Store, doc: MapDocument): Promise<Problem[]>;
}

export interface RuntimeOptions {
  readonly store: Store;
  /** Capabilities that see each batch's effects in its transaction (the outbox). */
  readonly hooks?: readonly RuntimeHook[];
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
  /** Events one group of event requests takes at most (default `GROUP_EVENTS`). */
  readonly groupEvents?: number;
  /**
   * Whether contacts due at the same `for` wait run as a cohort, in set-based statements (see
   * `cohort.ts`); default on. Off: every due wait goes through the engine contact by contact.
   */
  readonly cohorts?: boolean;
}

/** The meta key of the world's revision: changed by every change to maps, fields or scoring models. */
const WORLD_REV = 'world_rev';

/** Another process changed the world since this one read it: read it again, then run the transaction again. */
class StaleWorld extends RetryTransaction {}

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
  /** Fires what comes due, in slices that leave turns to requests. */
  readonly due: DueWork;
  readonly hooks: readonly RuntimeHook[];
  /** Whether due waits run as cohorts (`RuntimeOptions.cohorts`). */
  readonly cohorts: boolean;
  /** Cohorts run, their contacts, and due waits that went contact by contact instead (the fallbacks). */
  readonly cohortStats: CohortStats = { cohorts: 0, contacts: 0, fallbacks: 0, reactions: 0, events: 0, entries: 0, eventFallbacks: 0, eventReasons: {} };
  /** The turn counters of the assign_owner elements' rotations (round robin). */
  readonly rotations = new Rotations();

  private constructor(opts: RuntimeOptions) {
    this.store = opts.store;
    this.cohorts = opts.cohorts ?? true;
    // Every runtime hands out the assign_owner elements' turns (see `Rotations`).
    this.hooks = [...(opts.hooks ?? []), this.rotations];
    this.clock = opts.clock;
    this.ids = opts.ids ?? randomUUID;
    this.due = new DueWork(this, opts.dueWorkBudget);
    this.#intake = this.groupCommit<readonly EventInput[], IngestAnswer>({
      maxSize: opts.groupEvents ?? GROUP_EVENTS,
      size: (events) => events.length,
      run: (requests) => {
        const now = this.clock.now();
        return this.transaction((s) => ingestGroup(this, s, requests, now));
      },
    });
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
    const models = records.map((r) => compileModel(ScoringModel.parse(r.doc), fields, r.createdAt));
    this.decayDue = new Map(records.map((r) => [r.id, r.nextDecayAt]));
    this.store.setLedgerPlan(models.length > 0, countedRules(models));
    const notActivity = await readNotActivity(this.store);
    for (const h of this.hooks) await h.reload?.(this.store);
    this.world = { maps, fields, models, notActivity, turns: this.rotations };
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
          // Checked with the transaction's first statement where it can: before anything is decided on its reads.
          const rev = this.#rev;
          await s.checkMeta(WORLD_REV, (now) => {
            if (now !== rev) throw new StaleWorld('the maps changed');
          });
        }
        await this.rotations.lockContended(s);
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

  /** Writes a batch's effects in the caller's transaction and tells the scheduler what they made due (`existing`: see `flushEffects`). */
  async flush(s: Store, effects: Effects, now: number, opts: { existing?: boolean } = {}): Promise<void> {
    await flushEffects(s, effects, now, opts);
    for (const h of this.hooks) await h.written?.(s, effects, this.world, now);
    this.#changed(effects.earliestDue);
  }

  /**
   * Takes in a request's events (SPEC §6 "Events"; see `ingestGroup`): duplicates by id are
   * counted and skipped, contacts named by an unknown email are created, every event runs through
   * every published map. Each contact's work due before now runs first, and what the events make
   * due now runs before the commit; the rest of the due work is the scheduler's, which the request
   * does not wait for. Requests that arrive together commit together (`GroupCommit`); resolves
   * once this one's group is committed.
   */
  ingest(events: readonly EventInput[]): Promise<IngestAnswer> {
    return this.#intake.submit(events);
  }

  /** Event requests in one transaction (at most `GROUP_EVENTS` events, or one bigger request). */
  readonly #intake: GroupCommit<readonly EventInput[], IngestAnswer>;

  /** How many groups of event requests ran, with how many requests, and how often a group fell back to one request at a time. */
  get intakeStats(): { readonly groups: number; readonly requests: number; readonly fallbacks: number; readonly ms: number } {
    return this.#intake.stats;
  }

  /** Every group commit of this runtime's requests (its own for events, the intake's for Segment calls). */
  readonly #groups: GroupCommit<never, unknown>[] = [];

  /**
   * A group commit for requests of one kind, run at this runtime's turn (see `GroupCommit`); its
   * waiting requests count in `waiting`.
   */
  groupCommit<Req, Res>(opts: Omit<GroupCommitOptions<Req, Res>, 'lock'>): GroupCommit<Req, Res> {
    const group = new GroupCommit<Req, Res>({ ...opts, lock: this.lock });
    this.#groups.push(group as unknown as GroupCommit<never, unknown>);
    return group;
  }

  /** Changes waiting for the engine's turn: units of work at the lock and requests waiting for their group. */
  get waiting(): number {
    return this.#groups.reduce((n, g) => n + g.queued, this.lock.waiting);
  }

  /**
   * Before a request changes these contacts: runs their work due before `now` that the scheduler
   * has not reached yet, and writes it (on its own: it is not the request's work, and has a
   * budget of its own). For a group of requests, `requestOf` names the request that names each
   * contact first (`states` in the order of those requests): each request's contacts then have a
   * budget of their own, as alone — one budget for the group would stop contacts whose requests
   * alone stay well within theirs. `storedTimers`: their stored timers due by `now`, when the
   * caller read them with the contacts.
   */
  async catchUpFirst(s: Store, states: ReadonlyMap<string, ContactState>, now: number, requestOf?: ReadonlyMap<string, number>, storedTimers?: Parameters<typeof catchUp>[6]): Promise<void> {
    const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
    let request = -1;
    await catchUp(this, s, states, now, effects, requestOf && ((contactId) => {
      const r = requestOf.get(contactId)!;
      if (r === request) return;
      request = r;
      effects.stepsBefore = effects.steps;
    }), storedTimers);
    if (!effects.empty) await this.flush(s, effects, now);
  }

  /** After a request's work: runs what it made due now for these contacts (a wait until a date already past, a date trigger armed in the past). */
  async catchUpAfter(s: Store, states: ReadonlyMap<string, ContactState>, now: number, effects: Effects): Promise<void> {
    if (effects.earliestDue <= now) await catchUp(this, s, states, now, effects);
  }

  /** Whether a scoring model runs: only then do contacts' held rules need reading. */
  #scores(): boolean {
    return (this.world.models?.length ?? 0) > 0;
  }

  /** Contacts' states as the engine runs them (with their held scoring rules when a model runs); `locked` on a shared database. */
  loadStates(s: Store, ids: readonly string[], opts: { locked?: boolean } = {}): Promise<Map<string, ContactState>> {
    return s.loadContacts(ids, { rules: this.#scores(), locked: opts.locked });
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
    const first: Record<string, ContactState['fields'][string]> = { ...defaults, ...fields, created_at: now };
    // A model with brackets keeps its bracket field from the start (an empty score reads as 0).
    for (const m of this.world.models ?? []) {
      const key = bracketField(m.model.field);
      if (!m.model.brackets?.length || !this.world.fields.get(key) || first[key] !== undefined) continue;
      const bracket = bracketOf(typeof first[m.model.field] === 'number' ? (first[m.model.field] as number) : null, m.model.brackets);
      if (bracket !== null) first[key] = bracket;
    }
    return { id, fields: first, tags: [], positions: new Map() };
  }

  /**
   * Runs work for contacts in one transaction: loads them, runs each piece in order at its own
   * time, writes the effects. Unknown contacts are skipped. With `inOrder`, it stops before an
   * item due later than something this batch scheduled, so due work always runs in time order;
   * it answers how many items it ran.
   */
  async runBatch(
    items: readonly { contactId: string; work: Work; at: number }[],
    opts: { inOrder?: boolean; slice?: boolean; catchUpTo?: number; request?: boolean } = {},
  ): Promise<number> {
    return this.transaction((s) => this.runItems(s, items, opts));
  }

  /**
   * `runBatch`'s work inside the caller's transaction. `locked`: the transaction claimed these
   * contacts already (due work), so they are not locked again. `slice`: stop (after at least one
   * item) once the batch has run `steps` steps (SLICE_STEPS unless given), so one transaction stays short. `job`: pass by
   * contacts that bulk job already ran for out of its order. `catchUpTo`: the contacts' due work up
   * to then runs first, and what the work makes due by then runs after. `request`: a request's
   * work, held to MAX_REQUEST_STEPS in all.
   */
  async runItems(
    s: Store,
    items: readonly { contactId: string; work: Work; at: number }[],
    opts: { inOrder?: boolean; locked?: boolean; slice?: boolean; steps?: number; job?: string; catchUpTo?: number; request?: boolean } = {},
  ): Promise<number> {
    const states = await this.loadStates(s, [...new Set(items.map((i) => i.contactId))], { locked: opts.locked });
    if (opts.job) for (const id of await doneEarly(s.db, opts.job, [...states.keys()])) states.delete(id);
    if (opts.catchUpTo !== undefined) await this.catchUpFirst(s, states, opts.catchUpTo);
    const effects = new Effects(opts.request ? { stepBudget: MAX_REQUEST_STEPS } : {});
    let done = 0;
    let last = 0;
    for (const item of items) {
      if (done > 0 && opts.inOrder && item.at > effects.earliestDue) break;
      if (done > 0 && opts.slice && effects.steps >= (opts.steps ?? SLICE_STEPS)) break;
      const state = states.get(item.contactId);
      if (state) processWork(this.world, state, item.work, item.at, effects);
      last = Math.max(last, item.at);
      done++;
    }
    if (opts.catchUpTo !== undefined) await this.catchUpAfter(s, states, opts.catchUpTo, effects);
    await this.flush(s, effects, last);
    return done;
  }

  /**
   * Fires everything due at or before the clock's now, in slices (see `DueWork`); resolves when
   * done. A run already in progress finishes first.
   */
  runDue(opts?: DueRunOptions): Promise<void> {
    return this.due.run(this.clock.now(), opts);
  }

  /**
   * After a change that may have made work due now for many contacts (a publish, a resume, a
   * rescore): with a scheduler running (the real clock), it has been woken and runs that work in
   * its slices, so the change answers at once instead of waiting for it (or for a wave in progress);
   * without one (a manual clock, a simulation), the work runs now, before the answer.
   */
  async settle(): Promise<void> {
    if (!this.due.scheduled) await this.runDue();
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
   * then, each at its own time, in time order (SPEC §6 "Clock"). The clock follows the work as it
   * goes, so a request served meanwhile happens at the moment the work has reached.
   */
  async advance(to: number, clock: { set(t: number): void }): Promise<void> {
    await this.due.run(to, { reached: (at) => clock.set(at), finished: () => clock.set(to) });
  }
}
