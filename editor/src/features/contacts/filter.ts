/**
 * The contacts filter bar's model: which comparisons fit a field's type, and the value each takes.
 * The ops are the schema's; the fits follow the engine's sets, as the server checks them.
 */
import {
  ConditionOp, CROSSING_OPS, DATE_OPS, ORDER_OPS, TEXT_OPS, UNARY_OPS, type FieldTest,
} from '../../../../engine/schema/condition.js';
import type { FieldType } from '../../../../engine/schema/field.js';

/** Ops a contacts filter can use on a field of this type (no crossings: there is no "before" here). */
export function filterOps(type: FieldType): ConditionOp[] {
  return ConditionOp.options.filter((op) => {
    if (CROSSING_OPS.has(op)) return false;
    if (UNARY_OPS.has(op)) return true;
    if (op === 'has_tag') return type === 'tags';
    if (type === 'tags') return false;
    if (ORDER_OPS.has(op)) return type === 'number' || type === 'date';
    if (TEXT_OPS.has(op)) return type === 'text';
    if (DATE_OPS.has(op)) return type === 'date';
    if (op === 'in') return type === 'text' || type === 'number';
    return type !== 'date' || op === 'eq' || op === 'neq';
  });
}

/** The input an op's value needs. */
export type ValueInput = 'none' | 'text' | 'number' | 'boolean' | 'date' | 'days' | 'list';

export function valueInput(op: ConditionOp, type: FieldType): ValueInput {
  if (UNARY_OPS.has(op)) return 'none';
  if (DATE_OPS.has(op)) return 'days';
  if (op === 'in') return 'list';
  if (op === 'has_tag' || TEXT_OPS.has(op)) return 'text';
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'date') return 'date';
  return 'text';
}

/** The test the bar's inputs make, or a message saying what is missing. */
export function makeTest(field: string, type: FieldType, op: ConditionOp, raw: string): FieldTest | string {
  const kind = valueInput(op, type);
  if (kind === 'none') return { field, op };
  const text = raw.trim();
  if (!text) return 'Enter a value to compare with';
  switch (kind) {
    case 'number': case 'days': {
      const n = Number(text);
      return Number.isFinite(n) ? { field, op, value: n } : `"${text}" is not a number`;
    }
    case 'boolean': return { field, op, value: text === 'true' };
    case 'date': {
      const ms = Date.parse(text);
      return Number.isFinite(ms) ? { field, op, value: new Date(ms).toISOString() } : `"${text}" is not a date`;
    }
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter(Boolean);
      return { field, op, value: type === 'number' ? items.map(Number) : items };
    }
    default: return { field, op, value: text };
  }
}

/** The tests and the quick email search as one more test ("Email contains …"). */
export function withSearch(tests: readonly FieldTest[], search: string): FieldTest[] {
  return search.trim() ? [...tests, { field: 'email', op: 'contains', value: search.trim() }] : [...tests];
}

/** The filter the list sends: the tests and the quick email search, all of them. */
export function combine(tests: readonly FieldTest[], search: string): FieldTest | { all: FieldTest[] } | null {
  const all = withSearch(tests, search);
  if (!all.length) return null;
  return all.length === 1 ? all[0] : { all };
}
