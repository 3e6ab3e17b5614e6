import { CROSSING_OPS, DATE_OPS, forEachTest, isFieldTest, ORDER_OPS } from './schema/condition.js';
import type { Condition, ConditionOp, FieldTest, PropTest } from './schema/condition.js';
import { MS } from './schema/duration.js';
import type { FieldDef, FieldRegistry, FieldType } from './schema/field.js';
import type { FieldValue } from './elements/types.js';

/** What a condition is tested against: the contact, the clock, and the triggering event or change if any. */
export interface ConditionEnv {
  /** Epoch ms. */
  readonly now: number;
  readonly fields: FieldRegistry;
  /** A contact field value by key (dates are epoch ms numbers, tags a string[]). */
  get(key: string): FieldValue;
  /** Props of the triggering event, when there is one. */
  prop?(name: string): string | number | boolean | undefined;
  /** The change a field_updated trigger reacts to. */
  readonly change?: { field: string; from: FieldValue; to: FieldValue };
}

type Scalar = string | number | boolean;
type TestValue = FieldTest['value'];

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?\s*$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A number, or a numeric string read as one; NaN for anything else. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return NaN;
}

/** An instant from epoch ms or an ISO date; NaN otherwise. A time without a zone is UTC, never local. */
export function toInstant(v: unknown): number {
  const n = toNumber(v);
  if (!Number.isNaN(n) || typeof v !== 'string') return n;
  const s = v.trim();
  if (!ISO_DATE.test(s)) return NaN;
  return Date.parse(/T/i.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? `${s}Z` : s);
}

const lower = (v: unknown): string =>
  v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ').toLowerCase() : String(v).toLowerCase();
const isEmpty = (v: unknown): boolean => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = lower(v);
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

/** One side of a test, read the way its field type (or a prop's untyped value) says. */
interface Operand {
  readonly empty: boolean;
  equals(v: Scalar): boolean;
  /** Sign of (this − v); NaN when the two don't order. */
  compare(v: Scalar): number;
  readonly text: string;
  /** The value as an instant, for the date ops; NaN when it is not a date. */
  readonly instant: number;
  readonly tags: readonly string[];
}

/**
 * Field operand: empty numbers read as 0, empty text as "", an empty boolean as false. A class with
 * getters, not an object of closures: one is made for every test of every condition, and each
 * reading is worked out only if the op needs it.
 */
class FieldOperand implements Operand {
  constructor(
    private readonly f: FieldDef,
    private readonly v: FieldValue,
  ) {}

  get empty(): boolean {
    return isEmpty(this.v);
  }

  get instant(): number {
    return this.f.type === 'date' && this.v !== null ? toInstant(this.v) : NaN;
  }

  equals(e: Scalar): boolean {
    switch (this.f.type) {
      case 'number': return toNumber(this.v ?? 0) === toNumber(e);
      case 'date': return this.instant === toInstant(e);
      case 'boolean': return (toBoolean(this.v) ?? false) === toBoolean(e);
      case 'text': return lower(this.v) === lower(e);
      default: return false;
    }
  }

  compare(e: Scalar): number {
    return this.f.type === 'number' ? toNumber(this.v ?? 0) - toNumber(e) : this.f.type === 'date' ? this.instant - toInstant(e) : NaN;
  }

  get text(): string {
    return lower(this.v);
  }

  get tags(): readonly string[] {
    return Array.isArray(this.v) ? this.v : [];
  }
}

/** Props are untyped: numbers when both sides read as numbers, else case-insensitive text. */
function comparePropValues(p: Scalar, v: Scalar): number {
  const a = toNumber(p);
  const b = toNumber(v);
  if (!Number.isNaN(a) && !Number.isNaN(b)) return a - b;
  const [x, y] = [lower(p), lower(v)];
  return x < y ? -1 : x > y ? 1 : 0;
}

class PropOperand implements Operand {
  constructor(private readonly p: Scalar) {}

  get empty(): boolean {
    return this.p === '';
  }

  equals(e: Scalar): boolean {
    return comparePropValues(this.p, e) === 0;
  }

  compare(e: Scalar): number {
    return comparePropValues(this.p, e);
  }

  get text(): string {
    return lower(this.p);
  }

  get instant(): number {
    return toInstant(this.p);
  }

  get tags(): readonly string[] {
    return [];
  }
}

function applyOp(op: ConditionOp, o: Operand, value: TestValue, now: number): boolean {
  if (op === 'is_empty') return o.empty;
  if (op === 'not_empty') return !o.empty;
  if (value === undefined) return false;
  const one = Array.isArray(value) ? undefined : (value as Scalar);
  const days = toNumber(one) * MS.DAY;
  switch (op) {
    case 'eq': return one !== undefined && o.equals(one);
    case 'neq': return !(one !== undefined && o.equals(one));
    case 'in': return (Array.isArray(value) ? value : [value as Scalar]).some((v) => o.equals(v));
    case 'gt': return one !== undefined && o.compare(one) > 0;
    case 'gte': return one !== undefined && o.compare(one) >= 0;
    case 'lt': return one !== undefined && o.compare(one) < 0;
    case 'lte': return one !== undefined && o.compare(one) <= 0;
    case 'contains': return o.text.includes(lower(value));
    case 'not_contains': return !o.text.includes(lower(value));
    case 'starts_with': return o.text.startsWith(lower(value));
    case 'has_tag': return o.tags.some((t) => t.trim().toLowerCase() === lower(one).trim());
    case 'on_or_before_days_ago': return o.instant <= now - days;
    case 'within_last_days': return o.instant >= now - days;
    default: return false;
  }
}

/** crossed_above v: from < v ≤ to; crossed_below v: from ≥ v > to — only for a change of this very field. */
function crossed(f: FieldDef, t: FieldTest, env: ConditionEnv): boolean {
  const ch = env.change;
  if (!ch || (env.fields.resolve(ch.field)?.key ?? ch.field) !== f.key) return false;
  const read = f.type === 'date' ? toInstant : toNumber;
  const [from, to, v] = [read(ch.from ?? 0), read(ch.to ?? 0), read(t.value)];
  return t.op === 'crossed_above' ? from < v && v <= to : from >= v && v > to;
}

/**
 * A prop's value, or undefined. Props are a flat object of scalars, so anything else is not a prop:
 * "constructor" or "toString" must not find Object.prototype's functions through an env that reads `props[name]`.
 */
function readProp(env: ConditionEnv, name: string): Scalar | undefined {
  const p: unknown = env.prop?.(name);
  return typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean' ? p : undefined;
}

function testHolds(t: FieldTest | PropTest, env: ConditionEnv): boolean {
  if (isFieldTest(t)) {
    const f = env.fields.resolve(t.field);
    if (!f) return false;
    if (CROSSING_OPS.has(t.op)) return crossed(f, t, env);
    return applyOp(t.op, new FieldOperand(f, env.get(f.key)), t.value, env.now);
  }
  const p = readProp(env, t.prop);
  // A missing prop is empty: it "is empty" and "is not" anything, and nothing else holds.
  if (p === undefined) return t.op === 'is_empty' || t.op === 'neq';
  if (CROSSING_OPS.has(t.op)) return false;
  return applyOp(t.op, new PropOperand(p), t.value, env.now);
}

/**
 * Whether a condition holds. `all` of nothing holds, `any` of nothing does not. An unknown field makes its
 * test false. Empty values: a number reads as 0, text as "", a boolean as false; `is_empty` holds for null,
 * "" and an empty tag list. Text compares ignoring case; number fields accept numeric strings; date fields
 * take an ISO date or epoch ms and compare the instant. `on_or_before_days_ago N`: date ≤ now − N days;
 * `within_last_days N`: date ≥ now − N days (an empty date fails both; a day is exactly 24 hours).
 * `crossed_above`/`crossed_below` hold only for `env.change` of the test's own field (null reads as 0).
 * Event props compare as numbers when both sides are numeric, else as case-insensitive text.
 */
export function evaluateCondition(c: Condition, env: ConditionEnv): boolean {
  // Loops rather than every/some with a callback: this runs for every condition of every step.
  if ('all' in c) {
    for (const sub of c.all) if (!evaluateCondition(sub, env)) return false;
    return true;
  }
  if ('any' in c) {
    for (const sub of c.any) if (evaluateCondition(sub, env)) return true;
    return false;
  }
  if ('not' in c) return !evaluateCondition(c.not, env);
  return testHolds(c, env);
}

/**
 * The earliest moment strictly after `env.now` at which a date test may flip by time alone — date + N days
 * for `on_or_before_days_ago`, date + N days + 1 ms for `within_last_days` — or null when there is none.
 */
export function nextTimeChange(c: Condition, env: ConditionEnv): number | null {
  let next: number | null = null;
  forEachTest(c, (t) => {
    if (!DATE_OPS.has(t.op)) return;
    let at = NaN;
    if (isFieldTest(t)) {
      const f = env.fields.resolve(t.field);
      const v = f?.type === 'date' ? env.get(f.key) : null;
      if (v !== null) at = toInstant(v);
    } else {
      at = toInstant(readProp(env, t.prop));
    }
    const flip = at + toNumber(t.value) * MS.DAY + (t.op === 'within_last_days' ? 1 : 0);
    if (flip > env.now && (next === null || flip < next)) next = flip;
  });
  return next;
}

/** How an op reads in messages. */
export const OP_WORDS: Readonly<Record<ConditionOp, string>> = {
  eq: 'is', neq: 'is not', gt: 'is more than', gte: 'is at least', lt: 'is less than', lte: 'is at most',
  contains: 'contains', not_contains: 'does not contain', starts_with: 'starts with', in: 'is one of',
  is_empty: 'is empty', not_empty: 'is not empty', has_tag: 'has tag',
  on_or_before_days_ago: 'is N or more days ago', within_last_days: 'is within the last N days',
  crossed_above: 'crosses above', crossed_below: 'crosses below',
};
const SYMBOLS: Partial<Record<ConditionOp, string>> = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' };
const DATE_WORDS: Partial<Record<ConditionOp, string>> = {
  eq: 'is', neq: 'is not', gt: 'is after', gte: 'is on or after', lt: 'is before', lte: 'is on or before',
};

function showValue(v: unknown, type: FieldType | undefined): string {
  if (v === undefined) return '…';
  if (Array.isArray(v)) return v.map((x) => showValue(x, type)).join(', ');
  if (type === 'date' && !Number.isNaN(toInstant(v))) {
    return typeof v === 'number' ? new Date(v).toISOString() : String(v);
  }
  if (typeof v === 'string' && !(type === 'number' && NUMERIC.test(v))) return `"${v}"`;
  return String(v);
}

function describeTest(t: FieldTest | PropTest, fields: FieldRegistry): string {
  const f = isFieldTest(t) ? fields.resolve(t.field) : undefined;
  const name = isFieldTest(t) ? f?.label ?? t.field : t.prop;
  const type = f?.type;
  const v = showValue(t.value, type);
  const numeric = type === 'number' || (!f && typeof t.value === 'number');
  const days = (n: unknown) => `${String(n ?? '…')} day${n === 1 ? '' : 's'}`;
  switch (t.op) {
    case 'eq': case 'neq': case 'gt': case 'gte': case 'lt': case 'lte':
      if (type === 'date') return `${name} ${DATE_WORDS[t.op]} ${v}`;
      return numeric || ORDER_OPS.has(t.op) ? `${name} ${SYMBOLS[t.op]} ${v}` : `${name} ${OP_WORDS[t.op]} ${v}`;
    case 'has_tag': return type === 'tags' ? `has tag ${v}` : `${name} has tag ${v}`;
    case 'on_or_before_days_ago': return `${name} is ${String(t.value ?? '…')} or more days ago`;
    case 'within_last_days': return `${name} is within the last ${days(t.value)}`;
    case 'is_empty': case 'not_empty': return `${name} ${OP_WORDS[t.op]}`;
    default: return `${name} ${OP_WORDS[t.op] ?? t.op} ${v}`;
  }
}

/** Plain words a marketer reads: `Custom Lead Score ≥ 100`, `all of (A and B)`, `not (A)`. */
export function describeCondition(c: Condition, fields: FieldRegistry): string {
  if ('all' in c) return c.all.length ? `all of (${c.all.map((s) => describeCondition(s, fields)).join(' and ')})` : 'always';
  if ('any' in c) return c.any.length ? `any of (${c.any.map((s) => describeCondition(s, fields)).join(' or ')})` : 'never';
  if ('not' in c) return `not (${describeCondition(c.not, fields)})`;
  return describeTest(c, fields);
}

export { checkCondition, type CheckConditionOptions } from './conditions-check.js';
