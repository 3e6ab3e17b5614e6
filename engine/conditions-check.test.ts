import { describe, expect, it } from 'vitest';
import { checkCondition, type CheckConditionOptions } from './conditions.js';
import { MAX_CONDITION_DEPTH, type Condition, type ConditionOp } from './schema/condition.js';
import { BUILTIN_FIELDS, FieldRegistry } from './schema/field.js';

const fields = new FieldRegistry([
  ...BUILTIN_FIELDS,
  { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' },
  { key: 'opted_in', label: 'Opted in', type: 'boolean' },
]);

function problems(c: unknown, opts: CheckConditionOptions = {}, path = 'on.where'): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  checkCondition(c as Condition, fields, opts, (p, message) => out.push({ path: p, message }), path);
  return out;
}
const t = (field: string, op: ConditionOp, value?: unknown) => ({ field, op, value });
const p = (prop: string, op: ConditionOp, value?: unknown) => ({ prop, op, value });
const messages = (c: unknown, opts?: CheckConditionOptions) => problems(c, opts).map((x) => x.message);

describe('checkCondition', () => {
  it('accepts well-formed tests of every kind', () => {
    const ok: unknown[] = [
      t('Custom Lead Score', 'gte', 100), t('score', 'lt', '40'), t('created_at', 'gt', '2026-01-01'),
      t('created_at', 'lte', 1_700_000_000_000), t('job_title', 'contains', 'ceo'), t('job_title', 'eq', 'CEO'),
      t('country', 'in', ['FR', 'DE']), t('opted_in', 'eq', 'true'), t('opted_in', 'neq', false),
      t('tags', 'has_tag', 'customer'), t('last_activity_at', 'on_or_before_days_ago', 30),
      t('last_activity_at', 'within_last_days', 0), t('email', 'is_empty'), t('tags', 'not_empty'),
    ];
    expect(problems({ all: ok })).toEqual([]);
    expect(problems({ any: [t('score', 'crossed_above', 70), { not: t('score', 'crossed_below', 10) }] }, { allowCrossing: true })).toEqual([]);
    expect(problems(p('url', 'contains', '/pricing'), { allowProps: true })).toEqual([]);
  });

  it('reports an unknown field at the test path below the given path', () => {
    expect(problems({ all: [t('score', 'gt', 1), t('Foo', 'eq', 1)] })).toEqual([
      { path: 'on.where.all.1', message: 'Unknown field "Foo" — create it, or declare it in the map\'s fields' },
    ]);
    expect(problems({ not: t('Foo', 'eq', 1) }, {}, '')[0].path).toBe('not');
  });

  it('order ops need a number or date field', () => {
    expect(messages(t('job_title', 'gt', 5))).toEqual(['"is more than" needs a number or date field; Job title is text']);
    expect(messages(t('opted_in', 'lte', 5))).toHaveLength(1);
  });

  it('text ops need a text field', () => {
    expect(messages(t('score', 'contains', '5'))).toEqual(['"contains" needs a text field; Score is a number']);
    expect(messages(t('created_at', 'starts_with', '2026'))).toHaveLength(1);
  });

  it('has_tag needs the tags field, date ops a date field', () => {
    expect(messages(t('job_title', 'has_tag', 'x'))).toEqual(['"has tag" needs the Tags field; Job title is text']);
    expect(messages(t('score', 'within_last_days', 3))).toEqual(['"is within the last N days" needs a date field; Score is a number']);
  });

  it('eq, neq and in on the tags field point to has_tag', () => {
    for (const op of ['eq', 'neq', 'in'] as const) {
      expect(messages(t('tags', op, op === 'in' ? ['a'] : 'a'))[0]).toContain('use has_tag');
    }
  });

  it('in needs a list, the other ops a single value', () => {
    expect(messages(t('country', 'in', 'FR'))).toEqual(['"is one of" needs a list of values']);
    expect(messages(t('country', 'eq', ['FR']))[0]).toContain('takes one value, not a list');
  });

  it('is_empty and not_empty take no value; the others need one', () => {
    expect(messages(t('email', 'is_empty', 'x'))).toEqual(['"is empty" takes no value; remove it']);
    expect(messages(t('email', 'not_empty', ''))).toHaveLength(1);
    expect(messages(t('email', 'eq'))).toEqual(['"is" needs a value']);
    expect(messages(t('tags', 'has_tag'))).toHaveLength(1);
  });

  it('the value must fit the field type', () => {
    expect(messages(t('score', 'gte', 'lots'))).toEqual(['Score is a number; "lots" is not a number']);
    expect(messages(t('score', 'in', [1, 'two']))).toEqual(['Score is a number; "two" is not a number']);
    expect(messages(t('created_at', 'gt', 'yesterday'))[0]).toContain('"yesterday" is not a date');
    expect(messages(t('created_at', 'eq', true))).toHaveLength(1);
    expect(messages(t('opted_in', 'eq', 'yes'))).toEqual(['Opted in is true/false; use true or false, not "yes"']);
    expect(messages(t('tags', 'has_tag', ''))).toEqual(['"has tag" needs the tag\'s name']);
  });

  it('date ops need a non-negative number of days', () => {
    expect(messages(t('created_at', 'within_last_days', -1))[0]).toContain('needs a number of days (0 or more)');
    expect(messages(t('created_at', 'on_or_before_days_ago', 'a month'))).toHaveLength(1);
    expect(messages(t('created_at', 'on_or_before_days_ago', '30'))).toEqual([]);
  });

  it('crossing ops only where the value before the change is known', () => {
    expect(messages(t('score', 'crossed_above', 70))).toEqual([
      '"crosses above" only works in a \'field updated\' trigger, which knows the value before the change',
    ]);
    expect(messages(t('score', 'crossed_below', 70), { allowCrossing: true })).toEqual([]);
    expect(messages(t('job_title', 'crossed_below', 70), { allowCrossing: true })).toHaveLength(1);
  });

  it('prop tests only where an event is at hand', () => {
    expect(messages(p('url', 'contains', 'x'))).toEqual(['this condition has no event to read "url" from']);
    expect(messages(p('url', 'has_tag', 'x'), { allowProps: true })).toHaveLength(1);
    expect(messages(p('amount', 'crossed_above', 5), { allowProps: true, allowCrossing: true })).toHaveLength(1);
    expect(messages(p('url', 'is_empty', 'x'), { allowProps: true })).toHaveLength(1);
    expect(messages(p('url', 'in', 'x'), { allowProps: true })).toHaveLength(1);
  });

  it('reports nesting deeper than MAX_CONDITION_DEPTH once, without descending', () => {
    const nest = (levels: number): unknown => {
      let c: unknown = t('Foo', 'eq', 1);
      for (let i = 0; i < levels; i++) c = i % 2 ? { not: c } : { all: [c] };
      return c;
    };
    expect(problems(nest(MAX_CONDITION_DEPTH))).toHaveLength(1); // only the unknown field at the bottom
    expect(problems(nest(MAX_CONDITION_DEPTH + 1))[0].message).toContain('levels deep');
    const deep = problems(nest(MAX_CONDITION_DEPTH + 50));
    expect(deep).toHaveLength(1);
    expect(deep[0].message).toContain(`more than ${MAX_CONDITION_DEPTH} levels`);
  });

  it('never throws, even on things that are not conditions', () => {
    for (const junk of [null, 5, 'x', [], { foo: 1 }, { all: 'x' }, { field: 3, op: 'nope' }]) {
      expect(() => problems(junk)).not.toThrow();
      expect(problems(junk).length).toBeGreaterThan(0);
    }
  });
});
