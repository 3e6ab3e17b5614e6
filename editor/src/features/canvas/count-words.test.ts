import { describe, expect, it } from 'vitest';
import { badgeNumber, countsName, countsTitle, errorsTitle } from './count-words.js';

describe("an element's counts", () => {
  it('are named in full words for screen readers, singular or plural', () => {
    expect(countsName({ hereNow: 0, wereHere: 3 })).toBe('0 here now, 3 were here');
    expect(countsName({ hereNow: 1, wereHere: 1 })).toBe('1 here now, 1 was here');
    expect(countsName({ hereNow: 1200, wereHere: 56789 })).toBe('1,200 here now, 56,789 were here');
  });

  it('say in the tooltip what each number counts', () => {
    expect(countsTitle({ hereNow: 3, wereHere: 1 }))
      .toBe('Here now: 3 contacts at this element now.\nWere here: contacts passed through it 1 time (each pass counts).');
    expect(countsTitle({ hereNow: 1, wereHere: 0 })).toContain('1 contact at this element now');
  });

  it('give the errors with the last message', () => {
    expect(errorsTitle({ errors: 1, lastError: null })).toBe('1 error');
    expect(errorsTitle({ errors: 2, lastError: 'HTTP 500' })).toBe('2 errors; the last: HTTP 500');
  });

  it('show whole numbers up to 9,999 on the badge, then short ones', () => {
    expect(badgeNumber(0)).toBe('0');
    expect(badgeNumber(9_999)).toBe('9,999');
    expect(badgeNumber(56_789)).toBe('56.8K');
    expect(badgeNumber(1_250_000)).toBe('1.3M');
  });
});
