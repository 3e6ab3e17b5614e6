import { evaluateCondition, nextTimeChange, type ConditionEnv } from '../conditions.js';
import type { CauseRun, EngineEvent } from '../cascade.js';
import { ContactEnv } from '../contact-env.js';
import type { CompiledModel } from './compile.js';
import { clampScore, ruleKey, SCORING_TIMER_PREFIX } from './model.js';

/**
 * The scoring models at work for one cause (SPEC §5): event rules add points at each occurrence,
 * condition rules give points when they become true and take them back when they become false,
 * degradation multiplies. Every change goes through the cause's `write`, so it lands in history
 * with `{ scoringModel, rule }` (or `{ decay }`) and fires field_updated like any other change.
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

  #add(m: CompiledModel, points: number, rule: string, depth: number): void {
    const to = clampScore(m.model, this.#score(m) + points);
    this.run.write(m.model.field, to, { scoringModel: m.model.id, rule }, depth);
  }

  /** Points for an event, rule by rule, for every model. */
  eventRules(e: EngineEvent): void {
    for (const m of this.run.world.models ?? []) {
      const rules = m.eventRules.get(e.type);
      if (!rules) continue;
      const env = this.#env(e.props);
      for (const rule of rules) {
        if (!rule.when.where || evaluateCondition(rule.when.where, env)) this.#add(m, rule.points, rule.id, 0);
      }
    }
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
      if (holds) {
        // What the rule gives is what the score moved: 95 + 10 within 0–100 gives 5, and 5 is what
        // going false takes back.
        const before = this.#score(m);
        this.#add(m, rule.points, rule.id, depth);
        const given = this.#score(m) - before;
        held.set(key, given);
        this.run.effects.ruleState(contact.id, m.model.id, rule.id, true, given);
      } else {
        const given = held.get(key) ?? rule.points;
        held.delete(key);
        this.run.effects.ruleState(contact.id, m.model.id, rule.id, false, 0);
        this.#add(m, -given, rule.id, depth);
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

  /** One day's degradation: the score times `factor`, kept within the bounds. */
  decay(m: CompiledModel, factor: number): void {
    const v = this.run.contact.fields[m.model.field];
    if (typeof v !== 'number' || v === 0) return;
    this.run.write(m.model.field, clampScore(m.model, v * factor), { decay: m.model.id }, 0);
  }
}
