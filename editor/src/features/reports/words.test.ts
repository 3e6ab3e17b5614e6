import { describe, expect, it } from 'vitest';
import { challengerPath, conversionPath } from './api.js';
import { endOfDay, formatLift, formatRate, outcomeProblem, outcomeWords, parseEdges, readTestValue, slugFor, startOfDay } from './words.js';

describe('the Reports page in words', () => {
  it('reads band edges typed as a list, and says what to type when they are wrong', () => {
    expect(parseEdges('20, 50, 80')).toEqual({ edges: [20, 50, 80] });
    expect(parseEdges('20 50;80.5')).toEqual({ edges: [20, 50, 80.5] });
    expect(parseEdges('')).toEqual({ error: expect.stringMatching(/such as 20, 50, 80/) });
    expect(parseEdges('20, high')).toEqual({ error: expect.stringMatching(/^“high” is not a number/) });
    expect(parseEdges('50, 20')).toEqual({ error: expect.stringMatching(/go up/) });
    expect(parseEdges('20, 20')).toEqual({ error: expect.stringMatching(/each once/) });
  });

  it('shows rates as percentages and lifts as multiples of the average', () => {
    expect(formatRate(0.125)).toBe('13 %');
    expect(formatRate(0.0125)).toBe('1.3 %');
    expect(formatRate(0.5)).toBe('50 %');
    expect(formatRate(0)).toBe('0 %');
    expect(formatLift(2.04)).toBe('×2.0');
    expect(formatLift(null)).toBe('—');
  });

  it('gives a new outcome an id from its label that no other outcome has', () => {
    expect(slugFor('Deal won', new Set())).toBe('deal-won');
    expect(slugFor('Deal won!', new Set(['deal-won']))).toBe('deal-won-2');
    expect(slugFor('  ', new Set())).toBe('outcome');
  });

  it('types a field test value by the field and the test', () => {
    expect(readTestValue('customer', 'eq', 'text')).toBe('customer');
    expect(readTestValue('customer, partner', 'in', 'text')).toEqual(['customer', 'partner']);
    expect(readTestValue('1000', 'gte', undefined)).toBe(1000);
    expect(readTestValue('3', 'eq', 'number')).toBe(3);
    expect(readTestValue('yes', 'eq', 'boolean')).toBe(true);
  });

  it('says an outcome in words, and what is missing from one', () => {
    expect(outcomeWords({ id: 'won', label: 'Won', event: 'deal_won' })).toBe('the event deal_won');
    expect(outcomeWords({ id: 'c', label: 'Customer', field: { field: 'lifecycle_stage', op: 'eq', value: 'customer' } }, () => 'Lifecycle stage')).toBe('Lifecycle stage is customer');
    expect(outcomeProblem({ id: 'x', label: '', event: 'purchase' }, 0)).toMatch(/^Outcome 1 needs a label/);
    expect(outcomeProblem({ id: 'x', label: 'Bought', event: 'Purchase!' }, 0)).toMatch(/^“Bought”: the event type is lower-case/);
    expect(outcomeProblem({ id: 'x', label: 'Customer', field: { field: '', op: 'eq', value: 'c' } }, 0)).toMatch(/choose the field/);
    expect(outcomeProblem({ id: 'x', label: 'Customer', field: { field: 'stage', op: 'eq', value: '' } }, 0)).toMatch(/type the value/);
    expect(outcomeProblem({ id: 'x', label: 'Bought', event: 'purchase' }, 0)).toBeNull();
  });

  it('takes in the whole last day of a period', () => {
    const start = Date.parse(startOfDay('2026-01-31')!);
    const end = Date.parse(endOfDay('2026-01-31')!);
    expect(new Date(start).getDate()).toBe(31);
    expect(new Date(end).getDate()).toBe(1);
    expect(end - start).toBeGreaterThanOrEqual(23 * 3_600_000);
    expect(startOfDay('')).toBeNull();
  });

  it('asks the reports API the question the controls hold', () => {
    const at = '2026-01-01T00:00:00.000Z';
    expect(conversionPath({ field: 'score', at, window: '30d', bands: { edges: [20, 50] }, outcomes: [] }))
      .toBe('/reports/conversion?field=score&at=2026-01-01T00%3A00%3A00.000Z&window=30d&bands=20%2C50');
    expect(conversionPath({ field: 'score', at, window: '7d', bands: { model: 'lead' }, outcomes: ['won', 'paid'] }, true))
      .toBe('/reports/conversion?field=score&at=2026-01-01T00%3A00%3A00.000Z&window=7d&model=lead&outcomes=won%2Cpaid&format=csv');
    expect(challengerPath('lead', 'lead-v2', { at, window: '30d', outcomes: [] }))
      .toBe('/reports/challenger?at=2026-01-01T00%3A00%3A00.000Z&window=30d&champion=lead&challenger=lead-v2');
  });
});
