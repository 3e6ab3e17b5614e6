import { describe, expect, it } from 'vitest';
import { roundHalfAwayFromZero } from './field.js';

describe('roundHalfAwayFromZero', () => {
  it('rounds halves away from zero, 1.005 included', () => {
    expect(roundHalfAwayFromZero(2.5)).toBe(3);
    expect(roundHalfAwayFromZero(-2.5)).toBe(-3);
    expect(roundHalfAwayFromZero(1.005, 2)).toBe(1.01);
    expect(roundHalfAwayFromZero(0.0004, 3)).toBe(0);
  });

  it('leaves numbers too large to hold a fraction as they are, never Infinity', () => {
    expect(roundHalfAwayFromZero(1e308, 3)).toBe(1e308);
    expect(roundHalfAwayFromZero(Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
    expect(roundHalfAwayFromZero(-1e308, 3)).toBe(-1e308);
    expect(roundHalfAwayFromZero(1e20)).toBe(1e20);
    expect(roundHalfAwayFromZero(2 ** 53 + 2)).toBe(2 ** 53 + 2);
  });
});
