import { kindOf, type Element, type TriggerElement } from './elements/index.js';
import { resumeWait } from './elements/wait.js';
import type { FieldValue, StepContext, StepResult } from './elements/types.js';
import { evaluateCondition, nextTimeChange } from './conditions.js';
import { compileExpression, evaluateExpression, type EvalEnv } from './expression/index.js';
import { ContactEnv } from './contact-env.js';
import { durationMs } from './schema/duration.js';
import type { Condition } from './schema/condition.js';
import type { FieldRegistry } from './schema/field.js';
import type { CompiledMap } from './compile.js';
import type { Effects } from './effects.js';
import type { Cause, ContactState, Position } from './state.js';
import { coerceForField, sameValue } from './values.js';
import type { CompiledModel } from './scoring/compile.js';
import { Scoring } from './scoring/run.js';
import { quietFields } from './scoring/shadow.js';
import { rotationKey } from './elements/assign-owner.js';

/** Instant steps one move may take before the guard stops the contact (SPEC §3). */
export const MAX_STEPS = 1_000;
/** How deep field_updated cascades may go for one original cause (SPEC §3). */
export const MAX_DEPTH = 32;
/**
 * Instant steps one original cause may run in all, across every map and cascade: stops fan-out
 * that the depth guard alone would allow (a map writing a field 999 times into a map that writes
 * another 999 times into a third is a billion steps at depth 3). Engine and store run about 100,000
 * steps a second with their history rows (2 cores), so a cause costs at most about 0.1 s; ten moves
 * of the longest (MAX_STEPS), where a template's event runs about 10. See "Guards" in docs/development/design-choices.md.
 */
export const MAX_CAUSE_STEPS = 10_000;
/**
 * Instant steps one request may run in all (what a request's `Effects` is given). Measured here:
 * a 10,000-event request with every event a runaway of three chained maps ends after 3.1 s and
 * 155 MB (one runaway event: 0.16 s); the same request through five templates runs about 100,000
 * steps (10 an event).
 */
export const MAX_REQUEST_STEPS = 250_000;

/** The published maps, in creation order, and the fields they use. */
export interface World {
  readonly maps: readonly CompiledMap[];
  readonly fields: FieldRegistry;
  /** The scoring models (SPEC §5), which score before the maps react. */
  readonly models?: readonly CompiledModel[];
  /** Event types that are not meaningful activity (SPEC §9): they leave Last activity alone. */
  readonly notActivity?: ReadonlySet<string>;
  /** Turns the `assign_owner` rotations handed out before this batch (none given: every one starts at 0). */
  readonly turns?: TurnCounts;
}

/** How many turns each rotation (`<map id>:<element id>`) has handed out so far: the runtime's port. */
export interface TurnCounts {
  taken(key: string): number;
}

/** Points to take back from a contact's score: what is left of one rule's grants. */
export interface TakeBack {
  readonly ruleId: string;
  /** What is left of them now (after decay). */
  readonly value: number;
  /** Whether they are points that do not decay. */
  readonly fixed: boolean;
}

/** An event as the engine sees it once stored. */
export interface EngineEvent {
  readonly id: string;
  readonly type: string;
  readonly at: number;
  readonly props: Readonly<Record<string, string | number | boolean>>;
}

/** A unit of work for one contact: the original cause of a cascade. */
export type Work =
  | { readonly kind: 'event'; readonly event: EngineEvent }
  | { readonly kind: 'wake'; readonly mapId: string }
  | { readonly kind: 'date'; readonly mapId: string; readonly elementId: string; readonly armedValue: number }
  | { readonly kind: 'enter'; readonly mapId: string; readonly elementId: string; readonly checkWhere?: boolean }
  /**
   * Re-check a scoring model's condition rules (after a model change, or when a date term comes
   * due); a rescore first takes back `stale` grants (rules deleted or changed since they gave).
   */
  | { readonly kind: 'rescore'; readonly modelId: string; readonly stale?: readonly TakeBack[] }
  /** One model's daily run for a contact: the points that expired taken back, then the degradation. */
  | { readonly kind: 'decay'; readonly modelId: string; readonly expire?: readonly TakeBack[] }
  /** Relocated by a publish: the contact arrives at its (new) element and runs it from there. */
  | { readonly kind: 'arrive'; readonly mapId: string }
  | { readonly kind: 'created' }
  | { readonly kind: 'set'; readonly values: Readonly<Record<string, unknown>>; readonly cause: Cause };

interface Change {
  readonly field: string;
  readonly from: FieldValue;
  readonly to: FieldValue;
}

type Task = { readonly change: Change; readonly depth: number };

/**
 * Runs one original cause for one contact to completion: the moves it starts, then every
 * field_updated / tag / condition-wait reaction, first caused first, within the guards.
 * Mutates `contact` and gathers what to write in `effects`. Never throws for a map's fault:
 * errors are counted on the element and the contact stops there.
 */
export function processWork(world: World, contact: ContactState, work: Work, now: number, effects: Effects): void {
  new CauseRun(world, contact, now, effects).run(work);
}

/**
 * `make`'s answer for each world, worked out once: a world is replaced, never changed, so what
 * follows from it alone can be kept with it (and goes when it does).
 */
export function perWorld<T>(make: (world: World) => T): (world: World) => T {
  const kept = new WeakMap<World, T>();
  return (world) => {
    if (!kept.has(world)) kept.set(world, make(world));
    return kept.get(world)!;
  };
}

/** The running (not paused) maps of each world, in creation order. */
export const activeOf = perWorld((world) => world.maps.filter((m) => !m.paused));

/** One original cause worked through for one contact (exported for the scoring rules' use). */
export class CauseRun {
  readonly #queue: Task[] = [];
  #steps = 0;
  /**
   * Set once a step budget stopped this cause: it is reported once, where it stopped, and moves no
   * one further (the changes it made still arm date triggers and rescore, which are no steps).
   */
  #stopped = false;
  readonly #scoring: Scoring = new Scoring(this);

  constructor(
    readonly world: World,
    readonly contact: ContactState,
    readonly now: number,
    readonly effects: Effects,
  ) {}

  run(work: Work): void {
    switch (work.kind) {
      case 'event': {
        const e = work.event;
        const last = this.contact.fields.last_activity_at;
        if (!this.world.notActivity?.has(e.type) && (typeof last !== 'number' || e.at > last)) {
          this.write('last_activity_at', e.at, { event: { id: e.id, type: e.type } }, 0);
        }
        this.#scoring.eventRules(e);
        for (const map of this.activeMaps()) {
          for (const t of map.triggers.event) {
            if (t.on.event !== e.type || !this.holds(map, t.on.where, { props: e.props })) continue;
            this.enter(map, t, 0, e.props);
            break; // the first matching trigger of a map, in document order
          }
        }
        break;
      }
      case 'created':
        this.effects.created.set(this.contact.id, this.effects.changes.length);
        // A new contact's first values are not changes (no field_updated), but its dates arm
        // the date_reached triggers that watch them: "the field gets a value" (SPEC §3).
        for (const [field, to] of Object.entries(this.contact.fields)) {
          if (typeof to === 'number' && this.world.fields.get(field)?.type === 'date') this.armDateTriggers({ field, from: null, to });
        }
        if (this.world.models?.length) this.#scoring.created();
        for (const m of this.world.models ?? []) this.#scoring.conditionRules(m, 0);
        for (const map of this.activeMaps()) {
          const t = map.triggers.contact_created.find((t) => this.holds(map, t.on.where));
          if (t) this.enter(map, t, 0);
        }
        break;
      case 'enter': {
        const map = this.map(work.mapId);
        const t = map?.elements.get(work.elementId);
        if (!map || map.paused || t?.kind !== 'trigger') break;
        if (work.checkWhere && 'where' in t.on && !this.holds(map, t.on.where)) break;
        this.enter(map, t, 0);
        break;
      }
      case 'arrive': {
        const map = this.map(work.mapId);
        const pos = this.contact.positions.get(work.mapId);
        if (!map || !pos) break;
        if (!map.paused) {
          this.move(map, pos.elementId, 0);
          break;
        }
        // Nothing moves on a paused map, but the new element's clock starts now: a wait counts
        // from the publish, anything else runs on once the map resumes (overdue work fires then).
        const el = map.elements.get(pos.elementId);
        let result: StepResult = { go: pos.elementId };
        if (el?.kind === 'wait') {
          try {
            result = kindOf(el).run(el, this.stepContext(map, el, 0));
          } catch {
            // A wait that cannot compute its time goes on at resume, where the error is counted.
          }
        }
        this.park(map, pos.elementId, 'park' in result ? result.park : { dueAt: this.now }, false);
        break;
      }
      case 'date': {
        const map = this.map(work.mapId);
        const t = map?.elements.get(work.elementId);
        if (!map || map.paused || t?.kind !== 'trigger' || t.on.type !== 'date_reached') break;
        const key = map.fields.resolve(t.on.field)?.key;
        // Fired once per value: mark it fired whatever `where` says.
        this.effects.dateTimer({ mapId: map.id, elementId: t.id, contactId: this.contact.id, armedValue: work.armedValue, dueAt: null });
        if (key && this.contact.fields[key] === work.armedValue && this.holds(map, t.on.where)) this.enter(map, t, 0);
        break;
      }
      case 'wake': {
        const map = this.map(work.mapId);
        const pos = this.contact.positions.get(work.mapId);
        if (!map || map.paused || !pos || pos.dueAt === null || pos.dueAt > this.now) break;
        this.resume(map, pos, true, 0);
        break;
      }
      case 'rescore': {
        const m = this.world.models?.find((x) => x.model.id === work.modelId);
        if (m && work.stale?.length) this.#scoring.takeBack(m, work.stale, 'rescore');
        if (m) this.#scoring.conditionRules(m, 0);
        break;
      }
      case 'decay': {
        const m = this.world.models?.find((x) => x.model.id === work.modelId);
        if (m && work.expire?.length) this.#scoring.takeBack(m, work.expire, 'expired');
        if (m) this.#scoring.decay(m);
        break;
      }
      case 'set':
        for (const [key, value] of Object.entries(work.values)) this.write(key, value, work.cause, 0);
        break;
    }
    this.drain();
  }

  /** The running maps (`activeOf`). */
  activeMaps(): readonly CompiledMap[] {
    return activeOf(this.world);
  }

  map(id: string): CompiledMap | undefined {
    return this.world.maps.find((m) => m.id === id);
  }

  /** Writes a field; a real change is recorded and queued for the reactions it causes. */
  write(key: string, value: unknown, cause: Cause, depth: number): void {
    const field = this.world.fields.get(key);
    if (!field) throw new Error(`Unknown field "${key}"`);
    const to = coerceForField(field, value);
    const from = key === 'tags' ? [...this.contact.tags] : (this.contact.fields[key] ?? null);
    if (sameValue(from, to)) return;
    if (key === 'tags') {
      this.contact.tags = [...((to ?? []) as string[])];
    } else if (to === null) {
      delete this.contact.fields[key];
    } else {
      this.contact.fields[key] = to;
    }
    this.effects.recordChange({ contactId: this.contact.id, at: this.now, field: key, from, to, cause });
    // A challenger's score and bracket (a model in shadow) are recorded and heard by nothing.
    if (!quietFields(this.world.models).has(key)) this.#queue.push({ change: { field: key, from, to }, depth: depth + 1 });
    if (this.world.models?.length) this.#scoring.afterWrite(key, from, to, cause, depth);
  }

  /** Reacts to the queued changes in order until none are left or a guard stops them. */
  drain(): void {
    for (let i = 0; i < this.#queue.length; i++) {
      const { change, depth } = this.#queue[i];
      this.armDateTriggers(change);
      for (const m of this.world.models ?? []) if (m.reads.has(change.field)) this.#scoring.conditionRules(m, depth);
      if (this.#stopped) continue;
      for (const map of this.activeMaps()) {
        const pos = this.contact.positions.get(map.id);
        if (pos?.onCondition && !pos.stuck) this.resume(map, pos, false, depth);
        const t = this.changeTrigger(map, change);
        if (t) this.enter(map, t, depth);
      }
    }
    this.#queue.length = 0;
  }

  /** The first trigger of a map, in document order, that a change opens. */
  changeTrigger(map: CompiledMap, change: Change): TriggerElement | undefined {
    if (change.field === 'tags') {
      const from = (change.from ?? []) as readonly string[];
      const to = (change.to ?? []) as readonly string[];
      const lower = (a: readonly string[]) => new Set(a.map((t) => t.toLowerCase()));
      const [before, after] = [lower(from), lower(to)];
      return map.doc.elements.find((el): el is TriggerElement => {
        if (el.kind !== 'trigger') return false;
        const on = el.on;
        if (on.type === 'tag_added') return after.has(on.tag.toLowerCase()) && !before.has(on.tag.toLowerCase());
        if (on.type === 'tag_removed') return before.has(on.tag.toLowerCase()) && !after.has(on.tag.toLowerCase());
        return on.type === 'field_updated' && map.fields.resolve(on.field)?.key === 'tags' && this.holds(map, on.where, { change });
      });
    }
    for (const t of map.triggers.field_updated) {
      if (map.fields.resolve(t.on.field)?.key === change.field && this.holds(map, t.on.where, { change })) return t;
    }
    return undefined;
  }

  /** A date field changed: (re-)arm the date_reached triggers that watch it. */
  armDateTriggers(change: Change): void {
    for (const map of this.world.maps) {
      for (const t of map.triggers.date_reached) {
        if (map.fields.resolve(t.on.field)?.key !== change.field) continue;
        const base = { mapId: map.id, elementId: t.id, contactId: this.contact.id };
        if (typeof change.to === 'number') {
          // A moment already passed fires at once: now, not back at a time before it was armed.
          const dueAt = Math.max(this.now, change.to + (t.on.offset ? durationMs(t.on.offset) : 0));
          this.effects.dateTimer({ ...base, armedValue: change.to, dueAt });
        } else {
          this.effects.dateTimer({ ...base, armedValue: 0, dueAt: null, drop: true });
        }
      }
    }
  }

  /** A trigger fires for the contact: enter the map, unless it is there and the trigger says ignore. */
  enter(map: CompiledMap, t: TriggerElement, depth: number, props?: EngineEvent['props']): void {
    if (this.#stopped || (this.contact.positions.has(map.id) && (t.ifOnMap ?? 'ignore') !== 'move_here')) return;
    // The depth guard stops only what would move: a trigger that ignores the contact is no runaway.
    if (depth > MAX_DEPTH) {
      this.guard(map, t.id, `Stopped: field changes cascaded more than ${MAX_DEPTH} levels deep (a map that updates a field that triggers it again?)`);
      return;
    }
    this.move(map, t.id, depth, props);
  }

  /** A parked contact is woken by time (`byTime`) or re-checked after a field change. */
  resume(map: CompiledMap, pos: Position, byTime: boolean, depth: number): void {
    if (this.#stopped) return; // a condition wait re-checked after the stop stays waiting
    const el = map.elements.get(pos.elementId);
    if (!el || el.kind !== 'wait') {
      // Only a publish leaves a waiting contact at another kind of element (relocated there, or
      // its wait's id now names something else): when its time comes, it goes on from there.
      if (byTime) this.move(map, pos.elementId, depth);
      return;
    }
    const over = this.#spend();
    if (over) return this.guard(map, el.id, over);
    const ctx = this.stepContext(map, el, depth);
    let result: StepResult | null;
    try {
      result = resumeWait(el, ctx, pos.timeoutAt, byTime);
    } catch (e) {
      result = { error: (e as Error).message };
    }
    if (!result) return;
    if ('park' in result) {
      // Still waiting: write the row again only when its due time moved.
      if (result.park.dueAt !== pos.dueAt || (result.park.timeoutAt ?? null) !== pos.timeoutAt) {
        this.park(map, el.id, result.park, false, pos.enteredAt);
      }
      return;
    }
    if ('error' in result) return this.fail(map, el, result.error);
    if (depth > MAX_DEPTH) return this.guard(map, el.id, `Stopped: field changes cascaded more than ${MAX_DEPTH} levels deep`);
    if ('go' in result) this.move(map, result.go, depth);
  }

  /** Moves the contact from `startId` until it parks, ends, errs or hits the step guard. */
  move(map: CompiledMap, startId: string, depth: number, props?: EngineEvent['props']): void {
    if (this.#stopped) return;
    let id = startId;
    let ctx: MoveContext | undefined;
    for (let steps = 0; ; steps++) {
      const el = map.elements.get(id);
      if (!el) {
        this.effects.count(map.id, id, this.now, 'errors', `No element "${id}" in version ${map.version}`);
        this.leave(map);
        return;
      }
      if (steps >= MAX_STEPS) {
        this.guard(map, el.id, `Stopped after ${MAX_STEPS} steps without a wait: an endless loop?`);
        return;
      }
      const over = this.#spend();
      if (over) return this.guard(map, el.id, over);
      this.effects.count(map.id, el.id, this.now, 'wereHere');
      let result: StepResult;
      try {
        ctx ??= this.stepContext(map, el, depth, props);
        ctx.at = el;
        result = kindOf(el).run(el, ctx);
      } catch (e) {
        result = { error: (e as Error).message };
      }
      if ('go' in result) id = result.go;
      else if ('park' in result) return this.park(map, el.id, result.park, false);
      else if ('end' in result) return this.leave(map);
      else return this.fail(map, el, result.error);
    }
  }

  /**
   * Counts one step against the cause's and the batch's budgets; once one is spent, stops the
   * cause and answers the guard's message instead (a step refused costs nothing and is not counted).
   */
  #spend(): string | undefined {
    if (this.#steps >= MAX_CAUSE_STEPS) {
      this.#stopped = true;
      return `Stopped: one cause ran more than ${MAX_CAUSE_STEPS.toLocaleString('en')} steps across all maps (do field changes trigger maps over and over?)`;
    }
    if (this.effects.steps - this.effects.stepsBefore >= this.effects.stepBudget) {
      this.#stopped = true;
      return `Stopped: the request that caused this ran more than ${this.effects.stepBudget.toLocaleString('en')} steps in all: send its events in smaller requests`;
    }
    this.#steps++;
    this.effects.steps++;
    return undefined;
  }

  park(map: CompiledMap, elementId: string, p: { dueAt: number | null; timeoutAt?: number | null; onCondition?: boolean }, stuck: boolean, enteredAt = this.now): void {
    const pos: Position = {
      mapId: map.id, elementId, version: map.version, enteredAt,
      dueAt: p.dueAt, timeoutAt: p.timeoutAt ?? null, onCondition: p.onCondition ?? false, stuck,
    };
    this.effects.setPosition({ ...pos, contactId: this.contact.id }, this.contact.positions.get(map.id) ?? null);
    this.contact.positions.set(map.id, pos);
  }

  leave(map: CompiledMap): void {
    this.effects.leave(map.id, this.contact.id, this.contact.positions.get(map.id) ?? null);
    this.contact.positions.delete(map.id);
  }

  fail(map: CompiledMap, el: Element, message: string): void {
    this.effects.count(map.id, el.id, this.now, 'errors', message);
    this.effects.errors.push({ contactId: this.contact.id, at: this.now, mapId: map.id, version: map.version, elementId: el.id, message });
    this.park(map, el.id, { dueAt: null }, true);
  }

  guard(map: CompiledMap, elementId: string, message: string): void {
    this.effects.count(map.id, elementId, this.now, 'errors', message);
    this.effects.errors.push({ contactId: this.contact.id, at: this.now, mapId: map.id, version: map.version, elementId, message });
    const el = map.elements.get(elementId);
    // A guard on a trigger refuses entry; anywhere else the contact stops where it is.
    if (el && el.kind !== 'trigger') this.park(map, elementId, { dueAt: null }, true);
  }

  holds(map: CompiledMap, c: Condition | undefined, extra?: { props?: EngineEvent['props']; change?: Change }): boolean {
    if (!c) return true;
    return evaluateCondition(c, new MoveContext(this, map, 0, extra?.props, extra?.change));
  }

  /**
   * What elements see while one move runs. Made once per move (not per step: this is the hot
   * path of every decay tick); `at` names the element running now, for the cause of its writes.
   */
  stepContext(map: CompiledMap, first: Element, depth: number, props?: EngineEvent['props']): MoveContext {
    const ctx = new MoveContext(this, map, depth, props);
    ctx.at = first;
    return ctx;
  }
}

/**
 * What elements see while one move runs: the contact, and the means to write its fields and
 * evaluate expressions. A class, not closures: one is made per move.
 */
class MoveContext extends ContactEnv implements StepContext {
  /** The element running now: the cause of its writes. */
  at: Element | undefined;

  constructor(
    readonly run: CauseRun,
    readonly map: CompiledMap,
    readonly depth: number,
    props?: EngineEvent['props'],
    change?: Change,
  ) {
    super(run.contact, run.now, map.fields, props, change);
  }

  set(key: string, value: FieldValue): void {
    this.run.write(key, value, { map: this.map.id, version: this.map.version, element: this.at!.id }, this.depth);
  }

  evaluate(source: string): number | string | boolean | null {
    let expr = this.map.expressions.get(source);
    if (!expr) {
      const c = compileExpression(source, this.map.fields);
      if (!c.ok) throw new Error(c.error.message);
      expr = c.expr;
    }
    // Tags are a list, which expressions cannot name: the type checker refuses them first.
    return evaluateExpression(expr, this as EvalEnv);
  }

  test(c: Condition): boolean {
    return evaluateCondition(c, this);
  }

  nextTimeChange(c: Condition): number | null {
    return nextTimeChange(c, this);
  }

  queueWebhook(d: { readonly webhook?: string; readonly url?: string; readonly format?: 'json' | 'slack'; readonly message?: string }): void {
    this.run.effects.webhooks.push({ ...d, contactId: this.run.contact.id, at: this.run.now, mapId: this.map.id, version: this.map.version, elementId: this.at!.id });
  }

  takeTurn(): number {
    const key = rotationKey(this.map.id, this.at!.id);
    return this.run.effects.takeTurn(key, () => this.run.world.turns?.taken(key) ?? 0);
  }
}
