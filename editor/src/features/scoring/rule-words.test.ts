import { describe, expect, it } from 'vitest';
import type { ScoringRule } from './api.js';
import { checkRule, isOptionPath, optionWords, pointsWords, ruleSummary, withDecays, withMode, withOption, withWhen } from './rule-words.js';

const visit: ScoringRule = { id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, points: 5 };
const ceo: ScoringRule = { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'CEO' } }, points: 10 };

describe('a rule in words', () => {
  it('says what it gives or sets', () => {
    expect(pointsWords(visit)).toBe('Gives +5');
    expect(pointsWords({ ...visit, points: -10 })).toBe('Gives −10');
    expect(pointsWords({ ...visit, points: undefined, set: 0 })).toBe('Sets the score to 0');
  });

  it('says every option the way a marketer reads it', () => {
    expect(optionWords({ ...visit, maxTimes: 3, per: { days: 1 }, repeatMultiplier: 0.5, expiresAfter: { days: 90 }, decays: false })).toEqual([
      'At most 3 times per 1 day', 'Repeats give ×0.5', 'Points expire after 90 days', 'Fit points: never decay',
    ]);
    expect(optionWords({ ...visit, maxTimes: 1 })).toEqual(['At most once']);
    expect(optionWords({ ...visit, repeatMultiplier: 0.25, per: { weeks: 1 } })).toEqual(['Repeats within 1 week give ×0.25']);
    expect(optionWords({ ...visit, decays: true })).toEqual([]);
  });

  it('sums a rule up in one line, saying so when it has no options', () => {
    expect(ruleSummary({ ...visit, maxTimes: 3, per: { days: 1 }, expiresAfter: { days: 90 } })).toBe('Gives +5 · At most 3 times per 1 day · Points expire after 90 days');
    expect(ruleSummary(visit)).toBe('Gives +5 each time, no limit');
    expect(ruleSummary({ ...visit, points: undefined, set: 0 })).toBe('Sets the score to 0 each time');
    expect(ruleSummary(ceo)).toBe('Gives +10 while it holds');
    expect(ruleSummary({ ...ceo, decays: false })).toBe('Gives +10 · Fit points: never decay');
  });
});

describe('editing a rule keeps it valid', () => {
  it('drops the event options when it becomes a condition rule, and a set score becomes points', () => {
    const busy: ScoringRule = { ...visit, points: undefined, set: 0, maxTimes: 2, per: { days: 1 }, decays: false };
    expect(withWhen(busy, ceo.when)).toEqual({ id: 'visit', label: 'Visited pricing', when: ceo.when, points: 0, decays: false });
    expect(withWhen(visit, { event: 'form_submitted' })).toEqual({ ...visit, when: { event: 'form_submitted' } });
  });

  it('setting the score drops repeats and expiry and keeps the number; giving points again takes it back', () => {
    const set = withMode({ ...visit, repeatMultiplier: 0.5, expiresAfter: { days: 9 }, maxTimes: 1 }, 'set');
    expect(set).toEqual({ id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, set: 5, maxTimes: 1 });
    expect(withMode(set, 'points')).toEqual({ id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, points: 5, maxTimes: 1 });
  });

  it('sets and clears options, and leaves "decays" out of the document unless it is off', () => {
    expect(withOption(visit, 'maxTimes', 3)).toEqual({ ...visit, maxTimes: 3 });
    expect(withOption({ ...visit, maxTimes: 3, per: { days: 1 } }, 'maxTimes', undefined)).toEqual({ ...visit, per: { days: 1 } });
    expect(withDecays(visit, false)).toEqual({ ...visit, decays: false });
    expect(withDecays({ ...visit, decays: false }, true)).toEqual(visit);
  });
});

describe('checkRule', () => {
  it('finds nothing wrong with a rule using every option well', () => {
    expect(checkRule({ ...visit, maxTimes: 3, per: { days: 1 }, repeatMultiplier: 0.5, expiresAfter: { days: 90 }, decays: false })).toEqual([]);
    expect(checkRule({ ...visit, points: undefined, set: 0, maxTimes: 1 })).toEqual([]);
    expect(checkRule({ ...ceo, decays: false })).toEqual([]);
  });

  it('explains the combinations the server refuses, naming the option', () => {
    expect(checkRule({ ...visit, per: { days: 1 } })).toEqual([
      { key: 'per', message: 'The window "per 1 day" counts for "At most" or "Repeats give": set one of them, or clear the window.' },
    ]);
    expect(checkRule({ ...visit, points: undefined, set: 0, expiresAfter: { days: 1 } })).toEqual([
      { key: 'expiresAfter', message: 'A rule that sets the score has no repeats and no expiry: clear "Repeats give" and "Points expire after", or make it give points.' },
    ]);
    expect(checkRule({ ...ceo, maxTimes: 2 }).map((p) => p.key)).toEqual(['maxTimes']);
    expect(checkRule({ ...visit, maxTimes: 1.5, repeatMultiplier: 11 }).map((p) => p.key)).toEqual(['maxTimes', 'repeatMultiplier']);
    expect(checkRule({ ...visit, label: ' ', points: Number.NaN }).map((p) => p.message)).toEqual([
      'This rule has no label: say in a few words what it rewards.', 'Its points must be a number.',
    ]);
  });

  it('tells the option paths the disclosure holds from the others', () => {
    expect(isOptionPath('rules.2.maxTimes')).toBe(true);
    expect(isOptionPath('rules.0.per.days')).toBe(true);
    expect(isOptionPath('rules.0.points')).toBe(false);
    expect(isOptionPath('rules.0.when.where')).toBe(false);
  });
});
