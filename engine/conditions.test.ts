import { describe, expect, it } from 'vitest';
import { describeCondition, evaluateCondition, nextTimeChange, type ConditionEnv } from './conditions.js';
import type { Condition, ConditionOp } from './schema/condition.js';
import { BUILTIN_FIELDS, FieldRegistry } from './schema/field.js';
import type { FieldValue } from './elements/types.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31, 12);

const fields = new FieldRegistry([
  ...BUILTIN_FIELDS,
  { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 },
  { key: 'opted_in', label: 'Opted in', type: 'boolean' },
  { key: 'renews_at', label: 'Renewal date', type: 'date' },
]);

function env(
  values: Record<string, FieldValue> = {},
  extra: { props?: Record<string, string | number | boolean>; change?: ConditionEnv['change'] } = {},
): ConditionEnv {
  return {
    now: NOW,
    fields,
    get: (key) => values[key] ?? null,
    prop: extra.props ? (name) => extra.props![name] : undefined,
    change: extra.change,
  };
}

const test = (field: string, op: ConditionOp, value?: unknown) => ({ field, op, value }) as Condition;
const prop = (name: string, op: ConditionOp, value?: unknown) => ({ prop: name, op, value }) as Condition;
const holds = (c: Condition, values: Record<string, FieldValue> = {}, extra = {}) => evaluateCondition(c, env(values, extra));

describe('evaluateCondition: groups', () => {
  const yes = test('score', 'eq', 0);
  const no = test('score', 'eq', 1);
  it('all of nothing holds, any of nothing does not', () => {
    expect(holds({ all: [] })).toBe(true);
    expect(holds({ any: [] })).toBe(false);
  });
  it('combines all, any and not', () => {
    expect(holds({ all: [yes, no] })).toBe(false);
    expect(holds({ all: [yes, yes] })).toBe(true);
    expect(holds({ any: [no, yes] })).toBe(true);
    expect(holds({ not: no })).toBe(true);
    expect(holds({ not: { any: [no] } })).toBe(true);
  });
});

describe('evaluateCondition: field tests', () => {
  it('finds a field by key or by label, ignoring case and spaces; an unknown field is false', () => {
    expect(holds(test('custom_lead_score', 'gte', 100), { custom_lead_score: 100 })).toBe(true);
    expect(holds(test(' custom lead SCORE ', 'gte', 100), { custom_lead_score: 100 })).toBe(true);
    expect(holds(test('Nope', 'is_empty'))).toBe(false);
    expect(holds(test('Nope', 'neq', 1))).toBe(false);
  });

  it('compares numbers, reading an empty number as 0 and numeric strings as numbers', () => {
    const v = { score: 70 };
    expect(holds(test('score', 'eq', 70), v)).toBe(true);
    expect(holds(test('score', 'eq', '70'), v)).toBe(true);
    expect(holds(test('score', 'eq', 'seventy'), v)).toBe(false);
    expect(holds(test('score', 'neq', 69), v)).toBe(true);
    expect(holds(test('score', 'gt', 69), v)).toBe(true);
    expect(holds(test('score', 'gt', 70), v)).toBe(false);
    expect(holds(test('score', 'gte', '70'), v)).toBe(true);
    expect(holds(test('score', 'lt', 71), v)).toBe(true);
    expect(holds(test('score', 'lte', 69), v)).toBe(false);
    expect(holds(test('score', 'eq', 0))).toBe(true);
    expect(holds(test('score', 'lt', 1))).toBe(true);
    expect(holds(test('score', 'in', [1, '70', 3]), v)).toBe(true);
    expect(holds(test('score', 'in', [1, 2]), v)).toBe(false);
  });

  it('compares text ignoring case; empty text reads as ""', () => {
    const v = { job_title: 'Chief Executive (CEO)' };
    expect(holds(test('job_title', 'eq', 'chief executive (ceo)'), v)).toBe(true);
    expect(holds(test('Job title', 'neq', 'CTO'), v)).toBe(true);
    expect(holds(test('job_title', 'contains', 'ceo'), v)).toBe(true);
    expect(holds(test('job_title', 'not_contains', 'CEO'), v)).toBe(false);
    expect(holds(test('job_title', 'starts_with', 'CHIEF'), v)).toBe(true);
    expect(holds(test('job_title', 'starts_with', 'executive'), v)).toBe(false);
    expect(holds(test('job_title', 'in', ['cto', 'CHIEF EXECUTIVE (CEO)']), v)).toBe(true);
    expect(holds(test('job_title', 'eq', ''))).toBe(true);
    expect(holds(test('job_title', 'not_contains', 'ceo'))).toBe(true);
    expect(holds(test('job_title', 'contains', 'ceo'))).toBe(false);
  });

  it('is_empty holds for null, "" and an empty tag list; not_empty is its negation', () => {
    expect(holds(test('job_title', 'is_empty'))).toBe(true);
    expect(holds(test('job_title', 'is_empty'), { job_title: '' })).toBe(true);
    expect(holds(test('job_title', 'is_empty'), { job_title: 'CEO' })).toBe(false);
    expect(holds(test('tags', 'is_empty'), { tags: [] })).toBe(true);
    expect(holds(test('tags', 'not_empty'), { tags: ['a'] })).toBe(true);
    expect(holds(test('score', 'is_empty'), { score: 0 })).toBe(false);
    expect(holds(test('score', 'not_empty'))).toBe(false);
  });

  it('compares booleans given as true/false or "true"/"false"; empty reads as false', () => {
    expect(holds(test('opted_in', 'eq', true), { opted_in: true })).toBe(true);
    expect(holds(test('opted_in', 'eq', 'TRUE'), { opted_in: true })).toBe(true);
    expect(holds(test('opted_in', 'eq', 'false'), { opted_in: true })).toBe(false);
    expect(holds(test('opted_in', 'eq', false))).toBe(true);
    expect(holds(test('opted_in', 'neq', true))).toBe(true);
    expect(holds(test('opted_in', 'eq', 'yes'), { opted_in: true })).toBe(false);
  });

  it('compares the instant of dates given as ISO text or epoch ms', () => {
    const at = Date.UTC(2026, 0, 1);
    const v = { renews_at: at };
    expect(holds(test('renews_at', 'eq', '2026-01-01'), v)).toBe(true);
    expect(holds(test('renews_at', 'eq', '2026-01-01T00:00:00Z'), v)).toBe(true);
    expect(holds(test('renews_at', 'eq', '2026-01-01T01:00:00+01:00'), v)).toBe(true);
    expect(holds(test('renews_at', 'eq', '2026-01-01T00:00:00'), v)).toBe(true); // no zone: UTC, never local
    expect(holds(test('renews_at', 'eq', at), v)).toBe(true);
    expect(holds(test('renews_at', 'neq', at + 1), v)).toBe(true);
    expect(holds(test('renews_at', 'gt', '2025-12-31'), v)).toBe(true);
    expect(holds(test('renews_at', 'lt', at + 1), v)).toBe(true);
    expect(holds(test('renews_at', 'gte', 'not a date'), v)).toBe(false);
    expect(holds(test('renews_at', 'lte', '2027-01-01'))).toBe(false); // an empty date orders with nothing
  });

  it('has_tag finds a tag ignoring case', () => {
    const v = { tags: ['Customer', 'vip'] };
    expect(holds(test('tags', 'has_tag', 'customer'), v)).toBe(true);
    expect(holds(test('Tags', 'has_tag', 'VIP'), v)).toBe(true);
    expect(holds(test('tags', 'has_tag', 'lead'), v)).toBe(false);
    expect(holds(test('tags', 'has_tag', 'customer'))).toBe(false);
  });

  it('on_or_before_days_ago and within_last_days measure whole 24-hour days from now', () => {
    const ago = (days: number, ms = 0) => ({ last_activity_at: NOW - days * DAY + ms });
    const before = test('last_activity_at', 'on_or_before_days_ago', 30);
    const within = test('Last activity', 'within_last_days', 7);
    expect(holds(before, ago(30))).toBe(true);
    expect(holds(before, ago(31))).toBe(true);
    expect(holds(before, ago(30, 1))).toBe(false);
    expect(holds(within, ago(7))).toBe(true);
    expect(holds(within, ago(7, -1))).toBe(false);
    expect(holds(within, ago(0))).toBe(true);
    expect(holds(before)).toBe(false);
    expect(holds(within)).toBe(false);
  });

  it('crossing ops compare the change of their own field, reading null as 0', () => {
    const change = (from: FieldValue, to: FieldValue, field = 'score') => ({ change: { field, from, to } });
    const above = test('score', 'crossed_above', 70);
    const below = test('Score', 'crossed_below', 70);
    expect(holds(above, {}, change(60, 70))).toBe(true);
    expect(holds(above, {}, change(69.5, 80))).toBe(true);
    expect(holds(above, {}, change(70, 80))).toBe(false);
    expect(holds(above, {}, change(null, 75))).toBe(true);
    expect(holds(test('score', 'crossed_above', 0), {}, change(null, 5))).toBe(false); // null reads as 0: not below 0
    expect(holds(below, {}, change(70, 69))).toBe(true);
    expect(holds(below, {}, change(80, null))).toBe(true);
    expect(holds(below, {}, change(69, 60))).toBe(false);
    expect(holds(above, { score: 80 })).toBe(false); // no change at hand
    expect(holds(above, {}, change(60, 80, 'custom_lead_score'))).toBe(false); // another field changed
  });
});

describe('evaluateCondition: event props', () => {
  const props = { url: 'https://x.io/Pricing', amount: '120', hard: true, empty: '' };
  const p = (c: Condition) => holds(c, {}, { props });
  it('compares numbers when both sides are numeric, else case-insensitive text', () => {
    expect(p(prop('amount', 'gt', 100))).toBe(true);
    expect(p(prop('amount', 'eq', '120.0'))).toBe(true);
    expect(p(prop('amount', 'lte', 99))).toBe(false);
    expect(p(prop('amount', 'in', [5, 120]))).toBe(true);
    expect(p(prop('url', 'contains', '/pricing'))).toBe(true);
    expect(p(prop('url', 'not_contains', '/pricing'))).toBe(false);
    expect(p(prop('url', 'starts_with', 'HTTPS://'))).toBe(true);
    expect(p(prop('url', 'eq', 'https://x.io/pricing'))).toBe(true);
    expect(p(prop('url', 'neq', 'https://x.io/pricing'))).toBe(false);
    expect(p(prop('hard', 'eq', 'true'))).toBe(true);
    expect(p(prop('hard', 'eq', true))).toBe(true);
    expect(p(prop('empty', 'is_empty'))).toBe(true);
    expect(p(prop('url', 'not_empty'))).toBe(true);
  });
  it('a missing prop is empty: only is_empty and neq hold', () => {
    const ops: ConditionOp[] = ['eq', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'starts_with', 'in', 'not_empty', 'has_tag'];
    for (const op of ops) expect(p(prop('form', op, op === 'in' ? ['x'] : 'x')), op).toBe(false);
    expect(p(prop('form', 'is_empty'))).toBe(true);
    expect(p(prop('form', 'neq', 'x'))).toBe(true);
  });
  it('without an event, every prop is missing', () => {
    expect(holds(prop('url', 'is_empty'))).toBe(true);
    expect(holds(prop('url', 'contains', 'x'))).toBe(false);
  });
  it('a prop named like an Object.prototype member is missing, not a function found through the prototype', () => {
    // The engine reads props as `props[name]`: "constructor" would find Object, whose text is "function Object() { [native code] }".
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(p(prop(name, 'contains', 'native')), name).toBe(false);
      expect(p(prop(name, 'not_empty')), name).toBe(false);
      expect(p(prop(name, 'is_empty')), name).toBe(true);
    }
    expect(nextTimeChange(prop('constructor', 'within_last_days', 1), env({}, { props }))).toBeNull();
  });
});

describe('nextTimeChange', () => {
  const e = (values: Record<string, FieldValue>) => env(values);
  it('is when on_or_before_days_ago turns true: the date + N days', () => {
    const at = NOW - 10 * DAY;
    expect(nextTimeChange(test('last_activity_at', 'on_or_before_days_ago', 30), e({ last_activity_at: at }))).toBe(at + 30 * DAY);
  });
  it('is when within_last_days turns false: the date + N days + 1 ms', () => {
    const at = NOW - 2 * DAY;
    expect(nextTimeChange(test('last_activity_at', 'within_last_days', 7), e({ last_activity_at: at }))).toBe(at + 7 * DAY + 1);
  });
  it('takes the earliest moment over all date tests, ignoring moments already past', () => {
    const c: Condition = {
      all: [
        test('score', 'gt', 5),
        { not: test('last_activity_at', 'on_or_before_days_ago', 30) },
        { any: [test('renews_at', 'within_last_days', 1), test('created_at', 'within_last_days', 0)] },
      ],
    };
    const values = { last_activity_at: NOW - 29 * DAY, renews_at: NOW - 2 * DAY, created_at: NOW };
    expect(nextTimeChange(c, e(values))).toBe(NOW + 1);
    expect(nextTimeChange(c, e({ ...values, created_at: NOW - DAY }))).toBe(NOW + DAY);
  });
  it('is null with no date tests, an empty date, or only past moments', () => {
    expect(nextTimeChange(test('score', 'gt', 5), e({}))).toBeNull();
    expect(nextTimeChange(test('last_activity_at', 'within_last_days', 7), e({}))).toBeNull();
    expect(nextTimeChange(test('last_activity_at', 'on_or_before_days_ago', 1), e({ last_activity_at: NOW - 5 * DAY }))).toBeNull();
  });
});

describe('describeCondition', () => {
  const d = (c: Condition) => describeCondition(c, fields);
  it('reads as plain words with the field labels', () => {
    expect(d(test('custom_lead_score', 'gte', 100))).toBe('Custom Lead Score ≥ 100');
    expect(d(test('job_title', 'contains', 'ceo'))).toBe('Job title contains "ceo"');
    expect(d(test('tags', 'has_tag', 'customer'))).toBe('has tag "customer"');
    expect(d(test('last_activity_at', 'on_or_before_days_ago', 30))).toBe('Last activity is 30 or more days ago');
    expect(d(test('last_activity_at', 'within_last_days', 7))).toBe('Last activity is within the last 7 days');
    expect(d(test('score', 'crossed_above', 70))).toBe('Score crosses above 70');
    expect(d(test('score', 'crossed_below', 40))).toBe('Score crosses below 40');
    expect(d(prop('url', 'contains', '/pricing'))).toBe('url contains "/pricing"');
    expect(d(test('job_title', 'eq', 'CEO'))).toBe('Job title is "CEO"');
    expect(d(test('country', 'in', ['FR', 'DE']))).toBe('Country is one of "FR", "DE"');
    expect(d(test('email', 'is_empty'))).toBe('Email is empty');
    expect(d(test('renews_at', 'lt', '2026-03-01'))).toBe('Renewal date is before 2026-03-01');
    expect(d(test('Nope', 'eq', 1))).toBe('Nope = 1');
  });
  it('groups with all of, any of and not', () => {
    const a = test('score', 'gt', 5);
    const b = test('job_title', 'starts_with', 'VP');
    expect(d({ all: [a, b] })).toBe('all of (Score > 5 and Job title starts with "VP")');
    expect(d({ any: [a, b] })).toBe('any of (Score > 5 or Job title starts with "VP")');
    expect(d({ not: a })).toBe('not (Score > 5)');
  });
});
