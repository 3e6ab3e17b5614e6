import { ConditionOp, CROSSING_OPS, DATE_OPS, MAX_CONDITION_DEPTH, ORDER_OPS, TEXT_OPS, UNARY_OPS } from './schema/condition.js';
import type { FieldDef, FieldRegistry, FieldType } from './schema/field.js';
import { OP_WORDS, toInstant, toNumber } from './conditions.js';

/** Where a condition sits decides what it may test. */
export interface CheckConditionOptions {
  /** In a field_updated trigger: `crossed_above` / `crossed_below` know the value before the change. */
  readonly allowCrossing?: boolean;
  /** Where an event is at hand (event triggers, conditions after them): props may be tested. */
  readonly allowProps?: boolean;
}

type Report = (path: string, message: string) => void;

/** "Job title is text", "Score is a number": how a field's type reads in a message. */
export const TYPE_WORDS: Readonly<Record<FieldType, string>> = {
  number: 'a number', text: 'text', date: 'a date', boolean: 'true/false', tags: 'a list of tags',
};

const join = (path: string, ...more: (string | number)[]) => [path, ...more].filter((p) => p !== '').join('.');
const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));
const words = (op: ConditionOp) => `"${OP_WORDS[op]}"`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which field types an op applies to, or null when it applies to all. */
function opTypes(op: ConditionOp): FieldType[] | null {
  if (ORDER_OPS.has(op)) return ['number', 'date'];
  if (TEXT_OPS.has(op)) return ['text'];
  if (DATE_OPS.has(op)) return ['date'];
  if (op === 'has_tag') return ['tags'];
  if (op === 'eq' || op === 'neq' || op === 'in') return ['number', 'text', 'date', 'boolean'];
  return null;
}

/** Why a single value doesn't fit, or null when it does. */
function valueProblem(op: ConditionOp, v: unknown, f: FieldDef | undefined): string | null {
  if (DATE_OPS.has(op)) {
    const n = toNumber(v);
    return Number.isNaN(n) || n < 0 ? `${words(op)} needs a number of days (0 or more), not ${quote(v)}` : null;
  }
  if (op === 'has_tag') return typeof v === 'string' && v.trim() ? null : `${words(op)} needs the tag's name`;
  if (!f || TEXT_OPS.has(op)) return null;
  switch (f.type) {
    case 'number':
      return Number.isNaN(toNumber(v)) ? `${f.label} is a number; ${quote(v)} is not a number` : null;
    case 'date':
      return Number.isNaN(toInstant(v))
        ? `${f.label} is a date; ${quote(v)} is not a date — write it like 2026-01-31 or 2026-01-31T09:00:00Z`
        : null;
    case 'boolean':
      return v === true || v === false || v === 'true' || v === 'false' ? null : `${f.label} is true/false; use true or false, not ${quote(v)}`;
    default:
      return null;
  }
}

function checkValue(op: ConditionOp, value: unknown, f: FieldDef | undefined, at: string, report: Report): void {
  if (UNARY_OPS.has(op)) {
    if (value !== undefined) report(at, `${words(op)} takes no value; remove it`);
    return;
  }
  if (value === undefined) return report(at, `${words(op)} needs a value`);
  if (op === 'in') {
    if (!Array.isArray(value)) return report(at, `${words(op)} needs a list of values`);
    for (const v of value) {
      const p = valueProblem(op, v, f);
      if (p) return report(at, p);
    }
    return;
  }
  if (Array.isArray(value)) return report(at, `${words(op)} takes one value, not a list (use "is one of" for a list)`);
  const p = valueProblem(op, value, f);
  if (p) report(at, p);
}

function checkTest(t: Record<string, unknown>, fields: FieldRegistry, opts: CheckConditionOptions, at: string, report: Report): void {
  const op = t.op as ConditionOp;
  if (!ConditionOp.options.includes(op)) {
    return report(at, `Unknown comparison ${quote(t.op)} — use one of ${ConditionOp.options.join(', ')}`);
  }
  if ('prop' in t) {
    const prop = String(t.prop);
    if (!opts.allowProps) return report(at, `this condition has no event to read "${prop}" from`);
    if (op === 'has_tag') return report(at, `"has tag" reads the Tags field, not the event's "${prop}"`);
    if (CROSSING_OPS.has(op)) return report(at, `${words(op)} compares a field before and after a change; the event's "${prop}" has no before`);
    return checkValue(op, t.value, undefined, at, report);
  }
  const f = fields.resolve(String(t.field));
  if (!f) return report(at, `Unknown field "${String(t.field)}" — create it, or declare it in the map's fields`);
  if (CROSSING_OPS.has(op) && !opts.allowCrossing) {
    return report(at, `${words(op)} only works in a 'field updated' trigger, which knows the value before the change`);
  }
  const types = opTypes(op);
  if (types && !types.includes(f.type)) {
    if (f.type === 'tags') return report(at, `${f.label} is a set of tags: use has_tag to test for one`);
    const need = types.length === 1 ? (types[0] === 'tags' ? 'the Tags field' : `a ${types[0]} field`) : `a ${types.join(' or ')} field`;
    return report(at, `${words(op)} needs ${need}; ${f.label} is ${TYPE_WORDS[f.type]}`);
  }
  checkValue(op, t.value, f, at, report);
}

function checkNode(c: unknown, fields: FieldRegistry, opts: CheckConditionOptions, at: string, depth: number, report: Report): void {
  const notACondition = 'This is not a condition: use "all", "any", "not", or a test of a field or an event prop';
  if (!isObject(c)) return report(at, notACondition);
  const group = 'all' in c ? 'all' : 'any' in c ? 'any' : 'not' in c ? 'not' : null;
  if (group) {
    if (depth > MAX_CONDITION_DEPTH) {
      return report(at, `Conditions nest more than ${MAX_CONDITION_DEPTH} levels deep here; simplify this one`);
    }
    if (group === 'not') return checkNode(c.not, fields, opts, join(at, 'not'), depth + 1, report);
    const list = c[group];
    if (!Array.isArray(list)) return report(at, `"${group}" needs a list of conditions`);
    list.forEach((sub, i) => checkNode(sub, fields, opts, join(at, group, i), depth + 1, report));
    return;
  }
  if ('field' in c || 'prop' in c) return checkTest(c, fields, opts, at, report);
  report(at, notACondition);
}

/**
 * Static checks of a condition, each problem reported with its dotted path below `path`
 * (`on.where.all.0`): unknown fields, ops that don't fit the field's type, values that don't fit the op
 * or the field, crossing ops outside a field_updated trigger, props where no event is at hand, and
 * nesting deeper than MAX_CONDITION_DEPTH (reported once, not descended into). Never throws.
 */
export function checkCondition(
  c: unknown,
  fields: FieldRegistry,
  opts: CheckConditionOptions,
  report: Report,
  path = '',
): void {
  try {
    checkNode(c, fields, opts ?? {}, path, 1, report);
  } catch (e) {
    report(path, `This condition could not be checked: ${e instanceof Error ? e.message : String(e)}`);
  }
}
