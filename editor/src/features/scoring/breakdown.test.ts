import { describe, expect, it } from 'vitest';
import { countText, expiryText, hasFaded, pointsText, type BreakdownLine } from './breakdown.js';

const line = (over: Partial<BreakdownLine>): BreakdownLine => ({ kind: 'rule', label: 'Visited pricing', count: 1, given: 5, now: 5, decays: true, nextExpiry: null, ...over });

describe('the breakdown card\'s words', () => {
  it('writes points with their sign, rounded to cents', () => {
    expect(pointsText(40)).toBe('+40');
    expect(pointsText(-5)).toBe('−5');
    expect(pointsText(12.3456)).toBe('+12.35');
    expect(pointsText(0.001)).toBe('0');
  });

  it('counts the grants of a source, never of decay or leftovers', () => {
    expect(countText(line({ count: 8 }))).toBe('×8');
    expect(countText(line({ count: 1 }))).toBe('');
    expect(countText(line({ kind: 'decay', count: 30, given: 0, now: -5 }))).toBe('');
    expect(countText(line({ kind: 'other', count: 2 }))).toBe('');
  });

  it('says when the next points expire, with the year only when it is another one', () => {
    const now = Date.parse('2026-01-05T12:00:00Z');
    expect(expiryText(null, now)).toBeNull();
    expect(expiryText('2026-04-01T12:00:00Z', now, 'en-GB')).toBe('expires 1 Apr');
    expect(expiryText('2026-04-01T12:00:00Z', now, 'en-US')).toBe('expires Apr 1');
    expect(expiryText('2027-04-01T12:00:00Z', now, 'en-GB')).toBe('expires 1 Apr 2027');
    expect(expiryText('2026-01-01T12:00:00Z', now, 'en-GB')).toBe('expired 1 Jan');
  });

  it('tells a line that lost points from one that kept them', () => {
    expect(hasFaded(line({ given: 40, now: 36.2 }))).toBe(true);
    expect(hasFaded(line({ given: 10, now: 10 }))).toBe(false);
  });
});
