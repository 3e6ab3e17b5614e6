import { z } from 'zod';

/** The comparison a test makes (SPEC §2 "Conditions"). */
export const ConditionOp = z.enum([
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte',
  'contains', 'not_contains', 'starts_with', 'in',
  'is_empty', 'not_empty', 'has_tag',
  'on_or_before_days_ago', 'within_last_days',
  'crossed_above', 'crossed_below',
]);
export type ConditionOp = z.infer<typeof ConditionOp>;

/** Ops that take no value. */
export const UNARY_OPS: ReadonlySet<ConditionOp> = new Set(['is_empty', 'not_empty']);
/** Ops that compare the value before and after a change: only in a field_updated trigger. */
export const CROSSING_OPS: ReadonlySet<ConditionOp> = new Set(['crossed_above', 'crossed_below']);
/** Ops that compare a date with the clock. */
export const DATE_OPS: ReadonlySet<ConditionOp> = new Set(['on_or_before_days_ago', 'within_last_days']);
/** Ops that order numbers or dates. */
export const ORDER_OPS: ReadonlySet<ConditionOp> = new Set(['gt', 'gte', 'lt', 'lte', 'crossed_above', 'crossed_below']);
/** Ops that read text. */
export const TEXT_OPS: ReadonlySet<ConditionOp> = new Set(['contains', 'not_contains', 'starts_with']);

const Scalar = z.union([z.string().max(10_000), z.number(), z.boolean()]);
const TestValue = z.union([Scalar, z.array(Scalar).max(1_000)]);

/** A test of a contact field (named by key or label). */
export const FieldTest = z.strictObject({
  field: z.string().min(1).max(200),
  op: ConditionOp,
  value: TestValue.optional(),
});
export type FieldTest = z.infer<typeof FieldTest>;

/** A test of a prop of the event that triggered the move. */
export const PropTest = z.strictObject({
  prop: z.string().min(1).max(64),
  op: ConditionOp,
  value: TestValue.optional(),
});
export type PropTest = z.infer<typeof PropTest>;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | FieldTest
  | PropTest;

/** A condition: a test, or `all` / `any` / `not` of conditions. */
export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(Condition).max(200) }),
    z.strictObject({ any: z.array(Condition).max(200) }),
    z.strictObject({ not: Condition }),
    FieldTest,
    PropTest,
  ]),
);

/** How deep `all`/`any`/`not` may nest: validation refuses deeper conditions (parsing already refuses JSON over 64 levels). */
export const MAX_CONDITION_DEPTH = 20;

export function isFieldTest(c: Condition): c is FieldTest {
  return 'field' in c;
}
export function isPropTest(c: Condition): c is PropTest {
  return 'prop' in c;
}

/** Calls `visit` for every test in a condition, with the JSON path below it. */
export function forEachTest(
  c: Condition,
  visit: (test: FieldTest | PropTest, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): void {
  if ('all' in c) c.all.forEach((sub, i) => forEachTest(sub, visit, [...path, 'all', i]));
  else if ('any' in c) c.any.forEach((sub, i) => forEachTest(sub, visit, [...path, 'any', i]));
  else if ('not' in c) forEachTest(c.not, visit, [...path, 'not']);
  else visit(c, path);
}
