import { describe, expect, it } from 'vitest';
import { checkDegradation, degradationExplained, degradationKind, degradationWords, switchDegradation } from './degradation-words.js';

describe('degradationWords', () => {
  it('says each of the four kinds the way the models list and the model page show them', () => {
    expect(degradationWords(undefined)).toBe('none');
    expect(degradationWords({ percentPerDay: 3 })).toBe('3 % every day');
    expect(degradationWords({ percent: 5, every: { days: 30 } })).toBe('5 % every 30 days');
    expect(degradationWords({ percent: 5, every: { days: 30 }, whenInactiveFor: { days: 30 } })).toBe('5 % every 30 days once a contact has been inactive for 30 days');
  });

  it('says a period of one unit without the "1"', () => {
    expect(degradationWords({ percent: 10, every: { weeks: 1 } })).toBe('10 % every week');
    expect(degradationWords({ percent: 2.5, every: { days: 1 }, whenInactiveFor: { weeks: 2 } })).toBe('2.5 % every day once a contact has been inactive for 2 weeks');
    expect(degradationWords({ percent: 1, every: { weeks: 1, days: 1 } })).toBe('1 % every 1 week 1 day');
  });
});

describe('switching the kind of degradation', () => {
  it('keeps the percentage and the periods the author gave', () => {
    const inactive = switchDegradation({ percentPerDay: 4 }, 'inactive');
    expect(inactive).toEqual({ percent: 4, every: { days: 30 }, whenInactiveFor: { days: 30 } });
    expect(degradationKind(inactive)).toBe('inactive');
    const periodic = switchDegradation({ percent: 4, every: { days: 7 }, whenInactiveFor: { days: 60 } }, 'periodic');
    expect(periodic).toEqual({ percent: 4, every: { days: 7 } });
    expect(degradationKind(periodic)).toBe('periodic');
    expect(switchDegradation(periodic, 'daily')).toEqual({ percentPerDay: 4 });
    expect(switchDegradation(periodic, 'none')).toBeUndefined();
    expect(degradationKind(undefined)).toBe('none');
  });

  it('starts from usual numbers when there was no degradation', () => {
    expect(switchDegradation(undefined, 'daily')).toEqual({ percentPerDay: 3 });
    expect(switchDegradation(undefined, 'inactive')).toEqual({ percent: 5, every: { days: 30 }, whenInactiveFor: { days: 30 } });
  });
});

describe('checkDegradation', () => {
  it('accepts the four kinds with sensible numbers', () => {
    expect(checkDegradation(undefined)).toBeNull();
    expect(checkDegradation({ percentPerDay: 3 })).toBeNull();
    expect(checkDegradation({ percent: 5, every: { weeks: 2 } })).toBeNull();
    expect(checkDegradation({ percent: 100, every: { days: 1 }, whenInactiveFor: { days: 14 } })).toBeNull();
  });

  it('refuses a percentage out of range or empty, and a period that is not whole days', () => {
    expect(checkDegradation({ percentPerDay: 0 })).toMatch(/percentage above 0 and at most 100/);
    expect(checkDegradation({ percent: Number.NaN, every: { days: 30 } })).toMatch(/percentage above 0/);
    expect(checkDegradation({ percent: 120, every: { days: 30 } })).toMatch(/at most 100/);
    expect(checkDegradation({ percent: 5, every: { hours: 12 } })).toBe('Degradation is applied at the model\'s midnight: "every" is a whole number of days, at least 1.');
    expect(checkDegradation({ percent: 5, every: { days: 1.5 } })).toMatch(/whole number of days/);
    expect(checkDegradation({ percent: 5, every: { days: Number.NaN } })).toMatch(/whole number of days/);
    expect(checkDegradation({ percent: 5, every: { days: 7 }, whenInactiveFor: { days: Number.NaN } })).toMatch(/without activity/);
  });
});

describe('degradationExplained', () => {
  it('says when it applies, in which zone, and what it spares', () => {
    expect(degradationExplained(undefined, undefined, false)).toBe('No degradation: points stay until a rule takes them back or they expire.');
    expect(degradationExplained({ percentPerDay: 3 }, 'Europe/Lisbon', true))
      .toBe('Each midnight (Europe/Lisbon) the points that decay are multiplied by 0.97. Fit points (rules that never decay) are kept whole.');
    expect(degradationExplained({ percent: 5, every: { days: 30 } }, undefined, false))
      .toBe('Applied at midnight (UTC) to the points that decay, counted from when the model began.');
    expect(degradationExplained({ percent: 5, every: { days: 30 }, whenInactiveFor: { days: 30 } }, undefined, false))
      .toBe('Applied at midnight (UTC) to the points that decay; any activity starts the count again.');
  });
});
