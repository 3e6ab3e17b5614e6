/**
 * Which comparisons a condition test offers, and what value each takes. The op list is the schema's
 * (`ConditionOp.options`); which fit a type follows the engine's own sets (ORDER_OPS, TEXT_OPS, …) the
 * way `checkCondition` applies them — a test beside this file proves the two agree.
 */
import {
  ConditionOp, CROSSING_OPS, DATE_OPS, ORDER_OPS, TEXT_OPS, UNARY_OPS, type FieldTest, type PropTest,
} from '../../../../engine/schema/condition.js';
import type { FieldType } from '../../../../engine/schema/field.js';
import { OP_WORDS, toInstant, toNumber } from '../../../../engine/conditions.js';

/** The type of an event prop, as KNOWN_EVENTS lists it. */
export type PropType = 'text' | 'number' | 'boolean';

/** What a test reads: a contact field or an event prop, with its type when known. */
export type Subject =
  | { readonly kind: 'field'; readonly type: FieldType | undefined }
  | { readonly kind: 'prop'; readonly type: PropType | undefined };

export interface OpOptions {
  /** Only a field_updated trigger knows the value before a change. */
  readonly allowCrossing?: boolean;
}

/** Whether an op can read a value of this type (`has_tag` only tags, date ops only dates, …). */
export function opFitsType(op: ConditionOp, type: FieldType): boolean {
  if (UNARY_OPS.has(op)) return true;
  if (ORDER_OPS.has(op)) return type === 'number' || type === 'date';
  if (TEXT_OPS.has(op)) return type === 'text';
  if (DATE_OPS.has(op)) return type === 'date';
  if (op === 'has_tag') return type === 'tags';
  return type !== 'tags'; // eq, neq, in
}

/** The ops to offer for a subject, in the schema's order. */
export function opsFor(subject: Subject, opts: OpOptions = {}): ConditionOp[] {
  return ConditionOp.options.filter((op) => {
    if (CROSSING_OPS.has(op) && (!opts.allowCrossing || subject.kind === 'prop')) return false;
    if (subject.kind === 'prop' && op === 'has_tag') return false;
    return subject.type === undefined || opFitsType(op, subject.type);
  });
}

/** How an op reads in the picker; dates read as before/after, day counts name their unit. */
export function opWords(op: ConditionOp, type: FieldType | undefined): string {
  if (type === 'date') {
    const dates: Partial<Record<ConditionOp, string>> = {
      gt: 'is after', gte: 'is on or after', lt: 'is before', lte: 'is on or before',
      crossed_above: 'moves past', crossed_below: 'moves back before',
    };
    if (dates[op]) return dates[op];
  }
  // The canvas and the messages say "is 30 or more days ago" (engine/conditions.ts): the picker uses the same words.
  if (op === 'on_or_before_days_ago') return 'is … or more days ago';
  if (op === 'within_last_days') return 'is within the last … days';
  return OP_WORDS[op];
}

/** The input a test's value needs for an op. */
export type ValueKind = 'none' | 'list' | 'days' | 'tag' | 'number' | 'boolean' | 'date' | 'text';

export function valueKind(op: ConditionOp, type: FieldType | 'text' | 'number' | 'boolean' | undefined): ValueKind {
  if (UNARY_OPS.has(op)) return 'none';
  if (op === 'in') return 'list';
  if (DATE_OPS.has(op)) return 'days';
  if (op === 'has_tag') return 'tag';
  if (TEXT_OPS.has(op)) return 'text';
  if (type === 'number' || type === 'boolean' || type === 'date') return type;
  return 'text';
}

type TestValue = FieldTest['value'];
type Scalar = string | number | boolean;

/** A scalar as the type wants it: numbers for number fields when the text reads as one. */
function typed(v: Scalar, type: string | undefined): Scalar {
  if (type === 'number' && typeof v === 'string' && !Number.isNaN(toNumber(v))) return toNumber(v);
  return v;
}

/**
 * The value a test keeps when its op or subject changes: none for is_empty, a list for "is one of",
 * a number for day counts and numbers, the first item when a list becomes one value. Values that
 * cannot carry over are dropped rather than left to fail validation.
 */
export function carryValue(value: TestValue, op: ConditionOp, type: Subject['type']): TestValue {
  const kind = valueKind(op, type);
  if (kind === 'none' || value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  if (kind === 'list') return items.map((v) => typed(v, type));
  const one = items[0];
  if (one === undefined) return undefined;
  switch (kind) {
    case 'days':
    case 'number': {
      const n = toNumber(one);
      return Number.isNaN(n) || (kind === 'days' && n < 0) ? undefined : n;
    }
    case 'boolean':
      return one === true || one === 'true' ? true : one === false || one === 'false' ? false : undefined;
    case 'date':
      return Number.isNaN(toInstant(one)) ? undefined : one;
    default:
      return typeof one === 'string' ? one : String(one);
  }
}

/** "a, b, c" → the list's values, numbers for a number field; empty items dropped. */
export function parseList(text: string, type: Subject['type']): Scalar[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => typed(s, type));
}

/** A list value as the text of its input. */
export function listText(value: TestValue): string {
  return value === undefined ? '' : (Array.isArray(value) ? value : [value]).map(String).join(', ');
}

/** A new test of a subject with the first op that fits it. */
export function firstOp(subject: Subject, opts: OpOptions): ConditionOp {
  const ops = opsFor(subject, opts);
  // "is" reads most naturally for anything it fits; a number starts at "is at least".
  if (subject.type === 'number' && ops.includes('gte')) return 'gte';
  return ops[0] ?? 'eq';
}

/** Changes a test's op, keeping what value still fits. */
export function withOp<T extends FieldTest | PropTest>(t: T, op: ConditionOp, type: Subject['type']): T {
  const value = carryValue(t.value, op, type);
  const { value: _old, ...rest } = t;
  return (value === undefined ? { ...rest, op } : { ...rest, op, value }) as T;
}
