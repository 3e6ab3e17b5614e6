import { forEachTest, DATE_OPS, type Condition } from '../schema/condition.js';
import type { FieldRegistry } from '../schema/field.js';
import { type ScoringModel, type ScoringRule } from './model.js';

type EventRule = ScoringRule & { when: { event: string; where?: Condition } };
type ConditionRule = ScoringRule & { when: { if: Condition } };

/** A scoring model made ready to run: rules by event type, condition rules and the fields they read. */
export interface CompiledModel {
  readonly model: ScoringModel;
  /** Event rules by event type, in the model's order. */
  readonly eventRules: ReadonlyMap<string, readonly EventRule[]>;
  readonly conditionRules: readonly ConditionRule[];
  /** The field keys the condition rules read: a change of one of them re-checks them. */
  readonly reads: ReadonlySet<string>;
  /** Whether a condition rule compares a date with the clock (re-checked by a timer). */
  readonly timeDependent: boolean;
  /** When the model was created: a degradation every N days counts its days from then. */
  readonly since: number;
}

/** Makes a model ready to run; `since`: when it was created. */
export function compileModel(model: ScoringModel, fields: FieldRegistry, since = 0): CompiledModel {
  const eventRules = new Map<string, EventRule[]>();
  const conditionRules: ConditionRule[] = [];
  const reads = new Set<string>();
  let timeDependent = false;
  for (const rule of model.rules) {
    if ('event' in rule.when) {
      const list = eventRules.get(rule.when.event) ?? [];
      list.push(rule as EventRule);
      eventRules.set(rule.when.event, list);
    } else {
      conditionRules.push(rule as ConditionRule);
      forEachTest(rule.when.if, (t) => {
        if ('field' in t) {
          const key = fields.resolve(t.field)?.key;
          if (key) reads.add(key);
        }
        if (DATE_OPS.has(t.op)) timeDependent = true;
      });
    }
  }
  return { model, eventRules, conditionRules, reads, timeDependent, since };
}
