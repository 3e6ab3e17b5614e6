import { describe, expect, it } from 'vitest';
import { formatTime, niceTicks, timeLabels, timeTicks } from './format.js';

describe('chart axes and times', () => {
  it('keeps count axes whole', () => {
    expect(niceTicks(0, 1, 4, true)).toEqual([0, 1]);
    expect(niceTicks(0, 3, 4, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
  });

  it('labels a chart whose changes all fall within a minute', () => {
    const from = Date.UTC(2026, 0, 1, 9, 0, 10);
    const ticks = timeTicks(from, from + 20_000, 3);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.every((t) => /\d:\d\d:\d\d/.test(t.label))).toBe(true);
    // No round moment inside a few seconds: the ends are labelled.
    expect(timeTicks(from, from + 900, 2).map((t) => t.t)).toEqual([from, from + 900]);
  });

  it('shows seconds only for times that share their minute', () => {
    const a = '2026-01-01T09:00:05Z';
    const b = '2026-01-01T09:00:50Z';
    const c = '2026-01-01T10:30:00Z';
    const [la, lb, lc] = timeLabels([a, b, c]);
    expect(la).not.toBe(lb);
    expect(la).toMatch(/:05/);
    expect(lb).toMatch(/:50/);
    expect(lc).toBe(formatTime(c));
    // The same moment twice is one time, not two.
    expect(timeLabels([c, c])).toEqual([formatTime(c), formatTime(c)]);
  });
});
