import { describe, expect, it } from 'vitest';
import { BRACKET, moveColumn, NAME, RANK, SCORE, scoreLikeFields, sortFieldOf, toggleColumn } from './columns.js';
import type { FieldInfo } from './fields.js';
import { primaryScoreField } from './scores.js';

const field = (key: string, label: string, type: FieldInfo['type'], builtin = false): FieldInfo => ({ key, label, type, decimals: null, builtin });
const FIELDS = [
  field('email', 'Email', 'text', true), field('tags', 'Tags', 'tags', true), field('score', 'Score', 'number', true),
  field('company_size', 'Company size', 'number', true), field('custom_lead_score', 'Custom Lead Score', 'number'),
  field('custom_lead_score_bracket', 'Custom Lead Score bracket', 'text'), field('fit', 'Fit points', 'number'),
];

describe('the contacts list columns', () => {
  it('adds a column at the end, takes one off, and moves one within bounds', () => {
    expect(toggleColumn([NAME, SCORE], 'custom_lead_score', true)).toEqual([NAME, SCORE, 'custom_lead_score']);
    expect(toggleColumn([NAME, SCORE, 'custom_lead_score'], SCORE, false)).toEqual([NAME, 'custom_lead_score']);
    expect(moveColumn([NAME, SCORE, RANK], RANK, -1)).toEqual([NAME, RANK, SCORE]);
    expect(moveColumn([NAME, SCORE, RANK], NAME, -1)).toEqual([NAME, SCORE, RANK]);
  });

  it('sorts the score column by the model\'s field, a field by itself, and not by tags, brackets or ranks', () => {
    expect(sortFieldOf(SCORE, 'custom_lead_score', FIELDS)).toBe('custom_lead_score');
    expect(sortFieldOf(NAME, 'score', FIELDS)).toBe('first_name');
    expect(sortFieldOf('company_size', 'score', FIELDS)).toBe('company_size');
    expect(sortFieldOf('tags', 'score', FIELDS)).toBeNull();
    expect(sortFieldOf(BRACKET, 'score', FIELDS)).toBeNull();
    expect(sortFieldOf(RANK, 'score', FIELDS)).toBeNull();
    expect(sortFieldOf('gone', 'score', FIELDS)).toBeNull();
  });
});

describe('the score a contact page leads with', () => {
  const candidates = scoreLikeFields(FIELDS, ['score']);
  it('reads the models\' fields first, then number fields named as scores', () => {
    expect(candidates).toEqual(['score', 'custom_lead_score']);
  });
  it('is the first one the contact has a value in, else the model\'s', () => {
    expect(primaryScoreField({ custom_lead_score: 100 }, candidates)).toBe('custom_lead_score');
    expect(primaryScoreField({ score: 0, custom_lead_score: 100 }, candidates)).toBe('score');
    expect(primaryScoreField({}, candidates)).toBe('score');
    expect(primaryScoreField({}, [])).toBe('score');
  });
});
