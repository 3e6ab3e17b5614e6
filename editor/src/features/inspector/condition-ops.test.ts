import { describe, expect, it } from 'vitest';
import { ConditionOp, type FieldTest } from '../../../../engine/schema/condition.js';
import { BUILTIN_FIELDS, FieldRegistry, FieldType } from '../../../../engine/schema/field.js';
import { checkCondition } from '../../../../engine/conditions.js';
import { carryValue, listText, opsFor, opWords, parseList, valueKind, withOp } from './condition-ops.js';

const fields = new FieldRegistry([
  ...BUILTIN_FIELDS,
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'signup', label: 'Signup', type: 'date' },
]);
const FIELD_OF: Record<FieldType, string> = { number: 'score', text: 'job_title', date: 'signup', boolean: 'vip', tags: 'tags' };

describe('the ops offered for a field', () => {
  it('offers has_tag only for tags, date ops only for dates, text ops only for text', () => {
    expect(opsFor({ kind: 'field', type: 'tags' })).toEqual(['is_empty', 'not_empty', 'has_tag']);
    expect(opsFor({ kind: 'field', type: 'number' })).toEqual(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'is_empty', 'not_empty']);
    expect(opsFor({ kind: 'field', type: 'text' })).toEqual(['eq', 'neq', 'contains', 'not_contains', 'starts_with', 'in', 'is_empty', 'not_empty']);
    expect(opsFor({ kind: 'field', type: 'date' })).toContain('within_last_days');
    expect(opsFor({ kind: 'field', type: 'boolean' })).toEqual(['eq', 'neq', 'in', 'is_empty', 'not_empty']);
  });

  it('offers crossing ops only where allowed, and never for a prop', () => {
    expect(opsFor({ kind: 'field', type: 'number' })).not.toContain('crossed_above');
    expect(opsFor({ kind: 'field', type: 'number' }, { allowCrossing: true })).toContain('crossed_above');
    expect(opsFor({ kind: 'prop', type: undefined }, { allowCrossing: true })).not.toContain('crossed_above');
    expect(opsFor({ kind: 'prop', type: undefined })).not.toContain('has_tag');
    expect(opsFor({ kind: 'prop', type: 'number' })).toContain('gt');
    expect(opsFor({ kind: 'prop', type: 'text' })).not.toContain('gt');
  });

  // The editor offers exactly the ops validation accepts: a second list that drifted would let a
  // user pick an op and then see it refused.
  it('agrees with the engine\'s checkCondition for every op and field type', () => {
    for (const type of FieldType.options) {
      for (const op of ConditionOp.options) {
        for (const allowCrossing of [false, true]) {
          const value = op === 'in' ? [] : op === 'has_tag' ? 'x' : type === 'boolean' ? true : type === 'text' ? 'x' : 1;
          const test: FieldTest = { field: FIELD_OF[type], op, ...(op === 'is_empty' || op === 'not_empty' ? {} : { value }) };
          const problems: string[] = [];
          checkCondition(test, fields, { allowCrossing }, (_, m) => problems.push(m));
          const offered = opsFor({ kind: 'field', type }, { allowCrossing }).includes(op);
          expect({ type, op, allowCrossing, offered }).toEqual({ type, op, allowCrossing, offered: problems.length === 0 });
        }
      }
    }
  });
});

describe('the value a test takes', () => {
  it('matches the op: none, a list, days, or the field type', () => {
    expect(valueKind('is_empty', 'number')).toBe('none');
    expect(valueKind('in', 'text')).toBe('list');
    expect(valueKind('within_last_days', 'date')).toBe('days');
    expect(valueKind('has_tag', 'tags')).toBe('tag');
    expect(valueKind('gte', 'number')).toBe('number');
    expect(valueKind('eq', 'boolean')).toBe('boolean');
    expect(valueKind('gt', 'date')).toBe('date');
    expect(valueKind('eq', undefined)).toBe('text');
  });

  it('carries over what still fits when the op changes', () => {
    expect(carryValue(5, 'is_empty', 'number')).toBeUndefined();
    expect(carryValue(5, 'in', 'number')).toEqual([5]);
    expect(carryValue(['7', 'x'], 'eq', 'number')).toBe(7);
    expect(carryValue('abc', 'gte', 'number')).toBeUndefined();
    expect(carryValue('-3', 'within_last_days', 'date')).toBeUndefined();
    expect(carryValue('false', 'eq', 'boolean')).toBe(false);
    expect(carryValue(12, 'contains', 'text')).toBe('12');
    expect(carryValue('/pricing', 'lt', 'date')).toBeUndefined(); // not a date: dropped
    expect(carryValue('2026-03-01', 'gt', 'date')).toBe('2026-03-01');
  });

  it('drops the value when switching to an op without one', () => {
    expect(withOp({ field: 'score', op: 'gte', value: 3 }, 'not_empty', 'number')).toEqual({ field: 'score', op: 'not_empty' });
    expect(withOp({ prop: 'url', op: 'eq', value: '/a' }, 'in', 'text')).toEqual({ prop: 'url', op: 'in', value: ['/a'] });
  });

  it('reads a list from commas, numbers for number fields', () => {
    expect(parseList(' 1, 2 ,, x ', 'number')).toEqual([1, 2, 'x']);
    expect(parseList('de, fr', 'text')).toEqual(['de', 'fr']);
    expect(listText(['de', 'fr'])).toBe('de, fr');
    expect(listText(undefined)).toBe('');
  });
});

describe('op words', () => {
  it('reads dates as before/after and day counts with their unit', () => {
    expect(opWords('gt', 'date')).toBe('is after');
    expect(opWords('gt', 'number')).toBe('is more than');
    expect(opWords('on_or_before_days_ago', 'date')).toBe('is … or more days ago');
  });
});
