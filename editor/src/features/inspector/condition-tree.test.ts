import { describe, expect, it } from 'vitest';
import { MAX_CONDITION_DEPTH, type Condition } from '../../../../engine/schema/condition.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import { checkCondition } from '../../../../engine/conditions.js';
import type { Element } from '../../../../engine/elements/index.js';
import { canAddGroup, canWrap, groupHeight, mapEventProps, newGroup, newTest } from './condition-tree.js';

const fields = new FieldRegistry(BUILTIN_FIELDS);
const test: Condition = { field: 'score', op: 'gte', value: 1 };
/** `n` nested `not`s around a test. */
const nested = (n: number): Condition => (n === 0 ? test : { not: nested(n - 1) });
const depthProblems = (c: Condition) => {
  const found: string[] = [];
  checkCondition(c, fields, {}, (_, m) => found.push(m));
  return found.filter((m) => m.includes('nest'));
};

describe('nesting conditions in the editor', () => {
  it('measures group levels', () => {
    expect(groupHeight(test)).toBe(0);
    expect(groupHeight({ all: [test, { any: [{ not: test }] }] })).toBe(3);
  });

  it('lets a condition be wrapped exactly as deep as validation accepts', () => {
    for (let n = 0; n <= MAX_CONDITION_DEPTH; n++) {
      const wrapped: Condition = { not: nested(n) };
      expect({ n, allowed: canWrap(nested(n), 1) }).toEqual({ n, allowed: depthProblems(wrapped).length === 0 });
    }
  });

  it('stops adding groups at the deepest level', () => {
    expect(canAddGroup(MAX_CONDITION_DEPTH - 1)).toBe(true);
    expect(canAddGroup(MAX_CONDITION_DEPTH)).toBe(false);
  });

  it('starts a new test on the map\'s own number field, else Score', () => {
    expect(newTest(fields)).toEqual({ field: 'score', op: 'gte' });
    const withCustom = fields.with([{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' }]);
    expect(newTest(withCustom)).toEqual({ field: 'custom_lead_score', op: 'gte' });
    expect(newGroup('all', fields)).toEqual({ any: [{ field: 'score', op: 'gte' }] });
  });

  it('collects the props the map\'s event triggers bring', () => {
    const els: Element[] = [
      { id: 'a', kind: 'trigger', on: { type: 'event', event: 'purchase' } },
      { id: 'b', kind: 'trigger', on: { type: 'event', event: 'page_visited' } },
      { id: 'c', kind: 'trigger', on: { type: 'manual' } },
    ];
    expect(mapEventProps(els)).toEqual({ amount: 'number', product: 'text', url: 'text' });
  });
});
