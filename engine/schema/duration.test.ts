import { describe, expect, it } from 'vitest';
import { Duration, MAX_DURATION_MS, durationMs } from './duration.js';

describe('Duration', () => {
  it('takes any mix of units up to 100 years', () => {
    expect(Duration.parse({ days: 30 })).toEqual({ days: 30 });
    expect(durationMs(Duration.parse({ weeks: 5_000, days: 1 }))).toBe((35_001) * 86_400_000);
    expect(Duration.safeParse({ days: 36_525 }).success).toBe(true);
  });

  it('refuses a duration past 100 years, whose due time could be Infinity or no date at all', () => {
    for (const d of [{ days: 1e308 }, { minutes: Number.MAX_VALUE }, { weeks: 5_219 }, { days: 36_525, minutes: 1 }]) {
      const r = Duration.safeParse(d);
      expect(r.success, JSON.stringify(d)).toBe(false);
      expect(r.error?.issues[0].message).toBe('a duration is at most 100 years');
    }
    expect(MAX_DURATION_MS).toBe(36_525 * 86_400_000);
  });
});
