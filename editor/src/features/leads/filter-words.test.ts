import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../contacts/fields.js';
import { barOf, filtersSentence } from './filter-words.js';

const fields: FieldInfo[] = [
  { key: 'country', label: 'Country', type: 'text', decimals: null, builtin: false },
  { key: 'score', label: 'Score', type: 'number', decimals: null, builtin: true },
];
const oneModel = () => null;
const twoModels = (id: string | undefined) => (id === 'fit' ? 'Fit score' : 'Lead score');

describe('filtersSentence', () => {
  it('says each filter of a list in words, the owner first', () => {
    expect(filtersSentence({ owner: 'me', scoreChange: { direction: 'fell', days: 30 }, condition: { field: 'country', op: 'eq', value: 'PT' } }, fields, oneModel))
      .toMatch(/^Owned by me · score fell in the last 30 days · Country (is|=) /);
  });
  it('names the model of a bracket or a score change when there are several', () => {
    expect(filtersSentence({ bracket: { modelId: 'fit', bracket: 'Hot' }, scoreChange: { modelId: 'fit', direction: 'rose', days: 1 } }, fields, twoModels))
      .toBe('In the bracket Hot of Fit score · Fit score rose in the last 1 day');
  });
  it('says each test of the field filter as a phrase of its own', () => {
    expect(filtersSentence({ condition: { all: [{ field: 'score', op: 'gte', value: 50 }, { field: 'country', op: 'eq', value: 'PT' }] } }, fields, oneModel))
      .toMatch(/^Score ≥ 50 · Country (is|=) /);
  });
  it('tells leads nobody owns from anyone’s, and a list without filters', () => {
    expect(filtersSentence({ owner: null }, fields, oneModel)).toBe('Owned by nobody');
    expect(filtersSentence({ owner: 'ana@acme.com' }, fields, oneModel)).toBe('Owned by ana@acme.com');
    expect(filtersSentence({}, fields, oneModel)).toBe('Every contact');
  });
});

describe('barOf', () => {
  it('reads a test, or all of tests, back into the filter bar', () => {
    const t = { field: 'country', op: 'eq' as const, value: 'PT' };
    expect(barOf({ all: [t, { field: 'score', op: 'gte', value: 10 }] })?.tests).toHaveLength(2);
    expect(barOf(t)?.tests).toEqual([t]);
    expect(barOf(undefined)?.tests).toEqual([]);
  });
  it('leaves alone what the bar cannot show', () => {
    expect(barOf({ any: [{ field: 'country', op: 'eq', value: 'PT' }] })).toBeNull();
    expect(barOf({ all: [{ not: { field: 'country', op: 'eq', value: 'PT' } }] })).toBeNull();
  });
});
