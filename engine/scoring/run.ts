import { evaluateCondition, nextTimeChange, type ConditionEnv } from '../conditions.js';
import type { CauseRun, EngineEvent, TakeBack } from '../cascade.js';
import { ContactEnv } from '../contact-env.js';
import type { FieldValue } from '../elements/types.js';
import type { GrantEndReason, GrantSource } from '../effects.js';
import { durationMs } from '../schema/duration.js';
import type { Cause } from '../state.js';
import type { CompiledModel } from './compile.js';
import { degradesOn, emptyAccount, expiryOf, heldShare, inactiveSince, inactiveStepsDue, inactivityOf, stepFactor, type ScoreAccount } from './ledger.js';
import { bracketOf, clampScore, ruleKey, SCORING_TIMER_PREFIX, type ScoringRule } from './model.js';

/** What a grant records beside its points. */
interface GrantInfo {
  readonly ruleId: string | null;
  readonly source?: GrantSource;
  readonly rulePoints: number | null;
  readonly eventId?: string;
  readonly at: number;
  readonly decays: boolean;
  readonly expiresAt?: number | null;
  readonly cause: Cause;
}

/** The model writing each field, per world (a world is replaced, never changed). */
const BY_FIELD = new WeakMap<readonly CompiledModel[], ReadonlyMap<string, CompiledModel>>();

/**
 * The scoring models at work for one cause (SPEC §5, §9). Every change of a score is a grant in the
 * model's ledger, or a grant taken back: event rules give points at each occurrence (limited by
 * `maxTimes`, less for repeats, weighted by a back-dated event's age, expiring), condition rules give
 * points while they hold, `set` rules and resets start the ledger over, degradation shrinks the
 * points that decay. Every score change goes through the cause's `write`, so it lands in history
 * (`{ scoringModel, rule }` or `{ decay }`) and fires field_updated like any other change; the
 * ledger rows go to `effects`.
 */
export class Scoring {
  constructor(private readonly run: CauseRun) {}

  #env(props?: EngineEvent['props']): ConditionEnv {
    return new ContactEnv(this.run.contact, this.run.now, this.run.world.fields, props);
  }

  #score(m: CompiledModel): number {
    const v = this.run.contact.fields[m.model.field];
    return typeof v === 'number' ? v : 0;
  }

  /** The contact's account in a model (an empty one when none is stored yet: it reads the same). */
  #account(m: CompiledModel): ScoreAccount {
    const accounts = (this.run.contact.accounts ??= new Map());
    let acc = accounts.get(m.model.id);
    if (!acc) accounts.set(m.model.id, (acc = emptyAccount()));
    return acc;
  }

  /** The account, marked to be written: its caller changes it. */
  #changing(m: CompiledModel): ScoreAccount {
    const acc = this.#account(m);
    const id = this.run.contact.id;
    this.run.effects.accounts.set(`${m.model.id}\u0000${id}`, { contactId: id, modelId: m.model.id, account: acc });
    return acc;
  }

  #modelOf(field: string): CompiledModel | undefined {
    const models = this.run.world.models;
    if (!models?.length) return undefined;
    let byField = BY_FIELD.get(models);
    if (!byField) BY_FIELD.set(models, (byField = new Map(models.map((m) => [m.model.field, m]))));
    return byField.get(field);
  }

  /** Gives `points` (within the bounds) and records the grant; answers what the score moved. */
  #grant(m: CompiledModel, points: number, g: GrantInfo, depth: number): number {
    const before = this.#score(m);
    this.run.write(m.model.field, clampScore(m.model, before + points), g.cause, depth);
    const given = this.#score(m) - before;
    this.#record(m, given, g);
    if (!g.decays && given !== 0) this.#changing(m).fixed += given;
    return given;
  }

  /** Records a grant of `points` (what the score moved) in the ledger, at the contact's decay clock now. */
  #record(m: CompiledModel, points: number, g: Omit<GrantInfo, 'cause'>): void {
    this.run.effects.grants.push({
      contactId: this.run.contact.id, modelId: m.model.id, ruleId: g.ruleId, source: g.source ?? null, at: g.at, eventId: g.eventId ?? null,
      points, rulePoints: g.rulePoints, decays: g.decays, clock: this.#account(m).clock, expiresAt: g.expiresAt ?? null, endedAt: null, ended: null,
    });
  }

  /** Takes back what is left of some points (`fixed`: points that do not decay). */
  #takeBack(m: CompiledModel, value: number, fixed: boolean, cause: Cause, depth: number): void {
    if (fixed && value !== 0) this.#changing(m).fixed -= value;
    if (value !== 0) this.run.write(m.model.field, clampScore(m.model, this.#score(m) - value), cause, depth);
  }

  /** Every live grant of the model ends (a `set`, a reset): held condition rules keep holding, with nothing left. */
  #startOver(m: CompiledModel, reason: GrantEndReason): void {
    const contact = this.run.contact;
    this.run.effects.endGrants({ contactId: contact.id, modelId: m.model.id, at: this.run.now, reason });
    if (this.#account(m).fixed !== 0) this.#changing(m).fixed = 0;
    const prefix = ruleKey(m.model.id, '');
    for (const key of contact.rules?.keys() ?? []) if (key.startsWith(prefix)) contact.rules!.set(key, 0);
  }

  /**
   * A new contact that comes with a score (an import, a create with fields) holds it from the
   * start: a grant of it, so the ledger adds up.
   */
  created(): void {
    for (const m of this.run.world.models ?? []) {
      const v = this.run.contact.fields[m.model.field];
      if (typeof v !== 'number' || v === 0) continue;
      this.#record(m, v, { ruleId: null, source: { created: true }, rulePoints: null, at: this.run.now, decays: true });
    }
  }

  /** Points for an event, rule by rule, for every model. */
  eventRules(e: EngineEvent): void {
    for (const m of this.run.world.models ?? []) {
      const rules = m.eventRules.get(e.type);
      if (!rules) continue;
      const env = this.#env(e.props);
      for (const rule of rules) {
        if (!rule.when.where || evaluateCondition(rule.when.where, env)) this.#eventRule(m, rule, e);
      }
    }
  }

  #eventRule(m: CompiledModel, rule: ScoringRule, e: EngineEvent): void {
    const contact = this.run.contact;
    const key = ruleKey(m.model.id, rule.id);
    const counted = rule.maxTimes !== undefined || rule.repeatMultiplier !== undefined;
    const recent = counted ? (contact.recent?.get(key) ?? []) : [];
    const inWindow = rule.per ? recent.filter((t) => t > e.at - durationMs(rule.per!)) : recent;
    if (rule.maxTimes !== undefined && inWindow.length >= rule.maxTimes) return;
    const expiresAt = rule.expiresAfter ? expiryOf(m.model, e.at, rule.expiresAfter) : null;
    // A back-dated event whose points would have expired by now gives nothing.
    if (expiresAt !== null && expiresAt <= this.run.now) return;
    if (counted) {
      const times = [e.at, ...recent].sort((a, b) => b - a).slice(0, Math.max(1, rule.maxTimes ?? 1));
      (contact.recent ??= new Map()).set(key, times);
    }
    const decays = rule.decays !== false;
    const cause: Cause = { scoringModel: m.model.id, rule: rule.id };
    if (rule.set !== undefined) {
      // The score starts over at the set value: the one grant left holds all of it.
      this.#startOver(m, 'set');
      this.run.write(m.model.field, clampScore(m.model, rule.set), cause, 0);
      const score = this.#score(m);
      this.#record(m, score, { ruleId: rule.id, rulePoints: null, eventId: e.id, at: e.at, decays });
      if (!decays) this.#changing(m).fixed = score;
      return;
    }
    let points = rule.points! * (rule.repeatMultiplier !== undefined && inWindow.length > 0 ? rule.repeatMultiplier : 1);
    if (decays && e.at < this.run.now) {
      const last = contact.fields.last_activity_at;
      points *= heldShare(m.model, e.at, this.run.now, typeof last === 'number' ? last : null, this.#account(m), m.since);
    }
    this.#grant(m, points, { ruleId: rule.id, rulePoints: rule.points!, eventId: e.id, at: e.at, decays, expiresAt, cause }, 0);
  }

  /** Gives or takes back the points of each condition rule whose truth changed. */
  conditionRules(m: CompiledModel, depth: number): void {
    if (!m.conditionRules.length) return;
    const contact = this.run.contact;
    const held = (contact.rules ??= new Map());
    const env = this.#env();
    for (const rule of m.conditionRules) {
      const key = ruleKey(m.model.id, rule.id);
      const holds = evaluateCondition(rule.when.if, env);
      if (holds === held.has(key)) continue;
      const cause: Cause = { scoringModel: m.model.id, rule: rule.id };
      if (holds) {
        // What the rule gives is what the score moved: 95 + 10 within 0–100 gives 5, and what is
        // left of those 5 is what going false takes back.
        const given = this.#grant(m, rule.points!, { ruleId: rule.id, rulePoints: rule.points!, at: this.run.now, decays: rule.decays !== false, cause }, depth);
        held.set(key, given);
        this.run.effects.ruleState(contact.id, m.model.id, rule.id, true, given);
      } else {
        const value = held.get(key) ?? 0;
        held.delete(key);
        this.run.effects.ruleState(contact.id, m.model.id, rule.id, false, 0);
        this.run.effects.endGrants({ contactId: contact.id, modelId: m.model.id, ruleId: rule.id, at: this.run.now, reason: 'false' });
        this.#takeBack(m, value, rule.decays === false, cause, depth);
      }
    }
    if (m.timeDependent) {
      // A rule like "subscribed 90 or more days ago" turns true with time alone: wake then.
      const times = m.conditionRules.map((r) => nextTimeChange(r.when.if, env)).filter((t): t is number => t !== null);
      const base = { mapId: `${SCORING_TIMER_PREFIX}${m.model.id}`, elementId: 'rules', contactId: contact.id, armedValue: 0 };
      if (times.length) this.run.effects.dateTimer({ ...base, dueAt: Math.min(...times) });
      else this.run.effects.dateTimer({ ...base, dueAt: null, drop: true });
    }
  }

  /**
   * Takes back grants the server found stale (expired, or given by rules a rescore no longer
   * gives as they were); the server ends their rows. A condition rule taken back by a rescore
   * stops being held, so re-checking it gives its current points when it still holds.
   */
  takeBack(m: CompiledModel, items: readonly TakeBack[], reason: 'expired' | 'rescore'): void {
    const contact = this.run.contact;
    for (const t of items) {
      if (reason === 'rescore') {
        const key = ruleKey(m.model.id, t.ruleId);
        if (contact.rules?.has(key)) {
          contact.rules.delete(key);
          this.run.effects.ruleState(contact.id, m.model.id, t.ruleId, false, 0);
        }
      }
      this.#takeBack(m, t.value, t.fixed, { scoringModel: m.model.id, rule: t.ruleId, reason }, 0);
    }
  }

  /**
   * The model's degradation at its run at `now` (a midnight): the decaying part of the score (all
   * but the fixed points) times the step's factor — once for a daily or periodic degradation, once
   * per inactivity step due for an inactivity degradation. Kept within the bounds.
   */
  decay(m: CompiledModel): void {
    const d = m.model.degradation;
    const v = this.run.contact.fields[m.model.field];
    if (!d || !degradesOn(m.model, this.run.now, m.since)) return;
    const f = stepFactor(d);
    let steps = 1;
    const inactive = inactivityOf(d);
    const acc = this.run.contact.accounts?.get(m.model.id) ?? emptyAccount();
    if (inactive) {
      const since = inactiveSince(this.run.contact.fields);
      if (since === null) return;
      const due = inactiveStepsDue(inactive, since, this.run.now);
      steps = due - (acc.stretch === since ? acc.steps : 0);
      if (steps <= 0) return;
      const mine = this.#changing(m);
      mine.stretch = since;
      mine.steps = due;
      mine.clock += steps * -Math.log(f);
    }
    const fixed = acc.fixed;
    if (typeof v !== 'number' || v - fixed === 0) return;
    this.run.write(m.model.field, clampScore(m.model, (v - fixed) * f ** steps + fixed), { decay: m.model.id }, 0);
  }

  /**
   * After any write of a field: a model's score changed from outside the model (a map, a person, an
   * import, a merge) is a grant of the difference, or, set to 0 or emptied, starts the ledger over;
   * and a model with brackets keeps `<field>_bracket` in step.
   */
  afterWrite(key: string, from: FieldValue, to: FieldValue, cause: Cause, depth: number): void {
    const m = this.#modelOf(key);
    if (!m) return;
    const own = ('scoringModel' in cause && cause.scoringModel === m.model.id) || ('decay' in cause && cause.decay === m.model.id);
    if (!own) {
      if (to === null || to === 0) this.#startOver(m, 'reset');
      else {
        const moved = (to as number) - (typeof from === 'number' ? from : 0);
        this.#record(m, moved, { ruleId: null, source: cause, rulePoints: null, at: this.run.now, decays: true });
      }
    }
    if (m.model.brackets?.length) {
      const field = bracketField(m.model.field);
      if (this.run.world.fields.get(field)) this.run.write(field, bracketOf(typeof to === 'number' ? to : null, m.model.brackets), cause, depth);
    }
  }
}

/** The text field a model with brackets keeps its contacts' bracket in (SPEC §9). */
export function bracketField(scoreField: string): string {
  return `${scoreField}_bracket`;
}
