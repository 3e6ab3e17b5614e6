import { describe, expect, it } from 'vitest';
import { Duration } from '../../../../engine/schema/duration.js';
import { DURATION_UNITS, joinDuration, readAmount, splitDuration, unitWord } from './duration-value.js';

describe('duration ↔ number and unit', () => {
  it('offers the schema\'s units', () => {
    expect(DURATION_UNITS).toEqual(['minutes', 'hours', 'days', 'weeks']);
  });

  it('writes 2 days as { days: 2 }, which the schema accepts', () => {
    expect(joinDuration(2, 'days')).toEqual({ days: 2 });
    expect(Duration.safeParse(joinDuration(2, 'days')).success).toBe(true);
  });

  it('keeps the unit the author chose', () => {
    expect(splitDuration({ days: 14 })).toEqual({ amount: 14, unit: 'days' });
    expect(splitDuration({ hours: 1.5 })).toEqual({ amount: 1.5, unit: 'hours' });
    expect(splitDuration({ weeks: 0 })).toEqual({ amount: 0, unit: 'weeks' });
  });

  it('shows a mixed duration in the largest unit that holds it whole', () => {
    expect(splitDuration({ hours: 1, minutes: 30 })).toEqual({ amount: 90, unit: 'minutes' });
    expect(splitDuration({ days: 1, hours: 24 })).toEqual({ amount: 2, unit: 'days' });
    expect(splitDuration({ weeks: 1, days: 7 })).toEqual({ amount: 2, unit: 'weeks' });
  });

  it('round-trips every single-unit duration', () => {
    for (const unit of DURATION_UNITS) {
      for (const amount of [0, 1, 2.5, 30]) expect(splitDuration(joinDuration(amount, unit))).toEqual({ amount, unit });
    }
  });

  it('reads typed amounts: empty is none, negatives and words are not numbers', () => {
    expect(readAmount('')).toBeNull();
    expect(readAmount(' 3 ')).toBe(3);
    expect(readAmount('0.5')).toBe(0.5);
    expect(readAmount('-1')).toBeUndefined();
    expect(readAmount('two')).toBeUndefined();
  });

  it('says 1 day, 2 days', () => {
    expect(unitWord('days', 1)).toBe('day');
    expect(unitWord('days', 2)).toBe('days');
  });
});
