import { z } from 'zod';
import { elementBase, Ref } from './base.js';
import { defineKind } from './types.js';
import { Condition } from '../schema/condition.js';
import { describeCondition } from '../conditions.js';

/** Sends the contact to `then` when the condition holds, to `else` when it does not. */
export const ConditionElement = z.strictObject({
  ...elementBase,
  kind: z.literal('condition'),
  if: Condition.optional(),
  then: Ref,
  else: Ref,
});
export type ConditionElement = z.infer<typeof ConditionElement>;

export const condition = defineKind<ConditionElement>({
  kind: 'condition',
  schema: ConditionElement,
  outlets: (el) => [
    { path: 'then', target: el.then, instant: true, required: true },
    { path: 'else', target: el.else, instant: true, required: true },
  ],
  describe: (el, fields) => (el.if ? `If ${describeCondition(el.if, fields)}` : 'If … (no condition yet)'),
  check(el, ctx) {
    if (!el.if) ctx.problem('if', 'Say what to check: the condition is empty');
    else ctx.condition(el.if, 'if', { allowProps: true });
  },
  run(el, ctx) {
    if (!el.if) return { error: 'The condition is empty' };
    const to = ctx.test(el.if) ? el.then : el.else;
    return to ? { go: to } : { error: `The "${ctx.test(el.if) ? 'Yes' : 'No'}" branch leads nowhere` };
  },
});
