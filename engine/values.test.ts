import { describe, expect, it } from 'vitest';
import type { FieldDef } from './schema/field.js';
import { coerceForField } from './values.js';

const date: FieldDef = { key: 'd', label: 'Trial ends', type: 'date' };
const points: FieldDef = { key: 'p', label: 'Points', type: 'number', decimals: 3 };

describe('coerceForField', () => {
  it('takes dates as ISO text or epoch ms up to the last day a JS Date holds', () => {
    expect(coerceForField(date, '2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(coerceForField(date, 8.64e15)).toBe(8.64e15);
    expect(coerceForField(date, -8.64e15)).toBe(-8.64e15);
  });

  it('refuses epoch ms no date can show, so nothing stored breaks the ISO-8601 view of a contact', () => {
    expect(() => coerceForField(date, 8.64e15 + 1)).toThrow(/Trial ends is a date field; 8640000000000001 is not a date/);
    expect(() => coerceForField(date, 1e20)).toThrow(/not a date/);
    expect(() => coerceForField(date, -1e300)).toThrow(/not a date/);
  });

  it('keeps huge numbers finite when rounding them to the field\'s decimals', () => {
    expect(coerceForField(points, 1e308)).toBe(1e308);
    expect(coerceForField(points, '1e308')).toBe(1e308);
    expect(() => coerceForField(points, '1e999')).toThrow(/not a number/);
  });
});
